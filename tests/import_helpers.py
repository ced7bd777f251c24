"""Rows for the import's matching and writing, without a file."""

from collections.abc import Callable, Iterator
from pathlib import Path

from django.contrib.auth.models import User

from funnel.contacts.models import ImportBatch
from funnel.transfer import actions
from funnel.transfer.reading import FileKind
from funnel.transfer.records import DealIn, Incoming, OrganisationIn, PersonIn
from funnel.transfer.sources import Source
from funnel.transfer.summary import Summary

FIXTURES = Path(__file__).parent / "fixtures" / "import"


class RowsSource(Source):
    """A source whose rows are given (or made by a function, to fail halfway)."""

    def __init__(self, rows: list[Incoming] | Callable[[], Iterator[Incoming]]) -> None:
        super().__init__(path=Path("rows.csv"), kind=FileKind.CSV, tool="Tests", region="IT")
        self.given = rows

    def rows(self) -> Iterator[Incoming]:
        yield from (self.given() if callable(self.given) else self.given)


def person_row(
    line: int,
    name: str,
    *,
    email: str = "",
    phone: str = "",
    organisation: str = "",
    website: str = "",
    job_title: str = "",
    kept: list[tuple[str, str]] | None = None,
) -> Incoming:
    return Incoming(
        line=line,
        person=PersonIn(
            name=name,
            job_title=job_title,
            emails=[("work", email)] if email else [],
            phones=[("mobile", phone)] if phone else [],
        ),
        organisation=OrganisationIn(name=organisation, website=website)
        if organisation or website
        else None,
        kept=kept or [],
    )


def deal_row(line: int, title: str, organisation: str, **deal: object) -> Incoming:
    return Incoming(
        line=line,
        organisation=OrganisationIn(name=organisation),
        deal=DealIn(title=title, **deal),  # type: ignore[arg-type]  # the test's keywords
    )


def import_rows(
    user: User, rows: list[Incoming], *, stages: dict[str, str] | None = None
) -> tuple[ImportBatch, Summary]:
    return actions.run_import(
        user=user, source=RowsSource(rows), file_name="rows.csv", stages=stages or {}
    )


def preview_rows(user: User, rows: list[Incoming]) -> Summary:
    return actions.preview(user=user, source=RowsSource(rows), stages={})
