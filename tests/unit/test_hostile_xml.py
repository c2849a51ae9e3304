"""The feed reader against hostile, broken and mislabelled XML."""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doi_extract import _encoding
from doi_extract._encoding import Recoder, sniff
from doi_extract.errors import InputError
from doi_extract.feeds import read_bytes
from doi_extract.model import FeedItem, Problem
from tests.conftest import cut_into


def read_all(data: bytes | str, name: str = "feed.xml") -> list[FeedItem | Problem]:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return list(read_bytes(data, name))


def split(records: list[FeedItem | Problem]) -> tuple[list[FeedItem], list[Problem]]:
    return (
        [r for r in records if isinstance(r, FeedItem)],
        [r for r in records if isinstance(r, Problem)],
    )


def timed(data: bytes | str) -> tuple[list[FeedItem | Problem], float]:
    started = time.monotonic()
    records = read_all(data)
    return records, time.monotonic() - started


# ---------------------------------------------------------------- entity expansion

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss><channel>
<item><title>before &lol9; after</title><link>https://example.org/?x=&lol9;</link>
<description>&lol9;&lol9;</description></item>
<item><title>second</title></item>
</channel></rss>
"""


def test_billion_laughs_is_not_expanded() -> None:
    records, elapsed = timed(BILLION_LAUGHS)
    assert elapsed < 2
    items, problems = split(records)
    assert not problems
    first, second = items
    assert first.title == "before &lol9; after"  # the reference stays as written
    assert first.link == "https://example.org/?x=&lol9;"
    assert first.texts == (("description", "&lol9;&lol9;"),)
    assert "lollol" not in repr(records)
    assert second.title == "second"


def test_quadratic_blowup_is_not_expanded() -> None:
    big = "B" * 100_000
    document = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{big}">]>'
        f"<rss><channel><item><description>{'&a;' * 10_000}</description></item>"
        "</channel></rss>"
    )
    records, elapsed = timed(document)
    assert elapsed < 2
    (item,), problems = split(records)
    assert not problems
    assert item.texts == (("description", "&a;" * 10_000),)
    assert "BBBB" not in repr(records)


def test_parameter_entity_bomb_in_the_dtd_stays_bounded() -> None:
    levels = ['<!ENTITY % p0 "lol">']
    levels += [f'<!ENTITY % p{i} "{f"%p{i - 1};" * 10}">' for i in range(1, 10)]
    document = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(levels)}<!ENTITY big "%p9;">]>'
        "<rss><channel><item><title>&big;</title></item></channel></rss>"
    )
    started = time.monotonic()
    try:
        records = read_all(document)
    except InputError:
        records = []
    assert time.monotonic() - started < 2
    assert "lollol" not in repr(records)


# ---------------------------------------------------------------- external resources


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on 127.0.0.1 that records every connection made to it."""
    received: list[bytes] = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    received.append(connection.recv(4096))
                except OSError:
                    received.append(b"")
                connection.sendall(b"HTTP/1.0 200 OK\r\n\r\n<!ENTITY secret 'PWNED'>")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join(2)
    server.close()


def test_listener_records_connections(listener: tuple[int, list[bytes]]) -> None:
    """The check below would see a connection if the parser made one."""
    port, received = listener
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(b"GET / HTTP/1.0\r\n\r\n")
        client.recv(100)
    assert len(received) == 1


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT")
    return path


def _hostile_documents(port: int, secret: Path) -> dict[str, str]:
    url = f"http://127.0.0.1:{port}"
    file_url = secret.as_uri()
    item = "<item><title>t &xxe; u</title><description>&xxe;</description></item>"
    return {
        "xxe-file": (
            f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{file_url}">]>'
            f"<rss><channel>{item}</channel></rss>"
        ),
        "xxe-http": (
            f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{url}/xxe">]><rss><channel>{item}</channel></rss>'
        ),
        "xxe-attribute": (
            f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{url}/attr">]>'
            '<rss><channel><item><link href="&xxe;">&xxe;</link></item></channel></rss>'
        ),
        "external-dtd": (
            f'<!DOCTYPE rss SYSTEM "{url}/evil.dtd"><rss><channel>'
            "<item><title>t &secret; u</title></item></channel></rss>"
        ),
        "external-dtd-public": (
            f'<!DOCTYPE rss PUBLIC "-//Evil//DTD Evil//EN" "{url}/public.dtd"><rss><channel>'
            "<item><title>t &secret; u</title></item></channel></rss>"
        ),
        "parameter-entity": (
            f'<!DOCTYPE rss [<!ENTITY % ext SYSTEM "{url}/pe.dtd"> %ext;]><rss><channel>'
            "<item><title>t &secret; u</title></item></channel></rss>"
        ),
        "parameter-entity-file": (
            f'<!DOCTYPE rss [<!ENTITY % ext SYSTEM "{file_url}"> %ext;]><rss><channel>'
            "<item><title>t u</title></item></channel></rss>"
        ),
        "xinclude": (
            '<rss xmlns:xi="http://www.w3.org/2001/XInclude"><channel><item><title>t '
            f'<xi:include href="{url}/xi.xml" parse="text"/> u</title><description>'
            f'<xi:include href="{file_url}" parse="text"/></description></item></channel></rss>'
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "xxe-file",
        "xxe-http",
        "xxe-attribute",
        "external-dtd",
        "external-dtd-public",
        "parameter-entity",
        "parameter-entity-file",
        "xinclude",
    ],
)
def test_external_resources_are_never_loaded(
    case: str, listener: tuple[int, list[bytes]], secret_file: Path
) -> None:
    port, received = listener
    document = _hostile_documents(port, secret_file)[case]
    started = time.monotonic()
    try:
        records = read_all(document)
    except InputError as error:
        records = []
        assert "SECRET" not in str(error)
    assert time.monotonic() - started < 2
    time.sleep(0.2)  # a connection, had one been made, would have been accepted by now
    assert received == []
    assert "TOP-SECRET-CONTENT" not in repr(records)
    assert "PWNED" not in repr(records)


@pytest.fixture
def watched_fifo(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    """A named pipe that notes every time something opens it for reading."""
    fifo = tmp_path / "watched.dtd"
    os.mkfifo(fifo)
    opened: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                # Fails (ENXIO) unless a reader has the pipe open: that is the parser.
                descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                stop.wait(0.005)
                continue
            opened.append("opened")
            # The reader may close the pipe between our open and write: that is no failure.
            with contextlib.suppress(BrokenPipeError):
                os.write(descriptor, b'<!ENTITY secret "PWNED">')
            os.close(descriptor)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    yield fifo, opened
    stop.set()
    thread.join(2)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize(
    "template",
    [
        '<!DOCTYPE rss SYSTEM "{uri}"><rss><channel><item><title>&secret;</title></item>'
        "</channel></rss>",
        '<!DOCTYPE rss PUBLIC "-//Evil//EN" "{uri}"><rss><channel><item/></channel></rss>',
        '<!DOCTYPE rss [<!ENTITY % ext SYSTEM "{uri}"> %ext;]>'
        "<rss><channel><item/></channel></rss>",
        '<!DOCTYPE rss [<!ENTITY ext SYSTEM "{uri}">]><rss><channel><item><title>&ext;</title>'
        "</item></channel></rss>",
        '<rss xmlns:xi="http://www.w3.org/2001/XInclude"><channel><item>'
        '<xi:include href="{uri}" parse="text"/></item></channel></rss>',
    ],
    ids=["external-dtd", "public-dtd", "parameter-entity", "general-entity", "xinclude"],
)
def test_files_named_by_the_document_are_never_opened(
    template: str, watched_fifo: tuple[Path, list[str]]
) -> None:
    fifo, opened = watched_fifo
    for uri in (fifo.as_uri(), str(fifo)):
        try:
            records = read_all(template.format(uri=uri))
        except InputError:
            records = []
        time.sleep(0.05)
        assert opened == [], uri
        assert "PWNED" not in repr(records)


def test_watched_fifo_sees_a_reader(watched_fifo: tuple[Path, list[str]]) -> None:
    """The check above would see the parser open the pipe."""
    fifo, opened = watched_fifo
    assert fifo.read_bytes().startswith(b'<!ENTITY secret "PWNED">')
    assert opened


def test_xinclude_element_is_left_as_an_unknown_element(secret_file: Path) -> None:
    (item,) = read_all(
        '<rss xmlns:xi="http://www.w3.org/2001/XInclude"><channel><item><description>a '
        f'<xi:include href="{secret_file.as_uri()}" parse="text"/> b</description></item>'
        "</channel></rss>"
    )
    assert isinstance(item, FeedItem)
    assert item.texts == (
        ("description", f'a <include href="{secret_file.as_uri()}" parse="text"></include> b'),
    )


def test_external_entity_reference_stays_literal(secret_file: Path) -> None:
    (item,) = read_all(
        f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret_file.as_uri()}">]>'
        "<rss><channel><item><title>t &xxe; u</title></item></channel></rss>"
    )
    assert isinstance(item, FeedItem)
    assert item.title == "t &xxe; u"


# ---------------------------------------------------------------- structure


def test_100000_levels_of_nesting() -> None:
    document = (
        "<rss><channel><item><title>ok</title></item><item>"
        + "<a>" * 100_000
        + "</a>" * 100_000
        + "</item></channel></rss>"
    )
    records, elapsed = timed(document)
    assert elapsed < 2
    items, (problem,) = split(records)
    assert [i.title for i in items] == ["ok"]
    assert "Excessive depth in document: 256" in problem.message
    assert "parsing stopped there" in problem.message
    assert "XML_PARSE_HUGE" not in problem.message


def test_text_node_over_the_size_cap() -> None:
    document = (
        "<rss><channel><item><title>kept</title></item><item><description>"
        + "x" * 11_000_000
        + "</description></item><item><title>lost</title></item></channel></rss>"
    )
    records, elapsed = timed(document)
    assert elapsed < 5
    items, (problem,) = split(records)
    assert [i.title for i in items] == ["kept"]
    assert "Text node too long" in problem.message
    assert "kept 1 item" in problem.message


# A child process reads a 200 MB token from its stdin and reports its RSS growth (ru_maxrss
# is in KiB on Linux, in bytes on macOS).
_HUGE_CHILD = """
import json, resource, sys
from doi_extract.feeds import read_stream
from doi_extract.model import FeedItem
scale = 1024 * 1024 if sys.platform == "darwin" else 1024
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
titles, problems = [], []
for record in read_stream(sys.stdin.buffer, "huge.xml"):
    if isinstance(record, FeedItem):
        titles.append(record.title)
    else:
        problems.append(record.message)
growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / scale
print(json.dumps({"titles": titles, "problems": problems, "growth_mb": growth}))
"""
_HUGE_BYTES = 200 * 1024 * 1024


@pytest.mark.parametrize(
    ("opening", "closing", "reason"),
    [
        ("<description>", "</description>", "Text node too long"),
        ("<description><![CDATA[", "]]></description>", "markup longer than 12 MB"),
        ("<description><![CDATA[", "", "markup longer than 12 MB"),
        ('<link href="', '"/>', "markup longer than 12 MB"),
        ("<!-- ", " -->", "markup longer than 12 MB"),
        ("<?note ", "?>", "markup longer than 12 MB"),
        ("<x", "/>", "markup longer than 12 MB"),
    ],
    ids=["text", "cdata", "unclosed-cdata", "attribute", "comment", "pi", "tag-name"],
)
def test_200_mb_token_is_refused_in_bounded_memory(opening: str, closing: str, reason: str) -> None:
    """libxml2 buffers a whole attribute, comment or CDATA section before checking its cap."""
    child = subprocess.Popen(
        [sys.executable, "-c", _HUGE_CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdin is not None
    fill = b"lorem ipsum dolor sit amet " * 40_000  # about 1 MB
    sent = 0
    # Streamed, never held whole: the reader stops early and the pipe breaks.
    with contextlib.suppress(BrokenPipeError):
        child.stdin.write(b"<rss><channel><item><title>kept</title></item><item>")
        child.stdin.write(opening.encode())
        while sent < _HUGE_BYTES:
            child.stdin.write(fill)
            sent += len(fill)
        child.stdin.write(closing.encode() + b"</item><item><title>after</title></item>")
        child.stdin.write(b"</channel></rss>")
        child.stdin.close()
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err.decode()
    result = json.loads(out)
    assert result["titles"] == ["kept"]
    (problem,) = result["problems"]
    assert reason in problem
    assert "kept 1 item" in problem
    assert result["growth_mb"] < 64
    assert sent < 64 * 1024 * 1024  # the rest of the 200 MB was never read


THREE_ITEMS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Three</title>
<item><title>One</title><link>https://example.org/1</link><description>&lt;p&gt;first&lt;/p&gt;</description></item>
<item><title>Two</title><link>https://example.org/2</link><description><![CDATA[<p>second]]></description></item>
<item><title>Three</title><link>https://example.org/3</link>
<description>third &amp; last</description></item>
</channel></rss>
"""


def test_truncated_inside_the_third_item() -> None:
    cut = THREE_ITEMS.index("third &amp;") + 3
    records = read_all(THREE_ITEMS[:cut], "cut.xml")
    items, (problem,) = split(records)
    assert [i.title for i in items] == ["One", "Two"]
    assert problem.source == "cut.xml"
    assert problem.item is None
    assert problem.message == (
        "damaged XML at line 6: Premature end of data in tag description line 6; "
        "kept 2 items, dropped the incomplete item at line 5"
    )
    assert records[-1] is problem


def test_every_truncation_yields_only_complete_items() -> None:
    full, no_problems = split(read_all(THREE_ITEMS))
    assert len(full) == 3
    assert not no_problems
    data = THREE_ITEMS.encode()
    root_end = len(data.rstrip())
    for cut in range(len(data)):
        try:
            items, problems = split(read_all(data[:cut]))
        except InputError as error:
            assert cut <= data.index(b"<channel>"), (cut, error)  # no root element yet
            continue
        assert items == full[: len(items)], cut
        assert len(problems) == (1 if cut < root_end else 0), cut


def test_garbage_after_the_root() -> None:
    items, (problem,) = split(read_all(THREE_ITEMS + "<rss>more</rss> trailing junk"))
    assert len(items) == 3
    assert "Extra content at the end of the document" in problem.message


def test_unclosed_tags_do_not_swallow_the_following_items() -> None:
    """libxml2 nests the next items inside the one that lost an end tag; split them again."""
    records = read_all(
        "<rss><channel><item><title>One</title><description>a <p>b</description>"
        "<link>https://example.org/1</link></item>"
        "<item><title>Two</title><description>&lt;b&gt;bold&lt;/b&gt; &amp; co</description>"
        "</item><item><title>Three</title></item></channel></rss>"
    )
    items, (problem,) = split(records)
    assert [(i.index, i.title) for i in items] == [(0, "One"), (1, "Two"), (2, "Three")]
    assert items[0].texts[0][1].startswith("a <p>b")
    assert "Opening and ending tag mismatch: p line 1 and description" in problem.message
    assert "kept 3 items" in problem.message
    # libxml2's recover mode drops every &lt; &amp; after its first error; the reader
    # rewrites them as character references so nothing is lost.
    assert items[1].texts == (("description", "<b>bold</b> & co"),)


def test_item_cut_at_a_nested_item_keeps_only_what_came_before() -> None:
    records = read_all(
        "<rss><channel><item><guid>g1</guid><title>One <b>bold</b> tail<link>https://example.org/1"
        "</item><item><title>Two</title></item><guid>late</guid></channel></rss>"
    )
    (first, second), (_problem,) = split(records)
    assert first.guid == "g1"
    assert first.title == "One bold tailhttps://example.org/1"
    assert second.title == "Two"
    assert second.guid is None
    assert "late" not in repr(first)


def test_extension_elements_called_item_stay_inside_their_item() -> None:
    (item,) = read_all(
        '<rss xmlns:x="urn:x"><channel><item><title>One</title><x:item>nested</x:item>'
        "<description>d</description></item></channel></rss>"
    )
    assert isinstance(item, FeedItem)
    assert (item.title, item.texts) == ("One", (("description", "d"),))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty input"),
        (b"   \n\t ", "not XML (line 2: Start tag expected, '<' not found)"),
        (b"just some text", "not XML (line 1: Start tag expected, '<' not found)"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "not XML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 8, "not XML"),
        (
            b"<!DOCTYPE html><html><head><title>x</title></head><body>Hi</body></html>",
            "not a feed: root element <html>",
        ),
        (
            b'<?xml version="1.0"?><opml version="2.0"><body/></opml>',
            "not a feed: root element <opml>",
        ),
    ],
)
def test_unreadable_inputs(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as error:
        read_all(data, "in.xml")
    assert str(error.value).startswith(f"in.xml: {reason}")
    assert "\n" not in str(error.value)


# ---------------------------------------------------------------- characters


def test_nul_and_control_characters_are_dropped() -> None:
    items, problems = split(
        read_all(
            b"<rss><channel><item><title>a\x00b\x01c\x1bd\te</title></item>"
            b"<item><title>next\x0c</title></item></channel></rss>"
        )
    )
    assert [i.title for i in items] == ["abcd\te", "next"]
    assert not problems


def test_character_references() -> None:
    (item,) = read_all(
        "<rss><channel><item><title>&#X41;&#x42;&#67; &#150; &#0; &#xD800; &#1114112;</title>"
        "</item></channel></rss>"
    )
    assert isinstance(item, FeedItem)
    assert item.title == "ABC \u2013 \ufffd \ufffd \ufffd"


def test_cdata_is_left_alone() -> None:
    (item,) = read_all(
        "<rss><channel><item><description><![CDATA[<p>&amp; &nbsp; & ]] ]]></description>"
        "</item></channel></rss>"
    )
    assert isinstance(item, FeedItem)
    assert item.texts == (("description", "<p>&amp; &nbsp; & ]] "),)


# ---------------------------------------------------------------- encodings

FEED = (
    '<?xml version="1.0"{decl}?>\n<rss><channel><item><title>{title}</title></item>'
    "<item><title>after</title></item></channel></rss>"
)
TITLE = "Caf\u00e9 \u2013 na\u00efve \u201cquotes\u201d \u20ac"


def titles(data: bytes) -> list[str | None]:
    items, problems = split(read_all(data))
    assert not problems, problems
    return [i.title for i in items]


@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-32-be", codecs.BOM_UTF32_BE),
    ],
)
def test_byte_order_marks(codec: str, bom: bytes) -> None:
    for decl in ("", ' encoding="utf-16"', ' encoding="ISO-8859-1"'):
        data = bom + FEED.format(decl=decl, title=TITLE).encode(codec)
        assert titles(data) == [TITLE, "after"], decl


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_bom(codec: str) -> None:
    with_decl = FEED.format(decl=' encoding="UTF-16"', title=TITLE).encode(codec)
    assert titles(with_decl) == [TITLE, "after"]
    no_decl = FEED.format(decl="", title=TITLE).split("\n", 1)[1].encode(codec)
    assert titles(no_decl) == [TITLE, "after"]


def test_declared_utf8_but_cp1252_bytes() -> None:
    data = FEED.format(decl=' encoding="utf-8"', title=TITLE).encode("cp1252")
    assert titles(data) == [TITLE, "after"]
    no_decl = FEED.format(decl="", title=TITLE).encode("cp1252")
    assert titles(no_decl) == [TITLE, "after"]


def test_invalid_utf8_sequences_do_not_lose_the_rest() -> None:
    data = FEED.format(decl="", title="ok").encode().replace(b"ok", b"a\xff\xc3(b\xe2\x82")
    assert titles(data) == ["a\u00ff\u00c3(b\u00e2\u201a", "after"]


@pytest.mark.parametrize("label", ["ISO-8859-1", "windows-1252", "latin1", "us-ascii"])
def test_declared_single_byte_but_utf8_bytes(label: str) -> None:
    data = FEED.format(decl=f' encoding="{label}"', title=TITLE).encode("utf-8")
    assert titles(data) == [TITLE, "after"]


def test_declared_single_byte_and_true() -> None:
    latin1 = FEED.format(decl=' encoding="ISO-8859-1"', title="Caf\u00e9 \u00bd").encode("latin-1")
    assert titles(latin1) == ["Caf\u00e9 \u00bd", "after"]
    cp1252 = FEED.format(decl=' encoding="windows-1252"', title=TITLE).encode("cp1252")
    assert titles(cp1252) == [TITLE, "after"]


@pytest.mark.parametrize(
    ("label", "codec", "title"),
    [
        (
            "KOI8-R",
            "koi8-r",
            "\u0424\u0438\u0437\u0438\u043a\u0430 \u0442\u0432\u0451\u0440\u0434\u043e\u0433\u043e",
        ),
        ("Shift_JIS", "shift_jis", "\u7269\u7406\u5b66\u306e\u8ad6\u6587"),
        ("Big5", "big5", "\u7269\u7406\u5b78\u8ad6\u6587"),
        ("ISO-8859-7", "iso8859-7", "\u03a6\u03c5\u03c3\u03b9\u03ba\u03ae"),
    ],
)
def test_declared_legacy_encodings(label: str, codec: str, title: str) -> None:
    data = FEED.format(decl=f' encoding="{label}"', title=title).encode(codec)
    assert titles(data) == [title, "after"]


def test_declared_utf16_but_ascii_bytes() -> None:
    data = FEED.format(decl=' encoding="UTF-16"', title="plain").encode("ascii")
    assert titles(data) == ["plain", "after"]


@pytest.mark.parametrize(
    "label", ["x-no-such-thing", "zlib", "base64", "rot13", "idna", "punycode", "undefined"]
)
def test_unknown_or_unusable_declared_encoding_reads_as_utf8(label: str) -> None:
    data = FEED.format(decl=f' encoding="{label}"', title=TITLE).encode("utf-8")
    assert titles(data) == [TITLE, "after"]


@pytest.mark.parametrize(
    ("prefix", "charset", "expected"),
    [
        (codecs.BOM_UTF8 + b"<rss/>", None, ("utf-8", 3)),
        (codecs.BOM_UTF32_LE + "<".encode("utf-32-le"), None, ("utf-32-le", 4)),
        (codecs.BOM_UTF16_LE + "<".encode("utf-16-le"), None, ("utf-16-le", 2)),
        ("<?xml".encode("utf-16-be"), None, ("utf-16-be", 0)),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><a>\xe9</a>', None, ("iso8859-1", 0)),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><a>\xc3\xa9</a>', None, ("utf-8", 0)),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><a>plain</a>', None, ("utf-8", 0)),
        (b'<?xml version="1.0" encoding="KOI8-R"?><a>plain</a>', None, ("koi8-r", 0)),
        (b'<?xml version="1.0" encoding="utf-8"?><a>\xe9</a>', "windows-1252", ("cp1252", 0)),
        (b"<a>\xe9</a>", None, ("utf-8", 0)),
        (b'<?xml version="1.0" encoding="base64"?><a/>', None, ("utf-8", 0)),
    ],
)
def test_sniff(prefix: bytes, charset: str | None, expected: tuple[str, int]) -> None:
    codec, skip, reason = sniff(prefix, charset)
    assert (codec, skip) == expected
    assert reason


def test_recoder_counts() -> None:
    recoder = Recoder()
    assert b"".join(recoder.recode([b"<a>\x00\x01", b"b</a>"])) == b"<a>b</a>"
    assert (recoder.codec, recoder.bytes_in, recoder.dropped) == ("utf-8", 10, 2)
    empty = Recoder()
    assert list(empty.recode([])) == []
    assert empty.bytes_in == 0


_PIECES = st.sampled_from(
    [
        "a",
        " ",
        "<",
        ">",
        "]",
        "&",
        ";",
        "#",
        "x",
        "1",
        "amp",
        "lt",
        "eacute",
        "&amp;",
        "&#233;",
        "&#x41;",
        "<![CDATA[",
        "]]>",
        "\u00e9",
        "\u20ac",
        "\x00",
        "\x0c",
        "\U0001f600",
        "nbsp",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(_PIECES, max_size=60).map("".join),
    cuts=st.lists(st.integers(min_value=1, max_value=12), max_size=30),
    codec=st.sampled_from(["utf-8", "cp1252", "utf-16-le"]),
)
def test_recoding_does_not_depend_on_chunk_boundaries(
    text: str, cuts: list[int], codec: str
) -> None:
    data = text.encode(codec, errors="replace")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_encoding, "SNIFF_BYTES", 1)  # decide on the first chunk alone
        sniffed_on_first = Recoder(charset=codec)
        pieces = b"".join(sniffed_on_first.recode(cut_into(data, cuts)))
        whole = b"".join(Recoder(charset=codec).recode([data]))
    assert pieces == whole
    decoded = whole.decode("utf-8")  # always valid UTF-8
    assert not any(ch in decoded for ch in "\x00\x0c")
