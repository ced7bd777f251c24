"""Writes to people and organisations. Each is atomic and takes keyword arguments only."""

from typing import Any

from django.db import transaction
from django.forms import BaseInlineFormSet, ModelForm
from django.utils.translation import gettext as _

from funnel.contacts.models import Organisation, Person
from funnel.lib.refusals import Refused

InlineFormSet = BaseInlineFormSet[Any, Person, Any]


@transaction.atomic
def save_person(
    *,
    form: ModelForm[Person],
    emails: BaseInlineFormSet[Any, Any, Any],
    phones: BaseInlineFormSet[Any, Any, Any],
) -> Person:
    """Save a person with their email addresses and phone numbers (all validated), together."""
    person = form.save()
    emails.instance = phones.instance = person
    emails.save()
    phones.save()
    return person


@transaction.atomic
def delete_person(*, person: Person) -> None:
    """Delete a person but keep the history of the opportunities they took part in.

    Refused while they are the only customer of an opportunity (one without an organisation):
    it would be left with nobody to sell to.
    """
    if person.sole_customer_of().exists():
        raise Refused(
            _("%(name)s is the only customer of an opportunity: give it another first.")
            % {"name": person.name}
        )
    person.activities.filter(opportunity__isnull=False).update(person=None)
    person.delete()


@transaction.atomic
def delete_organisation(*, organisation: Organisation) -> None:
    """Delete an organisation with its opportunities; its people stay, without it."""
    organisation.delete()
