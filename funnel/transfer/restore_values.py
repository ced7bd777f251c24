"""Reading a Funnel export back: the zip's `funnel.json`, checked, and each of its values turned
into what the model field stores, with a message for the user when one isn't fit to keep."""

import datetime
import decimal
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _

from funnel.lib.bounds import validate_in_range
from funnel.transfer.errors import TransferError
from funnel.transfer.export import FORMAT, JSON_NAME, VERSION
from funnel.transfer.export_kinds import BY_NAME, EMAIL_SETTINGS, INCOME_TARGET, Kind

# funnel.json is read whole; an export of 20,000 opportunities and their history is some tens
# of megabytes, so a file claiming more than this is not one.
MAX_JSON_BYTES = 1 << 30


def read_export(path: Path) -> dict[str, Any]:
    """The export's content, its envelope checked: format, version, records by known kind."""
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo(JSON_NAME)
            except KeyError:
                raise TransferError(
                    _("%(file)s is not a Funnel export: it has no %(json)s.")
                    % {"file": path.name, "json": JSON_NAME}
                ) from None
            if info.file_size > MAX_JSON_BYTES:
                raise TransferError(_("%(json)s is too large to import.") % {"json": JSON_NAME})
            with archive.open(info) as entry:
                content = json.load(entry)
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as exc:
        raise TransferError(
            _("%(file)s is not a zip file that can be read.") % {"file": path.name}
        ) from exc
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, or nested without end
        raise TransferError(
            _("The %(json)s in %(file)s is damaged: it is not valid JSON.")
            % {"json": JSON_NAME, "file": path.name}
        ) from exc
    return checked_envelope(content)


def checked_envelope(content: Any) -> dict[str, Any]:
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise TransferError(_("This file is not a Funnel export."))
    version = content.get("version")
    if type(version) is not int or version != VERSION:
        raise TransferError(
            _(
                "This export was written in format version %(version)s, which this Funnel "
                "does not know (it reads version %(known)s): update Funnel, then import it."
            )
            % {"version": version, "known": VERSION}
        )
    records = content.get("records")
    if not isinstance(records, dict):
        raise TransferError(_("This Funnel export has no records."))
    for name, rows in records.items():
        if name not in BY_NAME:
            raise TransferError(_("This Funnel export has records of an unknown kind: %s.") % name)
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise TransferError(_("The %s of this Funnel export are damaged.") % name)
    return content


def record_id(kind: Kind, record: dict[str, Any]) -> int:
    value = record.get("id")
    if type(value) is not int or value < 1:
        raise TransferError(
            _("A record of %(kind)s has no id, or an id that is not a number.")
            % {"kind": kind.name}
        )
    return value


# Columns a later Funnel added to a kind: an older export lacks them, and they take their default.
ADDED_LATER: dict[str, set[str]] = {"profiles": {*EMAIL_SETTINGS, *INCOME_TARGET}}


def check_columns(kind: Kind, record: dict[str, Any]) -> None:
    """Every column, and nothing else: a value Funnel has no place for must not be dropped.
    Only the columns added since the first export may be missing."""
    optional = ADDED_LATER.get(kind.name, set())
    if not set(kind.columns) - optional <= set(record) <= set(kind.columns):
        missing = sorted(set(kind.columns) - set(record))
        extra = sorted(set(record) - set(kind.columns))
        raise TransferError(
            _("%(kind)s %(id)s has the wrong columns (missing: %(missing)s; unknown: %(extra)s).")
            % {
                "kind": kind.name,
                "id": record.get("id"),
                "missing": ", ".join(missing) or "-",
                "extra": ", ".join(extra) or "-",
            }
        )


def field_value(kind: Kind, record: dict[str, Any], column: str) -> Any:
    """The column's value as its model field stores it, checked as a form would check it
    (except the sane date range: a date stored at the edge is restored as it was)."""
    field = kind.model._meta.get_field(column)
    assert isinstance(field, models.Field)
    raw = record[column]
    try:
        if raw is None:
            if not field.null:
                raise ValidationError(_("This field cannot be empty."))
            return None
        value = parsed(field, raw)
        field.validate(value, None)
        if value not in field.empty_values:  # as Field.run_validators: "" is no bad address
            for validator in field.validators:
                if validator is not validate_in_range:
                    validator(value)
    except ValidationError as exc:
        problem = " ".join(exc.messages)
    except (TypeError, ValueError, ArithmeticError):
        problem = _("%(value)r is not a value this field can hold.") % {"value": raw}
    else:
        return value
    raise TransferError(
        _("%(kind)s %(id)s, %(column)s: %(problem)s")
        % {"kind": kind.name, "id": record["id"], "column": column, "problem": problem}
    )


def parsed(field: models.Field[Any, Any], raw: Any) -> Any:
    if isinstance(field, models.DateTimeField):
        moment = datetime.datetime.fromisoformat(text(raw))
        if moment.tzinfo is None:
            raise ValidationError(_("A moment without its time zone."))
        return moment
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat(text(raw))
    if isinstance(field, models.TimeField):
        return datetime.time.fromisoformat(text(raw))
    if isinstance(field, models.DecimalField):
        if isinstance(raw, bool | float):
            raise ValueError("a decimal is written as a string")
        return decimal.Decimal(text(raw) if not isinstance(raw, int) else raw)
    if isinstance(field, models.BooleanField):
        if not isinstance(raw, bool):
            raise ValueError("not a boolean")
        return raw
    if isinstance(field, models.IntegerField):
        # The column's range on any database: SQLite would store a small integer of any size.
        low, high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
        if type(raw) is not int or not low <= raw <= high:
            raise ValueError("not a whole number in range")
        return raw
    if isinstance(field, models.JSONField):
        return raw
    return text(raw)


def text(raw: Any) -> str:
    if not isinstance(raw, str) or "\x00" in raw:  # PostgreSQL keeps no NUL in text
        raise ValueError("not text")
    return raw
