"""Writing many new rows fast: ids handed out before the rows are written, and one INSERT
statement run for all of them.

Django's bulk_create builds each value through its field (about 5 µs a value) and needs model
instances (about 40 µs each): most of a large import's time. An import knows its columns, so it
builds plain tuples and lets the database driver run one statement for all of them. Ids come
first so a person can point at the organisation made two rows earlier before either is written.
"""

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.utils import timezone

ID_BLOCK = 2000


class IdPool:
    """New ids for one table, inside the import's transaction.

    SQLite: the import's first write took the database's write lock, so no one else adds rows
    until it commits and counting on from the largest id is safe. PostgreSQL: the table's own
    sequence, a block at a time. A preview writes nothing and counts down from -1, so its new
    records never look like saved ones.
    """

    def __init__(self, model: type[models.Model], *, write: bool) -> None:
        self.table = model._meta.db_table
        self.write = write
        self.free: list[int] = []
        self.last: int | None = None

    def take(self) -> int:
        if not self.write:
            self.last = (self.last or 0) - 1
            return self.last
        if connection.vendor == "postgresql":
            if not self.free:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                        "FROM generate_series(1, %s)",
                        [self.table, ID_BLOCK],
                    )
                    self.free = [row[0] for row in reversed(cursor.fetchall())]
            return self.free.pop()
        if self.last is None:
            with connection.cursor() as cursor:
                quoted = connection.ops.quote_name(self.table)
                cursor.execute(f"SELECT MAX(id) FROM {quoted}")  # a table name
                self.last = cursor.fetchone()[0] or 0
        self.last += 1
        return self.last


def converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a Python value of the field goes to the database driver (None: as it is)."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    return None


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT the rows (attname -> value); columns they leave out take the field's default,
    `auto_now` ones the present moment. Rows without an "id" get one from the database."""
    if not rows:
        return
    now = timezone.now()
    fields = [
        field for field in model._meta.concrete_fields if not field.primary_key or "id" in rows[0]
    ]
    defaults = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:  # the field's default, "" for text, None where it may be null
            defaults[field.attname] = field.get_default()
    names = [field.attname for field in fields]
    convert = {
        field.attname: function for field in fields if (function := converter(field)) is not None
    }
    # The defaults are the same for every row: converted once.
    ready = {
        name: value if value is None or name not in convert else convert[name](value)
        for name, value in defaults.items()
    }
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    in_order = itemgetter(*names)
    params = []
    for row in rows:
        converted = {
            name: convert[name](value)
            for name, value in row.items()
            if name in convert and value is not None
        }
        params.append(in_order({**ready, **row, **converted}))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", params)
