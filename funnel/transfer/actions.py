"""The import's writes: preview (writes nothing), import (one transaction), undo."""

from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funnel.contacts.models import EmailAddress, ImportBatch, Organisation, Person, PhoneNumber
from funnel.fit.actions import refresh_fit
from funnel.fit.models import FitCriterion
from funnel.fit.rules import LIST_ATTRIBUTES, RANGE_ATTRIBUTES
from funnel.lib.refusals import Refused
from funnel.sales.models import Level, LevelChange, Opportunity
from funnel.transfer.importing import Importer, Options
from funnel.transfer.models import SavedMapping
from funnel.transfer.parallel import rows_of
from funnel.transfer.sources import Source
from funnel.transfer.stages import suggested_stage_levels
from funnel.transfer.summary import Summary

Progress = Callable[[int], object]


def stage_levels(stages: list[str], chosen: dict[str, str]) -> dict[str, str]:
    """Each stage's level: the user's choice, else the suggestion (open deals: In the funnel)."""
    levels = suggested_stage_levels(stages)
    levels.update({stage: level for stage, level in chosen.items() if level in Level.values})
    levels.setdefault("", Level.IN)
    return levels


def preview(
    *, user: User, source: Source, stages: dict[str, str], progress: Progress | None = None
) -> Summary:
    """What the import would do, row by row in aggregate; nothing is written."""
    options = Options(tool=source.tool, stage_levels=stages, region=source.region, write=False)
    importer = Importer(user=user, options=options)
    try:
        return importer.feed(rows_of(source), progress)
    finally:
        importer.close()


def run_import(
    *,
    user: User,
    source: Source,
    file_name: str,
    stages: dict[str, str],
    progress: Progress | None = None,
) -> tuple[ImportBatch, Summary]:
    """Import the file in one transaction: a file that turns out unreadable halfway (a line in
    another encoding) leaves nothing behind. Rows with problems are left out."""
    team = user.profile.team
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            team=team, user=user, file_name=file_name[:255], source=source.tool[:100]
        )
        options = Options(tool=source.tool, stage_levels=stages, region=source.region, write=True)
        importer = Importer(user=user, options=options, batch=batch)
        try:
            summary = importer.feed(rows_of(source), progress)
        finally:
            importer.close()
        # New organisations have no ratings: only criteria read from their fields can score them.
        if FitCriterion.objects.filter(
            team=team, attribute__in=LIST_ATTRIBUTES + RANGE_ATTRIBUTES
        ).exists():
            refresh_fit(organisations=Organisation.objects.filter(import_batch=batch))
        batch.counts = summary.as_json()
        batch.finished = timezone.now()
        batch.save(update_fields=["counts", "finished"])
        if source.headers:
            SavedMapping.objects.update_or_create(
                team=team,
                headers_key=source.headers_key,
                defaults={"columns": source.columns, "stages": stages},
            )
    return batch, summary


# Rows an import writes along with its people, organisations and opportunities: they go with
# them, and don't count as later work.
MADE_BY_THE_IMPORT = {EmailAddress, PhoneNumber, LevelChange}


def touched_since(batch: ImportBatch) -> list[str]:
    """What keeps an import from being undone: its records changed since, or something new
    hangs off them (an activity, a follow-up, a quote, a colleague's opportunity). Up to five
    names, to say which."""
    assert batch.finished is not None
    names: list[str] = []
    for model in (Person, Organisation, Opportunity):
        mine = model._default_manager.filter(import_batch=batch)
        changed = mine.filter(updated__gt=batch.finished)
        names.extend(str(record) for record in changed[:5])
        for relation in model._meta.related_objects:
            related = relation.related_model
            if related in MADE_BY_THE_IMPORT or not isinstance(related, type):
                continue
            hanging = related._default_manager.filter(
                **{f"{relation.field.name}__import_batch": batch}
            )
            if any(f.name == "import_batch" for f in related._meta.fields):
                hanging = hanging.exclude(import_batch=batch)
            if hanging.exists():
                names.extend(
                    str(record)
                    for record in mine.filter(pk__in=hanging.values(relation.field.attname))[:5]
                )
    moves = LevelChange.objects.filter(opportunity__import_batch=batch)
    if moves.count() > Opportunity.objects.filter(import_batch=batch).count():
        moved = moves.values("opportunity").annotate(n=models.Count("pk")).filter(n__gt=1)
        names.extend(
            str(o) for o in Opportunity.objects.filter(pk__in=moved.values("opportunity"))[:5]
        )
    return list(dict.fromkeys(names))[:5]


@transaction.atomic
def undo_import(*, user: User, batch_id: int) -> dict[str, int]:
    """Remove what the import created, if nothing has touched it since; what was removed.

    What it filled in on records that were already there stays: those records were the user's
    before the import.
    """
    batch = ImportBatch.objects.visible_to(user).select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise Refused(_("There is no such import."))
    if batch.undone:
        raise Refused(_("This import was already undone."))
    if batch.finished is None:
        raise Refused(_("This import has not finished."))
    touched = touched_since(batch)
    if touched:
        raise Refused(
            ngettext(
                "%(names)s changed after the import, or has work of its own now: undoing "
                "would lose it. Nothing was removed.",
                "%(names)s changed after the import, or have work of their own now: undoing "
                "would lose it. Nothing was removed.",
                len(touched),
            )
            % {"names": ", ".join(touched)}
        )
    removed = {
        "opportunities": Opportunity.objects.filter(import_batch=batch)
        .delete()[1]
        .get(Opportunity._meta.label, 0),
        "people": Person.objects.filter(import_batch=batch).delete()[1].get(Person._meta.label, 0),
        "organisations": Organisation.objects.filter(import_batch=batch)
        .delete()[1]
        .get(Organisation._meta.label, 0),
    }
    batch.undone = timezone.now()
    batch.save(update_fields=["undone"])
    return removed
