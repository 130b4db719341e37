"""The answers of the catalogue's questions (queries/<area>/<verb_noun>.rq) on the full build.

Every expected answer is computed here from the source files, read independently of the
loaders (``yaml.safe_load``, ``json.load``, ``rdflib``, a regex): the RDMkit checkout and the
other datasets in ../shared/data, and the curated files in data/. Parameters are bound the way
the catalogue binds them: typed terms parsed from the query's ``# param:`` header lines, passed
to ``store.query(text, bindings)``.

Each question runs in two modes:

- ``store``: ``store.query(text, bindings)``, the project's binding (kg/store.py);
- ``in-where``: the same ``VALUES`` row placed first in the query's outer ``WHERE`` group, the
  semantics the catalogue promises (a parameter is visible to the pattern's FILTERs and is
  joined before grouping).

A trailing ``VALUES`` clause is joined after the ``WHERE`` pattern, its FILTERs and its grouping
(SPARQL 1.1, 18.2.4): most queries bind their parameters by joins so that they answer right
either way, but a parameter used only in a FILTER (keyword search, dates, a minimum share, a
language) cannot. Those checks are expected to fail in ``store`` mode while kg/store.py appends
the clause after the query (strict xfail: they turn into plain checks once it no longer does).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import yaml
from rdflib.namespace import RDF, RDFS, SKOS

from kg.settings import Settings
from kg.sparql.rewrite import values_clause
from kg.store import open_store
from tests.support.paths import ROOT

BASE = "https://w3id.org/elixir-converge/"
CKG = BASE + "ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SETTINGS = Settings.load(environ={})
QUERIES = Path(SETTINGS.queries_dir)
DATA = Path(SETTINGS.data_dir)
PROJECT = ROOT

MENTION = re.compile(r'\{%\s*tool\s+"([^"]*)"\s*%\}')
PARAM = re.compile(r"^# param: (\w+) \(([^)]*)\) — ", re.M)
DATATYPES = {
    "integer": "integer",
    "decimal": "decimal",
    "boolean": "boolean",
    "date": "date",
}
FOLDER_KIND = {
    "data_life_cycle": "lifeCycleStagePage",
    "your_tasks": "taskPage",
    "your_domain": "domainPage",
    "your_role": "rolePage",
    "tool_assembly": "toolAssemblyPage",
    "national_resources": "nationalPage",
}
NODE_LABELS = {"ELIXIR-Cyprus": "CY", "ELIXIR-SP": "ES", "ELIXIR-UK": "GB", "EMBL-EBI": "EMBL"}
HUB_LABEL = "ELIXIR Hub"


# --------------------------------------------------------------------------- binding


def header_params(text: str) -> dict[str, dict]:
    """``name -> {type, required, default, values}`` from the ``# param:`` lines."""
    params = {}
    for name, spec in PARAM.findall(text):
        parts = [p.strip() for p in spec.split(",")]
        kind, _, values = parts[0].partition(":")
        default = next((p.split("=", 1)[1] for p in parts if p.startswith("default=")), None)
        params[name] = {
            "type": kind,
            "required": "required" in parts,
            "default": default,
            "values": values.strip().split("|") if values else None,
        }
    return params


def term(spec: dict, value) -> ox.NamedNode | ox.Literal:
    if spec["type"] == "iri":
        return ox.NamedNode(str(value))
    if spec["type"] == "enum":
        assert str(value) in spec["values"], f"{value!r} not in {spec['values']}"
    if spec["type"] == "boolean" and isinstance(value, bool):
        value = "true" if value else "false"
    if spec["type"] == "language":  # a plain literal, lower-cased (kg/catalog.py)
        return ox.Literal(str(value).lower())
    datatype = DATATYPES.get(spec["type"])
    if datatype is None:
        return ox.Literal(str(value))
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))


def bindings_for(text: str, params: dict) -> dict:
    specs = header_params(text)
    assert set(params) <= set(specs), f"unknown parameters {set(params) - set(specs)}"
    values = {n: s["default"] for n, s in specs.items() if s["default"] is not None}
    values.update(params)
    missing = [n for n, s in specs.items() if s["required"] and n not in values]
    assert not missing, f"required parameters missing: {missing}"
    return {name: term(specs[name], value) for name, value in values.items()}


def in_where(text: str, bindings: dict) -> str:
    """The query with the VALUES row first in its outer WHERE group."""
    blank = re.sub(r"(?m)^\s*#.*$", lambda m: " " * len(m.group(0)), text)
    match = re.search(r"\bWHERE\s*\{", blank)
    assert match, "no WHERE clause"
    return text[: match.end()] + values_clause(bindings) + text[match.end() :]


def py(value):
    if value is None or isinstance(value, ox.NamedNode):
        return None if value is None else value.value
    if isinstance(value, ox.Literal):
        kind = value.datatype.value.removeprefix(XSD)
        if kind in ("integer", "int", "long"):
            return int(value.value)
        if kind in ("decimal", "double", "float"):
            return Decimal(value.value)
        if kind == "boolean":
            return value.value in ("true", "1")
        return value.value
    return str(value)


def answer(store, name: str, mode: str, **params) -> list[dict]:
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    bindings = bindings_for(text, params)
    if mode == "in-where" and bindings:
        result = store.query(in_where(text, bindings))
    else:
        result = store.query(text, bindings or None)
    names = [v.value for v in result.variables]
    return [{n: py(row[n]) for n in names} for row in result]


def _bindings_reach_filters() -> bool:
    store = open_store("memory")
    try:
        rows = store.query(
            "SELECT ?x WHERE { BIND (1 AS ?x) FILTER (BOUND(?p)) }", {"p": ox.Literal("p")}
        )
        return len(list(rows)) == 1
    finally:
        store.close()


BINDINGS_REACH_FILTERS = _bindings_reach_filters()
TRAILING = (
    "kg/store.py appends the VALUES clause after the query: it is joined after the WHERE "
    "pattern's FILTERs (and after grouping), so a parameter used in a FILTER does not narrow"
)


@pytest.fixture(params=["store", "in-where"])
def ask(request, full_build):
    """``ask(name, filters=False, **params)`` → rows as dicts of Python values."""
    store, _ = full_build

    def ask_(name: str, *, filters: bool = False, **params) -> list[dict]:
        if filters and request.param == "store" and not BINDINGS_REACH_FILTERS:
            request.applymarker(pytest.mark.xfail(strict=True, reason=TRAILING))
        return answer(store, name, request.param, **params)

    return ask_


# --------------------------------------------------------------------------- sources


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def text_of(value) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


def targets(related) -> list[str]:
    out = []
    for value in (related or {}).values():
        out.extend([value] if isinstance(value, str) else [str(v) for v in value or []])
    return out


class RDMkit:
    """The RDMkit checkout, read with yaml and a regex."""

    def __init__(self, root: Path):
        tools = yaml.safe_load((root / "_data/tool_and_resource_list.yml").read_text())
        self.tools: dict[str, dict] = {}
        for tool in tools:  # the first entry of a duplicate id wins
            self.tools.setdefault(str(tool["id"]), tool)
        self.pages: dict[str, dict] = {}
        for path in sorted((root / "pages").rglob("*.md")):
            if path.name.startswith("TEMPLATE_"):
                continue
            _, front, body = path.read_text(encoding="utf-8").split("---", 2)
            meta = yaml.safe_load(front) or {}
            parts = path.relative_to(root / "pages").parts
            kind = (
                FOLDER_KIND.get(parts[0], "informationPage")
                if len(parts) > 1
                else "informationPage"
            )
            key = meta.get("page_id") or path.stem
            self.pages[key] = {"kind": kind, "meta": meta, "body": body, "folder": parts[0]}
        for page in self.pages.values():
            page["related"] = [
                t for t in targets(page["meta"].get("related_pages")) if t in self.pages
            ]
            page["mentions"] = {m for m in MENTION.findall(page["body"]) if m in self.tools}
        self.national: list[dict] = []
        for key, page in self.pages.items():
            if page["kind"] != "nationalPage":
                continue
            country, seen = str(page["meta"]["country_code"]), set()
            for item in page["meta"].get("national_resources") or []:
                name = text_of(item.get("name"))
                if (country, slug(name)) in seen:
                    continue
                seen.add((country, slug(name)))
                instance = text_of(item.get("instance_of")) or text_of(item.get("inistance_of"))
                related = [t for t in targets(item.get("related_pages")) if t in self.pages]
                self.national.append(
                    {
                        "country": country,
                        "name": name,
                        "page": key,
                        "description": text_of(item.get("description")),
                        "instance_of": self.resolve(instance) if instance else None,
                        "related": set(related),
                    }
                )

    def resolve(self, rid: str) -> str | None:
        if rid in self.tools:
            return rid
        matches = [t for t in self.tools if t.lower() == rid.lower()]
        return matches[0] if len(matches) == 1 else None

    def of_kind(self, kind: str) -> list[str]:
        return sorted(k for k, p in self.pages.items() if p["kind"] == kind)

    def registry(self, rid: str, name: str) -> str | None:
        value = (self.tools[rid].get("registry") or {}).get(name)
        return None if value is None or str(value).strip() in ("", "NA") else str(value).strip()


@pytest.fixture(scope="module")
def rdmkit(shared_data) -> RDMkit:
    return RDMkit(shared_data / "rdmkit")


@pytest.fixture(scope="module")
def curated_nodes() -> dict:
    return yaml.safe_load((DATA / "nodes.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def model(shared_data) -> dict:
    return json.loads((shared_data / "rdm-maturity-model/maturity_model.json").read_text())


def catalogue_files(folder: str) -> list[tuple[str, dict]]:
    return [
        (p.stem, yaml.safe_load(p.read_text(encoding="utf-8")))
        for p in sorted((DATA / folder).glob("*.yaml"))
        if not p.name.startswith("TEMPLATE")
    ]


@pytest.fixture(scope="module")
def schemes() -> rdflib.Graph:
    return rdflib.Graph().parse(PROJECT / "ontology/schemes.ttl")


@pytest.fixture(scope="module")
def biotools(shared_data) -> rdflib.Graph:
    return rdflib.Graph().parse(shared_data / "biotools/biotools-dump-20171129.ttl")


@pytest.fixture(scope="module")
def edam(shared_data) -> rdflib.Graph:
    return rdflib.Graph().parse(shared_data / "edam/EDAM_1.25.owl", format="xml")


def tail(iri: str, marker: str) -> str:
    return iri.split(marker, 1)[1]


# --------------------------------------------------------------------------- RDMkit


def test_most_mentioned_resources_count_the_pages_that_mention_them(ask, rdmkit):
    expected = {}
    for rid in rdmkit.tools:
        kinds = [p["kind"] for p in rdmkit.pages.values() if rid in p["mentions"]]
        if kinds:
            count = Counter(kinds)
            expected[rid] = (
                len(kinds),
                count["taskPage"],
                count["domainPage"],
                count["toolAssemblyPage"],
            )
    rows = ask("rdmkit/rank_mentioned_resources")
    found = {
        r["id"]: (r["pages"], r["taskPages"], r["domainPages"], r["assemblyPages"]) for r in rows
    }
    assert len(rows) == len(found) and found == expected
    ranking = [(-r["pages"], r["id"]) for r in rows]
    assert ranking == sorted(ranking)
    top = max(n for n, *_ in expected.values())
    assert rows[0]["pages"] == top and rows[0]["id"] in {
        i for i, v in expected.items() if v[0] == top
    }


def test_national_instances_of_a_resource_per_country(ask, rdmkit, curated_nodes):
    node_names = {str(n["code"]): n["name"] for n in curated_nodes["nodes"]}
    instances = defaultdict(set)
    for item in rdmkit.national:
        if item["instance_of"]:
            instances[item["instance_of"]].add((item["country"], item["name"], item["page"]))
    assert len(instances) > 10
    for rid, expected in instances.items():
        rows = ask("rdmkit/list_national_instances", resource=rid)
        found = {(r["country"], r["name"], tail(r["page"], "/page/")) for r in rows}
        assert len(rows) == len(found) and found == expected, rid
        assert all(r["nodeName"] == node_names[r["country"]] for r in rows), rid
        assert [r["country"] for r in rows] == sorted(r["country"] for r in rows)
    assert ask("rdmkit/list_national_instances", resource="no-such-resource") == []


def stage_expectation(rdmkit: RDMkit, stage: str, task=None, domain=None, role=None) -> dict:
    tasks = [t for t in rdmkit.pages[stage]["related"] if rdmkit.pages[t]["kind"] == "taskPage"]
    count: Counter = Counter()
    for t in set(tasks):
        for rid in rdmkit.pages[t]["mentions"]:
            count[("toolkit", rid)] += 1
        for item in rdmkit.national:
            if t in item["related"]:
                count[("national", (item["country"], item["name"]))] += 1
    listed = set()
    for t in set(tasks) if task is None else {task} & set(tasks):
        listed |= {("toolkit", rid) for rid in rdmkit.pages[t]["mentions"]}
        listed |= {
            ("national", (i["country"], i["name"])) for i in rdmkit.national if t in i["related"]
        }
    by_key = {(i["country"], i["name"]): i for i in rdmkit.national}

    def keep(scope, key) -> bool:
        if domain is not None:
            on = (
                key in rdmkit.pages[domain]["mentions"]
                if scope == "toolkit"
                else domain in by_key[key]["related"]
            )
            if not on:
                return False
        if role is not None:
            if scope == "national":
                return role in by_key[key]["related"]
            return any(i["instance_of"] == key and role in i["related"] for i in rdmkit.national)
        return True

    return {(s, k): count[(s, k)] for s, k in listed if keep(s, k)}


def stage_rows(rows) -> dict:
    out = {}
    for r in rows:
        key = (
            tail(r["resource"], "/resource/")
            if r["scope"] == "toolkit"
            else (r["country"], r["name"])
        )
        assert (r["scope"], key) not in out, f"{key} twice"
        out[(r["scope"], key)] = r["tasks"]
    return out


def test_resources_for_each_life_cycle_stage(ask, rdmkit):
    stages = [k for k in rdmkit.of_kind("lifeCycleStagePage")]
    assert len(stages) == 7
    for stage in stages:
        rows = ask("rdmkit/list_stage_resources", stage=CKG + stage)
        assert stage_rows(rows) == stage_expectation(rdmkit, stage), stage
        ranking = [-r["tasks"] for r in rows]
        assert ranking == sorted(ranking)


def test_stage_resources_narrowed_by_task_domain_or_role(ask, rdmkit):
    stage = "share"
    cases = [{"task": t} for t in rdmkit.pages[stage]["related"]]
    cases += [{"domain": d} for d in rdmkit.of_kind("domainPage")]
    cases += [{"role": r} for r in rdmkit.of_kind("rolePage")]
    cases += [{"task": "gdpr_compliance", "domain": "human_data", "role": "researcher"}]
    narrowed = 0
    for case in cases:
        params = {k: BASE + "page/" + v for k, v in case.items()}
        rows = ask("rdmkit/list_stage_resources", stage=CKG + stage, **params)
        expected = stage_expectation(rdmkit, stage, **case)
        assert stage_rows(rows) == expected, case
        narrowed += bool(expected)
    assert narrowed > len(cases) / 2


def test_pages_related_to_a_page_transitively(ask, rdmkit):
    checked = 0
    for key, page in rdmkit.pages.items():
        if not page["related"]:
            continue
        reached, todo = set(), list(page["related"])
        while todo:
            target = todo.pop()
            if target not in reached:
                reached.add(target)
                todo.extend(rdmkit.pages[target]["related"])
        reached.discard(key)
        rows = ask("rdmkit/list_related_pages", page=BASE + "page/" + key)
        assert {r["id"]: r["direct"] for r in rows} == {t: t in page["related"] for t in reached}, (
            key
        )
        assert len(rows) == len(reached)
        checked += 1
    assert checked > 50


@pytest.mark.parametrize("q", ["metadata", "Galaxy", "ELIXIR", "sensitive data"])
def test_keyword_search_ranks_name_matches_first(ask, rdmkit, q):
    things = [("ToolkitResource", t["name"], t.get("description")) for t in rdmkit.tools.values()]
    things += [("NationalResource", i["name"], i["description"]) for i in rdmkit.national]
    things += [
        ("Page", p["meta"].get("title") or key, p["meta"].get("description"))
        for key, p in rdmkit.pages.items()
    ]
    expected = Counter()
    for kind, name, description in things:
        name, description = text_of(name), text_of(description) or ""
        score = 2 * (q.lower() in name.lower()) + (q.lower() in description.lower())
        if score:
            expected[(kind, name, score)] += 1
    rows = ask("rdmkit/search_resources", filters=True, q=q)
    assert Counter((tail(r["type"], "#"), r["name"], r["score"]) for r in rows) == expected
    assert [-r["score"] for r in rows] == sorted(-r["score"] for r in rows)


def test_national_resources_per_country(ask, rdmkit):
    expected = {}
    for key in rdmkit.of_kind("nationalPage"):
        items = [i for i in rdmkit.national if i["page"] == key]
        linked = [i for i in items if i["instance_of"]]
        country = str(rdmkit.pages[key]["meta"]["country_code"])
        expected[country] = (len(items), len(linked), {i["instance_of"] for i in linked})
    rows = ask("rdmkit/count_resources_by_country")
    found = {
        r["country"]: (r["resources"], r["instances"], set((r["toolkitResources"] or "").split()))
        for r in rows
    }
    assert found == expected


# --------------------------------------------------------------------------- standards, EDAM


def test_standards_used_by_each_domain(ask, rdmkit):
    with_standards = 0
    for domain in rdmkit.of_kind("domainPage"):
        expected = {
            rid: rdmkit.registry(rid, "fairsharing")
            for rid in rdmkit.pages[domain]["mentions"]
            if rdmkit.registry(rid, "fairsharing")
        }
        rows = ask("standards/list_domain_standards", domain=BASE + "page/" + domain)
        assert {r["id"] for r in rows} == set(expected), domain
        for r in rows:
            value = expected[r["id"]]
            if re.fullmatch(r"[0-9A-Za-z]{6}", value):
                assert r["fairsharingRecord"] == "https://doi.org/10.25504/FAIRsharing." + value
        with_standards += bool(expected)
    assert with_standards > 10


def topic_index(biotools: rdflib.Graph) -> dict[str, set[str]]:
    """bio.tools record IRI -> its EDAM topic IRIs (the dump's empty ``[ ]`` topics left out)."""
    resource = rdflib.URIRef("https://bio.tools/ontology/Resource")
    has_topic = rdflib.URIRef("http://edamontology.org/has_topic")
    return {
        str(record): {
            str(t) for t in biotools.objects(record, has_topic) if isinstance(t, rdflib.URIRef)
        }
        for record in biotools.subjects(RDF.type, resource)
    }


def linked_records(rdmkit: RDMkit) -> dict[str, str]:
    """toolkit resource id -> bio.tools record IRI."""
    return {
        rid: "https://bio.tools/" + value
        for rid in rdmkit.tools
        if (value := rdmkit.registry(rid, "biotools")) and re.fullmatch(r"[-.0-9A-Za-z_]+", value)
    }


@pytest.mark.parametrize("covered", [None, True, False])
def test_edam_topic_coverage_of_the_toolkit_and_of_biotools(ask, rdmkit, biotools, covered):
    topics = topic_index(biotools)
    records, resources = Counter(), defaultdict(set)
    for tset in topics.values():
        records.update(tset)
    for rid, record in linked_records(rdmkit).items():
        for topic in topics.get(record, ()):
            resources[topic].add(rid)
    expected = {t: (len(resources[t]), n, bool(resources[t])) for t, n in records.items()}
    if covered is not None:
        expected = {t: v for t, v in expected.items() if v[2] == covered}
        rows = ask("edam/compare_topic_coverage", covered=covered)
    else:
        rows = ask("edam/compare_topic_coverage")
    found = {r["topic"]: (r["toolkitResources"], r["biotoolsRecords"], r["covered"]) for r in rows}
    assert found == expected and len(rows) == len(found)
    assert 0 < sum(v[2] for v in expected.values()) < len(records) or covered is not None


@pytest.mark.parametrize("topic", ["topic_3070", "topic_0091", "topic_0121", "topic_0089"])
def test_toolkit_resources_for_an_edam_topic_and_its_narrower_topics(
    ask, rdmkit, biotools, edam, topic
):
    root = rdflib.URIRef("http://edamontology.org/" + topic)
    narrower = {str(t) for t in edam.transitive_subjects(RDFS.subClassOf, root)}
    assert str(root) in narrower
    topics = topic_index(biotools)
    expected = {
        (rid, t)
        for rid, record in linked_records(rdmkit).items()
        for t in topics.get(record, ())
        if t in narrower
    }
    rows = ask("edam/list_topic_resources", topic=str(root))
    assert {(r["id"], r["matchedTopic"]) for r in rows} == expected
    assert expected


# --------------------------------------------------------------------------- Nodes


def node_map(shared_data, curated_nodes) -> dict[str, Counter]:
    """Node code -> Counter of (name, is lead, latitude, longitude) from the node map."""
    features = json.loads(
        (shared_data / "elixir-nodes/institutes.geojson").read_text(encoding="utf-8"),
        parse_float=Decimal,
    )["features"]
    codes = {str(n["code"]) for n in curated_nodes["nodes"]}
    seen, out = set(), defaultdict(Counter)
    for f in features:
        key = json.dumps([f["properties"], f["geometry"]], sort_keys=True, default=str)
        if key in seen:  # an exact repeat of an earlier feature
            continue
        seen.add(key)
        label = f["properties"]["node"]
        if label == HUB_LABEL:
            continue
        code = NODE_LABELS.get(label, label.removeprefix("ELIXIR-"))
        assert code in codes, label
        lon, lat = f["geometry"]["coordinates"][:2]
        out[code][
            (f["properties"]["name"].strip(), f["properties"]["role"] == "lead", lat, lon)
        ] += 1
    return out


def test_institutes_of_each_node_with_coordinates(ask, shared_data, curated_nodes):
    expected = node_map(shared_data, curated_nodes)
    assert len(expected) > 20
    for code, institutes in expected.items():
        rows = ask("nodes/list_node_institutes", node=code)
        found = Counter(
            (r["name"], r["role"] == "Lead institute", r["latitude"], r["longitude"]) for r in rows
        )
        assert found == institutes, code
    assert ask("nodes/list_node_institutes", node="XX") == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "member"},
        {"year": 2014},
        {"status": "observer"},
        {"status": "provisional_member", "year": 2015},
        {"year": 2030},
    ],
    ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()) or "all",
)
def test_nodes_by_membership_status_and_year(ask, curated_nodes, params):
    sources = {k: v["url"] for k, v in curated_nodes["sources"].items()}
    expected = set()
    for node in curated_nodes["nodes"]:
        for item in node["status"]:
            since = item.get("since")
            keys = item["source"] if isinstance(item["source"], list) else [item["source"]]
            row = (
                str(node["code"]),
                item["status"].replace("-", "_"),
                since,
                int(since[:4]) if since else "not stated",
                frozenset(sources[k] for k in keys),
            )
            if all(row[{"status": 1, "year": 3}[k]] == v for k, v in params.items()):
                expected.add(row)
    rows = ask("nodes/list_node_memberships", **params)
    found = {
        (r["code"], r["status"], r["since"], r["year"], frozenset(r["sources"].split()))
        for r in rows
    }
    assert found == expected and len(rows) == len(found)


def test_nodes_and_their_national_resources_for_each_task(ask, rdmkit, curated_nodes):
    node_names = {str(n["code"]): n["name"] for n in curated_nodes["nodes"]}
    with_resources = 0
    for task in rdmkit.of_kind("taskPage"):
        expected = {
            (i["country"], i["name"], i["instance_of"])
            for i in rdmkit.national
            if task in i["related"]
        }
        rows = ask("nodes/list_task_national_resources", task=BASE + "page/" + task)
        assert {(r["country"], r["name"], r["instanceOf"]) for r in rows} == expected, task
        assert len(rows) == len(expected)
        assert all(r["nodeName"] == node_names[r["country"]] for r in rows)
        with_resources += bool(expected)
    assert with_resources > 10


# --------------------------------------------------------------------------- maturity


def words(text: str) -> str:
    """The model's texts with runs of whitespace (line breaks) read as one space."""
    return " ".join(text.split())


def numeric_weights(indicator: dict) -> list[Decimal] | None:
    """The weights of the levels in order, or None when they do not pair up with the levels."""
    weights = []
    for w in indicator["weights"]:
        try:
            weights.append(Decimal(str(w).strip()))
        except ArithmeticError:
            continue
    return weights if len(weights) == len(indicator["maturityLevels"]) else None


@pytest.mark.parametrize("domain", [None, "1", "2", "3", "4"])
def test_maturity_indicators_by_domain_with_level_counts(ask, model, domain):
    expected = [
        (
            i["domainLevel"],
            i["indicatorLevel"],
            words(i["indicator"]),
            len(i["maturityLevels"]),
            len(i["maturityLevels"]) if numeric_weights(i) else 0,
            words(i["maturityLevels"][0]),
            words(i["maturityLevels"][-1]),
        )
        for i in model["indicators"]
        if domain is None or i["domainLevel"] == domain
    ]
    expected.sort(key=lambda e: (int(e[0]), int(e[1].split(".")[1])))
    params = {} if domain is None else {"domain": BASE + "maturity/domain/" + domain}
    rows = ask("maturity/list_domain_indicators", **params)
    found = [
        (
            r["domainNotation"],
            r["notation"],
            r["name"],
            r["levels"],
            r["weighted"],
            r["lowest"],
            r["highest"],
        )
        for r in rows
    ]
    assert found == expected


def assessments(model: dict) -> list[dict]:
    """Each assessment with its ratings resolved against the model."""
    by_id = {i["indicatorId"]: i for i in model["indicators"]}
    by_number = {i["indicatorLevel"]: i for i in model["indicators"]}
    out = []
    for name, data in catalogue_files("maturity-assessments"):
        org = data["organisation"]
        iri = (
            BASE + "node/" + org["node"]
            if "node" in org
            else BASE + "maturity/organisation/" + slug(org["name"])
        )
        ratings = []
        for r in data["ratings"]:
            ind = by_id.get(str(r["indicator"])) or by_number[str(r["indicator"])]
            weights = numeric_weights(ind)
            ratings.append(
                {
                    "indicator": ind,
                    "level": int(r["level"]),
                    "levels": len(ind["maturityLevels"]),
                    "levelName": words(ind["maturityLevels"][int(r["level"]) - 1]),
                    "weight": weights[int(r["level"]) - 1] if weights else None,
                    "note": text_of(r.get("note")),
                }
            )
        out.append({"iri": BASE + "maturity/assessment/" + name, "org": iri, "ratings": ratings})
    return out


def test_maturity_profile_unrated_indicators_and_scores_of_an_organisation(ask, model):
    cases = assessments(model)
    assert cases
    for case in cases:
        rows = ask("maturity/list_organisation_profile", organisation=case["org"])
        assert {
            (r["notation"], r["level"], r["levels"], r["levelName"], r["weight"], r["note"])
            for r in rows
        } == {
            (
                x["indicator"]["indicatorLevel"],
                x["level"],
                x["levels"],
                x["levelName"],
                x["weight"],
                x["note"],
            )
            for x in case["ratings"]
        }
        rated = {x["indicator"]["indicatorId"] for x in case["ratings"]}
        rows = ask("maturity/list_unrated_indicators", assessment=case["iri"])
        assert {r["notation"] for r in rows} == {
            i["indicatorLevel"] for i in model["indicators"] if i["indicatorId"] not in rated
        }
        rows = ask("maturity/score_assessment_domains", assessment=case["iri"])
        for row in rows:
            in_domain = [
                i for i in model["indicators"] if i["domainLevel"] == row["domainNotation"]
            ]
            mine = [
                x for x in case["ratings"] if x["indicator"]["domainLevel"] == row["domainNotation"]
            ]
            weights = [x["weight"] for x in mine if x["weight"] is not None]
            positions = [Decimal(x["level"] - 1) / Decimal(x["levels"] - 1) for x in mine]
            assert row["indicators"] == len(in_domain) and row["rated"] == len(mine)
            for got, values in ((row["meanWeight"], weights), (row["meanPosition"], positions)):
                if values:
                    assert abs(got - sum(values) / len(values)) < Decimal("1e-9"), row
                else:
                    assert got is None, row
        assert len(rows) == len(model["domains"])


# --------------------------------------------------------------------------- catalogues


def concept_of(schemes: rdflib.Graph, scheme: str, notation: str) -> str:
    for concept in schemes.subjects(SKOS.inScheme, rdflib.URIRef(CKG + scheme)):
        if str(schemes.value(concept, SKOS.notation)) == notation:
            return str(concept)
    raise KeyError(notation)


BUSINESS_MODEL_CASES = [
    ({}, False),
    ({"type": "infrastructure_funding"}, False),
    ({"type": "contract_work"}, False),
    ({"type": "sponsorship"}, False),
    ({"example": True}, False),
    ({"example": False}, False),
    ({"minShare": "0.3"}, True),
    ({"type": "host_institution_funding", "minShare": "0.5"}, True),
]


@pytest.mark.parametrize(
    "params,filters", BUSINESS_MODEL_CASES, ids=[str(p) for p, _ in BUSINESS_MODEL_CASES]
)
def test_business_models_by_funding_source_type(ask, schemes, params, filters):
    expected = Counter()
    for name, data in catalogue_files("business-models"):
        for source in data["funding_sources"]:
            share = Decimal(str(source["share"])) / 100 if "share" in source else None
            if "type" in params and source["type"] != params["type"]:
                continue
            if "example" in params and data["example"] != params["example"]:
                continue
            if "minShare" in params and (share is None or share < Decimal(params["minShare"])):
                continue
            concept = concept_of(schemes, "FundingSourceTypeScheme", source["type"])
            expected[(BASE + "business-model/" + name, concept, share)] += 1
    rows = ask("catalogues/list_business_models", filters=filters, **params)
    assert Counter((r["businessModel"], r["fundingType"], r["share"]) for r in rows) == expected


def period(value, end: bool) -> str:
    text = str(value)
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-12-31" if end else f"{text}-01-01"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = map(int, text.split("-"))
        if not end:
            return f"{text}-01"
        following = date(year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1).isoformat()
    return text


def observations() -> list[dict]:
    out = []
    for _, data in catalogue_files("impact"):
        for o in data.get("observations") or []:
            out.append(
                {
                    "indicator": o["indicator"],
                    "node": BASE + "node/" + str(o["node"]),
                    "start": period(o["period"]["start"], end=False),
                    "end": period(o["period"]["end"], end=True),
                    "value": Decimal(str(o["value"])),
                }
            )
    return out


IMPACT_CASES = [
    ({}, False),
    ({"node": BASE + "node/XX"}, False),
    ({"node": BASE + "node/SE"}, False),
    ({"from": "2022-01-01"}, True),
    ({"until": "2021-12-31"}, True),
    ({"from": "2021-06-01", "until": "2021-06-30"}, True),
]


@pytest.mark.parametrize("params,filters", IMPACT_CASES, ids=[str(p) for p, _ in IMPACT_CASES])
def test_an_indicators_values_per_node_over_time(ask, params, filters):
    obs = observations()
    assert obs
    for indicator in {o["indicator"] for o in obs}:
        expected = {
            (o["node"], o["start"], o["end"], o["value"])
            for o in obs
            if o["indicator"] == indicator
            and o["node"] == params.get("node", o["node"])
            and o["end"] >= params.get("from", o["end"])
            and o["start"] <= params.get("until", o["start"])
        }
        rows = ask(
            "catalogues/list_indicator_values",
            filters=filters,
            indicator=BASE + "impact/indicator/" + indicator,
            **params,
        )
        assert {(r["node"], r["start"], r["end"], r["value"]) for r in rows} == expected, indicator


def test_impact_indicators_by_category(ask, schemes):
    indicators = [i for _, data in catalogue_files("impact") for i in data.get("indicators") or []]
    counts = Counter(o["indicator"] for o in observations())
    categories = {
        str(c) for c in schemes.subjects(SKOS.inScheme, rdflib.URIRef(CKG + "ImpactCategoryScheme"))
    }
    for concept in sorted(categories):
        code = str(schemes.value(rdflib.URIRef(concept), SKOS.notation))
        expected = {
            (BASE + "impact/indicator/" + i["id"], counts[i["id"]])
            for i in indicators
            if i["category"] == code
        }
        rows = ask("catalogues/list_impact_indicators", category=code)
        assert {(r["indicator"], r["observations"]) for r in rows} == expected, code
    rows = ask("catalogues/list_impact_indicators")
    assert len(rows) == len(indicators)


@pytest.mark.parametrize(
    "scheme,lang,filters",
    [
        ("FundingSourceTypeScheme", "en", False),
        ("ImpactCategoryScheme", "en", False),
        ("MembershipStatusScheme", "en", False),
        ("LifeCycleStageScheme", None, False),
        ("PageKindScheme", "de", True),
    ],
)
def test_codes_of_a_controlled_vocabulary(ask, schemes, scheme, lang, filters):
    expected = set()
    for concept in schemes.subjects(SKOS.inScheme, rdflib.URIRef(CKG + scheme)):
        code = schemes.value(concept, SKOS.notation)
        for label in schemes.objects(concept, SKOS.prefLabel):
            if (lang or "en") == label.language:
                expected.add((str(concept), None if code is None else str(code), str(label)))
    params = {"scheme": CKG + scheme} | ({"lang": lang} if lang else {})
    rows = ask("catalogues/list_vocabulary_concepts", filters=filters, **params)
    assert {(r["concept"], r["code"], r["label"]) for r in rows} == expected
    assert bool(expected) == (lang != "de")


# --------------------------------------------------------------------------- curation


def test_resources_with_no_biotools_or_fairsharing_link(ask, rdmkit):
    expected = {}
    for rid, tool in rdmkit.tools.items():
        if rid in linked_records(rdmkit) or rdmkit.registry(rid, "fairsharing"):
            continue
        checked = sorted(k for k, v in (tool.get("registry") or {}).items() if str(v) == "NA")
        pages = sum(rid in p["mentions"] for p in rdmkit.pages.values())
        expected[rid] = (checked, pages)
    rows = ask("curation/list_unregistered_resources")
    found = {r["id"]: (sorted((r["checkedNotIn"] or "").split()), r["pages"]) for r in rows}
    assert found == expected and len(rows) == len(found)
    assert [-r["pages"] for r in rows] == sorted(-r["pages"] for r in rows)


@pytest.mark.parametrize(
    "kind",
    [
        None,
        "data_life_cycle",
        "your_tasks",
        "your_domain",
        "your_role",
        "tool_assembly",
        "national_resources",
        "information",
    ],
)
def test_pages_without_a_description(ask, rdmkit, kind):
    expected = {
        key
        for key, p in rdmkit.pages.items()
        if not text_of(p["meta"].get("description"))
        and kind in (None, p["folder"] if p["kind"] != "informationPage" else "information")
    }
    rows = ask("curation/list_pages_without_description", **({"kind": kind} if kind else {}))
    assert {r["id"] for r in rows} == expected and len(rows) == len(expected)
