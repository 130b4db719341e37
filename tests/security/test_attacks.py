"""Attacks as tests: injection, SSRF, XSS, oversized and nested input, tokens, path traversal.

Each test plays the attacker against the real service (real HTTP on 127.0.0.1, a real
store) or the real loader, and checks the attack fails in the documented way. What
``tests/api/test_queries.py`` (injection through a probe catalog), ``test_federation.py``
(SERVICE address rules) and ``test_api_graph_store.py`` already prove is not repeated.
"""

from __future__ import annotations

import http.server
import inspect
import io
import json
import tarfile
import threading
import zipfile
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import requests

import api.http.auth
from api import create_app
from kg.queries.catalog import load_catalog
from kg.queries.parameters import sample
from kg.store import open_store
from loaders import fetch
from loaders.common import LoadError
from loaders.pipeline import load, load_rdf
from tests.support.servers import Served

TOKEN = "attack-token-" + "s3cr3t" * 4
BASE = "https://w3id.org/elixir-converge/"


def assert_error(response: requests.Response, status: int | set[int], fragment: str = "") -> None:
    allowed = {status} if isinstance(status, int) else status
    assert response.status_code in allowed, (response.status_code, response.text[:300])
    body = response.json()
    assert body["status"] == response.status_code and fragment in body["error"], body


# -- a recording web server on loopback (the SSRF target) ------------------------------------


class Target:
    """An HTTP server on 127.0.0.1 that records every request it gets."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                hits.append(self.path)
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", self.path.split("to=", 1)[1])
                    self.end_headers()
                    return
                body = b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
                self.send_response(200)
                self.send_header("Content-Type", "application/n-triples")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def target():
    t = Target()
    yield t
    t.close()


@pytest.fixture(scope="module")
def writable_server(settings):
    served = Served()
    store = open_store("memory")
    yield (
        served(create_app(settings=settings.with_overrides(write_token=TOKEN), store=store)),
        store,
    )
    served.close()


# -- SPARQL injection through every parameter of the real catalog ------------------------------

EVIL = [
    '"} ; DROP ALL ; #',
    "http://example.org/x> } SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } #",
    "urn:x:a\n} DELETE WHERE { ?s ?p ?o } #",
    "en } ; INSERT DATA { <http://a> <http://b> <http://c> }",
    "1 ) } UNION { ?s ?p ?o",
    '2020-01-01"^^<x> }',
]


def test_injection_through_every_parameter_of_the_real_catalog(settings, built, target):
    store, _ = built
    served = Served()
    base = served(create_app(settings=settings, store=store))
    try:
        size, generation, hits = len(store), store.generation, len(target.hits)
        catalog = load_catalog(settings.queries_dir)
        checked = 0
        for query in catalog:
            for p in query.parameters:
                for evil in EVIL:
                    params = {o.name: sample(o) for o in query.parameters if o.required}
                    params[p.name] = evil
                    r = requests.get(f"{base}/queries/{query.name}", params=params, timeout=60)
                    assert r.status_code in (200, 400), (query.name, p.name, r.text[:300])
                    if r.status_code == 400:
                        assert f"parameter '{p.name}'" in r.json()["error"]
                    checked += 1
        assert checked >= len(EVIL) * 10
        assert (len(store), store.generation, len(target.hits)) == (size, generation, hits)
    finally:
        served.close()


# -- SSRF -----------------------------------------------------------------------------------------


def test_source_downloads_refuse_names_resolving_to_loopback(settings, target):
    """``localhost`` and this machine's own name (from /etc/hosts) resolve to 127.0.0.1."""
    names = ["localhost", *_etc_hosts_loopback_names()]
    store = open_store("memory")
    for name in names:
        allowed = settings.with_overrides(allowed_hosts=f"{name},127.0.0.1")
        with pytest.raises(LoadError, match="loopback"):
            load_rdf(store, allowed, f"http://{name}:{target.port}/x.nt", "http://example.org/g")
        # ... also when an allowed address redirects to them
        redirect = f"http://127.0.0.1:{target.port}/redirect?to=http://{name}:{target.port}/x.nt"
        with pytest.raises(LoadError, match="loopback"):
            load(store, allowed, "biotools", redirect)
    metadata = settings.with_overrides(allowed_hosts="169.254.169.254,127.0.0.1")
    with pytest.raises(LoadError, match="metadata"):
        load(store, metadata, "biotools", "http://169.254.169.254/latest/meta-data/")
    redirect = f"http://127.0.0.1:{target.port}/redirect?to=http://10.0.0.1/x"
    with pytest.raises(LoadError, match="KG_ALLOWED_HOSTS"):
        load(store, metadata, "biotools", redirect)
    assert not [h for h in target.hits if not h.startswith("/redirect")]
    assert len(store) == 0


def _etc_hosts_loopback_names() -> list[str]:
    names = []
    for line in Path("/etc/hosts").read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        if fields and fields[0] == "127.0.0.1":
            names += [n for n in fields[1:] if n != "localhost"]
    return names[:2]


def test_service_to_names_resolving_to_loopback_is_refused_over_http(settings, target):
    names = ["localhost", *_etc_hosts_loopback_names()]
    endpoints = [f"http://{n}:{target.port}/sparql" for n in names]
    served = Served()
    app = create_app(
        settings=settings.with_overrides(service_allowlist=",".join(endpoints)),
        store=open_store("memory"),
    )
    base = served(app)
    try:
        for endpoint in endpoints:
            query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
            r = requests.get(f"{base}/sparql", params={"query": query}, timeout=30)
            assert_error(r, 403, "loopback")
        assert target.hits == [] or all(h.startswith("/redirect") for h in target.hits)
    finally:
        served.close()


def test_rdfxml_external_entities_and_jsonld_remote_contexts_are_never_fetched(
    writable_server, target, settings, tmp_path
):
    base, _ = writable_server
    before = len(target.hits)
    url = f"http://127.0.0.1:{target.port}/entity"
    rdfxml = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ext SYSTEM "{url}"> <!ENTITY file SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&ext;&file;</ex:p></rdf:Description>
</rdf:RDF>"""
    r = _put(base, rdfxml.encode(), "application/rdf+xml")
    assert r.status_code in (201, 204, 400), r.text
    got = requests.get(f"{base}/store", params={"graph": "http://example.org/attack"}, timeout=30)
    assert "root:" not in got.text
    jsonld = {"@context": f"http://127.0.0.1:{target.port}/context.jsonld", "@id": "http://a"}
    r = requests.post(
        f"{base}/validate",
        data=json.dumps(jsonld),
        headers={"Content-Type": "application/ld+json", "Accept": "application/json"},
        timeout=60,
    )
    assert_error(r, 400)
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps(jsonld))
    with pytest.raises(LoadError):
        load_rdf(open_store("memory"), settings, str(path), "http://example.org/g")
    assert len(target.hits) == before


# -- XSS through data on every HTML page ---------------------------------------------------------

MARK = "xss7331"
PAYLOADS = [
    f'<script>alert("{MARK}")</script>',
    f'"><img src=x onerror=alert("{MARK}")>',
    f"'><svg onload=alert('{MARK}')>",
    f"</textarea></title></script><script>alert('{MARK}')</script>",
]
PAYLOAD = "".join(PAYLOADS)


def _poisoned(term):
    if isinstance(term, ox.Literal) and term.datatype.value in (
        "http://www.w3.org/2001/XMLSchema#string",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    ):
        return ox.Literal(term.value + PAYLOAD, language=term.language)
    return term


@pytest.fixture(scope="module")
def poisoned_site(settings, full_build):
    """The API over every source, with every string of the data carrying XSS payloads."""
    source, _ = full_build
    store = open_store("memory")
    for graph in source.named_graphs():
        triples = source.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph=[graph])
        store.replace_graph(
            graph, [ox.Triple(t.subject, t.predicate, _poisoned(t.object)) for t in triples]
        )
    served = Served()
    app = create_app(settings=settings, store=store)
    yield served(app), app, store
    served.close()


def _one_iri_under(store, prefix: str) -> str | None:
    rows = list(
        store.query(
            "SELECT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), ?prefix)) } LIMIT 1",
            {"prefix": ox.Literal(prefix)},
        )
    )
    return rows[0]["s"].value if rows else None


def _html_targets(app, store) -> list[str]:
    """Every GET route, with real and hostile values for its arguments and query string."""
    hostile = quote(PAYLOAD, safe="")
    targets = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "assets.vendor"):
            continue
        path = rule.rule
        if not rule.arguments:
            targets.append(f"{path}?q={hostile}&query={hostile}&stage={hostile}&page={hostile}")
            targets.append(path)
            continue
        prefix = path.split("<", 1)[0]
        real = _one_iri_under(store, BASE + prefix.lstrip("/"))
        if real is not None:
            targets.append(prefix + real.removeprefix(BASE + prefix.lstrip("/")))
        targets.append(prefix + hostile)
    return targets


def test_no_html_page_shows_data_unescaped(poisoned_site):
    base, app, store = poisoned_site
    pages = 0
    for path in _html_targets(app, store):
        r = requests.get(base + path, headers={"Accept": "text/html"}, timeout=120)
        assert r.status_code < 500, (path, r.status_code, r.text[:300])
        if not r.headers.get("Content-Type", "").startswith("text/html"):
            continue
        pages += 1
        for payload in PAYLOADS:
            assert payload not in r.text, f"{path}: unescaped {payload!r}"
        assert f'alert("{MARK}")</script>' not in r.text, path
    assert pages >= 5, "too few HTML pages found to make this test meaningful"
    # The data really carries the payload: a JSON answer shows it, as data.
    r = requests.get(base + "/sparql", params={"query": "SELECT ?o WHERE { ?s ?p ?o } LIMIT 50"})
    assert MARK in r.text


# -- oversized and deeply nested input ----------------------------------------------------------


def _put(base: str, body: bytes, media_type: str, graph: str = "http://example.org/attack"):
    return requests.put(
        f"{base}/store",
        params={"graph": graph},
        data=body,
        headers={"Content-Type": media_type, "Authorization": f"Bearer {TOKEN}"},
        timeout=120,
    )


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"> <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"> <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"> <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&i;</ex:p></rdf:Description>
</rdf:RDF>"""

DEPTH = 20_000


@pytest.mark.parametrize(
    ("media_type", "body"),
    [
        ("application/rdf+xml", BILLION_LAUGHS),
        ("application/ld+json", b'{"http://example.org/p": ' * DEPTH + b"1" + b"}" * DEPTH),
        ("application/ld+json", b"[" * DEPTH + b"]" * DEPTH),
        (
            "text/turtle",
            b"<http://a> <http://b> " + b"[ <http://c> " * DEPTH + b"]" * DEPTH + b" .",
        ),
        ("text/turtle", b"<http://a> <http://b> " + b"( " * DEPTH + b")" * DEPTH + b" ."),
    ],
    ids=[
        "billion-laughs",
        "nested-jsonld-objects",
        "nested-json-arrays",
        "nested-turtle-bnodes",
        "nested-turtle-lists",
    ],
)
def test_hostile_rdf_bodies_are_refused_or_bounded(writable_server, media_type, body):
    base, store = writable_server
    r = _put(base, body, media_type)
    assert r.status_code in (201, 204, 400, 413), (r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert_error(r, r.status_code)
    else:  # accepted: then nothing was expanded beyond the body's own size
        assert len(store) <= len(body)  # at most a triple per byte: nothing was expanded
    assert requests.get(f"{base}/health", timeout=30).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE " + "{ " * DEPTH + "?s ?p ?o " + "} " * DEPTH,
        "SELECT * WHERE { FILTER(" + "(" * DEPTH + "1" + ")" * DEPTH + ") }",
        "SELECT * WHERE { SERVICE <http://example.org/s> " + "{ " * 3000 + "} " * 3000 + "}",
        "ASK { " + "?s ?p ?o . " * 30_000 + "}",
    ],
    ids=["nested-groups", "nested-parentheses", "nested-service", "long"],
)
def test_deeply_nested_sparql_is_a_clear_error(writable_server, query):
    base, _ = writable_server
    r = requests.post(
        f"{base}/sparql",
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=120,
    )
    assert r.status_code in (200, 400, 403, 413), (r.status_code, r.text[:300])
    if r.status_code != 200:
        assert_error(r, r.status_code)
    assert requests.get(f"{base}/health", timeout=30).status_code == 200


def test_deeply_nested_json_and_yaml_to_validate_are_400(writable_server):
    base, _ = writable_server
    for body, media_type in (
        (b"[" * DEPTH + b"]" * DEPTH, "application/ld+json"),
        (b"[" * DEPTH + b"]" * DEPTH, "application/yaml"),
        (b"a: &a [" + b"*a, " * 1000 + b"]\nb: [*a, *a, *a, *a]\n", "application/yaml"),
    ):
        r = requests.post(
            f"{base}/validate",
            data=body,
            headers={"Content-Type": media_type, "Accept": "application/json"},
            timeout=120,
        )
        assert_error(r, {400, 413})


# -- tokens ---------------------------------------------------------------------------------------


def test_missing_wrong_and_near_miss_tokens_are_refused(writable_server):
    base, store = writable_server
    update = "INSERT DATA { <http://example.org/t> <http://example.org/t> <http://example.org/t> }"
    cases = {
        None: 401,
        "": 401,
        "Bearer": 401,
        "Bearer ": 401,
        f"Basic {TOKEN}": 401,
        f"Token {TOKEN}": 401,
        "Bearer wrong": 403,
        f"Bearer {TOKEN[:-1]}": 403,  # a prefix
        f"Bearer {TOKEN}x": 403,  # an extension
        f"Bearer {TOKEN.upper()}": 403,
        f"Bearer {TOKEN[:-1]}\u00e9": 403,  # non-ASCII
        f"Bearer {TOKEN}\x00": 403,
    }
    size = len(store)
    for header, status in cases.items():
        headers = {"Content-Type": "application/sparql-update"}
        if header is not None:
            headers["Authorization"] = header
        try:
            r = requests.post(f"{base}/sparql", data=update, headers=headers, timeout=30)
        except (requests.exceptions.InvalidHeader, ValueError):
            continue  # the client itself refuses to send such a header
        assert r.status_code in (status, 400), (header, r.status_code, r.text)
        if r.headers.get("Content-Type", "").startswith("application/json"):
            assert r.json()["status"] == r.status_code
        else:  # refused by the HTTP server itself (waitress), before the app
            assert r.status_code == 400 and r.headers.get("Server") == "waitress"
    assert len(store) == size
    ok = requests.post(
        f"{base}/sparql",
        data=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert ok.status_code == 204 and len(store) == size + 1


def test_token_comparison_is_constant_time():
    """No timing assertion: the comparison is ``hmac.compare_digest`` and nothing else."""
    source = inspect.getsource(api.http.auth)
    assert "hmac.compare_digest(" in source
    assert "write_token ==" not in source and "== settings.write_token" not in source
    assert "token ==" not in source and "!= settings.write_token" not in source


# -- path traversal -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "graph",
    ["../../etc/passwd", "/etc/passwd", "file:///etc/passwd", "..%2F..%2Fetc%2Fpasswd"],
)
def test_graph_names_never_reach_the_file_system(writable_server, graph):
    base, _ = writable_server
    r = requests.get(f"{base}/store", params={"graph": graph}, timeout=30)
    assert r.status_code in (400, 404), r.text
    assert "root:" not in r.text
    if graph.startswith("file:"):  # a legal IRI: only a name for a graph
        put = _put(base, b"<http://a> <http://b> <http://c> .", "text/turtle", graph=graph)
        assert put.status_code in (201, 204)
        assert (
            "root:" not in requests.get(f"{base}/store", params={"graph": graph}, timeout=30).text
        )
        assert Path("/etc/passwd").read_text()  # untouched, of course


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../kg/config.py",
        "/static/..%2f..%2fkg%2fconfig.py",
        "/resource/..%2F..%2F..%2Fetc%2Fpasswd",
        "/vendor/leaflet/..%2F..%2F..%2Fetc%2Fpasswd",
        "/queries/..%2F..%2Fetc%2Fpasswd",
        "/api/resources/..%2F..%2Fetc%2Fpasswd",
    ],
)
def test_url_paths_never_reach_the_file_system(writable_server, path):
    base, _ = writable_server
    r = requests.get(base + path, timeout=30)
    assert r.status_code in (400, 404), (path, r.status_code)
    assert "root:" not in r.text and "Setting(" not in r.text


def test_archives_cannot_write_outside_their_folder(tmp_path):
    """A source archive (zip or tar) with ``../`` members, absolute paths or links is refused."""
    evil_zip = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil_zip, "w") as z:
        z.writestr("rdmkit-master/ok.txt", "fine")
        z.writestr("../../escaped.txt", "escaped")
    with pytest.raises(LoadError, match="outside the target"):
        fetch.unpack(evil_zip, _fresh(tmp_path / "z"))
    for name, member in (
        ("dotdot.tar.gz", "../escaped.txt"),
        ("absolute.tar.gz", "/tmp/escaped-by-kg-test.txt"),
    ):
        archive = tmp_path / name
        with tarfile.open(archive, "w:gz") as t:
            data = b"escaped"
            info = tarfile.TarInfo(member)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        try:
            fetch.unpack(archive, _fresh(tmp_path / name.split(".")[0]))
        except LoadError:
            pass
        assert not (tmp_path / "escaped.txt").exists()
        assert not Path("/tmp/escaped-by-kg-test.txt").exists()
    link = tmp_path / "link.tar.gz"
    with tarfile.open(link, "w:gz") as t:
        info = tarfile.TarInfo("innocent")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        t.addfile(info)
    with pytest.raises(LoadError):
        fetch.unpack(link, _fresh(tmp_path / "l"))
    assert not (tmp_path / "escaped.txt").exists()


def _fresh(path: Path) -> Path:
    path.mkdir()
    return path
