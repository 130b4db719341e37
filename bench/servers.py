"""The SPARQL servers the benchmarks compare, started as subprocesses on 127.0.0.1.

Every server is a context manager: it starts, waits (bounded) until it answers, and is
stopped in ``finally`` — terminated, then killed if it does not exit within 10 s.

- ``kg_server(store)``: ``kg serve`` (waitress + Flask, query workers) on an on-disk store;
- ``oxigraph_server(store)``: Oxigraph's Rust server (``oxigraph serve-read-only``, PyPI
  package ``oxigraph``) on an on-disk store, the default graph the union of the named graphs;
- ``rdflib_server(nquads)``: rdflib-endpoint (FastAPI + uvicorn) over an rdflib ``Dataset``
  read from an N-Quads file, default graph the union too;
- ``virtuoso_server(nquads)``: Virtuoso through ``tools.virtuoso`` when that launcher exists,
  else :class:`Pending`.

``python -m bench.servers rdflib FILE PORT`` is the rdflib-endpoint process itself.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.common import REPO, tool

HOST = "127.0.0.1"
START_TIMEOUT = 900.0  # rdflib reads a large N-Quads file slowly
STOP_TIMEOUT = 10.0
SELECT_JSON = "application/sparql-results+json"


class Pending(Exception):
    """A peer that cannot run here yet (the reason is the message)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    endpoint: str  # the SPARQL query URL
    process: subprocess.Popen

    @property
    def pid(self) -> int:
        return self.process.pid


@contextlib.contextmanager
def _running(
    name: str,
    cmd: list[str],
    *,
    endpoint: str,
    ready: str,
    log: Path,
    env: dict[str, str] | None = None,
    timeout: float = START_TIMEOUT,
) -> Iterator[Server]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, cwd=REPO
        )
        try:
            _wait_ready(name, process, ready, log, timeout)
            yield Server(name, endpoint, process)
        finally:
            _stop(process)


def _wait_ready(name: str, process: subprocess.Popen, url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{name} exited with {process.returncode} while starting; its log ({log}):\n"
                + log.read_text(errors="replace")[-2000:]
            )
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{name} did not answer {url} within {timeout:.0f} s (log: {log})")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


def kg_server(store: Path, log: Path, **settings: str) -> contextlib.AbstractContextManager[Server]:
    """``kg serve`` over the on-disk store at ``store`` (read-only mode)."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = {
        "KG_STORE": f"oxigraph:{store}",
        "KG_READ_ONLY": "true",
        "KG_PROGRESS": "false",
        **{f"KG_{k.upper()}": v for k, v in settings.items()},
    }
    cmd = [tool("kg"), "serve", "--host", HOST, "--port", str(port)]
    return _running(
        "kg serve", cmd, endpoint=f"{base}/sparql", ready=f"{base}/health", log=log, env=env
    )


def oxigraph_server(store: Path, log: Path) -> contextlib.AbstractContextManager[Server]:
    """Oxigraph's own server, read-only, over a store directory."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    cmd = [
        tool("oxigraph"),
        "serve-read-only",
        "--location",
        str(store),
        "--bind",
        f"{HOST}:{port}",
        "--union-default-graph",
    ]
    return _running("oxigraph serve", cmd, endpoint=f"{base}/query", ready=base, log=log)


def rdflib_server(nquads: Path, log: Path) -> contextlib.AbstractContextManager[Server]:
    """rdflib-endpoint over the quads of an N-Quads file."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    cmd = [sys.executable, "-m", "bench.servers", "rdflib", str(nquads), str(port)]
    ready = f"{base}/?query=ASK%7B%7D"
    return _running("rdflib-endpoint", cmd, endpoint=f"{base}/", ready=ready, log=log)


@contextlib.contextmanager
def virtuoso_server(nquads: Path, log: Path) -> Iterator[Server]:
    """Virtuoso on loopback (the project's launcher ``tools.virtuoso``), loaded with the quads.

    Each named graph is sent with the Graph Store Protocol (digest authentication as the
    launcher's ``dba``) in chunks of ``VIRTUOSO_CHUNK`` triples.
    """
    try:
        from tools.virtuoso import USER, VirtuosoError, VirtuosoServer
    except ImportError:
        raise Pending("pending: tools/virtuoso.py (the Virtuoso launcher) is not there") from None
    server = VirtuosoServer(start_timeout=120.0, buffers=100_000)
    try:
        server.start()
    except VirtuosoError as exc:
        raise Pending(f"virtuoso did not start: {str(exc)[:200]}") from None
    try:
        _load_virtuoso(server, nquads, USER)
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(server.log_tail(200))
        yield Server("virtuoso", server.query_url, server.process)
    finally:
        server.stop()


VIRTUOSO_CHUNK = 50_000


def _load_virtuoso(server, nquads: Path, user: str) -> None:
    import pyoxigraph as ox

    from tools.virtuoso import PASSWORD

    auth = requests.auth.HTTPDigestAuth(user, PASSWORD)
    by_graph: dict[str, list] = {}
    with nquads.open("rb") as f:
        for q in ox.parse(f, format=ox.RdfFormat.N_QUADS):
            by_graph.setdefault(q.graph_name.value, []).append(q.triple)
    with requests.Session() as session:
        for graph, triples in by_graph.items():
            for start in range(0, len(triples), VIRTUOSO_CHUNK):
                body = ox.serialize(
                    triples[start : start + VIRTUOSO_CHUNK], format=ox.RdfFormat.N_TRIPLES
                )
                r = session.post(
                    server.graph_store_url,
                    params={"graph": graph},
                    data=body,
                    headers={"Content-Type": "text/turtle"},
                    auth=auth,
                    timeout=600,
                )
                if r.status_code not in (200, 201, 204):
                    raise RuntimeError(
                        f"virtuoso: loading <{graph}>: HTTP {r.status_code} {r.text[:300]}"
                    )


def copy_store(src: Path, dst: Path) -> Path:
    """A copy of a closed on-disk store, so two servers never share one directory."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    return dst


def _serve_rdflib(path: str, port: int) -> None:  # the rdflib-endpoint process
    import rdflib
    import uvicorn
    from rdflib_endpoint import SparqlEndpoint

    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(path, format="nquads")
    print(f"rdflib-endpoint: {len(dataset)} quads from {path}", flush=True)
    app = SparqlEndpoint(graph=dataset, public_url=f"http://{HOST}:{port}/")
    uvicorn.run(app, host=HOST, port=port, log_level="warning")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "rdflib":
        sys.exit("usage: python -m bench.servers rdflib FILE.nq PORT")
    _serve_rdflib(sys.argv[2], int(sys.argv[3]))
