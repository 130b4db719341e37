"""More of the catalogue's answers checked against the RDMkit source files.

Questions of ``queries/`` that ``test_query_answers.py`` does not check yet; the sources are
read the same independent way (its ``RDMkit`` reader: ``yaml.safe_load`` and a regex), and
each question runs in both binding modes of its ``ask`` fixture.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from tests.queries.test_answers import BASE, ask, rdmkit, tail  # noqa: F401 - fixtures

FAIRSHARING_DOI = "https://doi.org/10.25504/FAIRsharing."


def test_toolkit_resources_with_the_most_national_instances(ask, rdmkit):  # noqa: F811
    count: Counter[str] = Counter()
    countries: dict[str, set[str]] = defaultdict(set)
    for item in rdmkit.national:
        if item["instance_of"]:
            count[item["instance_of"]] += 1
            countries[item["instance_of"]].add(item["country"])
    top = sorted(count, key=lambda rid: (-count[rid], rid))[:5]
    rows = ask("rdmkit/national_instances")
    assert [(r["resource"], r["instances"], set(r["countries"].split())) for r in rows] == [
        (rid, count[rid], countries[rid]) for rid in top
    ]


def test_national_resources_for_each_role(ask, rdmkit):  # noqa: F811
    roles = rdmkit.of_kind("rolePage")
    assert roles
    listed = 0
    for role in roles:
        items = [i for i in rdmkit.national if role in i["related"]]
        rows = ask("rdmkit/list_role_resources", role=BASE + "page/" + role)
        assert sorted((r["country"], r["name"]) for r in rows) == sorted(
            (i["country"], i["name"]) for i in items
        ), role
        instance_names = {
            (i["country"], i["name"]): rdmkit.tools[i["instance_of"]]["name"]
            for i in items
            if i["instance_of"]
        }
        for r in rows:
            assert r["instanceOf"] == instance_names.get((r["country"], r["name"])), r
        assert [(r["country"], r["name"]) for r in rows] == sorted(
            (r["country"], r["name"]) for r in rows
        )
        listed += len(rows)
        for country in {i["country"] for i in items}:
            narrowed = ask(
                "rdmkit/list_role_resources", role=BASE + "page/" + role, country=country
            )
            assert sorted(r["name"] for r in narrowed) == sorted(
                i["name"] for i in items if i["country"] == country
            )
    assert listed > 0
    # Not a role page: nothing.
    assert ask("rdmkit/list_role_resources", role=BASE + "page/" + roles[0] + "-x") == []


def test_fairsharing_records_shared_by_the_most_domains(ask, rdmkit):  # noqa: F811
    domains: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    odd = set()
    for domain in rdmkit.of_kind("domainPage"):
        for rid in rdmkit.pages[domain]["mentions"]:
            value = rdmkit.registry(rid, "fairsharing")
            if value is None:
                continue
            if re.fullmatch(r"[0-9A-Za-z]{6}", value):
                record = FAIRSHARING_DOI + value
            elif value.startswith(FAIRSHARING_DOI):
                record = value
            else:  # a legacy number: its record IRI is the loader's choice
                odd.add(value)
                continue
            domains[record].add(domain)
            names[record].add(rdmkit.tools[rid]["name"])
    assert len(domains) > 10
    rows = ask("standards/rank_shared_standards")
    found = {
        r["fairsharingRecord"]: (r["domains"], set(r["domainIds"].split()), r["resources"])
        for r in rows
        if r["fairsharingRecord"] in domains
    }
    assert {k: v[:2] for k, v in found.items()} == {
        record: (len(ids), ids) for record, ids in domains.items()
    }
    for record, (_, _, resources) in found.items():
        assert set(resources.split("; ")) == names[record]
    assert len(rows) - len(found) <= len(odd)
    ranking = [(-r["domains"], r["fairsharingRecord"]) for r in rows]
    assert ranking == sorted(ranking)


def test_tool_assemblies_with_their_tools_and_countries(ask, rdmkit):  # noqa: F811
    expected = {}
    for key in rdmkit.of_kind("toolAssemblyPage"):
        countries = {
            str(page["meta"]["country_code"])
            for page in rdmkit.pages.values()
            if page["kind"] == "nationalPage" and key in page["related"]
        }
        mentions = rdmkit.pages[key]["mentions"]
        expected[key] = (len(mentions), mentions, countries)
    assert expected
    rows = ask("rdmkit/list_tool_assemblies")
    found = {
        tail(r["assembly"], "/page/"): (
            r["tools"],
            set((r["toolIds"] or "").split()),
            set((r["countries"] or "").split()),
        )
        for r in rows
    }
    assert len(rows) == len(found) and found == expected
    assert [-r["tools"] for r in rows] == sorted(-r["tools"] for r in rows)
    one = next(k for k, v in expected.items() if v[0])
    assert [
        tail(r["assembly"], "/page/")
        for r in ask("rdmkit/list_tool_assemblies", assembly=BASE + "page/" + one)
    ] == [one]


def url_key(url: str) -> str:
    return re.sub(r"^https?://(www\.)?|/+$", "", url.strip().lower())


def test_toolkit_resources_sharing_a_url(ask, rdmkit):  # noqa: F811
    groups: dict[str, set[str]] = defaultdict(set)
    for rid, tool in rdmkit.tools.items():
        if tool.get("url"):
            groups[url_key(str(tool["url"]))].add(rid)
    expected = {key: ids for key, ids in groups.items() if len(ids) > 1}
    assert expected
    rows = ask("curation/list_shared_urls")
    found = {r["key"]: set(r["ids"].split()) for r in rows}
    assert found == expected
    assert all(r["resources"] == len(found[r["key"]]) for r in rows)
