"""Reading vCard files: Apple Contacts (3.0), old Android and Nokia phones (2.1), vCard 4.0,
and damaged files, card by card."""

from pathlib import Path

import pytest

from funnel.transfer.errors import TransferError
from funnel.transfer.reading import count_rows
from funnel.transfer.records import Incoming, OrganisationIn, PersonIn
from funnel.transfer.vcards import read_cards

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def cards_in(tmp_path: Path, *lines: str, encoding: str = "utf-8") -> list[Incoming]:
    path = tmp_path / "cards.vcf"
    path.write_bytes("\r\n".join([*lines, ""]).encode(encoding))
    return list(read_cards(path))


def person(incoming: Incoming) -> PersonIn:
    assert incoming.person is not None
    return incoming.person


def organisation(incoming: Incoming) -> OrganisationIn:
    assert incoming.organisation is not None
    return incoming.organisation


def test_apple_contacts_card_with_labels_types_and_a_photo() -> None:
    anna, _acme = read_cards(FIXTURES / "apple_contacts.vcf")

    assert anna.line == 1
    assert anna.problems == []
    assert person(anna).name == "Dr. Anna Maria Rossi"
    assert person(anna).job_title == "Managing Director"
    assert person(anna).emails == [
        ("work", "anna@rossi-consulting.example"),
        ("other", "anna.rossi@me.example"),
    ]
    # The preferred mobile first; "Privat", a label the user typed, is a home number.
    assert person(anna).phones == [
        ("mobile", "+39 333 765 4321"),
        ("work", "+39 02 1234 5678"),
        ("home", "+39 06 999 888"),
    ]
    assert (
        person(anna).notes == "Introduced by Marco, at the Milan fair.\nFollow up about the pilot."
    )
    assert organisation(anna).name == "Rossi Consulting"
    # Kept for the notes; the photo, UID and Apple's bookkeeping (X-ABUID, X-ABADR) are not.
    assert anna.kept == [
        ("Website", "https://rossi-consulting.example"),
        ("Department", "Sales"),
        ("Work address", "Via Dante 7, 20123 Milano, MI, Italy"),
        ("Birthday", "1980-05-17"),
        ("Social profile", "https://www.linkedin.com/in/annarossi"),
    ]


def test_a_card_apple_shows_as_a_company_is_an_organisation() -> None:
    _anna, acme = read_cards(FIXTURES / "apple_contacts.vcf")

    assert acme.person is None
    assert organisation(acme).name == "Acme Industrial"
    assert organisation(acme).website == "https://acme-industrial.example"
    assert ("Email", "info@acme-industrial.example") in acme.kept
    assert ("Phone", "+1 312 555 0100") in acme.kept


def test_android_vcard_21_with_quoted_printable_and_soft_line_breaks() -> None:
    juergen, francois = read_cards(FIXTURES / "android_2_1.vcf")

    assert juergen.problems == []
    assert person(juergen).name == "Jürgen Müller"
    assert organisation(juergen).name == "Bäckerei Groß"
    assert person(juergen).notes == "Kunde seit 2019.\nMöchte ein Angebot für Ölfilter."
    assert person(juergen).emails == [("personal", "juergen@mueller.example")]
    # A home fax is not a home phone.
    assert person(juergen).phones == [
        ("mobile", "+491511234567"),
        ("work", "+49 221 123456"),
        ("other", "+49 221 654321"),
    ]
    assert francois.line == 17


def test_without_fn_the_name_is_built_from_n_in_its_declared_charset() -> None:
    _juergen, francois = read_cards(FIXTURES / "android_2_1.vcf")

    assert person(francois).name == "François Lefèvre"
    assert person(francois).phones == [("mobile", "06 12 34 56 78")]
    assert francois.kept == []  # X-ANDROID-CUSTOM is the phone's bookkeeping


def test_vcard_40_with_uri_phones_folded_lines_and_languages() -> None:
    (kenji,) = read_cards(FIXTURES / "vcard4.vcf")

    assert person(kenji).language == "ja"
    assert person(kenji).phones == [
        ("mobile", "+81-90-1234-5678"),
        ("work", "+81-3-1234-5678 ext. 102"),
    ]
    assert person(kenji).emails == [
        ("work", "kenji@watanabe-trading.example"),
        ("personal", "kenji.w@mail.example"),
    ]
    assert person(kenji).notes.endswith("twice a year; next trip in September.")
    assert ("Home address", "1-2-3 Shibuya, 150-0002 Tokyo, Japan") in kenji.kept


def test_broken_cards_carry_a_problem_and_the_others_still_read() -> None:
    cards = list(read_cards(FIXTURES / "broken_cards.vcf"))

    summary = [
        (card.line, card.person.name if card.person else None, [p.line for p in card.problems])
        for card in cards
    ]
    assert summary == [
        (1, "Good Before", [5]),  # a line that is not a property
        (7, "Never Ended", [7]),  # no END:VCARD before the next card
        (11, "Good After", []),
        (16, None, [16]),  # two lines of garbage between cards: one problem
        (18, "Last One", []),
    ]
    assert cards[1].problems[0].message == "The card has no END:VCARD."
    assert cards[3].problems[0].message.startswith("Line 16 is not inside a card")


def test_a_file_cut_short_inside_a_card(tmp_path: Path) -> None:
    (card,) = cards_in(tmp_path, "BEGIN:VCARD", "VERSION:3.0", "FN:Cut Short", "EMAIL:cut@x.ex")

    assert person(card).emails == [("other", "cut@x.ex")]
    assert "the file may be cut short" in card.problems[0].message


def test_folded_lines_join_as_each_version_folds_them(tmp_path: Path) -> None:
    version_3, version_21 = cards_in(
        tmp_path,
        "BEGIN:VCARD",
        "VERSION:3.0",
        "FN:Folded",
        "NOTE:A long note that was cut in the mid",
        " dle of a word",
        "END:VCARD",
        "BEGIN:VCARD",
        "VERSION:2.1",
        "FN:Folded Too",
        "NOTE:Version 2.1 folds",
        " before a space",
        "END:VCARD",
    )

    assert person(version_3).notes == "A long note that was cut in the middle of a word"
    assert person(version_21).notes == "Version 2.1 folds before a space"


def test_a_card_with_only_an_organisation(tmp_path: Path) -> None:
    (card,) = cards_in(
        tmp_path, "BEGIN:VCARD", "VERSION:4.0", "KIND:org", "FN:Beta SpA", "END:VCARD"
    )

    assert card.person is None
    assert organisation(card).name == "Beta SpA"


def test_a_utf16_vcard_file(tmp_path: Path) -> None:
    (card,) = cards_in(
        tmp_path, "BEGIN:VCARD", "VERSION:3.0", "FN:Åsa Öberg", "END:VCARD", encoding="utf-16"
    )

    assert person(card).name == "Åsa Öberg"
    assert count_rows(tmp_path / "cards.vcf") == 1


def test_cards_from_several_encodings_in_one_file_each_read_right(tmp_path: Path) -> None:
    """vCard prescribes UTF-8, but a phone writes its own code page: a value that is not UTF-8
    is read in the file's other encoding."""
    path = tmp_path / "cards.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:J\xc3\xbcrgen\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ren\xe9e M\xfcller\r\nEND:VCARD\r\n"
    )

    first, second = read_cards(path)

    assert person(first).name == "Jürgen"
    assert person(second).name == "Renée Müller"


def test_a_value_not_in_its_declared_charset_is_a_problem_of_its_card(tmp_path: Path) -> None:
    path = tmp_path / "cards.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Anna\r\nNOTE;CHARSET=UTF-8:M\xfcller\r\n"
        b"END:VCARD\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nFN:Next\r\nEND:VCARD\r\n"
    )

    first, second = read_cards(path)

    assert person(first).name == "Anna"
    assert [problem.message for problem in first.problems] == [
        "Line 4 is not in its text encoding (UTF-8); it was skipped."
    ]
    assert person(second).name == "Next"


def test_a_nul_byte_and_a_huge_note(tmp_path: Path) -> None:
    note = "x" * 20_000
    (card,) = cards_in(
        tmp_path,
        "BEGIN:VCARD",
        "VERSION:3.0",
        "FN:Anna",
        "TITLE:Bo\x00ss",
        f"NOTE:{note}",
        "END:VCARD",
    )

    assert person(card).notes == note
    assert person(card).job_title == ""
    assert [problem.line for problem in card.problems] == [4]


def test_escapes_and_structured_values(tmp_path: Path) -> None:
    (card,) = cards_in(
        tmp_path,
        "BEGIN:VCARD",
        "VERSION:3.0",
        r"N:O'Neil\, Jr.;Mary\;Ann;;;",
        r"ORG:Smith\; Sons & Co\, Ltd;R\&D",
        "EMAIL;TYPE=INTERNET:mailto:mary@oneil.example",
        "END:VCARD",
    )

    assert person(card).name == "Mary;Ann O'Neil, Jr."
    assert organisation(card).name == "Smith; Sons & Co, Ltd"
    assert person(card).emails == [("other", "mary@oneil.example")]


def test_a_csv_file_is_not_read_as_cards() -> None:
    with pytest.raises(TransferError, match="not a vCard"):
        list(read_cards(FIXTURES / "google_contacts.csv"))


def test_a_cards_email_or_phone_that_isnt_one_is_kept_in_the_notes(tmp_path: Path) -> None:
    path = tmp_path / "odd.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Byron\r\nEMAIL:ada at home\r\n"
        "EMAIL:ADA@Example.ORG\r\nTEL:call the office first please\r\nTEL:+44 20 7946 0958\r\n"
        "END:VCARD\r\n"
    )
    (card,) = read_cards(path)
    assert card.person is not None
    assert [address for _kind, address in card.person.emails] == ["ADA@example.org"]
    assert [number for _kind, number in card.person.phones] == ["+44 20 7946 0958"]
    assert [p.warning for p in card.problems] == [True, True]
    assert ("Email", "ada at home") in card.kept
    assert ("Phone", "call the office first please") in card.kept


def test_a_card_whose_name_is_too_long_is_left_out_and_its_language_is_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "long.vcf"
    path.write_text(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{'A' * 300}\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nLANG:en-GB\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nLANG:Klingon of the far colonies\r\n"
        "END:VCARD\r\n"
    )
    too_long, ada, bob = read_cards(path)
    assert [(p.column, p.warning) for p in too_long.problems] == [("Name", False)]
    assert ada.person is not None and ada.person.language == "en"
    assert bob.person is not None and bob.person.language == ""
    assert ("Language", "Klingon of the far colonies") in bob.kept
