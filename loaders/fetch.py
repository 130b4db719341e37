"""Reading a source from its public URL: allowed hosts only, bounded, archives unpacked.

``local_copy(location, settings)`` yields a local path for any location: a path
is used as it is; a URL is downloaded (only from ``KG_ALLOWED_HOSTS``, at most
``KG_FETCH_MAX_BYTES``, redirects re-checked) into a temporary directory that is
removed afterwards; a ``.zip`` / ``.tar.gz`` archive (RDMkit's GitHub archive) is
unpacked, refusing members that would land outside the directory.

``fetch_bytes(url, settings, limit, seconds)`` reads one document into memory under the
same checks, with its own size and time limits (``POST /validate`` with ``url=``).
"""

from __future__ import annotations

import contextlib
import shutil
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from kg.settings import Settings
from kg.sparql.addresses import address_refusal, literal_address
from loaders.common import LoadError


def is_url(location: str) -> bool:
    return urllib.parse.urlsplit(str(location)).scheme in ("http", "https")


def check_host(url: str, settings: Settings) -> None:
    """Refuse a URL unless its host is allowed and reaches only addresses it may.

    A host *name* must resolve to public addresses only: an allowed name that DNS (or
    /etc/hosts) points at a loopback, private or link-local address is refused. An
    address written as such in ``KG_ALLOWED_HOSTS`` (``127.0.0.1``) is the operator's
    explicit choice and allowed; cloud metadata addresses never are.
    """
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    allowed = {h.strip().lower() for h in settings.allowed_hosts.split(",") if h.strip()}
    if host not in allowed:
        raise LoadError(
            f"{url}: host {host!r} is not in KG_ALLOWED_HOSTS ({', '.join(sorted(allowed))})"
        )
    try:
        literal = literal_address(host) is not None
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise LoadError(f"{url}: {exc}") from None
    why = address_refusal(host, port, allow_private=literal)
    if why:
        raise LoadError(f"{url}: refused: {why}")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, settings: Settings):
        self.settings = settings

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        check_host(newurl, self.settings)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class TooLarge(LoadError):
    """The download went past its size limit."""


def _stream(
    url: str,
    settings: Settings,
    write: Callable[[bytes], object],
    limit: tuple[int, str],
    seconds: float | None = None,
) -> str:
    """Send the body at ``url`` to ``write`` chunk by chunk; its media type. Allowed hosts
    only (redirects re-checked), at most ``limit`` bytes (a number and the setting that sets
    it), ``KG_FETCH_TIMEOUT`` seconds per read and, with ``seconds``, that long in all."""
    check_host(url, settings)
    opener = urllib.request.build_opener(_CheckedRedirects(settings))
    timeout = min(settings.fetch_timeout, seconds or settings.fetch_timeout)
    deadline = time.monotonic() + seconds if seconds else None
    try:
        with opener.open(url, timeout=timeout) as response:
            total = 0
            while chunk := response.read1(1 << 20):
                total += len(chunk)
                if total > limit[0]:
                    raise TooLarge(f"{url}: larger than {limit[1]} ({limit[0]} bytes)")
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"took longer than {seconds:g} s")
                write(chunk)
            return response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        raise LoadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LoadError(f"{url}: cannot download: {reason}") from None


def download(url: str, target: Path, settings: Settings) -> Path:
    name = Path(urllib.parse.urlsplit(url).path).name or "download"
    path = target / name
    with path.open("wb") as out:
        _stream(url, settings, out.write, (settings.fetch_max_bytes, "KG_FETCH_MAX_BYTES"))
    return path


def fetch_bytes(
    url: str, settings: Settings, limit: tuple[int, str], seconds: float
) -> tuple[bytes, str]:
    """The body at ``url`` in memory (one document, not a source) and its media type: the
    checks of :func:`download`, at most ``limit`` bytes (:class:`TooLarge` past it),
    ``seconds`` in all."""
    if not is_url(url):
        raise LoadError(f"{url!r} is not an http or https URL")
    chunks: list[bytes] = []
    media_type = _stream(url, settings, chunks.append, limit, seconds)
    return b"".join(chunks), media_type


def unpack(archive: Path, target: Path) -> Path:
    """Unpack a zip or tar archive safely; returns its single top folder if it has one."""
    root = target / "unpacked"
    root.mkdir()
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                for member in z.namelist():
                    _inside(root, member)
                z.extractall(root)  # noqa: S202 - every member checked above
        elif tarfile.is_tarfile(archive):
            with tarfile.open(archive) as t:
                t.extractall(root, filter="data")
        else:
            return archive
    except (zipfile.BadZipFile, tarfile.TarError) as exc:
        raise LoadError(f"{archive.name}: broken archive: {exc}") from None
    entries = list(root.iterdir())
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else root


def _inside(root: Path, member: str) -> None:
    if not (root / member).resolve().is_relative_to(root.resolve()):
        raise LoadError(f"archive member {member!r} would be written outside the target")


@contextlib.contextmanager
def local_copy(location: str, settings: Settings) -> Iterator[Path]:
    if not is_url(location):
        yield Path(location)
        return
    tmp = Path(tempfile.mkdtemp(prefix="kg-fetch-"))
    try:
        yield unpack(download(location, tmp, settings), tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
