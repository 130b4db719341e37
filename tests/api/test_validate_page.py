"""The validation page for a person in a browser, over plain HTTP (api/validate_page.py).

An error of ``POST /validate`` whose report would be HTML (``report=html``, as the page's
form sends, or ``Accept: text/html``) is the page again: the message next to its field,
every field as sent (escaped), the error's status. Every other client keeps the JSON error
shape. The ``url`` field fetches only from ``KG_ALLOWED_HOSTS``; these tests never leave
127.0.0.1 (refusals, and a document served by a local server the settings allow).
"""

from __future__ import annotations

import re
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from api import create_app
from api.validate_page import EXAMPLE_RESOURCE, EXAMPLES
from kg.validation.profiles import PROFILES
from tests.support.paths import ROOT

TIMEOUT = 60
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
#: Pasted text that must come back in the text box as typed, never as markup.
HOSTILE = '@prefix ex: <http://example.org/> .\nex:a ex:b "</textarea><script>alert(1)</script>" .\nex:c ex:d .\n'


class Form(HTMLParser):
    """The validation form as a browser would show it: values, choices, errors, focus."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.checked: dict[str, str] = {}
        self.selected: dict[str, str] = {}
        self.attrs: dict[str, dict[str, str | None]] = {}
        self.errors: dict[str, str] = {}
        self.autofocus: list[str] = []
        self.forms = 0
        self.scripts = 0
        self._into: tuple[str, str, str] | None = None  # ("value"|"error", key, tag)
        self._select: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.attrs[a["id"]] = a
        if "autofocus" in a:
            self.autofocus.append(a.get("id") or f"{a.get('name')}={a.get('value')}")
        if tag == "form" and a.get("action") == "/validate":
            self.forms += 1
        elif tag == "script":
            self.scripts += 1
        elif tag == "textarea":
            self._into = ("value", a["name"], tag)
            self.values[a["name"]] = ""
        elif tag == "input" and a.get("type") == "radio":
            if "checked" in a:
                self.checked[a["name"]] = a["value"]
        elif tag == "input" and a.get("type") not in ("file", "hidden"):
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
            self.selected.setdefault(a["name"], "")
        elif tag == "option" and "selected" in a and self._select:
            self.selected[self._select] = a["value"]
        elif a.get("class") in ("field-error", "message error"):
            self._into = ("error", a["id"], tag)
            self.errors[a["id"]] = ""

    def handle_endtag(self, tag):
        if self._into is not None and tag == self._into[2]:
            if tag == "textarea":  # a browser drops the newline that opens a textarea
                key = self._into[1]
                self.values[key] = self.values[key].removeprefix("\n")
            self._into = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._into is None:
            return
        kind, key, _ = self._into
        if kind == "value":
            self.values[key] += data
        else:
            self.errors[key] += data


def post(base: str, headers: dict | None = None, files=None, **data) -> requests.Response:
    files = files or {"file": ("", b"", "application/octet-stream")}  # as a browser sends
    return requests.post(
        base + "/validate", data=data, files=files, headers=headers or {}, timeout=TIMEOUT
    )


def page_of(response: requests.Response, status: int) -> Form:
    assert response.status_code == status, response.text[:1000]
    assert response.headers["Content-Type"].startswith("text/html")
    form = Form(response.text)
    assert form.forms == 1 and form.scripts == 0
    return form


def json_error(response: requests.Response, status: int) -> str:
    assert response.status_code == status, response.text[:1000]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "status"} and body["status"] == status
    return body["error"]


def field_error(form: Form, field: str) -> str:
    """The message tied to ``field``: shown next to it, the field marked and focused."""
    assert set(form.errors) == {f"{field}-error"}, form.errors
    choices = field in ("profile", "mode")  # radio buttons: the group is marked
    control = form.attrs[f"{field}-choices" if choices else field]
    assert control.get("aria-invalid") == "true"
    assert f"{field}-error" in (control.get("aria-describedby") or "").split()
    if choices:  # its first choice has the focus
        assert len(form.autofocus) == 1 and form.autofocus[0].startswith(f"{field}="), (
            form.autofocus
        )
    else:
        assert form.autofocus == [field]
    return form.errors[f"{field}-error"]


def general_error(form: Form) -> str:
    """The message about the whole form: above it, announced and focused."""
    assert set(form.errors) == {"form-error"}, form.errors
    assert form.attrs["form-error"].get("role") == "alert"
    assert form.autofocus == ["form-error"]
    return " ".join(form.errors["form-error"].split())


@pytest.fixture(scope="module")
def store(built):
    return built[0]


@pytest.fixture(scope="module")
def base(settings, store):
    from tests.support.servers import Served

    served = Served()
    yield served(create_app(settings=settings, store=store))
    served.close()


# --------------------------------------------------------------------------- negotiation


def test_an_unreadable_document_from_a_browser_is_the_page_with_the_input_kept(base):
    sent = {
        "text": HOSTILE,
        "name": "mine.ttl",
        "format": "turtle",
        "profile": "toolkit-resource",
        "mode": "in-context",
    }
    for headers, extra in ((HTML, {}), ({}, {"report": "html"}), (JSON, {"report": "html"})):
        response = post(base, headers, **sent, **extra)
        form = page_of(response, 400)
        assert "<script>alert(1)</script>" not in response.text
        assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
        assert form.values["text"] == HOSTILE
        assert form.values["name"] == "mine.ttl"
        assert form.selected["format"] == "turtle"
        assert form.checked == {"profile": "toolkit-resource", "mode": "in-context"}
        message = field_error(form, "text")
        assert "line 3" in message and "mine.ttl" in message
        assert "<title>Error: " in response.text
        # the line named and the one before it are quoted under the message
        excerpt = re.search(r'<pre class="excerpt"[^>]*>(.*?)</pre>', response.text, re.S)
        assert excerpt and "ex:c ex:d ." in excerpt.group(1)


def test_the_same_error_for_a_machine_keeps_the_json_shape(base):
    for headers, extra in ((JSON, {}), ({}, {}), (HTML, {"report": "json"})):
        error = json_error(post(base, headers, text=HOSTILE, **extra), 400)
        assert "line 3" in error
    pdf = {"Content-Type": "application/pdf"}
    raw = requests.post(base + "/validate", data=b"%PDF", headers=pdf, timeout=TIMEOUT)
    assert "not a document format" in json_error(raw, 415)
    # a report that is no format: the error cannot be a page of that format
    response = requests.post(
        base + "/validate?report=pdf", data={"text": "x"}, headers=HTML, timeout=TIMEOUT
    )
    assert json_error(response, 400).startswith("report 'pdf'")


# --------------------------------------------------------------------------- each error


BAD_FIELDS = [
    ({"text": ""}, "text", "no document"),
    ({"text": "<a:b> <a:c> <a:d> .", "profile": "nope"}, "profile", "unknown profile 'nope'"),
    ({"text": "<a:b> <a:c> <a:d> .", "format": "pdf"}, "format", "format 'pdf'"),
    ({"text": "<a:b> <a:c> <a:d> .", "mode": "sideways"}, "mode", "mode 'sideways'"),
]


@pytest.mark.parametrize(("sent", "field", "words"), BAD_FIELDS, ids=[f for _, f, _ in BAD_FIELDS])
def test_a_bad_field_is_shown_next_to_it_and_the_rest_is_kept(base, sent, field, words):
    response = post(base, HTML, name="kept.ttl", **sent)
    form = page_of(response, 400)
    assert words in field_error(form, field)
    assert form.values["name"] == "kept.ttl"
    assert form.values["text"] == sent["text"]
    if field == "profile":  # a profile the page does not offer: no choice is checked
        assert "profile" not in form.checked
    assert words in json_error(post(base, JSON, name="kept.ttl", **sent), 400)


def test_a_body_too_large_is_413_in_the_page(settings, store, serve):
    url = serve(create_app(settings=settings.with_overrides(validate_max_bytes=2000), store=store))
    text = "# " + "x" * 3000
    form = page_of(post(url, HTML, text=text, report="html"), 413)
    message = general_error(form)
    assert "larger than 2,000 bytes" in message and "Back" in message
    assert form.values["text"] == ""  # never read: the body is refused unread
    json_error(post(url, JSON, text=text), 413)


def test_a_timeout_is_503_in_the_page_with_the_input_kept(settings, store, serve):
    url = serve(create_app(settings=settings.with_overrides(validate_timeout=1e-9), store=store))
    text = '<https://w3id.org/elixir-converge/resource/x> <https://schema.org/name> "x" .'
    response = post(url, HTML, text=text, profile="toolkit-resource")
    form = page_of(response, 503)
    assert "longer than" in general_error(form) and response.headers["Retry-After"]
    assert form.values["text"] == text and form.checked["profile"] == "toolkit-resource"
    assert "longer than" in json_error(post(url, JSON, text=text), 503)


def test_an_unreadable_upload_is_copied_into_the_text_box(base):
    files = {"file": ("upload.ttl", HOSTILE.encode(), "text/turtle")}
    form = page_of(post(base, HTML, files=files, report="html"), 400)
    assert form.values["text"] == HOSTILE and form.values["name"] == "upload.ttl"
    message = field_error(form, "text")
    assert "upload.ttl" in message and "is copied into this box" in message


# --------------------------------------------------------------------------- by URL


class _Documents(BaseHTTPRequestHandler):
    """A local web server with one document, one too large and nothing else."""

    documents = {
        "/steward.ttl": (
            b"<https://w3id.org/elixir-converge/resource/steward> a "
            b"<https://w3id.org/elixir-converge/ontology#ToolkitResource> .\n"
        ),
        "/big.ttl": b"# " + b"x" * 5000,
    }

    def do_GET(self):  # noqa: N802
        body = self.documents.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/turtle" if body else "text/plain")
        self.end_headers()
        self.wfile.write(body or b"not here")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def local_documents():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Documents)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_url_on_another_host_is_refused_naming_the_allowed_hosts(base, settings):
    allowed = [h.strip() for h in settings.allowed_hosts.split(",") if h.strip()]
    sent = {"url": "https://example.org/steward.ttl", "profile": "business-model"}
    form = page_of(post(base, HTML, **sent), 400)
    message = field_error(form, "url")
    assert "example.org" in message and all(host in message for host in allowed)
    assert form.values["url"] == sent["url"] and form.checked["profile"] == "business-model"
    hint = form.attrs["url"]["aria-describedby"].split()
    assert hint == ["url-hint", "url-error"]
    assert "KG_ALLOWED_HOSTS" in json_error(post(base, JSON, **sent), 400)


def test_loopback_and_non_http_urls_are_refused(settings, store, serve, local_documents):
    port = local_documents.rsplit(":", 1)[1]
    # "localhost" allowed by name still resolves to a loopback address: refused
    url = serve(
        create_app(settings=settings.with_overrides(allowed_hosts="localhost"), store=store)
    )
    error = json_error(post(url, JSON, url=f"http://localhost:{port}/steward.ttl"), 400)
    assert "loopback" in error
    # 127.0.0.1 not allowed at all; file: and ftp: are no web addresses
    for where, words in (
        (f"{local_documents}/steward.ttl", "not in KG_ALLOWED_HOSTS"),
        ("file:///etc/passwd", "not an http or https URL"),
        ("ftp://127.0.0.1/steward.ttl", "not an http or https URL"),
    ):
        form = page_of(post(url, HTML, url=where), 400)
        assert words in field_error(form, "url"), where


def test_a_url_with_pasted_text_is_one_document_too_many(base):
    form = page_of(
        post(base, HTML, url="https://github.com/x.ttl", text="<a:b> <a:c> <a:d> ."), 400
    )
    assert "Give one document" in field_error(form, "url")
    assert form.values["text"] == "<a:b> <a:c> <a:d> ."


def test_a_url_of_an_allowed_host_is_fetched_within_the_limits(
    settings, store, serve, local_documents
):
    local = settings.with_overrides(allowed_hosts="127.0.0.1", validate_max_bytes=4000)
    url = serve(create_app(settings=local, store=store))
    response = post(url, JSON, url=f"{local_documents}/steward.ttl", profile="toolkit-resource")
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["document"]["name"], report["document"]["format"]) == ("steward.ttl", "turtle")
    assert report["document"]["triples"] == 1
    assert not report["conforms"]  # a resource without its RDMkit id or name
    html = post(url, HTML, url=f"{local_documents}/steward.ttl", report="html")
    assert html.status_code == 200 and "steward.ttl" in html.text
    assert Form(html.text).values["url"] == f"{local_documents}/steward.ttl"  # validate again
    form = page_of(post(url, HTML, url=f"{local_documents}/big.ttl"), 413)
    assert "KG_VALIDATE_MAX_BYTES" in field_error(form, "url")
    form = page_of(post(url, HTML, url=f"{local_documents}/nowhere.ttl"), 502)
    assert "HTTP 404" in field_error(form, "url")


# --------------------------------------------------------------------------- examples

#: The examples kept as files of data/ (the other one is taken from the graph).
DATA_FILES = {
    "business-model": "business-models/example-central.yaml",
    "broken-resource": "validation-examples/broken-resource.ttl",
    "unreadable": "validation-examples/unreadable.ttl",
}


def test_each_example_fills_the_form_with_its_document(base, settings):
    listing = requests.get(base + "/validate", timeout=TIMEOUT).text
    for example in EXAMPLES:
        assert f'href="/validate?example={example.key}#document"' in listing
        assert example.source.replace("'", "&#39;") in listing
        assert example.profile in PROFILES
        response = requests.get(base + f"/validate?example={example.key}", timeout=TIMEOUT)
        form = page_of(response, 200)
        if example.key in DATA_FILES:
            path = Path(settings.data_dir, DATA_FILES[example.key])
            assert f"data/{DATA_FILES[example.key]}" in example.source
            expected = path.read_text(encoding="utf-8")
        else:  # taken from the graph: what the resource's Turtle page serves
            assert example.href == f"/resource/{EXAMPLE_RESOURCE}.ttl"
            assert example.href in example.source
            expected = requests.get(base + example.href, timeout=TIMEOUT).text
        assert form.values["text"] == expected
        assert form.values["name"] == example.name
        assert form.selected["format"] == example.format
        assert form.checked == {"profile": example.profile, "mode": example.mode}
        assert not form.errors
    missing = requests.get(base + "/validate?example=nope", timeout=TIMEOUT)
    assert "There is no example named" in general_error(page_of(missing, 404))


def test_the_examples_validate_as_they_say(base):
    results = {}
    for example in EXAMPLES:  # sent as the page fills them in
        response = requests.get(base + f"/validate?example={example.key}", timeout=TIMEOUT)
        fields = Form(response.text)
        sent = {**fields.values, **fields.checked, **fields.selected}
        results[example.key] = post(base, JSON, **sent)
    assert results["business-model"].json()["conforms"] is True
    assert results["toolkit-resource"].json()["conforms"] is True
    broken = results["broken-resource"].json()
    assert broken["conforms"] is False and broken["counts"]["Violation"] >= 2
    assert "line 11" in json_error(results["unreadable"], 400)


def test_the_report_page_keeps_the_document_to_validate_again(base):
    document = (ROOT / "data" / DATA_FILES["broken-resource"]).read_text(encoding="utf-8")
    response = post(
        base, {}, text=document, profile="toolkit-resource", report="html", name="b.ttl"
    )
    assert response.status_code == 200 and "does not conform" in response.text
    form = Form(response.text)
    assert form.forms == 1 and not form.errors and not form.autofocus
    assert form.values["text"] == document and form.values["name"] == "b.ttl"
    assert form.checked["profile"] == "toolkit-resource"
