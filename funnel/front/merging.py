"""Merging duplicates: choose the duplicate of a person or an organisation, see both side by
side with what will move, and merge (funnel.contacts.merging does the work)."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from funnel.contacts import merging
from funnel.contacts.models import Organisation, Person
from funnel.fit.actions import refresh_fit
from funnel.front.contacts import get_organisation, get_person
from funnel.lib.http import AuthenticatedRequest
from funnel.lib.refusals import Refused

CHOOSE = "contacts/merge_choose.html"
CONFIRM = "contacts/merge_confirm.html"
# A search longer than any name or address finds nothing; it is cut rather than refused.
MAX_QUERY = 200
Row = tuple[str, object, object, object]  # what, kept, merged in, after the merge


@login_required
@vary_on_headers("HX-Request")
def person_merge_choose(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_person(request, pk)
    query = _query(request)
    people = Person.objects.select_related("organisation").prefetch_related("emails")
    found = merging.search_people(person, query) if query else Person.objects.none()
    return _choose(
        request,
        person,
        query,
        likely=people.filter(pk__in=merging.people_like(person).values("pk")),
        found=people.filter(pk__in=found.values("pk")),
    )


@login_required
@vary_on_headers("HX-Request")
def organisation_merge_choose(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organisation = get_organisation(request, pk)
    query = _query(request)
    found = (
        merging.search_organisations(organisation, query) if query else Organisation.objects.none()
    )
    return _choose(
        request, organisation, query, likely=merging.organisations_like(organisation), found=found
    )


def _query(request: AuthenticatedRequest) -> str:
    return request.GET.get("q", "").strip()[:MAX_QUERY]


def _choose(
    request: AuthenticatedRequest,
    record: Person | Organisation,
    query: str,
    *,
    likely: QuerySet[Person] | QuerySet[Organisation],
    found: QuerySet[Person] | QuerySet[Organisation],
) -> HttpResponse:
    likely_list = list(likely[: merging.CANDIDATES])
    context = {
        "record": record,
        "is_person": isinstance(record, Person),
        "query": query,
        "likely": likely_list,
        # The likely ones are listed once, above the search's other matches.
        "found": [row for row in found[: merging.CANDIDATES] if row not in likely_list],
        "searched": bool(query),
    }
    template = f"{CHOOSE}#results" if request.htmx and "q" in request.GET else CHOOSE
    return render(request, template, context)


@login_required
def person_merge(request: AuthenticatedRequest, pk: int, other_pk: int) -> HttpResponse:
    keep = get_person(request, pk)
    other = Person.objects.visible_to(request.user).filter(pk=other_pk).first()
    if other is None:
        return _gone(request, keep)
    return _merge_page(
        request,
        keep,
        other,
        merge=lambda: merging.merge_people(user=request.user, keep=keep, other=other),
        rows=lambda: _person_rows(keep, other),
    )


@login_required
def organisation_merge(request: AuthenticatedRequest, pk: int, other_pk: int) -> HttpResponse:
    keep = get_organisation(request, pk)
    other = Organisation.objects.visible_to(request.user).filter(pk=other_pk).first()
    if other is None:
        return _gone(request, keep)
    return _merge_page(
        request,
        keep,
        other,
        merge=lambda: _merge_organisations(request.user, keep, other),
        rows=lambda: _organisation_rows(keep, other),
    )


def _merge_page(
    request: AuthenticatedRequest,
    keep: Person | Organisation,
    other: Person | Organisation,
    *,
    merge: Callable[[], object],
    rows: Callable[[], list[Row]],
) -> HttpResponse:
    """POST merges and goes back to the kept record; GET shows both side by side."""
    if request.method == "POST":
        try:
            merge()
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            _say_merged(request, keep, other)
        return redirect(keep)
    if other.pk == keep.pk:
        raise Http404("a record is not its own duplicate")
    return _confirm(request, keep, other, rows())


def _person_rows(keep: Person, other: Person) -> list[Row]:
    preview = merging.merged_preview(keep, other)
    return [
        (_("Name"), keep.name, other.name, preview.name),
        (_("Job title"), keep.job_title, other.job_title, preview.job_title),
        (_("Organisation"), keep.organisation, other.organisation, preview.organisation),
        (_("Email"), _emails(keep), _emails(other), _union(_emails(keep), _emails(other))),
        (_("Phone"), _phones(keep), _phones(other), _union(_phones(keep), _phones(other))),
        (
            _("Prefers"),
            keep.get_preferred_channel_display(),
            other.get_preferred_channel_display(),
            preview.get_preferred_channel_display(),
        ),
        (_("Language"), keep.language_name, other.language_name, preview.language_name),
        (_("Notes"), keep.notes, other.notes, preview.notes),
    ]


def _organisation_rows(keep: Organisation, other: Organisation) -> list[Row]:
    preview = merging.merged_preview(keep, other)
    return [
        (_("Name"), keep.name, other.name, preview.name),
        (_("Sector"), keep.sector, other.sector, preview.sector),
        (_("Size"), keep.size, other.size, preview.size),
        (_("Place"), keep.place, other.place, preview.place),
        (_("Website"), keep.website, other.website, preview.website),
        (_("Notes"), keep.notes, other.notes, preview.notes),
    ]


@transaction.atomic
def _merge_organisations(user: User, keep: Organisation, other: Organisation) -> None:
    """The merge and the new fit score together: the score reads the moved opportunities'
    values and the ratings, and every opportunity's weight follows the score."""
    kept = merging.merge_organisations(user=user, keep=keep, other=other)
    refresh_fit(organisations=Organisation.objects.filter(pk=kept.pk))


def _gone(request: AuthenticatedRequest, keep: Person | Organisation) -> HttpResponse:
    """The duplicate is not (or no longer) one of the team's records. A second click on
    "Merge" lands here after the first merged it: it is told so, nothing is written."""
    if request.method != "POST":
        raise Http404("no such record to merge")
    messages.error(request, _("Nothing to merge: it has already been merged or deleted."))
    return redirect(keep)


def _say_merged(
    request: AuthenticatedRequest, keep: Person | Organisation, other: Person | Organisation
) -> None:
    message = _("%(other)s is merged into %(name)s: everything linked to both is here now.")
    messages.success(request, message % {"other": other, "name": keep})


def _confirm(
    request: AuthenticatedRequest,
    keep: Person | Organisation,
    other: Person | Organisation,
    rows: list[Row],
) -> HttpResponse:
    name = "person_merge" if isinstance(keep, Person) else "organisation_merge"
    context = {
        "keep": keep,
        "other": other,
        "is_person": isinstance(keep, Person),
        "rows": [(what, *map(_shown, values)) for what, *values in rows],
        "moving": merging.what_moves(other),
        "swap_url": reverse(name, args=[other.pk, keep.pk]),
    }
    return render(request, CONFIRM, context)


def _shown(value: object) -> str:
    """A value as the table shows it: lists joined, nothing as an empty cell."""
    if isinstance(value, list):
        return ", ".join(value)
    return "" if value is None else str(value)


def _emails(person: Person) -> list[str]:
    return [email.address for email in person.emails.all()]


def _phones(person: Person) -> list[str]:
    return [phone.number for phone in person.phones.all()]


def _union(mine: list[str], theirs: list[str]) -> list[str]:
    return mine + [value for value in theirs if value not in mine]
