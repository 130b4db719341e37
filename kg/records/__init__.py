"""Records: one thing of the graph (or a filtered list of them) as plain dicts.

What the JSON API answers, what the HTML pages render and what the Bioschemas JSON-LD is
made from. Every function takes a store and the base IRI and returns JSON-ready values
(strings, numbers, lists, dicts); each thing carries its IRI as ``"@id"`` and the field
names are terms of ``ontology/context.jsonld``, so the dicts are JSON-LD.

All SPARQL here is fixed text; values from a request are bound as typed RDF terms
(:func:`kg.sparql.rewrite.bind`), never written into the text. A filtered list is one fixed
pattern per filter, chosen by name from :data:`RESOURCE_FILTERS` (the text of each is a
constant), joined with the bound values.

Resource relations (documented in README "Linked data"):

- *pages* of a resource: the RDMkit pages that mention it (``{% tool "id" %}``) or list it
  as a main resource (``ref_to_main_resources``);
- *stages*: the life-cycle stages whose stage page relates to a task page mentioning it;
- *tasks*, *domains*: the task and domain pages mentioning it;
- *roles*: the role pages that one of its national instances relates to;
- *nodes*: the Nodes (countries) where it has a national instance (``instance_of``).
"""

from kg.records.bioschemas import bioschemas
from kg.records.common import FAIRSHARING_DOI, PAGE_KINDS, PREFIXES, FilterError, select
from kg.records.resources import FILTER_NAMES, facets, resource, resources
from kg.records.things import home_counts, node, nodes, page, pages, standard, standards

__all__ = [
    "FAIRSHARING_DOI",
    "PREFIXES",
    "FILTER_NAMES",
    "PAGE_KINDS",
    "FilterError",
    "bioschemas",
    "facets",
    "home_counts",
    "node",
    "nodes",
    "page",
    "pages",
    "resource",
    "resources",
    "select",
    "standard",
    "standards",
]
