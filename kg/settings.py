"""Settings, declared once.

Every setting has a name, a default and a one-line help text. Values come from
(highest priority first) explicit overrides (tests, CLI flags), ``KG_<NAME>``
environment variables, an optional TOML config file (``KG_CONFIG``), and the
default. Nothing else in the project reads the environment.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The repository (or installed package) root: data folders live beside kg/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_sources() -> str:
    shared = PROJECT_ROOT.parent / "shared" / "data"
    return str(shared) if shared.is_dir() else ""


def _cpus() -> int:
    """CPUs this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def _data_dir(name: str) -> Callable[[], str]:
    def default() -> str:
        here = PROJECT_ROOT / name
        if here.is_dir():
            return str(here)
        # Installed as a wheel: the data folders are shipped inside kg/_data.
        return str(Path(__file__).resolve().parent / "_data" / name)

    return default


#: IRI prefixes of graphs a SPARQL engine keeps for itself (Virtuoso 7), never the store's.
REMOTE_SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "urn:activitystreams-owl:map",
    "urn:core:services:sparql",
    "http://localhost:8890/",
)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Callable[[], Any]
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        return "KG_" + self.name.upper()


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {text!r}")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "store",
        lambda: "oxigraph:" + str(PROJECT_ROOT / "var" / "store"),
        "Store location: 'memory', 'oxigraph:PATH' (on-disk Oxigraph) or 'sparql:URL' (remote).",
    ),
    Setting(
        "base_iri",
        lambda: "https://w3id.org/elixir-converge/",
        "Base IRI under which the graph mints its IRIs (must end with '/').",
    ),
    Setting(
        "sources_dir",
        _default_sources,
        "Directory holding the source datasets (default: ../shared/data when it exists).",
    ),
    Setting("host", lambda: "127.0.0.1", "Address the API server binds to."),
    Setting("port", lambda: 8000, "Port the API server listens on.", int),
    Setting("ontology_dir", _data_dir("ontology"), "Directory of the OWL ontology (*.ttl)."),
    Setting("shapes_dir", _data_dir("shapes"), "Directory of the SHACL shapes (*.ttl)."),
    Setting("queries_dir", _data_dir("queries"), "Directory of the named queries."),
    Setting("data_dir", _data_dir("data"), "Directory of the curated project data."),
    Setting(
        "assets_dir",
        lambda: str(PROJECT_ROOT / "node_modules"),
        "Directory of the browser assets installed from npm at set-up (node_modules).",
    ),
    Setting(
        "max_query_bytes",
        lambda: 1_000_000,
        "Largest accepted SPARQL request body, in bytes.",
        int,
    ),
    Setting(
        "query_timeout",
        lambda: 30.0,
        "Seconds a query may run before it is stopped (on-disk stores: a killed worker).",
        float,
    ),
    Setting(
        "max_rows",
        lambda: 100_000,
        "Most solutions or triples one query answers; more are cut and the cut is signalled.",
        int,
    ),
    Setting(
        "max_concurrent_queries",
        lambda: 8,
        "Queries admitted at once (running or waiting for a worker); more get 503 + Retry-After.",
        int,
    ),
    Setting(
        "query_memory_mb",
        lambda: 384,
        "MiB a query worker may hold while it runs a query (on-disk store); past it the "
        "query is stopped with 503 (0: no limit).",
        int,
    ),
    Setting(
        "query_workers",
        _cpus,
        "Worker processes running queries on an on-disk store (default: the CPUs); admitted "
        "queries beyond them wait for one, within the query timeout.",
        int,
    ),
    Setting(
        "write_token",
        lambda: "",
        "Bearer token that updates, Graph Store writes and HTTP loads require (empty: no writes).",
    ),
    Setting("read_only", lambda: False, "Refuse every write, whatever the token.", _bool),
    Setting(
        "service_allowlist",
        lambda: "",
        "Comma-separated SPARQL endpoint URLs that SERVICE may call (empty: SERVICE refused).",
    ),
    Setting(
        "service_allow_private",
        lambda: False,
        "Let SERVICE reach loopback, private and link-local addresses (tests, federations).",
        _bool,
    ),
    Setting(
        "allowed_hosts",
        lambda: ",".join(
            [
                "github.com",
                "codeload.github.com",
                "raw.githubusercontent.com",
                "objects.githubusercontent.com",
                "bio.tools",
                "edamontology.org",
            ]
        ),
        "Comma-separated hosts that sources may be downloaded from.",
    ),
    Setting(
        "fetch_max_bytes",
        lambda: 1_000_000_000,
        "Largest source download, in bytes.",
        int,
    ),
    Setting("fetch_timeout", lambda: 60, "Seconds before a source download gives up.", int),
    Setting(
        "progress",
        lambda: True,
        "Show progress bars when writing to a terminal.",
        _bool,
    ),
    Setting(
        "validate_max_bytes",
        lambda: 5_000_000,
        "Largest document POST /validate accepts, in bytes.",
        int,
    ),
    Setting(
        "validate_timeout",
        lambda: 60.0,
        "Seconds a validation may run before it is stopped (503).",
        float,
    ),
    Setting(
        "validate_max_findings",
        lambda: 1000,
        "Most findings a validation report shows; the rest are counted ('N more').",
        int,
    ),
    Setting(
        "remote_update_url",
        lambda: "",
        "sparql: store: SPARQL 1.1 Update endpoint (empty: the query URL).",
    ),
    Setting(
        "remote_store_url",
        lambda: "",
        "sparql: store: Graph Store Protocol endpoint for bulk loads (empty: INSERT DATA).",
    ),
    Setting("remote_user", lambda: "", "sparql: store: user for the remote endpoints."),
    Setting("remote_password", lambda: "", "sparql: store: password for the remote endpoints."),
    Setting("remote_auth", lambda: "basic", "sparql: store: HTTP auth scheme, basic or digest."),
    Setting(
        "remote_timeout",
        lambda: 300.0,
        "sparql: store: seconds an update or load may take (queries: query_timeout).",
        float,
    ),
    Setting(
        "remote_ignore_graphs",
        lambda: ",".join(REMOTE_SYSTEM_GRAPHS),
        "sparql: store: comma-separated IRI prefixes of the engine's own graphs, never listed.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    store: str
    base_iri: str
    sources_dir: str
    host: str
    port: int
    ontology_dir: str
    shapes_dir: str
    queries_dir: str
    data_dir: str
    assets_dir: str
    max_query_bytes: int
    query_timeout: float
    max_rows: int
    max_concurrent_queries: int
    query_workers: int
    query_memory_mb: int
    write_token: str
    read_only: bool
    service_allowlist: str
    service_allow_private: bool
    allowed_hosts: str
    fetch_max_bytes: int
    fetch_timeout: int
    progress: bool
    validate_max_bytes: int
    validate_timeout: float
    validate_max_findings: int
    remote_update_url: str
    remote_store_url: str
    remote_user: str
    remote_password: str
    remote_auth: str
    remote_timeout: float
    remote_ignore_graphs: str
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def load(
        cls,
        overrides: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Resolve every setting: overrides > KG_* env > config file > default."""
        environ = os.environ if environ is None else environ
        overrides = dict(overrides or {})
        unknown = set(overrides) - set(_BY_NAME)
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        file_values: dict[str, Any] = {}
        config_path = environ.get("KG_CONFIG")
        if config_path:
            file_values = _read_config_file(Path(config_path))
        values: dict[str, Any] = {}
        origins: dict[str, str] = {}
        for s in SETTINGS:
            try:
                if s.name in overrides:
                    raw, origin = overrides[s.name], "override"
                    values[s.name] = s.parse(raw) if isinstance(raw, str) else raw
                elif s.env in environ:
                    origin = s.env
                    values[s.name] = s.parse(environ[s.env])
                elif s.name in file_values:
                    origin = f"{config_path}"
                    raw = file_values[s.name]
                    values[s.name] = s.parse(raw) if isinstance(raw, str) else raw
                else:
                    origin = "default"
                    values[s.name] = s.default()
            except ValueError as exc:
                raise SettingsError(f"setting {s.name} ({origin}): {exc}") from None
            origins[s.name] = origin
        for name in ("max_concurrent_queries", "query_workers"):
            if values[name] < 1:
                raise SettingsError(f"setting {name} ({origins[name]}): must be at least 1")
        if values["query_memory_mb"] < 0:
            raise SettingsError(
                f"setting query_memory_mb ({origins['query_memory_mb']}): "
                "must be 0 (no limit) or more"
            )
        if not str(values["base_iri"]).endswith("/"):
            raise SettingsError(f"setting base_iri ({origins['base_iri']}): must end with '/'")
        return cls(**values, origins=origins)

    def with_overrides(self, **overrides: Any) -> Settings:
        current = {s.name: getattr(self, s.name) for s in SETTINGS}
        current.update(overrides)
        return Settings.load(current, environ={})


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path}: {exc}") from None
    section = data.get("kg", data)
    unknown = set(section) - set(_BY_NAME)
    if unknown:
        raise SettingsError(f"config file {path}: unknown setting(s): {', '.join(sorted(unknown))}")
    return dict(section)
