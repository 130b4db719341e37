"""``/openapi.json`` and ``/docs``: the API documented, over real HTTP.

The document must validate against the OpenAPI schema, document every route the app
serves (and nothing it does not), give one operation per named query whose parameters are
exactly the catalog's, and describe the real answers: each query's example call, made as
the document says, answers JSON valid against the documented schema.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
import requests
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.exceptions import MethodNotAllowed, NotFound

from api import create_app
from kg.queries.catalog import load_catalog

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
#: How each catalog parameter type is described (kg.queries.parameters → JSON Schema).
SCHEMA_TYPES = {
    "iri": "string",
    "string": "string",
    "integer": "integer",
    "decimal": "number",
    "boolean": "boolean",
    "date": "string",
    "language": "string",
    "enum": "string",
}


@pytest.fixture(scope="module")
def app(settings, full_build):
    store, _ = full_build
    return create_app(settings=settings, store=store)


@pytest.fixture(scope="module")
def base(app):
    from tests.support.servers import Served

    served = Served()
    yield served(app)
    served.close()


@pytest.fixture(scope="module")
def document(base) -> dict:
    r = requests.get(f"{base}/openapi.json", timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


@pytest.fixture(scope="module")
def catalog(settings):
    return load_catalog(settings.queries_dir)


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path template (computed here, not by api.openapi)."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def resolved(document: dict, node: dict) -> dict:
    """Follow a local ``$ref`` (one level)."""
    if "$ref" not in node:
        return node
    target = document
    for part in node["$ref"].removeprefix("#/").split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target


def schema_validator(document: dict, *pointer: str) -> OAS31Validator:
    """A validator for the schema at ``pointer`` inside the document (refs resolved)."""
    registry = Registry().with_resource(
        "urn:openapi", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    escaped = "/".join(p.replace("~", "~0").replace("/", "~1") for p in pointer)
    return OAS31Validator({"$ref": f"urn:openapi#/{escaped}"}, registry=registry)


def test_the_document_validates(document):
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises with the faulty node on an invalid document


def test_every_route_is_documented_with_its_methods(app, document):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = openapi_path(rule.rule)
        item = document["paths"].get(path, {})
        for method in sorted(rule.methods - {"OPTIONS", "HEAD"}):
            if method.lower() not in item:
                module = app.view_functions[rule.endpoint].__module__
                missing.append(f"{method} {path} (add it to OPENAPI_PATHS in {module})")
    assert not missing, "routes not in /openapi.json: " + "; ".join(missing)


def test_every_documented_operation_is_served(app, document):
    adapter = app.url_map.bind("localhost")
    for path, item in document["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        for method in set(item) & HTTP_METHODS:
            try:
                adapter.match(concrete, method=method.upper())
            except (NotFound, MethodNotAllowed) as exc:
                pytest.fail(f"{method.upper()} {path} is documented but not served: {exc}")


def test_the_error_schema_is_shared_by_every_4xx(document):
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "status"]
    checked = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            for status, response in operation["responses"].items():
                content = resolved(document, response).get("content", {})
                if status.startswith(("4", "5")) and set(content) != {"text/html"}:
                    # Every error but an HTML page's answers {"error", "status"}.
                    assert content["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"
                    }, (method, path, status)
                    checked += 1
    assert checked > len(document["paths"])


def test_one_operation_per_query_with_the_catalogs_parameters(document, catalog):
    assert len(catalog) >= 25
    operation_ids = set()
    for query in catalog:
        item = document["paths"].get(f"/queries/{query.name}")
        assert item is not None, f"no path for query {query.name}"
        operation = item["get"]
        assert operation["summary"] == query.title
        assert query.description in operation["description"]
        operation_ids.add(operation["operationId"])
        declared = {p.name: p for p in query.parameters}
        documented = {}
        for node in operation["parameters"]:
            p = resolved(document, node)
            assert p["in"] == "query"
            documented[p["name"]] = p
        reserved = {"format"} if query.form == "ask" else {"limit", "offset", "format"}
        assert set(documented) == set(declared) | reserved, query.name
        for name, p in declared.items():
            doc = documented[name]
            schema = doc["schema"]
            assert doc["required"] is p.required, (query.name, name)
            assert schema["type"] == SCHEMA_TYPES[p.type], (query.name, name)
            assert p.description in doc["description"]
            if p.type == "enum":
                assert schema["enum"] == list(p.values)
            if p.type == "date":
                assert schema["format"] == "date"
            if p.type == "iri":
                assert schema["format"] == "iri"
            if p.default is None:
                assert "default" not in schema
            else:
                assert str(schema["default"]).lower() == p.default.lower(), (query.name, name)
            if name in query.example:
                assert str(doc["example"]).lower() == query.example[name].lower()
        offered = set(documented["format"]["schema"]["enum"])
        assert {"json", "csv", "tsv", "sparql-json", "sparql-xml"} <= offered
        assert ("turtle" in offered) is (query.kind == "graph")
        content = operation["responses"]["200"]["content"]
        assert {"application/json", "text/csv", "text/tab-separated-values"} <= set(content)
        assert "400" in operation["responses"]
    assert len(operation_ids) == len(catalog)


def example_call(document: dict, name: str) -> dict[str, str]:
    """The query's example call, read back from the document's parameter examples."""
    params = {}
    for node in document["paths"][f"/queries/{name}"]["get"]["parameters"]:
        p = resolved(document, node)
        if "example" in p:
            value = p["example"]
            params[p["name"]] = str(value).lower() if isinstance(value, bool) else str(value)
    return params


def test_every_query_answers_its_documented_example_as_documented(base, document, catalog):
    checked_rows = 0
    for query in catalog:
        params = example_call(document, query.name)
        assert params == dict(query.example), query.name
        r = requests.get(f"{base}/queries/{query.name}", params=params, timeout=60)
        if query.name.startswith("federated-"):  # no SERVICE allowlist on this server
            assert r.status_code == 403 and "KG_SERVICE_ALLOWLIST" in r.json()["error"]
            continue  # answered across Nodes in tests/api/test_federation_nodes.py
        assert r.status_code == 200, (query.name, r.text)
        validator = schema_validator(
            document,
            "paths",
            f"/queries/{query.name}",
            "get",
            "responses",
            "200",
            "content",
            "application/json",
            "schema",
        )
        body = r.json()
        errors = [e.message for e in validator.iter_errors(body)]
        assert not errors, (query.name, errors[:3])
        if query.form != "ask":
            assert body["variables"] == list(query.returns) or set(body["variables"]) == set(
                query.returns
            )
            checked_rows += len(body["rows"])
    assert checked_rows > 0  # the schemas were checked against real rows


@pytest.mark.parametrize(
    "path,params,status",
    [
        ("/queries/rdmkit/resources_for_stage", {}, 400),
        ("/queries/rdmkit/resources_for_stage", {"stage": "not an iri"}, 400),
        ("/queries/no/such_query", {}, 404),
        ("/queries/rdmkit/resources_for_stage", {"format": "image/png"}, 406),
    ],
)
def test_errors_answer_the_documented_error_schema(base, document, path, params, status):
    r = requests.get(base + path, params=params, timeout=30)
    assert r.status_code == status
    validator = schema_validator(document, "components", "schemas", "Error")
    assert not list(validator.iter_errors(r.json()))
    assert r.json()["status"] == status


def test_health_answers_its_documented_schema(base, document):
    r = requests.get(f"{base}/health", timeout=30)
    assert r.status_code == 200
    validator = schema_validator(
        document, "paths", "/health", "get", "responses", "200", "content", JSON, "schema"
    )
    assert not list(validator.iter_errors(r.json()))


def test_the_catalog_listing_answers_its_documented_schema(base, document, catalog):
    r = requests.get(f"{base}/queries", timeout=30)
    validator = schema_validator(
        document, "paths", "/queries", "get", "responses", "200", "content", JSON, "schema"
    )
    assert not list(validator.iter_errors(r.json()))
    assert len(r.json()) == len(catalog)


JSON = "application/json"


class _Page(HTMLParser):
    """The scripts, stylesheets and the Swagger UI mount of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[str | None, str]] = []  # (src, inline text)
        self.styles: list[str] = []
        self.mount: dict[str, str | None] | None = None
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append((attrs.get("src"), ""))
            self._in_script = True
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.styles.append(attrs["href"])
        elif attrs.get("id") == "swagger-ui":
            self.mount = attrs

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            src, text = self.scripts[-1]
            self.scripts[-1] = (src, text + data)


def test_docs_page_renders_swagger_ui_from_local_files(base):
    r = requests.get(f"{base}/docs", timeout=30)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    page = _Page()
    page.feed(r.text)
    assert page.mount is not None and page.mount["data-openapi"] == "/openapi.json"
    assert page.scripts, "no scripts"
    assert all(src and not text.strip() for src, text in page.scripts), "inline script"
    sources = [src for src, _ in page.scripts] + page.styles
    assert "/vendor/swagger-ui-dist/swagger-ui-bundle.js" in sources
    assert "/vendor/swagger-ui-dist/swagger-ui.css" in sources
    assert "/static/docs.js" in sources
    for src in sources:
        assert src.startswith("/"), f"not served here: {src}"
        asset = requests.get(base + src, timeout=30)
        assert asset.status_code == 200, src
        assert asset.content
    init = requests.get(f"{base}/static/docs.js", timeout=30).text
    assert "SwaggerUIBundle" in init and "data-openapi" in init
    # The document the page points at is served too.
    assert requests.get(base + page.mount["data-openapi"], timeout=30).status_code == 200


def test_docs_is_in_the_site_navigation(base):
    r = requests.get(f"{base}/docs", timeout=30)
    assert 'href="/docs" aria-current="page"' in r.text


def test_per_query_paths_are_percent_safe(document, catalog):
    # Query names become path segments as they are: no character needing escapes.
    for query in catalog:
        assert quote(query.name, safe="/") == query.name
