import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from operator import attrgetter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from funnel.contacts.actions import delete_person
from funnel.contacts.forms import EmailFormSet, OrganisationForm, PersonForm, PhoneFormSet
from funnel.contacts.frequency import Frequency, Moment, contact_frequency
from funnel.contacts.models import Organisation, Person
from funnel.fit.actions import refresh_fit
from funnel.fit.views import fit_card
from funnel.followup.models import FollowUp, Status
from funnel.followup.rules import is_missed
from funnel.lib.channels import Channel
from funnel.lib.forms import save_unless_taken
from funnel.lib.http import AuthenticatedRequest, id_param, offset_param
from funnel.lib.listing import UnknownLast, list_page
from funnel.sales.facts import sales_cycle
from funnel.sales.models import Activity, Level, Opportunity, forget_measured_cycle


def get_organisation(request: AuthenticatedRequest, pk: int) -> Organisation:
    organisations = Organisation.objects.visible_to(request.user).select_related("team")
    return get_object_or_404(organisations, pk=pk)


def get_person(request: AuthenticatedRequest, pk: int) -> Person:
    return get_object_or_404(Person.objects.visible_to(request.user), pk=pk)


@login_required
def organisation_list(request: AuthenticatedRequest) -> HttpResponse:
    organisations = Organisation.objects.visible_to(request.user).annotate(
        threshold=F("team__poor_fit_below"),
    )
    listing = list_page(
        request,
        organisations,
        search_fields=["name", "sector", "city"],
        sorts={
            "name": Lower("name"),
            "sector": "sector",
            "size": "size",
            "city": "city",
            "created": "created",
            "fit": UnknownLast("fit_score"),
        },
        default_sort="name",
    )
    count_people_and_opportunities(list(listing.page.object_list))
    return render(request, "contacts/organisation_list.html", {"listing": listing})


def count_people_and_opportunities(organisations: Sequence[Organisation]) -> None:
    """Counts for one page of rows: counting with joins for every row, then sorting, is slow."""
    people = dict(
        Person.objects.filter(organisation__in=organisations)
        .values_list("organisation")
        .annotate(n=Count("pk"))
        .order_by()
    )
    opportunities = dict(
        Opportunity.objects.filter(organisation__in=organisations)
        .values_list("organisation")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for organisation in organisations:
        organisation.people_count = people.get(organisation.pk, 0)  # type: ignore[attr-defined]
        organisation.opportunity_count = opportunities.get(organisation.pk, 0)  # type: ignore[attr-defined]


@login_required
def organisation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organisation = get_organisation(request, pk)
    opportunities = organisation.opportunities.select_related("main_contact").order_by("-updated")
    return render(
        request,
        "contacts/organisation_detail.html",
        {
            **fit_card(organisation),
            "people": organisation.people.all(),
            "opportunities": opportunities,
            "cycle_days": sales_cycle(request.user).days,
        },
    )


@login_required
def organisation_create(request: AuthenticatedRequest) -> HttpResponse:
    return organisation_form(request, Organisation())


@login_required
def organisation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return organisation_form(request, get_organisation(request, pk))


def organisation_form(request: AuthenticatedRequest, organisation: Organisation) -> HttpResponse:
    team = organisation.team if organisation.pk else request.user.profile.team
    form = OrganisationForm(request.POST or None, instance=organisation, team=team)
    if request.method == "POST" and form.is_valid():
        saved = save_unless_taken(form, lambda: _save_organisation(form))
        if saved is not None:
            messages.success(request, _("%(name)s is saved.") % {"name": saved.name})
            return redirect(saved)
    status = 422 if form.errors else 200
    return render(
        request,
        "contacts/organisation_form.html",
        {"form": form, "organisation": organisation},
        status=status,
    )


def _save_organisation(form: OrganisationForm) -> Organisation:
    organisation: Organisation = form.save()
    refresh_fit(organisations=Organisation.objects.filter(pk=organisation.pk))
    return organisation


@login_required
def organisation_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organisation = get_organisation(request, pk)
    if request.method == "POST":
        name = organisation.name
        # Its won deals go with it (a cascade, which skips Opportunity.delete()).
        won = organisation.opportunities.filter(level=Level.WON)
        for owner_id in set(won.values_list("owner_id", flat=True)):
            forget_measured_cycle(owner_id)
        organisation.delete()
        messages.success(request, _("%(name)s has been deleted.") % {"name": name})
        return redirect("organisation_list")
    return render(
        request,
        "contacts/organisation_delete.html",
        {
            "organisation": organisation,
            "opportunity_count": organisation.opportunities.count(),
            "people_count": organisation.people.count(),
        },
    )


@login_required
def person_list(request: AuthenticatedRequest) -> HttpResponse:
    people = (
        Person.objects.visible_to(request.user)
        .select_related("organisation")
        .prefetch_related("emails", "phones")
    )
    listing = list_page(
        request,
        people,
        search_fields=["name", "job_title", "organisation__name", "emails__address"],
        sorts={
            "name": Lower("name"),
            "organisation": Lower("organisation__name"),
            "job_title": "job_title",
            "created": "created",
        },
        default_sort="name",
    )
    return render(request, "contacts/person_list.html", {"listing": listing})


HISTORY_PER_PAGE = 20
# The newest past contacts the figures read: more than two a day for the 90 days they cover.
FREQUENCY_ROWS = 200
DETAIL = "contacts/person_detail.html"


@login_required
@vary_on_headers("HX-Request")
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_person(request, pk)
    now = timezone.now()
    older = offset_param(request, "older")  # the history's "show more"; a page without script
    offset = older or 0
    if request.htmx and older is not None:
        context = {"person": person, **history_page(request, person, offset, now)}
        return render(request, f"{DETAIL}#more-history", context)
    influences = person.influences.select_related("opportunity", "opportunity__organisation")
    return render(
        request,
        DETAIL,
        {
            "person": person,
            "influences": influences,
            "frequency": frequency_of(request, person, now),
            **history_page(request, person, offset, now),
        },
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a person's contact history: an activity, or a follow-up and its state."""

    at: datetime
    activity: Activity | None = None
    follow_up: FollowUp | None = None
    state: str = ""  # a follow-up's: planned, missed, done or cancelled


def history_page(
    request: AuthenticatedRequest, person: Person, offset: int, now: datetime
) -> dict[str, object]:
    """One page of activities and follow-ups with the person, newest first, and the next."""
    end = offset + HISTORY_PER_PAGE + 1
    activities = [
        HistoryEntry(activity.occurred, activity=activity)
        for activity in history_activities(request, person)[:end]
    ]
    follow_ups = [
        HistoryEntry(follow_up.due_at, follow_up=follow_up, state=state_of(follow_up, now))
        for follow_up in history_follow_ups(request, person)[:end]
        if follow_up.due_at is not None
    ]
    merged = heapq.merge(activities, follow_ups, key=attrgetter("at"), reverse=True)
    page = list(islice(merged, offset, end))
    more = offset + HISTORY_PER_PAGE if len(page) > HISTORY_PER_PAGE else None
    return {"history": page[:HISTORY_PER_PAGE], "more_history_from": more}


def history_activities(request: AuthenticatedRequest, person: Person) -> QuerySet[Activity]:
    """Activities with the person, each with the purpose of the follow-up it carried out."""
    carried_out = FollowUp.objects.filter(activity=OuterRef("pk")).values("purpose")[:1]
    return (
        Activity.objects.visible_to(request.user)
        .filter(person=person)
        .select_related("opportunity")
        .annotate(follow_up_purpose=Subquery(carried_out))
        .order_by("-occurred", "-pk")
    )


def history_follow_ups(request: AuthenticatedRequest, person: Person) -> QuerySet[FollowUp]:
    """Follow-ups with the person; one done by an activity with them shows as that activity."""
    return (
        FollowUp.objects.visible_to(request.user)
        .filter(person=person, due_at__isnull=False)
        .exclude(status=Status.DONE, activity__person=person)
        .select_related("opportunity")
        .order_by("-due_at", "-pk")
    )


def state_of(follow_up: FollowUp, now: datetime) -> str:
    assert follow_up.due_at is not None
    if follow_up.is_planned and is_missed(
        due_at=follow_up.due_at, minutes=follow_up.minutes, now=now
    ):
        return "missed"
    return follow_up.status


def frequency_of(request: AuthenticatedRequest, person: Person, now: datetime) -> Frequency:
    """How often the person is contacted: activities with them, and follow-ups still planned."""
    done = (
        Activity.objects.visible_to(request.user)
        .filter(person=person, occurred__lte=now)
        .order_by("-occurred")
        .values_list("occurred", "kind")[:FREQUENCY_ROWS]
    )
    planned = (
        FollowUp.objects.visible_to(request.user)
        .planned()
        .filter(person=person, due_at__gte=now)
        .order_by("due_at")
        .values_list("due_at", "channel")[:FREQUENCY_ROWS]
    )
    return contact_frequency(
        past=[Moment(at, str(Activity.Kind(kind).label)) for at, kind in done],
        planned=[Moment(at, str(Channel(channel).label)) for at, channel in planned],
        now=now,
        limit=request.user.profile.contacts_per_week,
    )


@login_required
def person_create(request: AuthenticatedRequest) -> HttpResponse:
    person = Person()
    organisation_id = id_param(request, "organisation")
    if organisation_id is not None:
        person.organisation = (
            Organisation.objects.visible_to(request.user).filter(pk=organisation_id).first()
        )
    return person_form(request, person)


@login_required
def person_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return person_form(request, get_person(request, pk))


def person_form(request: AuthenticatedRequest, person: Person) -> HttpResponse:
    team = person.team if person.pk else request.user.profile.team
    data = request.POST or None
    form = PersonForm(data, instance=person, team=team)
    emails = EmailFormSet(data, instance=person, prefix="emails")
    phones = PhoneFormSet(data, instance=person, prefix="phones")
    if request.method == "POST" and all([form.is_valid(), emails.is_valid(), phones.is_valid()]):
        with transaction.atomic():
            person = form.save()
            emails.instance = phones.instance = person
            emails.save()
            phones.save()
        messages.success(request, _("%(name)s is saved.") % {"name": person.name})
        return redirect(person)
    return render(
        request,
        "contacts/person_form.html",
        {"form": form, "emails": emails, "phones": phones, "person": person},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def person_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_person(request, pk)
    # An opportunity with no organisation needs its main contact: deleting them would orphan it.
    sole_customer_of = person.main_contact_for.filter(organisation__isnull=True)
    if request.method == "POST" and not sole_customer_of.exists():
        name = person.name
        delete_person(person=person)
        messages.success(request, _("%(name)s has been deleted.") % {"name": name})
        return redirect("person_list")
    return render(
        request,
        "contacts/person_delete.html",
        {
            "person": person,
            "influence_count": person.influences.count(),
            "activity_count": person.activities.filter(opportunity__isnull=True).count(),
            "main_contact_count": person.main_contact_for.count(),
            "sole_customer_of": sole_customer_of,
        },
    )
