"""Business models of national data-management support (``business-models/*.yaml``).

One file per business model, in the catalogue format (loaders/catalogue_format.py,
docs/catalogues.md): the Node, the period, funding sources with their shares, the
service delivery model, support services and an optional business model canvas. The
closed lists (funding source types, service delivery models, canvas blocks) map each
catalogue value to the concept of ontology/schemes.ttl whose ``skos:notation`` it is.
"""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox

from kg.namespaces import RDF_TYPE, Iris, ckg, dct, schema
from loaders.catalogue_format import Entry, decimal_literal, emit_period, period_bounds
from loaders.common import LINE_KEY, Collector

FUNDING_SOURCE_TYPES = {
    "infrastructure_funding": ckg.infrastructureFunding,
    "host_institution_funding": ckg.hostInstitutionFunding,
    "research_grants": ckg.researchGrants,
    "data_access_charges": ckg.dataAccessCharges,
    "deposit_fees": ckg.depositFees,
    "contract_work": ckg.contractWork,
    "sponsorship": ckg.sponsorship,
    "cost_saving": ckg.costSaving,
}
SERVICE_DELIVERY_MODELS = {
    "central": ckg.centralDelivery,
    "distributed": ckg.distributedDelivery,
    "hybrid": ckg.hybridDelivery,
}
CANVAS_BLOCKS = {
    "key_partners": ckg.keyPartners,
    "key_activities": ckg.keyActivities,
    "key_resources": ckg.keyResources,
    "value_propositions": ckg.valuePropositions,
    "customer_relationships": ckg.customerRelationships,
    "channels": ckg.channels,
    "customer_segments": ckg.customerSegments,
    "cost_structure": ckg.costStructure,
    "revenue_streams": ckg.revenueStreams,
}

BUSINESS_MODEL_FIELDS = {
    "example",
    "title",
    "node",
    "period",
    "description",
    "funding_sources",
    "service_delivery_model",
    "services",
    "target_users",
    "cost_recovery",
    "source",
    "canvas",
}
BUSINESS_MODEL_REQUIRED = {
    "example",
    "title",
    "node",
    "period",
    "funding_sources",
    "service_delivery_model",
    "source",
}
FUNDING_FIELDS = {"type", "share", "description"}
SERVICE_FIELDS = {"name", "description", "target_users"}
HUNDRED = Decimal(100)


class BusinessModelReader:
    """Reads business-model entries into the triples, issues and counts of ``collector``."""

    def __init__(self, collector: Collector, iris: Iris):
        self.collector = collector
        self.iris = iris

    def read(self, entry: Entry, key: str) -> None:
        """One business model: ``entry`` is its file's top mapping, ``key`` its id."""
        entry.check_keys(BUSINESS_MODEL_FIELDS, BUSINESS_MODEL_REQUIRED)
        node = self.iris.business_model(key)
        self.collector.record_line(node, entry.start)
        add = self.collector.out.add
        add(node, RDF_TYPE, ckg.BusinessModel)
        add(node, dct.identifier, key)
        add(node, schema.name, entry.text("title"))
        add(node, schema.description, entry.text("description"))
        add(node, ckg.isExample, entry.boolean("example"))
        add(node, ckg.node, self.iris.node(entry.node_code("node")))
        emit_period(
            self.collector.out, node, period_bounds(entry.mapping("period"), require_end=False)
        )
        add(
            node,
            ckg.serviceDeliveryModel,
            entry.notation("service_delivery_model", SERVICE_DELIVERY_MODELS),
        )
        add(node, ckg.costRecovery, entry.text("cost_recovery"))
        add(node, dct.source, entry.iri("source"))
        for user in entry.strings("target_users"):
            add(node, ckg.targetUser, user)
        self.funding_sources(node, entry)
        self.services(node, entry)
        self.canvas(node, entry)
        self.collector.stats["business models"] += 1
        if entry.boolean("example"):
            self.collector.stats["example business models"] += 1

    def funding_sources(self, node: ox.NamedNode, entry: Entry) -> None:
        add = self.collector.out.add
        shares: list[Decimal | None] = []
        for n, item, field, line in entry.items("funding_sources"):
            source = Entry(item, entry.where, field, line)
            source.check_keys(FUNDING_FIELDS, {"type"})
            funding = ox.NamedNode(f"{node.value}#funding-{n}")
            add(node, ckg.fundingSource, funding)
            add(funding, RDF_TYPE, ckg.FundingSource)
            add(funding, ckg.fundingSourceType, source.notation("type", FUNDING_SOURCE_TYPES))
            share = source.decimal("share", Decimal(0), HUNDRED)
            shares.append(share)
            if share is not None:
                add(funding, ckg.fundingShare, decimal_literal(share / HUNDRED))
            add(funding, schema.description, source.text("description"))
            self.collector.stats["funding sources"] += 1
        self.check_shares(node, entry, shares)

    def check_shares(self, node: ox.NamedNode, entry: Entry, shares: list[Decimal | None]) -> None:
        """More than 100% is an error; all shares given but not adding up to 100% an issue."""
        known = [s for s in shares if s is not None]
        total = sum(known, Decimal(0))
        if total > HUNDRED:
            raise entry.error("funding_sources", f"the shares add up to {total}%, more than 100%")
        if known and len(known) == len(shares) and total != HUNDRED:
            self.collector.issue(
                "funding-shares-incomplete",
                entry.at("funding_sources"),
                f"business model {node.value}: the shares of all funding sources add up"
                f" to {total}%, not 100%",
            )

    def services(self, node: ox.NamedNode, entry: Entry) -> None:
        add = self.collector.out.add
        for n, item, field, line in entry.items("services"):
            if isinstance(item, str):
                item = {"name": item, LINE_KEY: line}
            service = Entry(item, entry.where, field, line)
            service.check_keys(SERVICE_FIELDS, {"name"})
            iri = ox.NamedNode(f"{node.value}#service-{n}")
            add(node, ckg.offersService, iri)
            add(iri, RDF_TYPE, ckg.SupportService)
            add(iri, schema.name, service.text("name"))
            add(iri, schema.description, service.text("description"))
            for user in service.strings("target_users"):
                add(iri, ckg.targetUser, user)
            self.collector.stats["support services"] += 1

    def canvas(self, node: ox.NamedNode, entry: Entry) -> None:
        canvas = entry.mapping("canvas")
        if canvas is None:
            return
        canvas.check_keys(set(CANVAS_BLOCKS))
        add = self.collector.out.add
        for block, concept in CANVAS_BLOCKS.items():
            text = canvas.text(block)
            if text is None:
                continue
            iri = ox.NamedNode(f"{node.value}#canvas-{block}")
            add(node, ckg.canvasEntry, iri)
            add(iri, RDF_TYPE, ckg.CanvasEntry)
            add(iri, ckg.canvasBlock, concept)
            add(iri, schema.description, text)
            self.collector.stats["canvas entries"] += 1
