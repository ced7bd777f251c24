"""Which text encoding a file is in, decided from a sample of its bytes (never the whole file).

UTF-8 is checked first and strictly, since it is what most tools write today. A file that is not
UTF-8 is almost always from Windows: Excel's "CSV" and Outlook's export write the Windows code
page of the user's language (Windows-1252 in Western Europe and the Americas). charset-normalizer
names the code page, but among Latin code pages it often picks the wrong one (French "è" read as
Windows-1250's "č"), so it decides only what Windows-1252 can't: another alphabet (Cyrillic,
Greek, Japanese...), or a Latin code page whose reading gives more letters (Polish "ł").
"""

import codecs
import re
from pathlib import Path
from typing import IO

import charset_normalizer
from django.utils.translation import gettext as _

from funnel.transfer.errors import TransferError

SAMPLE_BYTES = 64 * 1024
# Byte order marks, longest first (UTF-32's starts like UTF-16's).
BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# The encodings a spreadsheet or address book writes when it doesn't write Unicode: Windows code
# pages (their ISO 8859 cousins differ from them only where Windows has more letters), KOI8 and
# the East Asian ones. DOS, old Mac and rare ISO code pages, which charset-normalizer proposes
# for Western text surprisingly often, are left out on purpose.
PLAUSIBLE = {
    *(f"cp125{digit}" for digit in range(9)),
    *("koi8-r", "koi8-u", "cp874", "shift_jis", "cp932", "euc_jp", "gb2312", "gbk"),
    *("gb18030", "big5", "big5hkscs", "cp949", "euc_kr"),
}
WINDOWS_WESTERN = "cp1252"
_LETTERS = re.compile(r"[^\W\d_]+")


def bom_encoding(head: bytes) -> str | None:
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return encoding
    return None


def utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 with no byte order mark: Western text has a zero byte in every other place."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    zeros_even = sample[0 : pairs * 2 : 2].count(0)
    zeros_odd = sample[1 : pairs * 2 : 2].count(0)
    if zeros_odd > 0.4 * pairs and zeros_even < 0.05 * pairs:
        return "utf-16-le"
    if zeros_even > 0.4 * pairs and zeros_odd < 0.05 * pairs:
        return "utf-16-be"
    return None


def detect_encoding(path: Path) -> str:
    """The encoding to read the file in, as Python names it ("utf-8", "utf-16", "cp1252")."""
    with path.open("rb") as file:
        sample = file.read(SAMPLE_BYTES)
        complete = len(sample) < SAMPLE_BYTES
        encoding = bom_encoding(sample) or utf16_without_bom(sample)
        if encoding:
            return encoding
        if sample.isascii() and not complete:
            # A file whose first lines are plain ASCII says nothing yet: look where the first
            # accented letter is (a German export sorted by name meets "Müller" late).
            sample, complete = _first_non_ascii(file, len(sample))
    if sample.isascii() or decodes(sample, "utf-8", complete=complete):
        return "utf-8"
    return _single_or_multi_byte(sample, complete=complete)


def _first_non_ascii(file: IO[bytes], offset: int) -> tuple[bytes, bool]:
    while chunk := file.read(SAMPLE_BYTES):
        if not chunk.isascii():
            # Start a little before it, on ASCII, so the sample begins at a character.
            position = offset + next(i for i, byte in enumerate(chunk) if byte > 127)
            file.seek(max(0, position - 1024))
            sample = file.read(SAMPLE_BYTES)
            return sample, len(sample) < SAMPLE_BYTES
        offset += len(chunk)
    return b"", True


def decodes(sample: bytes, encoding: str, *, complete: bool) -> bool:
    return decoded(sample, encoding, complete=complete) is not None


def decoded(sample: bytes, encoding: str, *, complete: bool) -> str | None:
    """The sample as text, or None if it isn't in that encoding (a cut last character is fine)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(sample, final=complete)
    except UnicodeDecodeError:
        return None


def _single_or_multi_byte(sample: bytes, *, complete: bool) -> str:
    western = decoded(sample, WINDOWS_WESTERN, complete=complete)
    proposed = _proposal(sample)
    text = decoded(sample, proposed, complete=complete) if proposed else None
    if text is None:
        if western is None:
            raise TransferError(
                _(
                    "Funnel can't tell which text encoding this file is in. Save it as CSV "
                    "in UTF-8 and import it again."
                )
            )
        return WINDOWS_WESTERN
    assert proposed is not None
    if western is None or _words_in_another_alphabet(text):
        return proposed
    if _letter_share(text) > _letter_share(western):
        return proposed
    return WINDOWS_WESTERN


def _proposal(sample: bytes) -> str | None:
    for match in charset_normalizer.from_bytes(sample):
        name = codecs.lookup(match.encoding).name
        if name in PLAUSIBLE:
            return name
    return None


def _is_latin(character: str) -> bool:
    return character < "\u0250" or "\u1e00" <= character <= "\u1eff"


def _words_in_another_alphabet(text: str) -> bool:
    """Whether most letters outside the Latin alphabet make up whole words (Russian, Greek),
    rather than standing alone inside Latin words, as a wrongly guessed accent does."""
    foreign = in_words = 0
    for word in _LETTERS.findall(text):
        count = sum(not _is_latin(letter) for letter in word)
        foreign += count
        if count == len(word) > 1:
            in_words += count
    return foreign > 0 and in_words * 2 >= foreign


def _letter_share(text: str) -> float:
    """How many of the characters beyond ASCII are letters: the right code page reads letters
    where a wrong one reads symbols (Polish "ł" is Windows-1252's "³")."""
    beyond = [character for character in text if character > "\x7f"]
    if not beyond:
        return 0.0
    return sum(character.isalpha() for character in beyond) / len(beyond)


NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "utf-32": "UTF-32",
    "cp1252": "Windows-1252",
    "iso8859-1": "Latin-1",
}


def display_name(encoding: str) -> str:
    """The encoding as a user would find it in a "Save as" dialog."""
    if encoding in NAMES:
        return NAMES[encoding]
    if encoding.startswith("cp125"):
        return f"Windows-{encoding[2:]}"
    return encoding.upper().replace("_", "-")
