"""The Nodes loader against data/nodes.yaml and the real node map in ../shared/data.

Expected values are derived here from the source files themselves, with parsers independent of
the loader's (plain ``yaml.safe_load`` and ``json.load``). The shapes of shapes/nodes.shapes.ttl
are checked like tests/shapes/test_shapes.py checks the RDMkit shapes (with tests/support/shapecases.py): a small
valid fixture (NODES_TTL) gives zero findings, and each row of NODE_CASES breaks one constraint of
that file and must give exactly one finding; a test compares the constraints of the file with the
rows.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from rdflib import Graph, URIRef

from kg.namespaces import Iris, slug
from kg.settings import Settings
from kg.validation.shapes import Validator, load_shapes, to_rdflib, validate
from loaders import nodes
from loaders.common import LoadError
from tests.support.shapecases import (
    BLANK,
    Case,
    add,
    check_case,
    constraints_without_message_or_severity,
    drop,
    replace,
    shape_constraints,
    shapes_file,
    sparql_without_sparql_target,
    uncovered,
)

BASE = "https://w3id.org/elixir-converge/"
IRIS = Iris(BASE)
CKG = "https://w3id.org/elixir-converge/ontology#"
NODE_MAP = "https://github.com/elixir-europe/elixir-node-map"
STATUS_CONCEPTS = {
    "member": CKG + "memberStatus",
    "provisional-member": CKG + "provisionalMemberStatus",
    "observer": CKG + "observerStatus",
}
ROLE_CONCEPTS = {
    "lead": CKG + "leadInstituteRole",
    "member": CKG + "memberInstituteRole",
    "hub": CKG + "hubInstituteRole",
}
#: The node map's labels that are not ELIXIR-<code> (shared/data/SOURCES.md, "Node map").
ODD_LABELS = {"ELIXIR-Cyprus": "CY", "ELIXIR-SP": "ES", "ELIXIR-UK": "GB", "EMBL-EBI": "EMBL"}
HUB_LABEL = "ELIXIR Hub"

PREFIXES = """
PREFIX ckg: <https://w3id.org/elixir-converge/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
"""


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def paths(shared_data) -> tuple[Path, Path]:
    nodes_yaml = Path(Settings.load(environ={}).data_dir) / "nodes.yaml"
    geojson = shared_data / "elixir-nodes" / "institutes.geojson"
    assert nodes_yaml.is_file() and geojson.is_file()
    return nodes_yaml, geojson


@pytest.fixture(scope="module")
def curated(paths) -> dict:
    return yaml.safe_load(paths[0].read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def features(paths) -> list[dict]:
    return json.loads(paths[1].read_text(encoding="utf-8"), parse_float=Decimal)["features"]


@pytest.fixture(scope="module")
def distinct_features(features) -> list[dict]:
    """The features, an exact repeat of an earlier one (all properties and point) left out."""
    seen, out = set(), []
    for f in features:
        key = json.dumps([f["properties"], f["geometry"]], sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


@pytest.fixture(scope="module")
def loaded(paths):
    return nodes.read(*paths, IRIS)


@pytest.fixture(scope="module")
def store(loaded) -> ox.Store:
    return _store(loaded.triples)


def _store(triples) -> ox.Store:
    s = ox.Store()
    s.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return s


def select(store: ox.Store, where: str, **bindings) -> list:
    query = PREFIXES + f"SELECT * WHERE {{ {where} }}"
    subs = {ox.Variable(name): term for name, term in bindings.items()}
    return list(store.query(query, substitutions=subs))


def values(rows, var: str) -> list[str]:
    return [r[var].value for r in rows]


def code_of(label: str) -> str:
    return ODD_LABELS.get(label, label.removeprefix("ELIXIR-"))


def issues(loaded, kind: str) -> list:
    return [i for i in loaded.issues if i.kind == kind]


# --------------------------------------------------------------------------- Nodes


def test_every_node_is_present_with_its_memberships(curated, store):
    found = values(select(store, "?n a ckg:Node ; dct:identifier ?code"), "code")
    assert sorted(found) == sorted(n["code"] for n in curated["nodes"])
    urls = {key: s["url"] for key, s in curated["sources"].items()}
    for entry in curated["nodes"]:
        node = IRIS.node(entry["code"])
        assert values(select(store, "?n schema:name ?v", n=node), "v") == [entry["name"]]
        assert values(select(store, "?n ckg:country ?v", n=node), "v") == (
            [entry["country"]] if entry["country"] else []
        )
        rows = select(store, "?m org:member ?n ; a ckg:Membership", n=node)
        assert len(rows) == len(entry["status"]), entry["code"]
        for n, fact in enumerate(entry["status"], start=1):
            m = IRIS.membership(node, n)
            one = select(
                store,
                "?m a org:Membership ; org:organization ?o ; org:role ?role",
                m=m,
            )
            assert [(r["o"].value, r["role"].value) for r in one] == [
                (BASE + "organisation/elixir", STATUS_CONCEPTS[fact["status"]])
            ]
            cited = fact["source"] if isinstance(fact["source"], list) else [fact["source"]]
            assert sorted(values(select(store, "?m dct:source ?s", m=m), "s")) == sorted(
                urls[k] for k in cited
            )
            dates = select(store, "?m org:memberDuring/dcat:startDate ?d", m=m)
            if "since" not in fact:
                assert dates == []
                continue
            (row,) = dates
            assert row["d"].value == fact["since"]
            kind = "date" if len(fact["since"]) == 10 else "gYearMonth"
            assert row["d"].datatype.value == "http://www.w3.org/2001/XMLSchema#" + kind


def test_membership_count_and_undated_facts(curated, loaded):
    facts = [f for n in curated["nodes"] for f in n["status"]]
    assert loaded.stats["memberships of Nodes"] == len(facts)
    assert loaded.stats["status facts without a date"] == sum("since" not in f for f in facts)
    assert loaded.stats["nodes"] == len(curated["nodes"])


def test_sources_are_described_by_title_and_date(curated, store):
    for source in curated["sources"].values():
        url = ox.NamedNode(source["url"])
        assert values(select(store, "?u dct:title ?t", u=url), "t") == [source["title"]]
        assert values(select(store, "?u dct:date ?d", u=url), "d") == (
            [source["date"]] if source.get("date") else []
        )


def test_embl_is_an_intergovernmental_node_without_country(curated, store):
    (embl,) = [n for n in curated["nodes"] if n["code"] == "EMBL"]
    assert embl["type"] == "intergovernmental-organisation" and embl["country"] is None
    assert all(n["country"] == n["code"] for n in curated["nodes"] if n["type"] == "national")
    assert select(store, "?n ckg:country ?c", n=IRIS.node("EMBL")) == []


def test_the_hub_and_elixir_are_organisations_not_nodes(store):
    hub, elixir = IRIS.organisation("elixir-hub"), IRIS.organisation("elixir")
    assert select(store, "?h a ckg:Node", h=hub) == []
    assert select(store, "?h a org:OrganizationalUnit ; org:unitOf ?e", h=hub, e=elixir)
    assert select(store, "?e a org:Organization ; schema:name 'ELIXIR'", e=elixir)


# --------------------------------------------------------------------------- institutes


def test_every_distinct_feature_becomes_an_institute_with_coordinates(
    features, distinct_features, loaded, store
):
    rows = select(store, "?i a ckg:Institute ; schema:name ?name")
    assert len(rows) == len(distinct_features) == loaded.stats["institutes"]
    assert loaded.stats["map features"] == len(features)
    by_name = Counter(f["properties"]["name"] for f in distinct_features)
    for f in distinct_features:
        name = f["properties"]["name"]
        assert by_name[name] == 1, "the real map has no two different institutes of one name"
        lon, lat = f["geometry"]["coordinates"]
        (row,) = select(
            store,
            "?i a ckg:Institute ; schema:name ?name ; schema:latitude ?lat ; schema:longitude ?lon",
            i=IRIS.institute(name),
        )
        assert Decimal(row["lat"].value) == Decimal(str(lat))
        assert Decimal(row["lon"].value) == Decimal(str(lon))
        assert row["lat"].datatype.value.endswith("#decimal")
        location = f["properties"].get("location")
        addresses = values(select(store, "?i schema:address ?a", i=IRIS.institute(name)), "a")
        assert addresses == ([location] if location else [])


def test_exact_duplicate_features_are_read_once_and_reported(features, distinct_features, loaded):
    repeats = len(features) - len(distinct_features)
    assert repeats > 0  # the real map repeats some features
    assert len(issues(loaded, "duplicate-institute")) == repeats


def test_institutes_without_website_are_reported(distinct_features, loaded, store):
    lacking = [f for f in distinct_features if not (f["properties"].get("website") or "").strip()]
    absent = [f for f in distinct_features if "website" not in f["properties"]]
    assert len(absent) == 23  # shared/data/SOURCES.md; three more have an empty website
    reported = issues(loaded, "institute-without-website")
    assert len(reported) == len(lacking) == loaded.stats["institutes without website"]
    without = select(
        store, "?i a ckg:Institute ; schema:name ?n FILTER NOT EXISTS { ?i schema:url ?u }"
    )
    assert sorted(values(without, "n")) == sorted(f["properties"]["name"] for f in lacking)


def test_institute_memberships_follow_the_normalised_labels(curated, distinct_features, store):
    codes = {n["code"] for n in curated["nodes"]}
    for f in distinct_features:
        props = f["properties"]
        label = props["node"]
        if label == HUB_LABEL:
            organisation = IRIS.organisation("elixir-hub")
        else:
            assert code_of(label) in codes, label
            organisation = IRIS.node(code_of(label))
        institute = IRIS.institute(props["name"])
        rows = select(
            store,
            "?m a ckg:Membership ; org:member ?i ; org:organization ?o ; org:role ?r ;"
            " dct:source ?s",
            i=institute,
        )
        assert [(r["o"], r["r"].value, r["s"].value) for r in rows] == [
            (organisation, ROLE_CONCEPTS[props["role"]], NODE_MAP)
        ]


def test_label_normalisations_are_reported(features, loaded):
    labels = {f["properties"]["node"] for f in features}
    odd = {label for label in labels if label in ODD_LABELS}
    assert {"ELIXIR-Cyprus", "ELIXIR-SP"} <= odd
    reported = {
        re.search(r"'([^']*)'", i.message).group(1) for i in issues(loaded, "node-label-normalised")
    }
    assert reported == odd
    for i in issues(loaded, "node-label-normalised"):
        label = re.search(r"'([^']*)'", i.message).group(1)
        assert i.message.endswith(f"read as Node {ODD_LABELS[label]}")
    assert len(issues(loaded, "hub-not-a-node")) == (HUB_LABEL in labels)
    assert issues(loaded, "unknown-node-label") == []


def test_lead_institutes_are_linked(curated, distinct_features, loaded, store):
    leads: dict[str, list[str]] = {}
    for f in distinct_features:
        props = f["properties"]
        if props["role"] == "lead":
            leads.setdefault(code_of(props["node"]), []).append(props["name"])
    linked = {
        r["code"].value: r["name"].value
        for r in select(store, "?n dct:identifier ?code ; ckg:leadInstitute/schema:name ?name")
    }
    assert linked == {code: names[0] for code, names in leads.items() if len(names) == 1}
    unlinked = {n["code"] for n in curated["nodes"]} - set(linked)
    reported = {
        i.message.split(":")[0].removeprefix("Node ")
        for i in issues(loaded, "lead-institute-not-linked")
    }
    assert reported == unlinked
    assert loaded.stats["lead institutes linked"] == len(linked)


def test_the_nodes_graph_validates_against_the_shapes(settings, distinct_features, loaded):
    """Nothing wrong, no finding: a website is optional on the node map (its absence is a
    curation issue for the worklist, not a finding); every feature has a node, a role and a
    point, so every institute has a membership and coordinates."""
    result = Validator(settings).validate(to_rdflib(loaded.triples))
    assert result.findings == [], [f.to_dict() for f in result.findings[:5]]
    lacking = sum(not (f["properties"].get("website") or "").strip() for f in distinct_features)
    assert lacking > 0 and len(issues(loaded, "institute-without-website")) == lacking


# --------------------------------------------------------------------------- quirks in small maps


def _feature(name: str, node: str, role: str, website: str | None, lon: float, lat: float) -> dict:
    props = {"name": name, "node": node, "role": role}
    if website is not None:
        props["website"] = website
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


def _map(tmp_path: Path, *features: dict) -> Path:
    path = tmp_path / "map.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}, indent=1))
    return path


def test_two_institutes_of_one_name_get_distinct_iris(paths, tmp_path):
    name = "Institute of Bioinformatics"
    first = _feature(name, "ELIXIR-BE", "lead", "https://a.example/", 4.5, 50.5)
    second = _feature(name, "ELIXIR-NL", "member", "https://b.example/", 5.1, 52.1)
    geojson = _map(tmp_path, first, second, first)  # the third is an exact repeat
    data = nodes.read(paths[0], geojson, IRIS)
    store = _store(data.triples)
    rows = select(store, "?i a ckg:Institute ; schema:url ?u")
    assert {(r["i"].value, r["u"].value) for r in rows} == {
        (BASE + "institute/" + slug(name), "https://a.example/"),
        (BASE + "institute/" + slug(name) + "-2", "https://b.example/"),
    }
    assert IRIS.institute(name, 2).value == BASE + "institute/" + slug(name) + "-2"
    assert len(issues(data, "institute-name-collision")) == 1
    assert len(issues(data, "duplicate-institute")) == 1
    orgs = select(store, "?m org:member ?i ; org:organization ?o", i=IRIS.institute(name, 2))
    assert values(orgs, "o") == [BASE + "node/NL"]


def test_an_unknown_label_is_reported_and_its_institute_kept_without_node(paths, tmp_path):
    geojson = _map(tmp_path, _feature("Nowhere Institute", "ELIXIR-Atlantis", "member", None, 0, 0))
    data = nodes.read(paths[0], geojson, IRIS)
    (issue,) = issues(data, "unknown-node-label")
    assert "ELIXIR-Atlantis" in issue.message
    store = _store(data.triples)
    institute = IRIS.institute("Nowhere Institute")
    assert select(store, "?i a ckg:Institute ; schema:name 'Nowhere Institute'", i=institute)
    assert select(store, "?m org:member ?i", i=institute) == []
    assert len(issues(data, "institute-without-website")) == 1


# --------------------------------------------------------------------------- errors


def _yaml_mark(text: str) -> tuple[int, int]:
    try:
        yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        return mark.line + 1, mark.column + 1
    raise AssertionError("the YAML is not broken")


def test_malformed_yaml_names_file_line_and_column(paths, tmp_path):
    text = paths[0].read_text(encoding="utf-8")
    broken = text.replace("name: ELIXIR Spain", "name: [ELIXIR Spain", 1)
    assert broken != text
    path = tmp_path / "nodes.yaml"
    path.write_text(broken, encoding="utf-8")
    line, column = _yaml_mark(broken)
    with pytest.raises(LoadError, match=rf"nodes\.yaml:{line}:{column}: invalid YAML"):
        nodes.read(path, paths[1], IRIS)


def test_malformed_json_names_file_line_and_column(paths, tmp_path):
    text = paths[1].read_text(encoding="utf-8")
    broken = text.replace('"role": "lead",', '"role": "lead"', 1)  # a missing comma
    assert broken != text
    try:
        json.loads(broken)
    except json.JSONDecodeError as exc:
        line, column = exc.lineno, exc.colno
    path = tmp_path / "institutes.geojson"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(LoadError, match=rf"institutes\.geojson:{line}:{column}: invalid JSON"):
        nodes.read(paths[0], path, IRIS)


@pytest.mark.parametrize("field", ["code", "name", "status"])
def test_a_missing_required_field_names_file_node_and_field(paths, curated, tmp_path, field):
    data = json.loads(json.dumps(curated))  # a deep copy
    (spain,) = [n for n in data["nodes"] if n["code"] == "ES"]
    del spain[field]
    path = tmp_path / "nodes.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(LoadError) as error:
        nodes.read(path, paths[1], IRIS)
    message = str(error.value)
    assert "nodes.yaml:" in message and f"missing required field '{field}'" in message
    assert ("'ES'" if field != "code" else "'ELIXIR Spain'") in message


def test_an_appended_status_adds_a_membership_and_keeps_the_old_one(
    paths, curated, loaded, tmp_path
):
    text = paths[0].read_text(encoding="utf-8")
    old_fact = '      - {status: observer, since: "2023-10-30", source: s5}\n'
    assert text.count(old_fact) == 1, "the Romanian fact as written in nodes.yaml"
    # A hypothetical later fact, appended as the nodes.yaml header prescribes.
    new_fact = '      - {status: member, since: "2030-01", source: s5}\n'
    path = tmp_path / "nodes.yaml"
    path.write_text(text.replace(old_fact, old_fact + new_fact), encoding="utf-8")
    changed = nodes.read(path, paths[1], IRIS)
    node = IRIS.node("RO")
    first, second = IRIS.membership(node, 1), IRIS.membership(node, 2)
    assert loaded.stats["memberships of Nodes"] + 1 == changed.stats["memberships of Nodes"]

    def about(triples, subject):
        prefix = subject.value
        return {t for t in triples if t.subject.value.startswith(prefix)}

    assert about(changed.triples, first) == about(loaded.triples, first) != set()
    assert about(loaded.triples, second) == set()
    store = _store(changed.triples)
    (row,) = select(store, "?m org:role ?r ; org:memberDuring/dcat:startDate ?d", m=second)
    assert (row["r"].value, row["d"].value) == (STATUS_CONCEPTS["member"], "2030-01")


# --------------------------------------------------------------------------- shapes

NODE_SHAPES_FILE = "nodes.shapes.ttl"
NS = {
    "ckg": CKG,
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "node": BASE + "node/",
    "inst": BASE + "institute/",
    "orgn": BASE + "organisation/",
    "mbe": BASE + "node/BE/membership/",
    "membl": BASE + "node/EMBL/membership/",
    "mvib": BASE + "institute/vib/membership/",
    "mugent": BASE + "institute/ugent/membership/",
    "pbe": BASE + "node/BE/membership/1#",
}
S1 = "<https://elixir-europe.org/about/elixir-structure>"
MAP = f"<{NODE_MAP}>"

#: A valid nodes graph in small: two Nodes (one without country), ELIXIR and the Hub, two
#: institutes and every kind of membership.
NODES_TTL = (
    "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in NS.items())
    + f"""
orgn:elixir a org:Organization ; schema:name "ELIXIR" .
orgn:elixir-hub a org:OrganizationalUnit ; schema:name "ELIXIR Hub" ; org:unitOf orgn:elixir .

node:BE a ckg:Node ; dct:identifier "BE" ; schema:name "ELIXIR Belgium" ; ckg:country "BE" ;
    ckg:leadInstitute inst:vib .
mbe:1 a org:Membership , ckg:Membership ; org:member node:BE ; org:organization orgn:elixir ;
    org:role ckg:memberStatus ; org:memberDuring pbe:period ; dct:source {S1} .
pbe:period a dct:PeriodOfTime ; dcat:startDate "2015-11"^^xsd:gYearMonth .

node:EMBL a ckg:Node ; dct:identifier "EMBL" ; schema:name "EMBL (EMBL-EBI)" .
membl:1 a org:Membership , ckg:Membership ; org:member node:EMBL ; org:organization orgn:elixir ;
    org:role ckg:memberStatus ; dct:source {S1} .

inst:vib a ckg:Institute ; schema:name "VIB" ; schema:url <https://vib.be/> ;
    schema:latitude 51.0 ; schema:longitude 3.7 ; schema:address "Belgium" .
mvib:1 a org:Membership , ckg:Membership ; org:member inst:vib ; org:organization node:BE ;
    org:role ckg:leadInstituteRole ; dct:source {MAP} .

inst:ugent a ckg:Institute ; schema:name "Ghent University" ; schema:url <https://www.ugent.be/> ;
    schema:latitude 51.05 ; schema:longitude 3.72 .
mugent:1 a org:Membership , ckg:Membership ; org:member inst:ugent ; org:organization node:BE ;
    org:role ckg:memberInstituteRole ; dct:source {MAP} .
"""
)

W = "Warning"
MEMBERSHIP_OF_EMBL = "org:organization orgn:elixir ; org:role ckg:memberStatus ; dct:source " + S1
MEMBERSHIP_IN_BE = f"org:organization node:BE ; org:role ckg:memberInstituteRole ; dct:source {MAP}"

NODE_CASES = [
    # --- Node ---------------------------------------------------------------------------
    Case("NodeShape", "NodeKind", f'INSERT DATA {{ _:n a ckg:Node ; dct:identifier "LU" ; schema:name "Anonymous" . membl:9 a org:Membership , ckg:Membership ; org:member _:n ; {MEMBERSHIP_OF_EMBL} }}', BLANK, None),
    Case("Node-identifier", "MinCount", drop("node:BE", "dct:identifier"), "node:BE", "dct:identifier"),
    Case("Node-identifier", "MaxCount", add("node:BE", "dct:identifier", '"NL"'), "node:BE", "dct:identifier"),
    Case("Node-identifier", "Datatype", replace("node:BE", "dct:identifier", '"BE"@en'), "node:BE", "dct:identifier"),
    Case("Node-identifier", "Pattern", replace("node:BE", "dct:identifier", '"be"'), "node:BE", "dct:identifier"),
    Case("Node-leadInstitute", "MaxCount", add("node:BE", "ckg:leadInstitute", "inst:ugent"), "node:BE", "ckg:leadInstitute"),
    Case("Node-leadInstitute", "Class", replace("node:BE", "ckg:leadInstitute", "inst:nowhere"), "node:BE", "ckg:leadInstitute"),
    Case("Node-membership", "MinCount", replace("mbe:1", "org:member", "node:EMBL"), "node:BE", "^org:member"),
    Case("Node-membership", "Class", add("<urn:example:not-a-membership>", "org:member", "node:BE"), "node:BE", "^org:member"),
    # --- Membership ---------------------------------------------------------------------
    Case("MembershipShape", "NodeKind", f"INSERT DATA {{ _:m a org:Membership , ckg:Membership ; org:member node:EMBL ; {MEMBERSHIP_OF_EMBL} }}", BLANK, None),
    Case("Membership-orgType", "HasValue", "DELETE DATA { mbe:1 a org:Membership }", "mbe:1", "rdf:type"),
    Case("Membership-member", "MinCount", f"INSERT DATA {{ mugent:2 a org:Membership , ckg:Membership ; {MEMBERSHIP_IN_BE} }}", "mugent:2", "org:member"),
    Case("Membership-member", "MaxCount", add("mvib:1", "org:member", "inst:ugent"), "mvib:1", "org:member"),
    Case("Membership-member", "Or", f"INSERT DATA {{ mugent:2 a org:Membership , ckg:Membership ; org:member orgn:elixir ; {MEMBERSHIP_IN_BE} }}", "mugent:2", "org:member"),
    Case("Membership-organization", "MinCount", drop("mbe:1", "org:organization"), "mbe:1", "org:organization"),
    Case("Membership-organization", "MaxCount", add("mbe:1", "org:organization", "orgn:elixir-hub"), "mbe:1", "org:organization"),
    Case("Membership-organization", "NodeKind", replace("mbe:1", "org:organization", '"ELIXIR"'), "mbe:1", "org:organization"),
    Case("Membership-role", "MinCount", drop("mbe:1", "org:role"), "mbe:1", "org:role"),
    Case("Membership-role", "MaxCount", add("mbe:1", "org:role", "ckg:observerStatus"), "mbe:1", "org:role"),
    Case("Membership-memberDuring", "MaxCount", "INSERT DATA { mbe:1 org:memberDuring pbe:other . pbe:other a dct:PeriodOfTime }", "mbe:1", "org:memberDuring"),
    Case("Membership-memberDuring", "Class", "DELETE DATA { pbe:period a dct:PeriodOfTime }", "mbe:1", "org:memberDuring"),
    Case("Membership-startDate", "MaxCount", add("pbe:period", "dcat:startDate", '"2015-12"^^xsd:gYearMonth'), "mbe:1", "org:memberDuring/dcat:startDate"),
    Case("Membership-startDate", "Or", replace("pbe:period", "dcat:startDate", '"Nov 2015"'), "mbe:1", "org:memberDuring/dcat:startDate"),
    Case("Membership-source", "MinCount", drop("mbe:1", "dct:source"), "mbe:1", "dct:source"),
    Case("Membership-source", "NodeKind", replace("mbe:1", "dct:source", '"s1"'), "mbe:1", "dct:source"),
    # --- Institute ----------------------------------------------------------------------
    Case("InstituteShape", "NodeKind", f'INSERT DATA {{ _:i a ckg:Institute ; schema:name "Anonymous" ; schema:latitude 50.0 ; schema:longitude 4.0 . <https://example.org/m> a org:Membership , ckg:Membership ; org:member _:i ; {MEMBERSHIP_IN_BE} }}', BLANK, None),
    Case("Institute-membership", "MinCount", "DELETE WHERE { mugent:1 ?p ?o }", "inst:ugent", "^org:member", W, says=("belongs to a Node",)),
    Case("Institute-point", "And", drop("inst:ugent", "schema:latitude") + " ;\n" + drop("inst:ugent", "schema:longitude"), "inst:ugent", None, W, says=("schema:latitude and schema:longitude are missing",)),
    Case("Institute-point", "And", drop("inst:ugent", "schema:longitude"), "inst:ugent", None, W, "longitude"),
    Case("Institute-latitude", "MaxCount", add("inst:vib", "schema:latitude", "51.1"), "inst:vib", "schema:latitude"),
    Case("Institute-latitude", "Datatype", replace("inst:vib", "schema:latitude", '"51.0"^^xsd:double'), "inst:vib", "schema:latitude"),
    Case("Institute-latitude", "MinInclusive", replace("inst:vib", "schema:latitude", '"-90.5"^^xsd:decimal'), "inst:vib", "schema:latitude"),
    Case("Institute-latitude", "MaxInclusive", replace("inst:vib", "schema:latitude", "90.5"), "inst:vib", "schema:latitude"),
    Case("Institute-longitude", "MaxCount", add("inst:vib", "schema:longitude", "3.8"), "inst:vib", "schema:longitude"),
    Case("Institute-longitude", "Datatype", replace("inst:vib", "schema:longitude", '"3.7"^^xsd:double'), "inst:vib", "schema:longitude"),
    Case("Institute-longitude", "MinInclusive", replace("inst:vib", "schema:longitude", '"-180.5"^^xsd:decimal'), "inst:vib", "schema:longitude"),
    Case("Institute-longitude", "MaxInclusive", replace("inst:vib", "schema:longitude", "180.5"), "inst:vib", "schema:longitude"),
    Case("Institute-address", "MaxCount", add("inst:vib", "schema:address", '"Ghent"'), "inst:vib", "schema:address"),
    Case("Institute-address", "Datatype", replace("inst:vib", "schema:address", '"Belgium"@en'), "inst:vib", "schema:address"),
    # --- roles of memberships: concepts of the scheme that fits the member -------------------
    Case("NodeMembership-role", "SPARQL", replace("mbe:1", "org:role", "ckg:leadInstituteRole"), "mbe:1", "org:role", says=("`ckg:leadInstituteRole` is not a membership status of a Node in ELIXIR", "use one of ckg:memberStatus, ckg:observerStatus, ckg:provisionalMemberStatus.")),
    Case("InstituteMembership-role", "SPARQL", replace("mvib:1", "org:role", "ckg:memberStatus"), "mvib:1", "org:role", says=("`ckg:memberStatus` is not a role of an institute in a Node", "use one of ckg:hubInstituteRole, ckg:leadInstituteRole, ckg:memberInstituteRole.")),
    Case("InstituteMembership-role", "SPARQL", replace("mvib:1", "org:role", '"lead"'), "mvib:1", "org:role", variant="literal", says=('the literal `"lead"`',)),
]  # fmt: skip

#: The shared property shapes of rdmkit.shapes.ttl (tested there) are wired to Nodes and
#: institutes too: one row each shows it.
WIRING_CASES = [
    Case("name-exactlyOne", "MinCount", drop("node:BE", "schema:name"), "node:BE", "schema:name"),
    Case("name-exactlyOne", "MaxCount", add("inst:vib", "schema:name", '"Vlaams Instituut voor Biotechnologie"'), "inst:vib", "schema:name"),
    Case("country", "Pattern", replace("node:BE", "ckg:country", '"BEL"'), "node:BE", "ckg:country"),
    Case("url", "NodeKind", replace("inst:vib", "schema:url", '"https://vib.be/"'), "inst:vib", "schema:url"),
    Case("url-scheme", "SPARQL", replace("inst:vib", "schema:url", "<hhttp://www.vib.be/>"), "inst:vib", "schema:url", W, says=("`hhttp://www.vib.be/`",)),
]  # fmt: skip


@pytest.fixture(scope="module")
def all_shapes() -> Graph:
    return load_shapes(Settings.load(environ={}).shapes_dir)


@pytest.fixture(scope="module")
def node_shapes() -> Graph:
    return shapes_file(NODE_SHAPES_FILE)


@pytest.fixture(scope="module")
def valid_fixture() -> Graph:
    return Graph().parse(data=NODES_TTL, format="turtle")


def test_the_valid_fixture_has_no_findings(all_shapes, valid_fixture):
    result = validate(valid_fixture, all_shapes)
    assert result.findings == [], [f.to_dict() for f in result.findings]


@pytest.mark.parametrize("case", NODE_CASES + WIRING_CASES, ids=lambda c: c.id)
def test_each_broken_node_constraint_gives_exactly_one_finding(case, all_shapes, valid_fixture):
    check_case(case, all_shapes, valid_fixture, NS)


def test_every_node_constraint_has_a_broken_fixture(node_shapes):
    assert all(isinstance(s, URIRef) for s in shape_constraints(node_shapes))
    assert uncovered(node_shapes, NODE_CASES) == []


def test_node_shapes_have_one_message_and_severity_and_sparql_only_behind_targets(node_shapes):
    assert constraints_without_message_or_severity(node_shapes) == []
    assert sparql_without_sparql_target(node_shapes) == []
