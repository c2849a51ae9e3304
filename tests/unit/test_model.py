"""The records: pickling (they travel to and from worker processes) and merging."""

from __future__ import annotations

import copy
import pickle

import pytest

from doi_extract.model import (
    FeedItem,
    ItemReport,
    ItemStatus,
    Match,
    Person,
    Provenance,
    Reference,
    Span,
    Status,
    WorkType,
    merge,
)

WHERE = Provenance(
    source="feed.xml",
    item=3,
    guid="g",
    link="l",
    field="content:encoded",
    label="DOI",
    span=Span(4, 9),
)
WORK = Reference(
    doi="10.1038/nature14539",
    doi_as_printed="10.1038/nature14539",
    kind=WorkType.ARTICLE,
    title="Deep learning",
    authors=(Person(family="LeCun", given="Y."), Person(literal="The Team")),
    et_al=True,
    container_title="Nature",
    issn=("0028-0836",),
    publisher="Springer",
    issued=(2015, 5, 27),
    volume="521",
    issue="7553",
    pages="436-444",
    article_number="e1",
    url="https://doi.org/10.1038/nature14539",
    raw="LeCun, Y. et al. Deep learning. Nature 521, 436-444 (2015).",
    status=Status.RESOLVED,
    registry="crossref",
    match=Match(score=0.97, reasons=("title",)),
    provenance=(WHERE,),
)
ITEM = FeedItem(
    source="feed.xml",
    index=3,
    guid="g",
    link="l",
    title="t",
    published="2025",
    authors=("A",),
    texts=(("description", "<p>x</p>"),),
    links=(("alternate", "l"),),
    metadata=(("prism:doi", "10.1/x"),),
)
REPORT = ItemReport(
    source="feed.xml",
    item=3,
    guid="g",
    link="l",
    title="t",
    dois=("10.1038/nature14539",),
    references=(WORK.raw or "",),
    works=(WORK,),
    status=ItemStatus.OK,
    reason="why",
)


@pytest.mark.parametrize("record", [WHERE, WORK.authors[0], WORK, ITEM, REPORT], ids=type)
def test_records_survive_pickling_and_copying(record: object) -> None:
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(record, protocol))
        assert back == record
        assert type(back) is type(record)
    assert copy.copy(record) == record
    assert copy.deepcopy(record) == record


def test_pickled_records_stay_frozen() -> None:
    back = pickle.loads(pickle.dumps(WORK))
    with pytest.raises(AttributeError):
        back.title = "changed"  # type: ignore[misc]


def test_merge_fills_only_the_gaps() -> None:
    sparse = Reference(doi=WORK.doi, title="Printed title", kind=WorkType.UNKNOWN)
    merged = merge(sparse, WORK)
    assert merged.title == "Printed title"
    assert merged.kind is WorkType.ARTICLE
    assert merged.authors == WORK.authors
    assert merged.et_al is True
    assert merged.issued == WORK.issued
    assert merged.provenance == (WHERE,)
    assert merged.status is Status.PARSED  # status, registry and match are not merged
    assert merge(WORK, sparse) == WORK
