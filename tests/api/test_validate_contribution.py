"""``POST /validate`` over real HTTP: a new toolkit resource in RDMkit's own tool-list YAML
comes back as the entry to add to RDMkit, with what RDMkit's editors would object to.

Real entries of RDMkit's list (tests/kg/validation/test_contribution.py chooses them) with
their ids changed come back byte for byte with only the id changed; each objection names
the resource of the graph that already has the value; YAML errors name field and line.
"""

from __future__ import annotations

import html
import re

import pytest
import requests

from api import create_app
from tests.kg.validation.test_contribution import id_of, new_id, picks, real_entries, with_id
from tests.support.servers import Served

TIMEOUT = 60
YAML = {"Content-Type": "application/yaml"}
IN_CONTEXT = {"profile": "toolkit-resource", "mode": "in-context", "report": "json"}


@pytest.fixture(scope="module")
def base(settings, full_build):
    """The API over every source (``full_build``), served on 127.0.0.1 for the module."""
    served = Served()
    yield served(create_app(settings=settings, store=full_build[0]))
    served.close()


def submit(base: str, text: str, **params: str) -> requests.Response:
    query = {**IN_CONTEXT, **params}
    return requests.post(
        base + "/validate", data=text.encode("utf-8"), headers=YAML, params=query, timeout=TIMEOUT
    )


def resource(settings, rid: str) -> str:
    return settings.base_iri + "resource/" + rid


def test_real_entries_with_new_ids_come_back_byte_for_byte(base, settings):
    for block in picks():
        sent = with_id(block, new_id(block))
        response = submit(base, sent)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["conforms"] is True and response.headers["KG-Validation-Conforms"] == "true"
        assert body["rdmkit"]["entry"] == sent
        assert body["rdmkit"]["resource"] == resource(settings, new_id(block))
        # the original is still in the list: its URL (and registry ids) are already listed
        owners = {o["existing"] for o in body["rdmkit"]["objections"]}
        assert resource(settings, id_of(block)) in owners
        assert "id" not in {o["what"] for o in body["rdmkit"]["objections"]}


def test_each_objection_names_the_existing_resource(base, settings):
    unchanged = picks()[2]
    (taken,) = submit(base, unchanged).json()["rdmkit"]["objections"]
    assert taken["what"] == "id" and taken["value"] == id_of(unchanged)
    assert taken["existing"] == resource(settings, id_of(unchanged)) and taken["name"]

    listed = next(b for b in real_entries() if re.search(r"biotools: (?!NA)", b))
    biotools = re.search(r"biotools: (\S+)", listed).group(1)
    url = re.search(r"url: (\S+)", listed).group(1)
    new = (
        "- description: A new tool.\n  id: brand-new-tool\n  name: Brand new tool\n"
        f"  registry:\n    biotools: {biotools}\n  url: https://brand-new.example.org\n"
    )
    objections = submit(base, new).json()["rdmkit"]["objections"]
    assert {"what": "biotools", "existing": resource(settings, id_of(listed))} in [
        {k: o[k] for k in ("what", "existing")} for o in objections
    ]
    same_url = new.replace("https://brand-new.example.org", url.rstrip("/") + "/")
    same_url = same_url.replace(f"biotools: {biotools}", "biotools: NA")
    objections = submit(base, same_url).json()["rdmkit"]["objections"]
    assert {(o["what"], o["existing"]) for o in objections} >= {
        ("url", resource(settings, id_of(listed)))
    }
    assert {o["what"] for o in objections} == {"url"}


def test_standalone_says_objections_need_in_context(base):
    block = picks()[0]
    sent = with_id(block, new_id(block))
    body = submit(base, sent, mode="standalone").json()
    assert body["rdmkit"]["entry"] == sent and body["rdmkit"]["objections"] is None
    assert "in-context mode" in body["rdmkit"]["note"]
    text = submit(base, sent, mode="standalone", report="text").text
    assert sent in text and "in-context mode" in text
    for report in ("csv", "turtle", "jsonld"):  # the standard formats are unchanged
        assert "tool_and_resource_list" not in submit(base, sent, report=report).text


def test_the_report_page_shows_the_entry_to_copy_and_the_objections(base, settings):
    block = picks()[1]
    form = {"text": block, "format": "yaml", "name": "entry.yml", **IN_CONTEXT, "report": "html"}
    response = requests.post(base + "/validate", data=form, timeout=TIMEOUT)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    shown = re.search(r'<pre class="rdmkit-yaml"[^>]*>(.*?)</pre>', response.text, re.S)
    assert shown is not None and html.unescape(shown.group(1)) == block
    objections = re.search(r'<ul class="rdmkit-objections">(.*?)</ul>', response.text, re.S)
    assert objections is not None
    assert f'href="/resource/{id_of(block)}"' in objections.group(1)
    assert f"the id '{id_of(block)}' is already taken" in html.unescape(objections.group(1))


def test_yaml_errors_name_the_field_and_line(base):
    bad = "- id: brand-new\n  name: New\n  registry:\n    bio.tools: x\n  url: https://x.org\n"
    response = submit(base, bad)
    assert response.status_code == 400
    error = response.json()["error"]
    assert ":4: field 'registry.bio.tools': unknown registry" in error
    form = {"text": bad, "format": "yaml", **IN_CONTEXT, "report": "html"}
    page = requests.post(base + "/validate", data=form, timeout=TIMEOUT)
    assert page.status_code == 400
    assert "field 'registry.bio.tools': unknown registry" in html.unescape(page.text)
    missing = submit(base, "- name: New\n  url: https://x.org\n")
    assert missing.status_code == 400 and "field 'id' is required" in missing.json()["error"]
