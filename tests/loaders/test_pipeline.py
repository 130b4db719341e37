"""The load pipeline: idempotence, the failed-load guarantee, generic RDF import, URLs."""

from __future__ import annotations

import functools
import http.server
import io
import json
import shutil
import threading
import zipfile

import pyoxigraph as ox
import pytest

from kg.store import open_store
from loaders import pipeline
from loaders.common import LoadError, SourceData
from loaders.pipeline import ValidationFailed, ingest, load, load_rdf

G = "https://example.org/graph/import"


def snapshot(store) -> bytes:
    out = io.BytesIO()
    store.dump(out)
    return b"\n".join(sorted(out.getvalue().splitlines()))


@pytest.fixture
def mem():
    return open_store("memory")


def test_loading_the_same_source_twice_changes_nothing(mem, settings):
    first = load(mem, settings, "rdmkit")
    before = snapshot(mem)
    second = load(mem, settings, "rdmkit")
    assert not first.unchanged and second.unchanged
    assert "unchanged" in second.summary()
    assert snapshot(mem) == before  # provenance timestamps included
    forced = load(mem, settings, "rdmkit", force=True)
    assert not forced.unchanged and forced.triples == first.triples


def test_a_load_that_fails_half_way_leaves_the_previous_graph_intact(mem, settings):
    load(mem, settings, "rdmkit")
    before = snapshot(mem)

    def dies_half_way():
        yield from list(mem.query("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 100"))
        raise OSError("disk vanished half-way through the source")

    data = SourceData("rdmkit", "/x", "sha256:other", dies_half_way())
    graph = ox.NamedNode(settings.base_iri + "graph/rdmkit")
    with pytest.raises(OSError, match="half-way"):
        ingest(mem, settings, data, graph, validate=False)
    assert snapshot(mem) == before


def test_violations_stop_the_load_and_keep_the_old_graph(mem, settings, shared_data, tmp_path):
    load(mem, settings, "rdmkit")
    before = snapshot(mem)
    root = tmp_path / "rdmkit"
    shutil.copytree(shared_data / "rdmkit", root)
    tools = root / "_data" / "tool_and_resource_list.yml"
    tools.write_text(
        tools.read_text() + "- id: broken\n  name: Broken\n  registry:\n    biotools: not an id\n"
    )
    with pytest.raises(ValidationFailed) as info:
        load(mem, settings, "rdmkit", str(root))
    assert "violation" in str(info.value)
    violations = info.value.report.validation.violations
    assert [v.focus for v in violations] == [settings.base_iri + "resource/broken"]
    assert snapshot(mem) == before


RDF_DOCS = {
    "doc.ttl": '@prefix ex: <http://example.org/> . ex:a ex:p "one" , "two" .',
    "doc.nt": '<http://example.org/a> <http://example.org/p> "one" .\n'
    '<http://example.org/a> <http://example.org/p> "two" .\n',
    "doc.nq": '<http://example.org/a> <http://example.org/p> "one" <http://example.org/g> .\n'
    '<http://example.org/a> <http://example.org/p> "two" .\n',
    "doc.trig": '@prefix ex: <http://example.org/> . ex:g { ex:a ex:p "one" , "two" }',
    "doc.jsonld": json.dumps(
        {"@id": "http://example.org/a", "http://example.org/p": ["one", "two"]}
    ),
    "doc.rdf": """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>one</ex:p><ex:p>two</ex:p></rdf:Description>
</rdf:RDF>""",
}


@pytest.mark.parametrize("name", sorted(RDF_DOCS))
def test_generic_rdf_import_in_every_format(mem, settings, tmp_path, name):
    path = tmp_path / name
    path.write_text(RDF_DOCS[name])
    report = load_rdf(mem, settings, str(path), G)
    assert report.triples == 2
    rows = mem.query(
        "SELECT ?o WHERE { GRAPH ?g { ?s <http://example.org/p> ?o } }", {"g": ox.NamedNode(G)}
    )
    assert sorted(r["o"].value for r in rows) == ["one", "two"]


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("bad.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:p .\n", "line 2"),
        ("bad.jsonld", '{"@id": "http://example.org/a",\n "x": }', "bad.jsonld"),
        ("bad.rdf", "<rdf:RDF><oops></rdf:RDF>", "bad.rdf"),
        (
            "remote.jsonld",
            '{"@context": "https://example.org/ctx.jsonld", "@id": "http://e/a"}',
            "remote.jsonld",
        ),
        ("doc.xyz", "whatever", "unknown RDF format"),
    ],
)
def test_generic_rdf_import_errors_name_file_and_position(
    mem, settings, tmp_path, name, text, fragment
):
    mem.load(
        [ox.Triple(ox.NamedNode("http://e/x"), ox.NamedNode("http://e/p"), ox.Literal(1))],
        ox.NamedNode(G),
    )
    before = snapshot(mem)
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(LoadError, match=fragment):
        load_rdf(mem, settings, str(path), G)
    assert snapshot(mem) == before


@pytest.mark.parametrize("graph", ["not an iri", "file:///etc/passwd", "../../x"])
def test_generic_rdf_import_refuses_odd_graph_names(mem, settings, tmp_path, graph):
    path = tmp_path / "doc.ttl"
    path.write_text(RDF_DOCS["doc.ttl"])
    with pytest.raises(LoadError, match="--graph"):
        load_rdf(mem, settings, str(path), graph)


# -- reading sources from their URL, against a local HTTP server -------------------


@pytest.fixture(scope="module")
def http_root(tmp_path_factory, shared_data):
    """A web root on 127.0.0.1 serving the shared data (and an RDMkit GitHub-style zip)."""
    root = tmp_path_factory.mktemp("www")
    for name in ("biotools", "edam", "rdm-maturity-model", "elixir-nodes"):
        shutil.copytree(shared_data / name, root / name)
    with zipfile.ZipFile(root / "rdmkit-master.zip", "w") as z:
        for path in (shared_data / "rdmkit").rglob("*"):
            z.write(path, "rdmkit-master/" + str(path.relative_to(shared_data / "rdmkit")))
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/redirect-out"):
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data")
            self.end_headers()
            return
        super().do_GET()


@pytest.fixture
def url_settings(settings):
    return settings.with_overrides(allowed_hosts="127.0.0.1")


def test_sources_load_from_their_url(mem, url_settings, http_root, shared_data):
    local = load(open_store("memory"), url_settings, "biotools")
    report = load(mem, url_settings, "biotools", f"{http_root}/biotools/biotools-dump-20171129.ttl")
    assert report.triples == local.triples and report.version == local.version
    assert report.location.startswith("http://127.0.0.1:")
    rows = list(
        mem.query(
            "SELECT ?src WHERE { GRAPH ?g { ?g <http://www.w3.org/ns/prov#wasDerivedFrom> ?src } }"
        )
    )
    assert rows[0]["src"].value == report.location
    rdmkit = load(mem, url_settings, "rdmkit", f"{http_root}/rdmkit-master.zip")
    assert rdmkit.stats["resources"] == 631
    edam = load(mem, url_settings, "edam", f"{http_root}/edam/EDAM_1.25.owl")
    assert edam.triples > 10000
    for source, path in (
        ("maturity", "rdm-maturity-model/maturity_model.json"),
        ("nodes", "elixir-nodes/institutes.geojson"),
    ):
        local = load(open_store("memory"), url_settings, source)
        remote = load(mem, url_settings, source, f"{http_root}/{path}")
        assert (remote.triples, remote.version) == (local.triples, local.version), source


def test_urls_outside_the_allowed_hosts_are_refused(mem, settings, url_settings, http_root):
    with pytest.raises(LoadError, match="not in KG_ALLOWED_HOSTS"):
        load(mem, settings, "biotools", f"{http_root}/biotools/biotools-dump-20171129.ttl")
    with pytest.raises(LoadError, match="169.254.169.254"):
        load(mem, url_settings, "biotools", f"{http_root}/redirect-out")
    with pytest.raises(LoadError, match="HTTP 404"):
        load(mem, url_settings, "biotools", f"{http_root}/nope.ttl")
    assert len(mem) == 0


def test_sources_registry_is_complete():
    assert list(pipeline.SOURCES) == [
        "ontology",
        "shapes",
        "rdmkit",
        "nodes",
        "biotools",
        "edam",
        "maturity",
        "catalogues",
    ]
