from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from funnel.contacts.actions import delete_organisation, delete_person, save_person
from funnel.contacts.forms import EmailFormSet, OrganisationForm, PersonForm, PhoneFormSet
from funnel.contacts.models import Organisation, Person
from funnel.fit.actions import save_organisation
from funnel.fit.page import fit_card
from funnel.front.contact_history import frequency_of, history_page
from funnel.lib.forms import save_unless_taken
from funnel.lib.http import AuthenticatedRequest, id_param, offset_param
from funnel.lib.listing import UnknownLast, list_page
from funnel.lib.refusals import Refused
from funnel.sales.facts import sales_cycle
from funnel.sales.models import Opportunity


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
    people = Person.objects.count_per_organisation(organisations)
    opportunities = Opportunity.objects.count_per_organisation(organisations)
    for organisation in organisations:
        # For the template only: the counts of this page's rows, set on them.
        organisation.people_count = people.get(organisation.pk, 0)  # type: ignore[attr-defined]  # for the row
        organisation.opportunity_count = opportunities.get(organisation.pk, 0)  # type: ignore[attr-defined]  # for the row


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
        saved = save_unless_taken(
            form, lambda: save_organisation(organisation=form.save(commit=False))
        )
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


@login_required
def organisation_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organisation = get_organisation(request, pk)
    if request.method == "POST":
        name = organisation.name
        delete_organisation(organisation=organisation)
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


DETAIL = "contacts/person_detail.html"


@login_required
@vary_on_headers("HX-Request")
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_person(request, pk)
    now = timezone.now()
    older = offset_param(request, "older")  # the history's "show more"; a page without script
    offset = older or 0
    if request.htmx and older is not None:
        context = {"person": person, **history_page(request.user, person, offset, now)}
        return render(request, f"{DETAIL}#more-history", context)
    influences = person.influences.select_related("opportunity", "opportunity__organisation")
    return render(
        request,
        DETAIL,
        {
            "person": person,
            "influences": influences,
            "frequency": frequency_of(request.user, person, now),
            **history_page(request.user, person, offset, now),
        },
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
        person = save_person(form=form, emails=emails, phones=phones)
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
    if request.method == "POST":
        name = person.name
        try:
            delete_person(person=person)
        except Refused as refused:
            messages.error(request, refused.message)
        else:
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
            "sole_customer_of": person.sole_customer_of(),
        },
    )
