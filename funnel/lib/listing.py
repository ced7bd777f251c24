"""Search, sort and pagination for list pages, driven by the query string."""

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Func, Q, QuerySet
from django.db.models.expressions import BaseExpression, OrderBy
from django.http import HttpRequest

PAGE_SIZE = 25


class UnknownLast(Func):
    """Sort by a field with the rows that have no value last, whichever the direction, on every
    database (SQLite puts NULL first going up, PostgreSQL last)."""

    template = "%(expressions)s"

    def asc(self, **kwargs: Any) -> OrderBy:
        return super().asc(nulls_last=True)

    def desc(self, **kwargs: Any) -> OrderBy:
        return super().desc(nulls_last=True)


@dataclass
class Listing:
    page: Page[Any]
    query: str
    sort: str

    @property
    def is_filtered(self) -> bool:
        return bool(self.query)


def list_page(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    search_fields: list[str],
    sorts: dict[str, str | BaseExpression | list[str | BaseExpression]],
    default_sort: str,
) -> Listing:
    """Filter by ?q= over search_fields, order by ?sort= (a key of sorts, '-' for descending).

    A sort is a field name or an expression, such as Lower("name") to ignore case.
    """
    query = request.GET.get("q", "").strip()
    if query:
        terms = [Q(**{f"{field}__icontains": query}) for field in search_fields]
        queryset = queryset.filter(reduce(or_, terms))
        if any("__" in field for field in search_fields):
            queryset = queryset.distinct()  # a match in two related rows is still one result
    sort = request.GET.get("sort", default_sort)
    key = sort.removeprefix("-")
    if key not in sorts:
        sort, key = default_sort, default_sort.removeprefix("-")
    chosen = sorts[key]
    fields = chosen if isinstance(chosen, list) else [chosen]
    descending = sort.startswith("-")
    queryset = queryset.order_by(*[_order(field, descending) for field in [*fields, "pk"]])
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return Listing(page=page, query=query, sort=sort)


def _order(field: str | BaseExpression, descending: bool) -> str | OrderBy:
    if isinstance(field, str):
        return f"-{field}" if descending else field
    return field.desc() if descending else field.asc()
