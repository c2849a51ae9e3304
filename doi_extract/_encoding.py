"""Turn the bytes of a feed into clean UTF-8 that libxml2 can parse without losing text.

Feeds lie about their encoding, hold bytes that XML forbids and use HTML entities that
XML does not define. `Recoder` repairs all of that on the way in, chunk by chunk, so
memory stays flat whatever the size of the feed:

1. sniff the encoding: byte order mark, then the HTTP charset, then the XML declaration,
   then the byte pattern of UTF-16/32 without a mark (XML 1.0 appendix F); else UTF-8.
   A declared legacy encoding whose bytes are valid UTF-8 is read as UTF-8;
2. decode incrementally; a byte the codec rejects is read as cp1252 (the usual lie is
   "UTF-8" that is really Windows-1252) instead of stopping the parse;
3. drop the characters XML 1.0 forbids: NUL and the other C0 controls but tab, LF, CR,
   U+FFFE, U+FFFF and lone surrogates;
4. encode as UTF-8; the parser is told so, whatever the declaration says;
5. outside CDATA sections, rewrite every ``&`` so that libxml2 sees only numeric
   character references: the five XML entities, because once libxml2's recover mode has
   seen any error it drops every later ``&lt;``/``&amp;`` in text (libxml2 2.14); the
   HTML ones (``&nbsp;``), because XML does not define them; a bare ``&`` (``?a=1&b=2``)
   as ``&#38;``, because libxml2 would otherwise wait for a ``;`` and hold back the rest
   of the document; and any other name (``&lol;``, ``&xxe;``) as literal text, so no
   entity a document declares is ever expanded, whatever the parser options.

Input read as UTF-8 (the usual case) is not decoded at all when it is valid: step 3 is
done on its bytes (see `Recoder._utf8`), which gives the bytes that decoding, cleaning
and encoding would, at a fraction of the cost.
"""

from __future__ import annotations

import codecs
import contextlib
import html.entities
import logging
import re
from collections.abc import Iterable, Iterator

log = logging.getLogger(__name__)

SNIFF_BYTES = 64 * 1024
"""How many bytes are read before the encoding is decided."""

_FALLBACK = "doi_extract.cp1252"
# The encodings whose labels most often hide UTF-8 or cp1252 text.
_WESTERN = frozenset({"ascii", "iso8859-1", "cp1252", "iso8859-15"})
_BOMS = (
    # UTF-32 first: its little-endian mark starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The encoding pseudo-attribute of an XML declaration:
# matches <?xml version="1.0" encoding='ISO-8859-1'?>, not <?xml version="1.0"?>.
_DECLARED = re.compile(rb"""\A\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']""")
# Characters XML 1.0 does not allow anywhere: the NUL of "a\x00b", the ESC of "\x1b[0m",
# a lone surrogate (Python's UTF-7 decoder makes one of "+2M0-"); not tab, LF or CR.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same characters in valid UTF-8: a C0 control is its own byte, U+FFFE and U+FFFF are
# EF BF BE and EF BF BF, and a lone surrogate is not valid UTF-8 at all. Deleting every
# other byte (all but the C0 controls and EF) leaves nothing when none of them is there.
_C0_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
_HARMLESS_BYTES = bytes(byte for byte in range(256) if byte not in _C0_BYTES + b"\xef")
# An "&" and the reference it starts, if any: "&amp;", "&eacute;", "&#233;", "&#xE9;",
# and the bare "&" of "?a=1&b=2" (no group set). Every "&" matches.
_REFERENCE = re.compile(
    rb"&(?:([A-Za-z][A-Za-z0-9]{0,31});|#([0-9]{1,8});|#[xX]([0-9A-Fa-f]{1,8});)?"
)
# The start of a reference cut off by the end of a chunk: "&", "&eac", "&#x", "&#23";
# not a whole one ("&amp;") nor one followed by other text ("&a b").
_PARTIAL_REF = re.compile(rb"&(?:#[xX]?[0-9A-Fa-f]{0,8}|[A-Za-z][A-Za-z0-9]{0,31})?\Z")
_CDATA_OPEN = b"<![CDATA["
_CDATA_CLOSE = b"]]>"
_MAX_REF = 34  # "&" + 32 name characters + ";"
_AMPERSAND = b"&#38;"
_REPLACEMENT = b"&#65533;"


def _numeric(text: str) -> bytes:
    return "".join(f"&#{ord(char)};" for char in text).encode("ascii")


# Every HTML5 entity name (which includes the five XML ones) as numeric references.
_NUMERIC = {
    name[:-1].encode("ascii"): _numeric(text)
    for name, text in html.entities.html5.items()
    if name.endswith(";")
}


def _cp1252_byte(error: UnicodeError) -> tuple[str, int]:
    """Read the first byte a decoder rejected as cp1252 (latin-1 for its 5 holes)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    byte = error.object[error.start : error.start + 1]
    try:
        char = byte.decode("cp1252")
    except UnicodeDecodeError:
        char = byte.decode("latin-1")
    return char, error.start + 1


codecs.register_error(_FALLBACK, _cp1252_byte)


def _reference(match: re.Match[bytes]) -> bytes:
    """The numeric reference (or escaped text) that replaces one `_REFERENCE` match."""
    name, decimal, hexadecimal = match.groups()
    if name is not None:
        return _NUMERIC.get(name) or _AMPERSAND + match.group()[1:]
    if decimal is None and hexadecimal is None:
        return _AMPERSAND
    code = int(decimal, 10) if decimal is not None else int(hexadecimal, 16)
    if 0x80 <= code <= 0x9F:  # as browsers do: &#150; is the cp1252 en dash
        with contextlib.suppress(UnicodeDecodeError):
            code = ord(bytes([code]).decode("cp1252"))
    if (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    ):
        return b"&#%d;" % code
    return _REPLACEMENT


def sniff(prefix: bytes, charset: str | None = None) -> tuple[str, int, str]:
    """Choose the codec for a document from its first bytes.

    Args:
        prefix: The first `SNIFF_BYTES` of the document (fewer if it is shorter).
        charset: The charset of an HTTP ``Content-Type`` header, if any.

    Returns:
        The Python codec name, the length of the byte order mark to skip, and the
        reason for the choice (for the debug log).
    """
    for bom, codec in _BOMS:
        if prefix.startswith(bom):
            return codec, len(bom), "byte order mark"
    head = prefix[:4]
    if len(head) == 4:
        if head[:3] == b"\0\0\0" and head[3]:
            return "utf-32-be", 0, "byte pattern"
        if head[0] and head[1:] == b"\0\0\0":
            return "utf-32-le", 0, "byte pattern"
        if not head[0] and head[1] and not head[2] and head[3]:
            return "utf-16-be", 0, "byte pattern"
        if head[0] and not head[1] and head[2] and not head[3]:
            return "utf-16-le", 0, "byte pattern"
    match = _DECLARED.match(prefix[:1024])
    label = charset or (match.group(1).decode("ascii") if match else None)
    if label is None:
        return "utf-8", 0, "default"
    known = _ascii_compatible(label)
    if known is None:
        return "utf-8", 0, f"unusable encoding {label!r}"
    codec = known
    if codec != "utf-8" and not prefix.isascii() and _is_utf8(prefix):
        return "utf-8", 0, f"{label!r} declared but bytes are UTF-8"
    if codec in _WESTERN and prefix.isascii():
        return "utf-8", 0, f"{label!r} declared, ASCII so far"
    return codec, 0, f"{label!r} declared"


def _ascii_compatible(label: str) -> str | None:
    """The codec for ``label`` if it is a text encoding that reads ASCII as ASCII, else None."""
    sample = b'<?xml version="1.0"?>'
    try:
        codec = codecs.lookup(label).name
        decoded = sample.decode(codec)  # LookupError for bytes-to-bytes codecs (zlib, base64)
        # Decode as `Recoder` will, so a codec that cannot (idna) is refused here.
        codecs.getincrementaldecoder(codec)(errors=_FALLBACK).decode(b"\xe9\x80", final=True)
    except Exception:  # a codec may raise anything (zlib.error...); then it is not usable
        return None
    return codec if decoded == sample.decode("ascii") else None


def _is_utf8(data: bytes) -> bool:
    """True if ``data`` is UTF-8, allowing a sequence cut off at the end."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


class Recoder:
    """Re-encode a feed's byte chunks as clean UTF-8, keeping counts for the log."""

    def __init__(self, charset: str | None = None) -> None:
        self.charset = charset
        self.codec: str | None = None
        self.bytes_in = 0
        self.dropped = 0
        """Characters removed because XML forbids them."""
        self._decoder: codecs.IncrementalDecoder | None = None
        """The decoder of a codec other than UTF-8."""
        self._undecoded = b""
        """UTF-8 input that ends with the start of a character, kept for the next chunk."""
        self._in_cdata = False
        self._held = b""
        """Output kept for the next chunk: it may be the start of a reference or marker."""

    def recode(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Yield the document as UTF-8 chunks; an empty input yields nothing."""
        source = iter(chunks)
        prefix = bytearray()
        for chunk in source:
            prefix += chunk
            if len(prefix) >= SNIFF_BYTES:
                break
        self.bytes_in = len(prefix)
        if not prefix:
            return
        codec, skip, reason = sniff(bytes(prefix[:SNIFF_BYTES]), self.charset)
        self.codec = codec
        log.debug("decoding as %s (%s)", codec, reason)
        if codec != "utf-8":
            # UTF-16/32 errors are not cp1252 text; everything else falls back to cp1252.
            utf16or32 = codec.startswith("utf-16") or codec.startswith("utf-32")
            errors = "replace" if utf16or32 else _FALLBACK
            self._decoder = codecs.getincrementaldecoder(codec)(errors=errors)
        yield from self._recoded(bytes(prefix[skip:]))
        for chunk in source:
            self.bytes_in += len(chunk)
            yield from self._recoded(chunk)
        yield from self._recoded(b"", final=True)
        if self.dropped:
            log.debug("dropped %d characters that XML forbids", self.dropped)

    def _recoded(self, data: bytes, *, final: bool = False) -> Iterator[bytes]:
        """The output for the next input ``data``, if any: cleaned, references protected."""
        out = self._protect(self._held + self._clean(data, final=final), final=final)
        if out:
            yield out

    def _clean(self, data: bytes, *, final: bool) -> bytes:
        """Decode, drop what XML forbids, encode as UTF-8 (steps 2 to 4), chunk by chunk."""
        if self._decoder is None:
            return self._utf8(data, final=final)
        return self._encode(self._decoder.decode(data, final))

    def _encode(self, text: str) -> bytes:
        """Decoded text as UTF-8, without the characters XML forbids."""
        if _FORBIDDEN.search(text):
            text, count = _FORBIDDEN.subn("", text)
            self.dropped += count
        return text.encode("utf-8")

    def _utf8(self, data: bytes, *, final: bool) -> bytes:
        """`_clean` for UTF-8 input: valid input stays bytes, without decoding it."""
        if self._undecoded:
            data = self._undecoded + data
        if data.isascii():
            valid, self._undecoded = data, b""
        else:
            # The call the incremental decoder makes; "strict" only to learn if it is valid.
            try:
                _, size = codecs.utf_8_decode(data, "strict", final)
            except UnicodeDecodeError:
                text, size = codecs.utf_8_decode(data, _FALLBACK, final)
                self._undecoded = data[size:]
                return self._encode(text)
            valid, self._undecoded = data[:size], data[size:]
        suspects = valid.translate(None, _HARMLESS_BYTES)
        if not suspects:  # the usual case: no character that XML forbids
            return valid
        kept = valid.translate(None, _C0_BYTES) if suspects.strip(b"\xef") else valid
        dropped = len(valid) - len(kept)
        if b"\xef" in suspects:
            for noncharacter in _NONCHARACTERS:
                without = kept.replace(noncharacter, b"")
                dropped += (len(kept) - len(without)) // len(noncharacter)
                kept = without
        self.dropped += dropped
        return kept

    def _protect(self, data: bytes, *, final: bool) -> bytes:
        """Rewrite references outside CDATA; hold back a token cut off at the end."""
        find = data.find
        end = len(data)
        in_cdata = self._in_cdata
        parts: list[bytes] = []
        done = 0  # data[:done] is in parts already
        pos = 0
        while True:
            if in_cdata:
                # bytes.find is slow for "]]>" in HTML, which is full of ">"; "]" is rare, and
                # found fast (memchr). So find the first "]", and go on from there if need be.
                close = find(b"]", pos)
                if close >= 0 and data[close + 1 : close + 3] != b"]>":
                    close = find(_CDATA_CLOSE, close)
                if close < 0:
                    # "]]>" may be cut after its first or second character.
                    stop = end if final else _last_characters(data, pos, 2)
                    break
                pos = close + len(_CDATA_CLOSE)
                in_cdata = False
            opening = find(_CDATA_OPEN, pos)
            stop = opening if opening >= 0 else end if final else _cut_token(data, pos)
            if find(b"&", pos, stop) >= 0:
                parts.append(data[done:pos])
                parts.append(_REFERENCE.sub(_reference, data[pos:stop]))
                done = stop
            if opening < 0:
                break
            pos = opening + len(_CDATA_OPEN)
            in_cdata = True
        self._in_cdata = in_cdata
        self._held = data[stop:]
        if not parts:
            return data[:stop]
        parts.append(data[done:stop])
        return b"".join(parts)


def _last_characters(data: bytes, pos: int, count: int) -> int:
    """Where the last ``count`` characters of UTF-8 ``data`` start, but not before ``pos``."""
    start = len(data)
    for _ in range(count):
        if start <= pos:
            break
        start -= 1
        while start > pos and 0x80 <= data[start] < 0xC0:  # a continuation byte
            start -= 1
    return start


def _cut_token(data: bytes, pos: int) -> int:
    """Where a reference or ``<![CDATA[`` cut off at the end of ``data`` starts, if any."""
    end = len(data)
    stop = end
    partial = _PARTIAL_REF.search(data, max(pos, end - _MAX_REF))
    if partial is not None:
        stop = partial.start()
    start = data.rfind(b"<", max(pos, end - len(_CDATA_OPEN) + 1))
    if start >= 0 and _CDATA_OPEN.startswith(data[start:]):
        stop = min(stop, start)
    return stop
