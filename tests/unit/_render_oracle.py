"""The HTML renderer as it was before it was made fast, kept as a test oracle.

This is the per-chunk implementation of `doi_extract._html.render` (its docstring states
the rules), copied verbatim: the fast renderer must give identical results on every input.
Only what the fast renderer replaced is copied (the tokenizer pattern and the per-chunk
loop); the tag tables and the plain-text path, which it kept, are imported.
"""

from __future__ import annotations

import html
import re

from doi_extract._html import (
    _ANY_TAG,
    _BLOCKS,
    _HEADINGS,
    _TAG_NAME,
    _URL_ATTR,
    Rendered,
    _render_plain,
)

# One token of markup: a comment (unterminated ones run to the end), a script/style
# element with its content, or a tag. "<p class='a>b'>" is one tag; "p < 0.05" is none.
_MARKUP = re.compile(
    r"""<!--.*?(?:-->|\Z)
      | <(?:script|style)\b[^>]*>.*?(?:</(?:script|style)\s*>|\Z)
      | <(?:/?[a-zA-Z](?:[^>"']|"[^"]*"|'[^']*')*|![^>]*)>
      | </?[a-zA-Z][^>]*>
    """,
    re.DOTALL | re.IGNORECASE | re.VERBOSE,
)


def oracle_render(value: str) -> Rendered:
    """Render as `doi_extract._html.render` did before it was made fast."""
    if _ANY_TAG.search(value) is None:
        return Rendered(_render_plain(value))
    return _Renderer().run(value)


class _Renderer:
    """One pass over the markup, writing normalised text as it goes.

    Whitespace is held back as ``pending`` (``""``, ``" "``, ``"\\n"`` or ``"\\n\\n"``) and
    written only when more text follows, so offsets are final as soon as they are taken.
    Links wait in ``waiting_links``, rules and headings in ``waiting_marks`` (each the list
    its offset goes to), for the offset of the next text written.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.pending = ""
        self.links: list[tuple[int, str]] = []
        self.rules: list[int] = []
        self.headings: list[int] = []
        self.waiting_links: list[str] = []
        self.waiting_marks: list[list[int]] = []

    def run(self, value: str) -> Rendered:
        position = 0
        for match in _MARKUP.finditer(value):
            if match.start() > position:
                self.text(value[position : match.start()])
            position = match.end()
            self.tag(match.group())
        if position < len(value):
            self.text(value[position:])
        self.settle(self.length)
        return Rendered(
            "".join(self.parts), tuple(self.links), tuple(self.rules), tuple(self.headings)
        )

    def tag(self, tag: str) -> None:
        name_match = _TAG_NAME.match(tag)
        if name_match is None:  # comment, doctype, script/style element
            return
        name = name_match.group(1).lower()
        if name == "br":
            self.pending = "\n\n" if self.pending.startswith("\n") else "\n"
        elif name in _BLOCKS:
            self.pending = "\n\n"
            if name == "hr":
                self.waiting_marks.append(self.rules)
            elif name in _HEADINGS and tag[1] != "/":
                self.waiting_marks.append(self.headings)
        if tag[1] != "/" and ("href" in tag or "src" in tag or "HREF" in tag or "SRC" in tag):
            for attr in _URL_ATTR.finditer(tag):
                url = attr.group(1) or attr.group(2) or attr.group(3) or ""
                url = html.unescape(url).strip() if "&" in url else url.strip()
                if url:
                    self.waiting_links.append(url)

    def text(self, chunk: str) -> None:
        if "&" in chunk:
            chunk = html.unescape(chunk)
        if chunk[:1].isspace() and not self.pending:
            self.pending = " "
        body = " ".join(chunk.split())  # folds every kind of whitespace, no-break space too
        if not body:
            return
        if self.length and self.pending:
            self.parts.append(self.pending)
            self.length += len(self.pending)
        self.settle(self.length)
        self.parts.append(body)
        self.length += len(body)
        self.pending = " " if chunk[-1:].isspace() else ""

    def settle(self, offset: int) -> None:
        if self.waiting_links:
            self.links.extend((offset, url) for url in self.waiting_links)
            self.waiting_links.clear()
        if self.waiting_marks:
            for marks in self.waiting_marks:
                marks.append(offset)
            self.waiting_marks.clear()
