"""Path converters that refuse what the database can't take, so a bad address is a 404.

Django's `int` takes any number of digits: `/opportunities/99999999999999999999999/` would
reach the database and overflow it (a 500). Ids here have at most 18 digits, which fits the
64-bit integers SQLite and PostgreSQL store; a calendar token is the URL-safe text
`secrets.token_urlsafe` makes, so a NUL byte or a slash never gets near a query.
"""

from django.urls import register_converter

from funnel.lib.bounds import ID_PATTERN


class IdConverter:
    regex = ID_PATTERN.pattern

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class TokenConverter:
    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register() -> None:
    register_converter(IdConverter, "id")
    register_converter(TokenConverter, "token")
