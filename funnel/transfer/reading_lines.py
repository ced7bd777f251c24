"""A text file's lines, decoded strictly and streamed: a line that is not in the file's encoding
stops the reading with its number, rather than turning into question marks or mojibake.

Each line keeps its line break, as `csv.reader` wants (a quoted cell may span several lines).
"""

import codecs
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from funnel.transfer.errors import TransferError
from funnel.transfer.reading_encoding import display_name

# No line of a contact list is this long; a longer one is a binary file or a broken export, and
# reading it whole would hold the file in memory.
LINE_LIMIT = 4 * 1024 * 1024
CHUNK = 64 * 1024
BLOCK = 256 * 1024
# Windows code pages decode almost any byte, so a UTF-8 line in such a file would pass unseen:
# it is recognised by reading as UTF-8 letters (Windows-1252 text that happens to be valid UTF-8
# reads as symbols and unlikely letter pairs, such as "Ã©").
SINGLE_BYTE_PREFIXES = ("cp125", "iso8859", "koi8", "cp874")
# Dashes, quotes, ellipsis, bullet, middle dot, euro, degree and guillemets.
TYPOGRAPHY = set(
    "\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2026\u2022\u00b7\u20ac\u00b0\u00ab\u00bb"
)


def number(line: int) -> str:
    """A line number as the user's language writes it ("5,004")."""
    return number_format(line, force_grouping=True)


def decoded_lines(path: Path, encoding: str) -> Generator[str, None, None]:
    """The file's lines, with their line breaks, or TransferError at the first bad one."""
    if encoding.startswith(("utf-16", "utf-32")):
        return _wide_lines(path, encoding)
    return _narrow_lines(path, encoding)


def _narrow_lines(path: Path, encoding: str) -> Generator[str, None, None]:
    """Encodings in which a newline byte is always a newline (UTF-8, code pages, Shift-JIS):
    decoded a block of whole lines at a time, and a bad byte is found by counting the newlines
    before it."""
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    check_utf8 = encoding.startswith(SINGLE_BYTE_PREFIXES)
    with path.open("rb") as file:
        separator = _separator(file)
        line_number = 1  # of the block's first line
        for block in _blocks(file, separator):
            if line_number == 1 and encoding == "utf-8-sig":
                block = block.removeprefix(codecs.BOM_UTF8)
            try:
                text = block.decode(codec)
            except UnicodeDecodeError as error:
                bad = line_number + block.count(separator, 0, error.start)
                raise _not_in_encoding(bad, encoding) from None
            if "\x00" in text:
                raise _nul(line_number + text.count(separator.decode(), 0, text.index("\x00")))
            if check_utf8 and not block.isascii():
                _refuse_utf8_lines(block, separator, line_number, encoding)
            *lines, last = text.split(separator.decode())
            for line in lines:
                yield line + separator.decode()
            if last:
                yield last
            line_number += len(lines)


def _separator(file: IO[bytes]) -> bytes:
    """A newline, or a carriage return alone (old Excel for Mac)."""
    start = file.read(CHUNK)
    file.seek(0)
    return b"\r" if b"\n" not in start and b"\r" in start else b"\n"


def _blocks(file: IO[bytes], separator: bytes) -> Iterator[bytes]:
    """The file in blocks of whole lines."""
    pending = b""
    line_number = 1
    while chunk := file.read(BLOCK):
        data = pending + chunk
        cut = data.rfind(separator) + 1
        if cut:
            yield data[:cut]
            line_number += data.count(separator, 0, cut)
        pending = data[cut:]
        if len(pending) > LINE_LIMIT:
            raise _too_long(line_number)
    if pending:
        yield pending


def _refuse_utf8_lines(block: bytes, separator: bytes, first: int, encoding: str) -> None:
    for offset, raw in enumerate(block.split(separator)):
        if not raw.isascii() and _reads_as_utf8(raw):
            line_number = first + offset
            raise TransferError(
                _(
                    "Line %(line)s is in UTF-8, but the lines before it are in "
                    "%(encoding)s: the file mixes text encodings. Save it as CSV in UTF-8 "
                    "and import it again."
                )
                % {"line": number(line_number), "encoding": display_name(encoding)},
                line=line_number,
            )


def split_lines(file: IO[bytes]) -> Iterator[bytes]:
    """The file's lines as bytes, each with its line break."""
    separator = _separator(file)
    for block in _blocks(file, separator):
        *lines, last = block.split(separator)
        for line in lines:
            yield line + separator
        if last:
            yield last


def _wide_lines(path: Path, encoding: str) -> Generator[str, None, None]:
    """UTF-16 and UTF-32, where a newline byte may be half of another character: the file is
    decoded in chunks and split into lines after decoding."""
    with path.open("rb") as file:
        codec, skip = _wide_codec(encoding, file.read(4))
        file.seek(skip)
        decoder = codecs.getincrementaldecoder(codec)(errors="strict")
        line_number = 1
        pending = ""
        while True:
            chunk = file.read(CHUNK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                before = error.object[: error.start].decode(codec, errors="replace")
                bad = line_number + (pending + before).count("\n")
                raise _not_in_encoding(bad, encoding) from None
            *lines, pending = (pending + text).split("\n")
            for line in lines:
                _check_nul(line, line_number)
                yield line + "\n"
                line_number += 1
            if len(pending) > LINE_LIMIT:
                raise _too_long(line_number)
            if not chunk:
                break
        if pending:
            _check_nul(pending, line_number)
            yield pending


def _wide_codec(encoding: str, head: bytes) -> tuple[str, int]:
    """The codec without byte order mark, and how many bytes the mark takes."""
    for bom, codec in [
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ]:
        if head.startswith(bom) and codec.startswith(encoding):
            return codec, len(bom)
    return encoding, 0


def _reads_as_utf8(raw: bytes) -> bool:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(
        character.isalpha() or character in TYPOGRAPHY for character in text if character > "\x7f"
    )


def _check_nul(line: str, line_number: int) -> None:
    if "\x00" in line:
        raise _nul(line_number)


def _nul(line_number: int) -> TransferError:
    # A zero byte is never part of a contact; it comes from a damaged file or one that isn't
    # text at all, and PostgreSQL refuses it in a text column, so it stops the reading here.
    return TransferError(
        _(
            "Line %(line)s contains a zero byte (NUL), which a CSV file never has: the file "
            "is damaged or is not a CSV file."
        )
        % {"line": number(line_number)},
        line=line_number,
    )


def _not_in_encoding(line_number: int, encoding: str) -> TransferError:
    return TransferError(
        _(
            "Line %(line)s is not in the file's encoding (%(encoding)s): the file mixes text "
            "encodings. Save it as CSV in UTF-8 and import it again."
        )
        % {"line": number(line_number), "encoding": display_name(encoding)},
        line=line_number,
    )


def _too_long(line_number: int) -> TransferError:
    return TransferError(
        _("Line %(line)s is longer than %(limit)s characters: this is not a contact list.")
        % {"line": number(line_number), "limit": number(LINE_LIMIT)},
        line=line_number,
    )
