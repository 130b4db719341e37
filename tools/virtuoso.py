"""A throwaway Virtuoso Open Source server on 127.0.0.1, for tests and benchmarks.

``VirtuosoServer`` writes a ``virtuoso.ini`` into a temporary directory, starts
``virtuoso-t +foreground +configfile <dir>/virtuoso.ini`` with its database there, its
HTTP and ISQL ports chosen free on 127.0.0.1 (and bound to 127.0.0.1 only), waits (at most
``start_timeout`` seconds) until ``/sparql`` answers, and on ``stop()`` terminates it and
removes the directory. It never touches a system Virtuoso service (own ports, own files).

Writes go through the authenticated endpoints ``/sparql-auth`` (SPARQL Update) and
``/sparql-graph-crud-auth`` (Graph Store Protocol) with HTTP digest authentication as
``dba`` (the password of a fresh database is ``dba``; the server is private to the test).
Anonymous ``/sparql`` stays read-only. :meth:`VirtuosoServer.store_url` and
:meth:`VirtuosoServer.settings` give what ``kg.store.open_store`` needs.

    with VirtuosoServer() as server:
        store = server.open_store()

Missing ``virtuoso-t`` raises :class:`VirtuosoError` (install the Debian package
``virtuoso-opensource``; ``make system-deps`` does).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

BINARY = "virtuoso-t"
USER = "dba"
PASSWORD = "dba"  # noqa: S105 - a fresh database's password; the server is private, on loopback

#: Where Debian puts the VAD packages and plugins (DirsAllowed needs the former).
_VAD_DIR = "/usr/share/virtuoso-opensource-7/vad"

_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{isql_port}
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
CheckpointAuditTrail     = 0
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., {dir}, {vad}
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxQueryMem              = {max_query_mem}
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 10
NumberOfBuffers          = {buffers}
MaxDirtyBuffers          = {dirty_buffers}

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {dir}/vsp
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[URIQA]
DynamicLocal = 0
DefaultHost  = 127.0.0.1:{http_port}

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 0
DeferInferenceRulesInit    = 0
"""


class VirtuosoError(RuntimeError):
    """Virtuoso is not installed, did not start, or did not stop."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VirtuosoServer:
    """One private Virtuoso process with its database in a temporary directory."""

    def __init__(
        self,
        *,
        start_timeout: float = 60.0,
        max_rows: int = 1_000_000,
        buffers: int = 20_000,
        max_query_mem: str = "1G",
        binary: str = BINARY,
    ):
        self.start_timeout = start_timeout
        self.max_rows = max_rows
        self.buffers = buffers
        self.max_query_mem = max_query_mem  # also the cap on a transitive path's memory
        self.binary = binary
        self.dir: Path | None = None
        self.http_port = 0
        self.isql_port = 0
        self.process: subprocess.Popen | None = None

    # -- addresses --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        """Anonymous, read-only SPARQL endpoint."""
        return f"{self.base_url}/sparql"

    @property
    def update_url(self) -> str:
        """SPARQL endpoint that accepts updates (digest authentication)."""
        return f"{self.base_url}/sparql-auth"

    @property
    def graph_store_url(self) -> str:
        """SPARQL 1.1 Graph Store Protocol endpoint (digest authentication)."""
        return f"{self.base_url}/sparql-graph-crud-auth"

    def store_url(self) -> str:
        """The ``KG_STORE`` value for this server."""
        return f"sparql:{self.query_url}"

    def settings(self) -> dict[str, Any]:
        """The settings (by name) a ``SparqlStore`` needs to read and write this server."""
        return {
            "store": self.store_url(),
            "remote_update_url": self.update_url,
            "remote_store_url": self.graph_store_url,
            "remote_user": USER,
            "remote_password": PASSWORD,
            "remote_auth": "digest",
        }

    def open_store(self, **overrides: Any):
        """A ``SparqlStore`` over this server (writable)."""
        from kg.settings import Settings
        from kg.store import open_store

        settings = Settings.load({**self.settings(), **overrides}, environ={})
        return open_store(settings.store, settings=settings)

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> VirtuosoServer:
        binary = shutil.which(self.binary)
        if binary is None:
            raise VirtuosoError(
                f"{self.binary} is not installed: install the Debian package "
                "virtuoso-opensource (make system-deps)"
            )
        self.dir = Path(tempfile.mkdtemp(prefix="converge-kg-virtuoso-"))
        (self.dir / "vsp").mkdir()
        self.http_port, self.isql_port = free_port(), free_port()
        while self.isql_port == self.http_port:  # bounded in practice: two draws collide rarely
            self.isql_port = free_port()
        ini = self.dir / "virtuoso.ini"
        ini.write_text(
            _INI.format(
                dir=self.dir,
                vad=_VAD_DIR,
                http_port=self.http_port,
                isql_port=self.isql_port,
                max_rows=self.max_rows,
                buffers=self.buffers,
                max_query_mem=self.max_query_mem,
                dirty_buffers=self.buffers * 3 // 4,
            )
        )
        self._log = open(self.dir / "stdout.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=self.dir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise VirtuosoError(
                    f"virtuoso-t exited with status {self.process.returncode} while starting; "
                    f"its log:\n{self.log_tail()}"
                )
            try:
                r = requests.get(
                    self.query_url,
                    params={"query": "ASK {}"},
                    timeout=2,
                    headers={"Accept": "application/sparql-results+json"},
                )
                if r.status_code == 200:
                    return
                last = f"HTTP {r.status_code}"
            except requests.RequestException as exc:
                last = str(exc)
            time.sleep(0.2)
        raise VirtuosoError(
            f"Virtuoso did not answer on {self.query_url} within {self.start_timeout:.0f} s "
            f"({last}); its log:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        if self.dir is None:
            return ""
        log = self.dir / "virtuoso.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 30.0) -> None:
        """Terminate the server (bounded wait, then kill) and delete its directory."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=timeout)
        log = getattr(self, "_log", None)
        if log is not None:
            log.close()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
