"""Settings: declared once, read from KG_* variables, a config file, or overrides."""

from __future__ import annotations

import pytest

from kg.settings import SETTINGS, Settings, SettingsError
from tests.support.paths import ROOT


def test_every_setting_has_a_default_and_help():
    s = Settings.load(environ={})
    for setting in SETTINGS:
        assert setting.help and setting.env == "KG_" + setting.name.upper()
        assert s.origins[setting.name] == "default"
    assert s.store.startswith("oxigraph:") and s.store.endswith("var/store")
    assert s.host == "127.0.0.1" and isinstance(s.port, int)


def test_environment_then_overrides():
    env = {"KG_PORT": "9123", "KG_BASE_IRI": "https://example.org/kg/", "KG_PROGRESS": "no"}
    s = Settings.load(environ=env)
    assert (s.port, s.base_iri, s.progress) == (9123, "https://example.org/kg/", False)
    assert s.origins["port"] == "KG_PORT"
    s = Settings.load({"port": 1}, environ=env)
    assert s.port == 1 and s.origins["port"] == "override"


def test_config_file(tmp_path):
    path = tmp_path / "kg.toml"
    path.write_text('[kg]\nport = 8765\nstore = "memory"\n')
    s = Settings.load(environ={"KG_CONFIG": str(path), "KG_STORE": "oxigraph:/tmp/x"})
    assert s.port == 8765 and s.store == "oxigraph:/tmp/x"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"environ": {"KG_PORT": "eighty"}}, "setting port (KG_PORT)"),
        ({"environ": {"KG_BASE_IRI": "https://example.org"}}, "must end with '/'"),
        ({"overrides": {"nope": 1}, "environ": {}}, "unknown setting"),
        ({"environ": {"KG_CONFIG": "/nonexistent/kg.toml"}}, "config file not found"),
    ],
)
def test_bad_settings_are_named(kwargs, fragment):
    with pytest.raises(SettingsError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        Settings.load(**kwargs)


def test_malformed_config_file_names_the_line(tmp_path):
    path = tmp_path / "kg.toml"
    path.write_text("[kg]\nport = \n")
    with pytest.raises(SettingsError, match="line 2"):
        Settings.load(environ={"KG_CONFIG": str(path)})


def test_readme_documents_every_setting():

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if s.env not in readme]
    assert missing == []
