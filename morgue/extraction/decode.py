"""Bytes to text the way a browser would: BOM, the crawler's charset, meta charset, then a guess.

Latin-1 and ASCII labels are read as windows-1252 (as the WHATWG encoding standard says), so
curly quotes and dashes in the 0x80-0x9F range come out right instead of as C1 controls.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]{1,40})""", re.IGNORECASE)
# Labels browsers map to another codec than Python's of the same name.
_BROWSER_ALIASES = {
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "iso8859_9": "cp1254",
    "iso8859_11": "cp874",
}
_SNIFF_BYTES = 4096
_GUESS_BYTES = 65536


def normalise_encoding(label: str | None) -> str | None:
    """Python codec name for a charset label, with browser overrides; None if unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    name = name.replace("-", "_")
    return _BROWSER_ALIASES.get(name, name)


def detect_encoding(body: bytes, declared: str | None = None) -> str:
    """Pick the codec: BOM first (it is unambiguous), then declared, meta charset, UTF-8, a guess."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    for label in (declared, *_meta_charsets(body[:_SNIFF_BYTES])):
        name = normalise_encoding(label)
        if name and not name.startswith("utf_16") and not name.startswith("utf_32"):
            return name  # a page that is still ASCII-compatible cannot be UTF-16 without a BOM
    head = body[:_GUESS_BYTES]
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # cut inside a multi-byte character at the boundary
            return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    return normalise_encoding(best.encoding if best else None) or "cp1252"


def _meta_charsets(head: bytes) -> list[str]:
    return [m.group(1).decode("ascii", "replace") for m in _META_CHARSET.finditer(head)][:1]


def decode_html(body: bytes, declared: str | None = None) -> str:
    """Decode with the detected codec; undecodable bytes become U+FFFD rather than failing."""
    encoding = detect_encoding(body, declared)
    text = body.decode(encoding, errors="replace")
    return text.removeprefix("\ufeff")


def looks_binary(body: bytes) -> bool:
    """True for images, archives and other non-text bodies (NUL or many control bytes up front)."""
    head = body[:2048]
    if not head:
        return False
    if any(head.startswith(bom) for bom, name in _BOMS if name.startswith(("utf-16", "utf-32"))):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.05
