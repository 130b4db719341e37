"""The ``kg`` command, run as a real process against an on-disk store."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

KG = str(Path(sys.executable).parent / "kg")
COUNT = (
    "PREFIX ckg: <https://w3id.org/elixir-converge/ontology#> "
    "SELECT (COUNT(?r) AS ?n) WHERE { GRAPH ?g { ?r a ckg:ToolkitResource } }"
)


def run(*args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [KG, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def assert_clean_error(proc: subprocess.CompletedProcess, code: int, fragment: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error:"), proc.stderr
    assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def env(tmp_path_factory, shared_data) -> dict[str, str]:
    store = tmp_path_factory.mktemp("cli") / "store"
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("KG_")},
        "KG_STORE": f"oxigraph:{store}",
        "KG_SOURCES_DIR": str(shared_data),
    }


@pytest.fixture(scope="module")
def built_env(env) -> dict[str, str]:
    proc = run("build", env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("ontology: ") and lines[2].startswith("rdmkit: ")
    assert "0 violations" in lines[2]
    assert "\r" not in proc.stderr  # no progress bar when not on a terminal
    return env


def test_build_then_query_as_table_json_csv_tsv(built_env):
    table = run("query", COUNT, env=built_env)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].strip() == "n" and "631" in table.stdout
    assert table.stdout.rstrip().endswith("(1 row)")
    js = run("query", COUNT, "--format", "json", env=built_env)
    assert json.loads(js.stdout)["results"]["bindings"][0]["n"]["value"] == "631"
    csv_out = run("query", COUNT, "--format", "csv", env=built_env)
    assert csv_out.stdout.splitlines() == ["n", "631"]
    tsv = run("query", COUNT, "--format", "tsv", env=built_env)
    assert tsv.stdout.splitlines()[0] == "?n"


def test_query_errors_are_one_line(built_env):
    assert_clean_error(run("query", "SELECT WHERE {", env=built_env), 2, "malformed SPARQL")
    proc = run("query", "ASK {}", "--format", "turtle", env=built_env)
    assert_clean_error(proc, 2, "does not suit")


def test_load_rdmkit_path_again_is_fine_and_reports(built_env, shared_data, tmp_path):
    report = tmp_path / "report.json"
    proc = run("load", "rdmkit", str(shared_data / "rdmkit"), env=built_env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("rdmkit: unchanged")
    proc = run(
        "load",
        "rdmkit",
        str(shared_data / "rdmkit"),
        "--force",
        "--report",
        str(report),
        env=built_env,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("rdmkit: ") and "0 violations" in proc.stdout
    data = json.loads(report.read_text())
    assert data["validation"]["conforms"] is True
    assert any(i["kind"] == "duplicate-id" for i in data["issues"])
    count = run("query", COUNT, "--format", "csv", env=built_env)
    assert count.stdout.splitlines() == ["n", "631"]


def test_load_missing_path_is_a_clear_error(built_env, tmp_path):
    proc = run("load", "rdmkit", str(tmp_path / "nope"), env=built_env)
    assert_clean_error(proc, 2, "not an RDMkit checkout")


def test_load_malformed_yaml_changes_nothing(built_env, tmp_path):
    root = tmp_path / "rdmkit"
    (root / "_data").mkdir(parents=True)
    (root / "pages").mkdir()
    (root / "_data/tool_and_resource_list.yml").write_text("- id: x\n  name: [oops\n")
    proc = run("load", "rdmkit", str(root), env=built_env)
    assert_clean_error(proc, 2, "tool_and_resource_list.yml:")
    count = run("query", COUNT, "--format", "csv", env=built_env)
    assert count.stdout.splitlines() == ["n", "631"]


def test_dump_and_restore(built_env, tmp_path):
    dump = tmp_path / "all.nq"
    assert run("dump", str(dump), env=built_env).returncode == 0
    lines = dump.read_text().splitlines()
    assert len(lines) > 10000 and all(line.endswith(" .") for line in lines[:100])
    target = {**built_env, "KG_STORE": f"oxigraph:{tmp_path / 'restored'}"}
    proc = run("restore", str(dump), env=target)
    assert proc.returncode == 0, proc.stderr
    assert run("query", COUNT, "--format", "csv", env=target).stdout.splitlines() == ["n", "631"]
    assert_clean_error(run("restore", str(dump), env=target), 2, "--force")
    assert run("restore", str(dump), "--force", env=target).returncode == 0
    bad = tmp_path / "bad.nq"
    bad.write_text("<a> <b> .\n")
    assert_clean_error(run("restore", str(bad), "--force", env=target), 2, "bad.nq")


def test_validate_exit_codes(env, tmp_path):
    good = tmp_path / "good.ttl"
    good.write_text(
        """@prefix ckg: <https://w3id.org/elixir-converge/ontology#> .
        @prefix schema: <https://schema.org/> . @prefix dct: <http://purl.org/dc/terms/> .
        <https://w3id.org/elixir-converge/resource/x> a ckg:ToolkitResource ;
            dct:identifier "x" ; schema:name "X" ; schema:url <https://x.org/> ."""
    )
    proc = run("validate", str(good), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "conforms" in proc.stdout
    bad = tmp_path / "bad.ttl"
    bad.write_text(good.read_text().replace('schema:name "X" ;', ""))
    proc = run("validate", str(bad), "--format", "json", env=env)
    assert proc.returncode == 1
    findings = json.loads(proc.stdout)["findings"]
    assert any(f["severity"] == "Violation" and f["path"].endswith("name") for f in findings)
    broken = tmp_path / "broken.ttl"
    broken.write_text('<a> <b> "open .\n')
    assert_clean_error(run("validate", str(broken), env=env), 2, "broken.ttl")


def test_sources_check_and_curation_report(built_env):
    proc = run("sources", env=built_env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["source", "last", "load"]
    assert all(" loaded" in line for line in lines[1:]), proc.stdout
    check = run("check", env=built_env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.rstrip().splitlines()[-1].endswith(")") and "conforms" in check.stdout
    assert "ToolkitResource" in check.stdout  # the per-shape summary
    curation = run("report", "curation", "--format", "csv", env=built_env)
    assert curation.returncode == 0
    kinds = {line.split(",")[0] for line in curation.stdout.splitlines()[1:]}
    assert {"duplicate-id", "not-registered", "dangling-related-page"} <= kinds


def test_load_rdf_into_a_named_graph(built_env, tmp_path):
    doc = tmp_path / "extra.ttl"
    doc.write_text('<https://example.org/a> <https://example.org/p> "x" .\n')
    proc = run("load", "rdf", str(doc), "--graph", "https://example.org/g", env=built_env)
    assert proc.returncode == 0, proc.stderr
    q = "SELECT ?o WHERE { GRAPH <https://example.org/g> { <https://example.org/a> ?p ?o } }"
    assert run("query", q, "--format", "csv", env=built_env).stdout.splitlines() == ["o", "x"]
    assert_clean_error(run("load", "rdf", str(doc), env=built_env), 2, "--graph")


def test_settings_lists_every_setting_with_origin(env):
    proc = run("settings", env=env)
    assert proc.returncode == 0
    assert "KG_STORE" in proc.stdout and "(KG_STORE)" in proc.stdout
    assert "KG_BASE_IRI" in proc.stdout and "(default)" in proc.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_over_http(built_env):
    port = free_port()
    env = {**built_env, "KG_PORT": str(port)}
    proc = subprocess.Popen([KG, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert r.json()["status"] == "ok"
        r = requests.get(f"http://127.0.0.1:{port}/sparql", params={"query": COUNT}, timeout=10)
        assert r.json()["results"]["bindings"][0]["n"]["value"] == "631"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# -- kg query runs under the limits of /sparql (kg.sparql.execution, one executor) --------

REFUSED = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MANY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


@pytest.fixture
def api_over_built(built_env, settings, serve):
    """``start(**settings) -> (base URL, app)``: the HTTP API over the store the CLI built,
    read-only, with the same settings."""
    from api import create_app
    from kg.store import open_store

    apps = []

    def start(**overrides):
        app = create_app(
            settings=settings.with_overrides(store=built_env["KG_STORE"], **overrides),
            store=open_store(built_env["KG_STORE"], read_only=True),
        )
        apps.append(app)
        return serve(app), app

    yield start
    for app in apps:
        app.extensions["kg.executor"].close()
        app.extensions["kg.store"].close()


def test_query_refuses_service_as_sparql_does(built_env, api_over_built):
    base, _ = api_over_built()
    over_http = requests.get(f"{base}/sparql", params={"query": REFUSED}, timeout=30)
    assert over_http.status_code == 403
    message = over_http.json()["error"]
    assert message.startswith("SERVICE <http://127.0.0.1:9/sparql> refused")
    assert_clean_error(run("query", REFUSED, env=built_env), 2, message)


def test_query_cuts_rows_at_max_rows_as_sparql_does(built_env, api_over_built):
    base, _ = api_over_built(max_rows=3)
    over_http = requests.get(
        f"{base}/sparql", params={"query": MANY}, headers={"Accept": "text/csv"}, timeout=30
    )
    assert over_http.headers["KG-Results-Truncated"] == "3"
    proc = run("query", MANY, "--format", "csv", env={**built_env, "KG_MAX_ROWS": "3"})
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.strip().splitlines()) == 1 + 3 == len(over_http.text.splitlines())
    assert proc.stderr.strip() == "kg: note: the result was cut at KG_MAX_ROWS=3"


def test_query_stops_at_the_timeout_as_sparql_does(built_env, api_over_built):
    base, _ = api_over_built(query_timeout=1.0)
    over_http = requests.get(f"{base}/sparql", params={"query": RUNAWAY}, timeout=60)
    assert over_http.status_code == 503
    message = over_http.json()["error"]
    assert "longer than 1 s" in message
    started = time.monotonic()
    proc = run("query", RUNAWAY, env={**built_env, "KG_QUERY_TIMEOUT": "1"}, timeout=120)
    assert time.monotonic() - started < 60  # stopped, not run to its end
    assert_clean_error(proc, 2, message)
