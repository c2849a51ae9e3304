"""READ stage: RSS and Atom feeds from files, directories, stdin or URLs, as `FeedItem`s.

Feeds are untrusted. The XML parser resolves no entity, loads no DTD, opens no file or
connection and keeps libxml2's size limits; items are built and freed one at a time, so
memory does not grow with the feed. Bytes are cleaned before parsing (see `_encoding`).
A damaged feed yields the items that survived and then one `Problem`; an input that
cannot be read at all raises `InputError`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import functools
import html
import logging
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast
from urllib.parse import urljoin

from lxml import etree

from doi_extract._encoding import Recoder
from doi_extract._version import PROJECT_URL, __version__
from doi_extract.errors import InputError
from doi_extract.model import FeedItem, Problem

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf")
"""File name endings (any case) read from a directory given as input."""

_CHUNK = 256 * 1024
_SPOOL = 8 * 1024 * 1024  # a download bigger than this waits in a temporary file
_MIB = 1024 * 1024


class SourceKind(StrEnum):
    """Where a feed comes from."""

    FILE = "file"
    URL = "url"
    STDIN = "stdin"


@dataclass(frozen=True, slots=True)
class Source:
    """One feed to read."""

    name: str
    """The path as given (a directory's file: that file's path), the URL, or ``-``."""
    kind: SourceKind


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadLimits:
    """Bounds on fetching one URL."""

    max_download_bytes: int = 100 * _MIB
    """Cap on the body after decompression."""
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    """Longest wait for the next bytes from the server."""
    total_timeout: float = 120.0
    """Deadline for the whole download, redirects included."""
    max_redirects: int = 10


_DEFAULT_LIMITS = ReadLimits()


def expand_inputs(inputs: Sequence[str]) -> list[Source]:
    """Turn command-line inputs into sources, in order.

    ``-`` is stdin; ``http://`` and ``https://`` are URLs; a directory stands for its
    files ending in `FEED_SUFFIXES` (any case), recursively, sorted by path; anything
    else is a file, whose existence `read_source` checks.
    """
    sources: list[Source] = []
    for given in inputs:
        if given == "-":
            sources.append(Source("-", SourceKind.STDIN))
        elif given.lower().startswith(("http://", "https://")):
            sources.append(Source(given, SourceKind.URL))
        elif given and Path(given).is_dir():
            found = sorted(
                str(path)
                for path in Path(given).rglob("*")
                if path.suffix.lower() in FEED_SUFFIXES and path.is_file()
            )
            sources.extend(Source(name, SourceKind.FILE) for name in found)
        else:
            sources.append(Source(given, SourceKind.FILE))
    return sources


def read_source(
    source: Source,
    *,
    limits: ReadLimits = _DEFAULT_LIMITS,
    session: requests.Session | None = None,
) -> Iterator[FeedItem | Problem]:
    """Yield the items of one feed in document order, then a `Problem` if it was damaged.

    Args:
        source: What to read.
        limits: Bounds on a URL download.
        session: The HTTP session for a URL; one is made (and closed) if not given.

    Raises:
        InputError: When iterating, before any item: the source cannot be read at all
            (missing, a directory, HTTP failure, timeout, too big, empty, not XML, or
            XML whose root is not a feed). The message is one line naming the source.
    """
    if source.kind is SourceKind.URL:
        with _download(source.name, limits, session) as (body, charset):
            yield from _parse(_read_chunks(body), source.name, charset)
    elif source.kind is SourceKind.STDIN:
        yield from read_stream(sys.stdin.buffer, source.name)
    else:
        try:
            stream = Path(source.name).open("rb")  # noqa: SIM115  (closed below)
        except OSError as error:
            raise InputError(f"{source.name}: {_os_reason(error)}") from None
        with stream:
            yield from read_stream(stream, source.name)


def read_stream(stream: BinaryIO, name: str) -> Iterator[FeedItem | Problem]:
    """Same as `read_source`, from an open binary stream that the caller closes."""
    yield from _parse(_read_chunks(stream), name)


def read_bytes(data: bytes, name: str) -> Iterator[FeedItem | Problem]:
    """Same as `read_source`, from a document in memory (library use and tests)."""
    yield from _parse((data[i : i + _CHUNK] for i in range(0, len(data), _CHUNK)), name)


def _read_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def _os_reason(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "is a directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    return f"cannot read: {error.strerror or error}"


# ---------------------------------------------------------------- parsing

_PARSER_OPTIONS: dict[str, Any] = {
    "encoding": "utf-8",  # what `Recoder` produces, whatever the document declares
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "dtd_validation": False,
    "attribute_defaults": False,
    # collect_ids stays on: lxml turns it off with libxml2's XML_SKIP_IDS, and any such
    # flag makes libxml2 load the external DTD (only a file, as no_network holds).
    "huge_tree": False,  # keeps libxml2's caps: 10 MB per text node, 256 levels deep
    "recover": True,
    "remove_pis": True,
    "remove_comments": True,
}
_ROOTS = frozenset({"rss", "RDF", "feed", "channel"})
_ITEMS = frozenset({"item", "entry"})
# libxml2 gave up: nothing more will be parsed whatever is fed.
_FATAL_TYPES = frozenset({"ERR_RESOURCE_LIMIT", "ERR_DOCUMENT_EMPTY"})
# libxml2's push parser holds a whole attribute, comment, CDATA section or processing
# instruction in memory before it checks its 10 MB cap, so a 200 MB one would cost a GB.
# Stop when this much input brings no element start or end: more than any text node
# (which libxml2 caps itself at 10 MB) can take.
_MAX_SILENT_BYTES = 12 * _MIB
_WHITESPACE = re.compile(r"\s+")
# libxml2's advice to a C programmer: "Text node too long, try XML_PARSE_HUGE".
_HUGE_ADVICE = re.compile(r",?\s*(?:try|use) XML_PARSE_HUGE(?: option)?")


@dataclass(frozen=True, slots=True)
class _XmlError:
    line: int
    kind: str
    message: str

    def __str__(self) -> str:
        message = _HUGE_ADVICE.sub("", _WHITESPACE.sub(" ", self.message).strip())
        return f"line {self.line}: {message}"


def _errors(parser: etree.XMLPullParser) -> list[_XmlError]:
    """The errors libxml2 logged so far (warnings left out)."""
    return [
        _XmlError(entry.line, entry.type_name, entry.message)
        for entry in parser.feed_error_log
        if entry.level >= etree.ErrorLevels.ERROR
    ]


def _parse(
    chunks: Iterable[bytes], name: str, charset: str | None = None
) -> Iterator[FeedItem | Problem]:
    parser = etree.XMLPullParser(events=("start", "end"), **_PARSER_OPTIONS)
    recoder = Recoder(charset)
    reader = _Reader(name)
    failure: str | None = None
    silent = 0
    try:
        for data in recoder.recode(chunks):
            parser.feed(data)
            seen = reader.events
            yield from reader.consume(parser.read_events(), closing=False)
            silent = silent + len(data) if reader.events == seen else 0
            if silent > _MAX_SILENT_BYTES:
                failure = f"markup longer than {_size(_MAX_SILENT_BYTES)}; parsing stopped there"
                break
            if any(error.kind in _FATAL_TYPES for error in _errors(parser)):
                failure = "parsing stopped there"
                break
        if recoder.bytes_in == 0:
            raise InputError(f"{name}: empty input")
        logged = len(_errors(parser))
        parser.close()
        # close() ends the elements still open at the end of the input. If it had to
        # repair anything, an item among them was cut short ("<item><title>Gene" or
        # "<item><![CD"); if not, libxml2 had only held back its end tag.
        reader.cut_short = failure is not None or len(_errors(parser)) > logged
    except OSError as error:
        failure = f"read error: {error.strerror or error}"
    except etree.LxmlError as error:
        failure = _WHITESPACE.sub(" ", str(error)).strip()
    try:
        events = list(parser.read_events())
    except etree.LxmlError:
        events = []
    yield from reader.consume(events, closing=True)
    errors = _errors(parser)
    if not reader.root_seen:
        detail = str(errors[0]) if errors else failure or "no root element"
        raise InputError(f"{name}: not XML ({detail})")
    if errors or failure or reader.dropped:
        yield Problem(source=name, message=_damage(errors, failure, reader))


def _damage(errors: list[_XmlError], failure: str | None, reader: _Reader) -> str:
    """Say what was wrong with a feed, where, and how much of it was kept."""
    parts: list[str] = []
    if errors:
        # libxml2 stops logging after 100 errors: "(and 99+ more)" then.
        more = f" (and {len(errors) - 1}{'+' if len(errors) >= 100 else ''} more)"
        more = more if len(errors) > 1 else ""
        parts.append(f"damaged XML at {errors[0]}{more}")
    if failure:
        parts.append(failure)
    kept = f"kept {reader.index} item" + ("" if reader.index == 1 else "s")
    if reader.dropped:
        kept += f", dropped the incomplete item at line {reader.dropped}"
    parts.append(kept)
    return "; ".join(parts)


class _Reader:
    """Turn parse events into items, freeing each part of the tree once it is done."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.root_seen = False
        self.index = 0
        self.events = 0
        """Parse events consumed so far."""
        self.dropped: int | None = None
        """Line of an item that was cut off by the end of the input, if any."""
        self.cut_short = True
        """Whether items ending only when the parser is closed are incomplete."""
        self._item: etree._Element | None = None
        self._item_tag = ""

    def consume(self, events: Iterable[tuple[str, Any]], *, closing: bool) -> Iterator[FeedItem]:
        """Yield the items that the events complete; drop them if cut short at closing."""
        element: etree._Element
        # Every element of the feed passes here twice: the loop keeps its state in locals.
        item, item_tag, count = self._item, self._item_tag, 0
        try:
            for event, element in events:
                count += 1
                if event == "start":
                    if item is not None:
                        if element.tag == item_tag:
                            # An item inside an item: the outer one lost an end tag in recovery
                            # ("<title>One</item><item>"), so it ends where the inner one starts.
                            yield self._build(item, stop=element)
                            item = element
                    elif not self.root_seen:
                        self._check_root(element)
                    elif _local(tag := element.tag) in _ITEMS:
                        item, item_tag = element, tag
                elif element is item:
                    item = None
                    if closing and self.cut_short:
                        self.dropped = getattr(element, "sourceline", None)
                    else:
                        yield self._build(element)
                    _discard(element)
                elif item is None:
                    _discard(element)
        finally:
            self._item, self._item_tag = item, item_tag
            self.events += count

    def _build(self, item: etree._Element, stop: etree._Element | None = None) -> FeedItem:
        built = _build_item(item, self.name, self.index, stop)
        self.index += 1
        return built

    def _check_root(self, element: etree._Element) -> None:
        local = _local(element.tag)
        if local not in _ROOTS:
            raise InputError(f"{self.name}: not a feed: root element <{local}>")
        self.root_seen = True


def _discard(element: etree._Element) -> None:
    """Free a finished element and everything before it in its parent."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


# ---------------------------------------------------------------- items

_ATOM = frozenset({"http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#"})
_RSS = frozenset(
    {
        "",
        "http://purl.org/rss/1.0/",
        "http://my.netscape.com/rdf/simple/0.9/",
        "http://backend.userland.com/rss2",
        "http://backend.userland.com/rss",
        "http://blogs.law.harvard.edu/tech/rss",
    }
)
_CORE = _ATOM | _RSS
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_ABOUT = f"{{{_RDF}}}about"
_RDF_RESOURCE = f"{{{_RDF}}}resource"
_XHTML = "http://www.w3.org/1999/xhtml"
_PRISM = "http://prismstandard.org/namespaces/basic/"
_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://purl.org/dc/terms/": "dcterms",
    "http://arxiv.org/schemas/atom": "arxiv",
    "http://purl.org/rss/1.0/modules/content/": "content",
}
_DATE_ORDER = ("pubDate", "dc:date", "published", "updated", "issued", "created", "prism:coverDate")


def _split(tag: str) -> tuple[str, str]:
    """``{namespace}local`` as (namespace, local); no namespace is ``""``."""
    if tag[:1] == "{":
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _local(tag: str) -> str:
    return _split(tag)[1]


def _prefix(namespace: str) -> str | None:
    """The conventional prefix for a metadata namespace, or None if it is not one."""
    if namespace.startswith(_PRISM):
        return "prism"
    return _PREFIXES.get(namespace)


class _ItemFields:
    """What one item says, gathered child by child."""

    __slots__ = (
        "alternate",
        "authors",
        "dates",
        "first_link",
        "guid",
        "links",
        "metadata",
        "rss_link",
        "texts",
        "title",
    )

    def __init__(self) -> None:
        self.guid: str | None = None
        self.title: str | None = None
        self.rss_link: str | None = None
        self.alternate: str | None = None
        self.first_link: str | None = None
        self.dates: dict[str, str] = {}
        self.authors: list[str] = []
        self.texts: list[tuple[str, str]] = []
        self.links: list[tuple[str, str]] = []
        self.metadata: list[tuple[str, str]] = []

    # The readers: each takes the element's name (the local name of an RSS or Atom element,
    # ``prefix:local`` for a metadata namespace) and the element; `_reading` picks one.

    def read_title(self, name: str, child: etree._Element) -> None:
        self.title = self.title or _plain(child) or None

    def read_guid(self, name: str, child: etree._Element) -> None:
        self.guid = self.guid or _plain(child) or None

    def read_link(self, name: str, child: etree._Element) -> None:
        href = child.get("href")
        url = (href if href is not None else _plain(child)).strip()  # RSS: the URL is the text
        if not url:
            return
        rel = (child.get("rel") or "").strip() or "alternate"
        self.links.append((rel, url))
        self.first_link = self.first_link or url
        if rel == "alternate":
            if href is None:
                self.rss_link = self.rss_link or url
            else:
                self.alternate = self.alternate or url

    def read_markup(self, name: str, child: etree._Element) -> None:
        self.text(name, _markup(child))

    def read_atom_text(self, name: str, child: etree._Element) -> None:
        self.text(name, _atom_content(child))

    def read_author(self, name: str, child: etree._Element) -> None:
        author = _atom_name(child) if len(child) else _plain(child)
        if author:
            self.authors.append(author)

    def read_category(self, name: str, child: etree._Element) -> None:
        self.meta("category", child.get("term") or _plain(child))

    def read_enclosure(self, name: str, child: etree._Element) -> None:
        url = (child.get("url") or "").strip()
        if url:
            self.links.append(("enclosure", url))

    def read_date(self, name: str, child: etree._Element) -> None:
        self.date(name, _plain(child))

    def read_module(self, name: str, child: etree._Element) -> None:
        """An element of a metadata namespace (``dc:``, ``prism:``...) that is not a text."""
        value = _plain(child) or child.get("term") or child.get(_RDF_RESOURCE) or ""
        self.meta(name, value)
        if name == "dc:creator" and value.strip():
            self.authors.append(value.strip())
        if name in ("dc:date", "prism:coverDate"):
            self.date(name, value)

    def text(self, name: str, value: str | None) -> None:
        if value and not value.isspace():
            self.texts.append((name, value))

    def meta(self, name: str, value: str) -> None:
        value = value.strip()
        if value:
            self.metadata.append((name, value))

    def date(self, name: str, value: str) -> None:
        value = value.strip()
        if value:
            self.dates.setdefault(name, value)


_Reading = Callable[[_ItemFields, str, etree._Element], None]
_CORE_READINGS: dict[str, _Reading] = {
    "title": _ItemFields.read_title,
    "guid": _ItemFields.read_guid,
    "id": _ItemFields.read_guid,
    "link": _ItemFields.read_link,
    "description": _ItemFields.read_markup,
    "content": _ItemFields.read_atom_text,
    "summary": _ItemFields.read_atom_text,
    "author": _ItemFields.read_author,
    "category": _ItemFields.read_category,
    "enclosure": _ItemFields.read_enclosure,
    **dict.fromkeys(
        ("pubDate", "published", "updated", "issued", "created"), _ItemFields.read_date
    ),
}
_MODULE_TEXTS = frozenset({"content:encoded", "dc:description"})


# A feed uses a handful of tags; the bound keeps one with endless made-up tags small.
@functools.lru_cache(maxsize=512)
def _reading(tag: str) -> tuple[_Reading, str] | None:
    """How to read an item's child called ``tag``, and the name to read it under; None: skip."""
    namespace, local = _split(tag)
    if namespace in _CORE:
        reading = _CORE_READINGS.get(local)
        return None if reading is None else (reading, local)
    prefix = _prefix(namespace)
    if prefix is None:
        return None
    name = f"{prefix}:{local}"
    if name in _MODULE_TEXTS:
        return _ItemFields.read_markup, name
    if prefix == "content":
        return None
    return _ItemFields.read_module, name


def _build_item(
    item: etree._Element, source: str, index: int, stop: etree._Element | None = None
) -> FeedItem:
    """Read an item's children; with ``stop``, only what comes before that descendant."""
    fields = _ItemFields()
    if stop is None:
        # Elements only: recovery keeps an undefined entity ("&t;") as a node whose tag
        # is not a string.
        for child in item.iterchildren(etree.Element):
            _read_child(fields, child)
    else:
        _read_until(fields, item, stop)
    published = None
    for key in _DATE_ORDER:
        if key in fields.dates:
            published = fields.dates[key]
            break
    about = (item.get(_RDF_ABOUT) or "").strip()
    return FeedItem(
        source=source,
        index=index,
        guid=fields.guid or about or None,
        link=fields.rss_link or fields.alternate or fields.first_link,
        title=fields.title,
        published=published,
        authors=tuple(fields.authors),
        texts=tuple(fields.texts),
        links=tuple(fields.links),
        metadata=tuple(fields.metadata),
    )


def _read_until(fields: _ItemFields, item: etree._Element, stop: etree._Element) -> None:
    """Read the children of ``item`` that come before its descendant ``stop``."""
    holding_stop = set(stop.iterancestors())
    for child in item.iterchildren(etree.Element):
        if child is stop:
            break
        last = child in holding_stop  # nothing after an ancestor of stop belongs to the item
        if last:
            child = _cut_before(child, stop)
        _read_child(fields, child)
        if last:
            break


def _read_child(fields: _ItemFields, child: etree._Element) -> None:
    """Add what one child element of an item says to ``fields``, if it is one we read."""
    reading = _reading(child.tag)
    if reading is not None:
        read, name = reading
        read(fields, name, child)


def _cut_before(element: etree._Element, stop: etree._Element) -> etree._Element:
    """A copy of ``element`` holding only what comes before its descendant ``stop``."""
    chain = [stop]  # stop, its parent, ... up to a child of element
    for ancestor in stop.iterancestors():
        if ancestor is element:
            break
        chain.append(ancestor)
    positions = [
        parent.index(node) for node, parent in zip(chain, [*chain[1:], element], strict=True)
    ]
    clone = copy.deepcopy(element)
    clone.tail = None
    parent = clone
    for depth, position in enumerate(reversed(positions)):
        node = parent[position]
        if depth == len(positions) - 1:
            del parent[position:]  # the counterpart of stop, and all after it
        else:
            node.tail = None
            del parent[position + 1 :]  # all after this open ancestor of stop
        parent = node
    return clone


def _plain(element: etree._Element) -> str:
    """The text content, stripped."""
    if not len(element):  # as in _text, inlined: this is the commonest call
        return (element.text or "").strip()
    return "".join(cast(Iterator[str], element.itertext())).strip()


def _text(element: etree._Element) -> str:
    if not len(element):  # the common case, and much faster than itertext()
        return element.text or ""
    return "".join(cast(Iterator[str], element.itertext()))


def _atom_name(author: etree._Element) -> str | None:
    """The ``name`` of an Atom author, if it has one."""
    children = author.iterchildren(etree.Element)
    name = next((child for child in children if _local(child.tag) == "name"), None)
    return None if name is None else _plain(name)


def _markup(element: etree._Element) -> str:
    """The content as text or, when it holds elements (inline XHTML), as an HTML string."""
    return _inner_html(element) if len(element) else _text(element)


def _inner_html(element: etree._Element) -> str:
    """The content of an element as an HTML string (its own tag left out)."""
    text = html.escape(element.text or "", quote=False)
    return text + "".join(_html(child) for child in element)


def _html(element: etree._Element) -> str:
    """An element and its tail as HTML, without namespace prefixes or declarations."""
    if not isinstance(element.tag, str):
        # An undefined entity kept by recovery: its reference as text ("&amp;t;"), the
        # same as libxml2 makes of one inside text.
        return html.escape((element.text or "") + (element.tail or ""), quote=False)
    element = copy.deepcopy(element)
    for descendant in element.iter(etree.Element):
        namespace, local = _split(descendant.tag)
        # Recovery keeps a name lxml would refuse as a new tag: "dc:creator" with dc
        # undeclared (no namespace to drop, so left as it is) or "<b:>" (local name "b:").
        if namespace:
            try:
                descendant.tag = local
            except ValueError:
                descendant.tag = "span"
    etree.cleanup_namespaces(element)
    result: str = etree.tostring(element, method="html", encoding="unicode", with_tail=True)
    return result


def _atom_content(element: etree._Element) -> str | None:
    """An Atom ``content``/``summary`` (or RSS-style text) as HTML or text; None for media."""
    kind = (element.get("type") or "text").strip().lower()
    if element.get("mode") == "base64":  # Atom 0.3
        try:
            raw = base64.b64decode(_text(element))
        except (binascii.Error, ValueError):
            return None
        return raw.decode("utf-8", errors="replace")
    if kind == "xhtml":
        if len(element) == 1 and element[0].tag == f"{{{_XHTML}}}div":
            return _inner_html(element[0])  # the wrapper div is not part of the content
        return _inner_html(element)
    if kind in ("text", "html") or kind.startswith("text/") or kind.endswith(("/xml", "+xml")):
        return _markup(element)
    return None  # base64 media content


# ---------------------------------------------------------------- URLs

_HEADERS = {
    "Accept": (
        "application/rss+xml, application/atom+xml, application/rdf+xml, "
        "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
    ),
    "Accept-Encoding": "gzip, deflate",
    # Some publishers refuse python-requests' default agent; say who is asking.
    "User-Agent": f"doi-extract/{__version__} (+{PROJECT_URL})",
}
# The charset parameter of a Content-Type: 'text/xml; charset="utf-8"' gives utf-8.
_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
# An OS error inside a requests message: "... [Errno 111] Connection refused')" gives
# "Connection refused".
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


@contextlib.contextmanager
def _download(
    url: str, limits: ReadLimits, session: requests.Session | None
) -> Iterator[tuple[IO[bytes], str | None]]:
    """Fetch a URL into a spooled temporary file within the limits; yield it and its charset."""
    # Imported here, not at the top: requests takes a good part of the start-up time of a
    # run that reads only files.
    import requests
    import urllib3

    with tempfile.SpooledTemporaryFile(max_size=_SPOOL) as body:
        own = session is None
        http = session or requests.Session()
        try:
            charset = _fetch(http, url, limits, body)
        except (requests.RequestException, urllib3.exceptions.HTTPError) as error:
            raise InputError(f"{url}: {_reason(error, limits)}") from None
        except (OSError, ValueError) as error:
            raise InputError(f"{url}: cannot fetch: {error}") from None
        finally:
            if own:
                http.close()
        body.seek(0)
        yield body, charset


def _fetch(session: requests.Session, url: str, limits: ReadLimits, body: IO[bytes]) -> str | None:
    """Write the body of ``url`` to ``body``, following redirects; return its charset."""
    started = time.monotonic()
    deadline = started + limits.total_timeout
    timed_out = f"{url}: timed out after {limits.total_timeout:g} s"
    location = url
    for _ in range(limits.max_redirects + 1):
        response = session.get(
            location,
            headers=_HEADERS,
            stream=True,
            allow_redirects=False,
            timeout=(limits.connect_timeout, limits.read_timeout),
        )
        if not response.is_redirect:
            break
        response.close()
        location = urljoin(response.url, response.headers["location"])
        if time.monotonic() > deadline:
            raise InputError(timed_out)
    else:
        raise InputError(f"{url}: too many redirects (more than {limits.max_redirects})")
    with response:
        if response.status_code >= 400:
            raise InputError(f"{url}: HTTP {response.status_code} {response.reason or ''}".rstrip())
        too_big = f"{url}: more than {_size(limits.max_download_bytes)}"
        declared = response.headers.get("content-length", "")
        encoded = response.headers.get("content-encoding", "identity") != "identity"
        if not encoded and declared.isdigit() and int(declared) > limits.max_download_bytes:
            raise InputError(too_big)
        size = 0
        # read1 returns what one read from the socket brings, so the deadline is checked
        # even when bytes trickle in; it decompresses at most 64 KiB per call (urllib3
        # >= 2.6), so a gzip bomb stops at the cap without being expanded in memory.
        while chunk := response.raw.read1(64 * 1024, decode_content=True):
            size += len(chunk)
            if size > limits.max_download_bytes:
                raise InputError(too_big)
            if time.monotonic() > deadline:
                raise InputError(timed_out)
            body.write(chunk)
        match = _CHARSET.search(response.headers.get("content-type", ""))
    log.debug("fetched %s: %d bytes in %.2f s", url, size, time.monotonic() - started)
    return match.group(1) if match else None


def _reason(error: Exception, limits: ReadLimits) -> str:
    """A short reason for a failed request, without the layers of exception text."""
    import requests  # already loaded by _download
    import urllib3

    if isinstance(error, requests.ConnectTimeout):
        return f"timed out connecting after {limits.connect_timeout:g} s"
    if isinstance(error, (requests.ReadTimeout, urllib3.exceptions.ReadTimeoutError)):
        return f"timed out after {limits.read_timeout:g} s"
    if isinstance(error, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema)):
        return "invalid URL"
    if isinstance(error, urllib3.exceptions.DecodeError):
        return "body cannot be decompressed"
    if isinstance(error, urllib3.exceptions.ProtocolError):
        return "connection broken during download"
    errno = _ERRNO.search(str(error))
    return f"cannot connect: {errno.group(1).strip() if errno else type(error).__name__}"


def _size(count: int) -> str:
    if count % _MIB == 0:
        return f"{count // _MIB} MB"
    if count % 1024 == 0:
        return f"{count // 1024} KB"
    return f"{count} bytes"
