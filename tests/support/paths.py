"""Where things are, for every test: the repository, the tests' own fixtures, the shared data."""

from __future__ import annotations

from pathlib import Path

#: The repository's root (README.md, queries/, data/, docs/ …).
ROOT = Path(__file__).resolve().parents[2]
#: Small fixtures written for the tests (tests/data/).
FIXTURES = ROOT / "tests" / "data"
#: The real source datasets beside the project (../shared/data).
SHARED_DATA = ROOT.parent / "shared" / "data"
#: The base IRI the tests build the graph under (the default KG_BASE_IRI).
BASE = "https://w3id.org/elixir-converge/"
