"""Turn a feed field's HTML (or plain text) into the plain text that extraction reads.

`Provenance.span` offsets point into exactly this rendering, so its rules are part of
the contract:

* A tag is ``<`` followed by a letter, ``/`` or ``!`` and runs to the next ``>`` outside
  quoted attribute values, so ``p < 0.05`` stays text. Comments (``<!-- … -->``) and the
  contents of ``script`` and ``style`` elements are dropped.
* ``<br>`` becomes a line break (``"\\n"``); two in a row make a paragraph break.
* Block elements (``p div li dt dd h1-h6 tr blockquote hr ul ol table section figure
  figcaption pre``, opening or closing) become a paragraph break (``"\\n\\n"``).
* Every other tag is removed without a trace; entities are decoded (`html.unescape`).
* When the value holds markup, source whitespace of any kind (newlines included, and
  no-break spaces) folds to one space, as a browser shows it; only ``<br>`` and blocks
  break lines. A value without any tag is plain text: its newlines are kept, runs of
  spaces and tabs fold to one space.
* Whitespace around line breaks is trimmed, three or more newlines become two, and the
  result is stripped.

Alongside the text, `render` returns every ``href`` / ``src`` value (entity-decoded) with
the text offset where its element sits (the start of the text that follows the tag), and
the offsets of ``<hr>`` rules and of headings (``h1``-``h6``, ``dt``), which end reference
blocks.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, islice
from operator import itemgetter
from typing import TypeVar, cast

# How markup is rendered: in a few passes over the whole value, mostly in C, rather than
# in Python for each chunk of text between tags (which made this the slowest step).
#
# 1. Each token of markup is replaced by marker characters that say what it was: every
#    marker string starts with _RUN ("<p>" -> "\x01\x03", "<a href=u>" -> "\x01\x04"),
#    and a tag that leaves no trace becomes _INLINE.
# 2. The text is entity-decoded and its whitespace folded as one string. A marker between
#    two chunks keeps entities local to each chunk, as the rules say.
# 3. Each run of markers, with the spaces in and just before it, is replaced by the
#    separator it stands for (""/" "/"\n"/"\n\n", none at either end), followed by a
#    _MARK for each link, rule and heading in it; the offsets of the marks are read and
#    the marks taken out.
#
# U+0001-U+0008 serve as markers because html.unescape never produces them, and none of
# them is whitespace or part of an entity name. The same characters in the input are
# text: they are escaped as _ESCAPE and a digit, and restored at the end.
_RUN = "\x01"
_BR = "\x02"
_BLOCK = "\x03"
_LINK = "\x04"  # one per href/src value
_RULE = "\x05"
_HEADING = "\x06"
_INLINE = "\x07"
_ESCAPE = "\x08"
_CONTROLS = "\x01\x02\x03\x04\x05\x06\x07\x08"
_MARK = _LINK

# One token of markup: a comment (unterminated ones run to the end), a script/style
# element with its content, or a tag. "<p class='a>b'>" is one tag; "p < 0.05" is none.
# The possessive quantifiers match as greedy ones would here (each part of a tag starts
# with a different character), and keep an unclosed tag ('<a b="c' and no ">") linear.
_MARKUP_PATTERN = r"""<!--.*?(?:-->|\Z)
      | <(?:script|style)\b[^>]*>.*?(?:</(?:script|style)\s*>|\Z)
      | <(?:/?[a-zA-Z](?:[^>"']++|"[^"]*"|'[^']*')*+|![^>]*)>
      | </?[a-zA-Z][^>]*>
"""
_MARKUP = re.compile(f"({_MARKUP_PATTERN})", re.DOTALL | re.IGNORECASE | re.VERBOSE)
# The same, or a control character of the text to escape ("\x03"): only for a value that
# holds one, as this alternative makes the search several times slower.
_MARKUP_OR_CONTROL = re.compile(
    f"({_MARKUP_PATTERN} | [{_CONTROLS}])", re.DOTALL | re.IGNORECASE | re.VERBOSE
)
# What the two can find after the last ">" of a value: only a comment (to the end).
_TAIL_MARKUP = re.compile("(<!--.*)", re.DOTALL)
_TAIL_MARKUP_OR_CONTROL = re.compile(f"(<!--.*|[{_CONTROLS}])", re.DOTALL)
# The element name of a tag: "</P >" -> "p".
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
# href/src attribute values in a tag: href="https://doi.org/…", src='x.png', href=plain.
_URL_ATTR = re.compile(
    r"""\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE
)
# Whitespace other than " ": every character str.split() splits at, U+00A0 included.
_ASCII_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_OTHER_SPACES = _ASCII_SPACES + (
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
# In folded text, a run of markers and the spaces in it, "\x01\x03 \x01\x04 " (a block,
# then a link), with a second group that is "" if a space comes just before the run and
# None if not. In "a \x01\x04b" the run is "\x01\x04" and the group "".
_MARKER_RUN = re.compile(f"({_RUN}(?:(?<= {_RUN})()|)[{_RUN}-{_HEADING} ]*)")
# An escaped control character: "\x083" stands for "\x03".
_ESCAPED = re.compile(f"{_ESCAPE}([1-8])")
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "li",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "blockquote",
        "hr",
        "ul",
        "ol",
        "table",
        "section",
        "figure",
        "figcaption",
        "pre",
    }
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "dt"})
# Any markup at all: "<p", "</", "<!--"; plain text such as "p < 0.05" has none.
_ANY_TAG = re.compile(r"<[a-zA-Z/!]")
_PLAIN_SPACE = re.compile(r"[^\S\n]+")
_SPACE_AROUND_NEWLINE = re.compile(r" ?\n ?")
_MANY_NEWLINES = re.compile(r"\n{3,}")

_Meaning = TypeVar("_Meaning")
# A token of markup's markers and URLs: '<a href="u">' -> ("\x01\x04", ("u",)).
_TagMeaning = tuple[str, tuple[str, ...]]
# What a run (" " first if a space comes before it) stands for: its separator followed by
# a _MARK for each link, rule and heading in it, and what each mark is:
# "\x01\x03\x01\x04" -> ("\n\n\x04", "\x04").
_RunMeaning = tuple[str, str]
# The meanings of the tokens and runs seen so far, as the same ones come back item after
# item. Each is emptied when full, and long tokens are not kept.
_TAGS: dict[str, _TagMeaning] = {}
_RUNS: dict[str, _RunMeaning] = {}
_CACHE_SIZE = 4096
_CACHED_LENGTH = 256
_SPACE_BEFORE = {"": " ", None: ""}
_first = itemgetter(0)
_second = itemgetter(1)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A field rendered to text, with its links and horizontal rules located in it."""

    text: str
    links: tuple[tuple[int, str], ...] = ()
    """(offset, URL) for every ``href``/``src`` value, in document order."""
    rules: tuple[int, ...] = ()
    """Offsets of ``<hr>`` elements."""
    headings: tuple[int, ...] = ()
    """Offsets where the text of a heading (``h1``-``h6``) or definition term (``dt``) starts."""


def render(value: str) -> Rendered:
    """Render HTML or plain text by the rules in this module's docstring."""
    if _ANY_TAG.search(value) is None:
        return Rendered(_render_plain(value))
    return _render_markup(value)


def _render_plain(value: str) -> str:
    if "&" in value:
        value = html.unescape(value)
    value = _PLAIN_SPACE.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = _SPACE_AROUND_NEWLINE.sub("\n", value)
    text: str = _MANY_NEWLINES.sub("\n\n", value)
    return text.strip()


def _render_markup(value: str) -> Rendered:
    escaped = any(control in value for control in _CONTROLS)
    parts = _split_markup(value, escaped=escaped)
    tags = _meanings(parts[1::2], _TAGS, _read_tag)
    parts[1::2] = map(_first, tags)
    text = "".join(parts)
    if "&" in text:
        text = html.unescape(text)
    text = text.replace(_INLINE, "")
    # Fold whitespace as str.split() does, without making a string of every word.
    for space in _ASCII_SPACES if text.isascii() else _OTHER_SPACES:
        if space in text:
            text = text.replace(space, " ")
    while "  " in text:
        text = text.replace("  ", " ")

    # [text, run, space before it?, text, run, space before it?, ..., text]
    parts = _MARKER_RUN.split(text.strip(" "))
    spaces = map(_SPACE_BEFORE.__getitem__, parts[2::3])
    runs = _meanings(list(map(str.__add__, spaces, parts[1::3])), _RUNS, _read_run)
    del parts[2::3]
    parts[0:-1:2] = map(str.rstrip, parts[0:-1:2])  # the space before a run is in it
    parts[1::2] = map(_first, runs)
    if runs:  # before the first text and after the last, only the marks are kept
        if parts[0] == "":
            parts[1] = parts[1].lstrip(" \n")
        if parts[-1] == "":
            parts[-2] = parts[-2].lstrip(" \n")
    text = "".join(parts)

    links: list[tuple[int, str]] = []
    rules: list[int] = []
    headings: list[int] = []
    kinds = "".join(map(_second, runs))
    if kinds:
        urls = chain.from_iterable(filter(None, map(_second, tags)))
        position = -1
        for count, kind in enumerate(kinds):
            position = text.find(_MARK, position + 1)
            offset = position - count  # the marks before this one are taken out
            if kind == _LINK:
                links.append((offset, next(urls)))
            elif kind == _RULE:
                rules.append(offset)
            else:
                headings.append(offset)
        text = text.replace(_MARK, "")
    if escaped:
        return _restore_controls(text, links, rules, headings)
    return Rendered(text, tuple(links), tuple(rules), tuple(headings))


def _split_markup(value: str, *, escaped: bool) -> list[str]:
    """``_MARKUP.split(value)`` (or ``_MARKUP_OR_CONTROL``'s), in time linear in ``value``.

    A tag ends at ">", so none can start after the last ">". Split whole, a value such as
    "<a<a<a…" would have the pattern try each "<" there against all the rest: quadratic.
    So the part up to the last ">" is split with the pattern, and the rest only where a
    comment opens (or a control character stands).
    """
    end = value.rfind(">") + 1
    pattern, tail_pattern = (
        (_MARKUP_OR_CONTROL, _TAIL_MARKUP_OR_CONTROL) if escaped else (_MARKUP, _TAIL_MARKUP)
    )
    if "<" not in value[end:]:
        return pattern.split(value)
    parts = pattern.split(value[:end])
    if len(parts) > 1 and parts[-1] == "":
        # The last token ends the head: an unterminated comment or script runs on instead.
        start = end - len(parts[-2])
        token = pattern.match(value, start)
        if token is not None and token.end() > end:
            parts[-2] = token.group()
            return parts
    tail = tail_pattern.split(value[end:])
    parts[-1] += tail[0]
    return parts + tail[1:]


def _meanings(
    keys: list[str], cache: dict[str, _Meaning], read: Callable[[str], _Meaning]
) -> list[_Meaning]:
    """What each key means, from ``cache``, or else by ``read`` (and then cached)."""
    found = list(map(cache.get, keys))
    if None not in found:  # the usual case, once a feed's few kinds of tag have been seen
        return cast("list[_Meaning]", found)
    new = {key: read(key) for key, known in zip(keys, found, strict=True) if known is None}
    if len(cache) + len(new) > _CACHE_SIZE:
        cache.clear()
    short = ((key, meaning) for key, meaning in new.items() if len(key) <= _CACHED_LENGTH)
    cache.update(islice(short, _CACHE_SIZE))
    return [new[key] if known is None else known for key, known in zip(keys, found, strict=True)]


def _read_tag(tag: str) -> _TagMeaning:
    """The markers for one token of markup, and its URLs."""
    if len(tag) == 1:  # a control character of the text
        return _ESCAPE + str(_CONTROLS.index(tag) + 1), ()
    name_match = _TAG_NAME.match(tag)
    if name_match is None:  # comment, doctype
        return _INLINE, ()
    name = name_match.group(1).lower()
    markers = ""
    if name == "br":
        markers = _BR
    elif name == "hr":
        markers = _BLOCK + _RULE
    elif name in _HEADINGS and tag[1] != "/":
        markers = _BLOCK + _HEADING
    elif name in _BLOCKS:
        markers = _BLOCK
    urls: list[str] = []
    if tag[1] != "/" and ("href" in tag or "src" in tag or "HREF" in tag or "SRC" in tag):
        for attr in _URL_ATTR.finditer(tag):
            url = attr.group(1) or attr.group(2) or attr.group(3) or ""
            url = html.unescape(url).strip() if "&" in url else url.strip()
            if url:
                urls.append(url)
    markers += _LINK * len(urls)
    return (_RUN + markers if markers else _INLINE), tuple(urls)


def _read_run(run: str) -> _RunMeaning:
    """The separator and marks for one run of markers, after a space if one comes first."""
    if _BLOCK in run or run.count(_BR) > 1:
        separator = "\n\n"
    elif _BR in run:
        separator = "\n"
    elif " " in run:
        separator = " "
    else:
        separator = ""
    kinds = _LINK * run.count(_LINK) + _RULE * run.count(_RULE) + _HEADING * run.count(_HEADING)
    return separator + _MARK * len(kinds), kinds


def _restore_controls(
    text: str, links: list[tuple[int, str]], rules: list[int], headings: list[int]
) -> Rendered:
    """Put back the control characters escaped in ``text``, moving the offsets with them."""
    escapes = [match.start() for match in _ESCAPED.finditer(text)]

    def moved(offset: int) -> int:
        return offset - bisect_left(escapes, offset)

    return Rendered(
        _ESCAPED.sub(lambda match: _CONTROLS[int(match.group(1)) - 1], text),
        tuple((moved(offset), url) for offset, url in links),
        tuple(map(moved, rules)),
        tuple(map(moved, headings)),
    )
