"""vCard content lines, read tolerantly: versions 2.1, 3.0 and 4.0 as phones, Apple Contacts,
Google and Outlook write them.

Why not a strict parser: old Android and Nokia phones write vCard 2.1 with quoted-printable
values cut by soft line breaks, and a charset per value; one odd line must cost one property,
not the whole file. Lines are handled as bytes until a value's own charset is known.
"""

import codecs
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from funnel.transfer.reading_encoding import detect_encoding
from funnel.transfer.reading_lines import decoded_lines, split_lines

# A property value longer than this is not a contact's; it is skipped rather than kept in memory.
VALUE_LIMIT = 1024 * 1024
# Binary properties, skipped without reading their (often long) base64 lines into memory.
BINARY = {"PHOTO", "LOGO", "SOUND", "KEY"}
_NAME = re.compile(r"[A-Za-z0-9-]+")
_SPECIALS = re.compile(r"\\(.)", re.DOTALL)


@dataclass
class Property:
    line: int
    name: str  # upper case, without its group
    group: str = ""  # Apple's "item1" in "item1.EMAIL", which ties a label to a property
    params: dict[str, list[str]] = field(default_factory=dict)  # keys upper case
    value: str = ""  # decoded, still with vCard's backslash escapes

    @property
    def types(self) -> set[str]:
        """TYPE values in lower case, however written: TYPE=work,cell; type=WORK;type=CELL;
        TYPE="work,voice"; or vCard 2.1's bare WORK;CELL."""
        return {
            kind.strip().lower()
            for value in self.params.get("TYPE", [])
            for kind in value.split(",")
            if kind.strip()
        }

    @property
    def text(self) -> str:
        return unescape(self.value).strip()


class Unreadable(Exception):
    """A line that is not a property, or a value not in its charset; the card notes it."""

    def __init__(self, kind: str, encoding: str = "") -> None:
        super().__init__(kind)
        self.kind = kind  # "garbage", "encoding", "long" or "nul"
        self.encoding = encoding


def unescape(value: str) -> str:
    r"""vCard's escapes: \n and \N are line breaks; \, \; and \\ the character itself."""
    return _SPECIALS.sub(lambda match: "\n" if match[1] in "nN" else match[1], value)


def components(value: str, *, lists: bool = False) -> list[str]:
    """A structured value (N, ADR, ORG) split at its unescaped semicolons, each unescaped.
    With `lists`, a component's several values (N's "Anna,Maria") are joined by spaces."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for character in value:
        if escaped:
            current.append("\\" + character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == ";":
            parts.append(unescape("".join(current)).strip())
            current = []
        else:
            current.append(" " if lists and character == "," else character)
    parts.append(unescape("".join(current)).strip())
    return parts


def logical_lines(path: Path) -> tuple[str, Iterator[tuple[int, bytes | None]]]:
    """The file's default charset, and its unfolded lines with the line each starts on (None
    for a line too long to keep)."""
    encoding = detect_encoding(path)
    if encoding.startswith(("utf-16", "utf-32")):
        wide = (line.encode("utf-8") for line in decoded_lines(path, encoding))
        return "utf-8", _unfold(wide)
    charset = "utf-8" if encoding == "utf-8-sig" else encoding
    return charset, _unfold(_binary_lines(path))


def _binary_lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        for number, raw in enumerate(split_lines(file)):
            yield raw.removeprefix(codecs.BOM_UTF8) if number == 0 else raw


def _unfold(lines: Iterator[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """Joins folded lines (a line starting with a space or tab continues the one before) and
    quoted-printable soft breaks (a value ending in "=" continues on the next line)."""
    current: bytearray | None = None
    start = 0
    keep_space = skipping = quoted_printable = too_long = False
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip(b"\r\n")
        if current is not None:
            if skipping and line.strip() and b":" not in line:
                continue  # base64 lines of a photo, which some phones don't indent
            if quoted_printable and current.endswith(b"="):
                del current[-1]
                current += line
                too_long = too_long or len(current) > VALUE_LIMIT
                continue
            if line[:1] in (b" ", b"\t"):
                # vCard 2.1 folds before a space, which stays; 3.0 and 4.0 add the space.
                if not skipping:
                    current += line if keep_space else line[1:]
                    too_long = too_long or len(current) > VALUE_LIMIT
                continue
            yield start, None if too_long else bytes(current)
            keep_space = _version(current, keep_space)
        current, start = bytearray(line), number
        head = line.split(b":", 1)[0]
        skipping = _property_name(head) in BINARY
        quoted_printable = b"QUOTED-PRINTABLE" in head.upper()
        too_long = False
    if current is not None:
        yield start, None if too_long else bytes(current)


def _version(line: bytearray, keep_space: bool) -> bool:
    """Whether folding keeps its space: from a card's VERSION line, else as it was."""
    upper = bytes(line).strip().upper()
    if upper.startswith(b"VERSION:"):
        return upper == b"VERSION:2.1"
    return False if upper == b"BEGIN:VCARD" else keep_space


def _property_name(head: bytes) -> str:
    return (
        head.split(b";", 1)[0].rsplit(b".", 1)[-1].decode("ascii", errors="replace").strip().upper()
    )


def parse(line: int, data: bytes, charset: str) -> Property:
    """One property, its value decoded (quoted-printable, then its CHARSET or the file's)."""
    if b"\x00" in data:
        raise Unreadable("nul")
    colon = _split_point(data)
    try:
        head = data[:colon].decode("ascii")
    except UnicodeDecodeError:
        raise Unreadable("garbage") from None
    name_part, *param_parts = _split_outside_quotes(head, ";")
    group, _dot, name = name_part.strip().rpartition(".")
    if not _NAME.fullmatch(name):
        raise Unreadable("garbage")
    params: dict[str, list[str]] = {}
    for part in param_parts:
        key, equals, values = part.partition("=")
        if not equals:  # vCard 2.1: a bare type, as in TEL;CELL;PREF
            key, values = "TYPE", part
        params.setdefault(key.strip().upper(), []).extend(
            value.strip().strip('"') for value in _split_outside_quotes(values, ",")
        )
    prop = Property(line=line, name=name.upper(), group=group, params=params)
    prop.value = _decoded_value(data[colon + 1 :], params, charset)
    return prop


def _split_point(data: bytes) -> int:
    """Where the value starts: the first colon outside a quoted parameter value."""
    quoted = False
    for index, byte in enumerate(data):
        if byte == 0x22:  # "
            quoted = not quoted
        elif byte == 0x3A and not quoted:  # :
            return index
    raise Unreadable("garbage")


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for character in text:
        if character == '"':
            quoted = not quoted
        if character == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    return parts


def _decoded_value(raw: bytes, params: dict[str, list[str]], charset: str) -> str:
    """The value as text. A declared CHARSET is held to; without one, UTF-8 (what vCard 3.0
    and 4.0 prescribe) and then the file's own encoding, when the file is not UTF-8: phones
    write 2.1 cards in their own code page, and a file's cards may come from several."""
    encoding = (params.get("ENCODING") or [""])[0].upper()
    if encoding in ("B", "BASE64"):
        return ""  # binary data (a photo, a key): nothing to import
    if encoding == "QUOTED-PRINTABLE":
        raw = quopri.decodestring(raw)
    declared = (params.get("CHARSET") or [""])[0]
    try:
        codecs_to_try = [codecs.lookup(declared).name] if declared else ["utf-8", charset]
    except LookupError:
        codecs_to_try = ["utf-8", charset]
    for codec in dict.fromkeys(codecs_to_try):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    raise Unreadable("encoding", codecs_to_try[-1])
