"""Journal and search feeds whose items are the works themselves, end to end, offline.

Each feed in data/feeds/toc has the shape of a real publisher's or database's feed and the
facts of a real article; the CSL-JSON written for it must describe that article.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from doi_extract import cli
from tests.conftest import DATA

TOC = DATA / "feeds" / "toc"

EXPECTED: dict[str, dict[str, Any]] = {
    "plos.atom": {
        "DOI": "10.1371/journal.pmed.0020124",
        "title": "Why Most Published Research Findings Are False",
        "author": [{"family": "Ioannidis", "given": "John P. A."}],
        "issued": {"date-parts": [[2005, 8, 30]]},
    },
    "pubmed.xml": {
        "DOI": "10.1038/nature14539",
        "title": "Deep learning",
        "author": [
            {"family": "LeCun", "given": "Yann"},
            {"family": "Bengio", "given": "Yoshua"},
            {"family": "Hinton", "given": "Geoffrey"},
        ],
        "container-title": "Nature",
        "URL": "https://pubmed.example.org/26017442/",
    },
    "sciencedirect.xml": {
        "title": "Hallmarks of Cancer: The Next Generation",
        "author": [
            {"family": "Hanahan", "given": "Douglas"},
            {"family": "Weinberg", "given": "Robert A."},
        ],
        "container-title": "Cell",
        "volume": "144",
        "issue": "5",
        "issued": {"date-parts": [[2011, 3, 4]]},
        "URL": "https://www.sciencedirect.com/science/article/pii/S0092867411001279",
    },
    "springer.xml": {
        "DOI": "10.1186/s12885-025-14386-4",
        "title": "Photodynamic therapeutic activity of novel porphyrins against lung squamous "
        "cell carcinoma",
        "issued": {"date-parts": [[2025, 5, 27]]},
    },
}


def test_every_feed_is_covered() -> None:
    assert {path.name for path in TOC.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize(("feed", "expected"), EXPECTED.items())
def test_the_item_is_written_as_the_article_it_describes(
    feed: str, expected: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "refs.json"
    assert cli.main([str(TOC / feed), "--offline", "-q", "-o", str(out)]) == 0
    (record,) = json.loads(out.read_text(encoding="utf-8"))
    assert record["type"] == "article-journal"
    assert {key: record.get(key) for key in expected} == expected
    if "DOI" not in expected:
        assert "DOI" not in record
