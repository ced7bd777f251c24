from django.db import transaction

from funnel.contacts.models import Person


@transaction.atomic
def delete_person(*, person: Person) -> None:
    """Delete a person but keep the history of the opportunities they took part in."""
    person.activities.filter(opportunity__isnull=False).update(person=None)
    person.delete()
