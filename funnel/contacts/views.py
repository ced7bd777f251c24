from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, F, Func
from django.db.models.expressions import OrderBy
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from funnel.contacts.actions import delete_person
from funnel.contacts.forms import EmailFormSet, OrganisationForm, PersonForm, PhoneFormSet
from funnel.contacts.models import Organisation, Person
from funnel.fit.actions import refresh_fit
from funnel.fit.views import fit_card
from funnel.lib.http import AuthenticatedRequest
from funnel.lib.listing import list_page
from funnel.sales.facts import sales_cycle
from funnel.sales.models import Level, Opportunity, forget_measured_cycle


def get_organisation(request: AuthenticatedRequest, pk: int) -> Organisation:
    organisations = Organisation.objects.visible_to(request.user).select_related("team")
    return get_object_or_404(organisations, pk=pk)


class UnknownLast(Func):
    """Sort by a field with the rows that have no value last, whichever the direction."""

    template = "%(expressions)s"

    def asc(self, **kwargs: Any) -> OrderBy:
        return super().asc(nulls_last=True)

    def desc(self, **kwargs: Any) -> OrderBy:
        return super().desc(nulls_last=True)


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
        with transaction.atomic():
            organisation = form.save()
            refresh_fit(organisations=Organisation.objects.filter(pk=organisation.pk))
        messages.success(request, _("%(name)s is saved.") % {"name": organisation.name})
        return redirect(organisation)
    return render(
        request, "contacts/organisation_form.html", {"form": form, "organisation": organisation}
    )


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


@login_required
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_person(request, pk)
    influences = person.influences.select_related("opportunity", "opportunity__organisation")
    activities = person.activities.select_related("opportunity").order_by("-occurred")[:20]
    return render(
        request,
        "contacts/person_detail.html",
        {"person": person, "influences": influences, "activities": activities},
    )


@login_required
def person_create(request: AuthenticatedRequest) -> HttpResponse:
    person = Person()
    organisation_id = request.GET.get("organisation")
    if organisation_id and organisation_id.isdigit():
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
