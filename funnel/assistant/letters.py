"""What an email says, built before it is sent: the worker turns a Letter into a message."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.urls import reverse

UNSUBSCRIBE_SALT = "funnel.assistant.unsubscribe"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str
    attachments: list[Attachment] = field(default_factory=list)


def absolute(path: str) -> str:
    """A link for an email, which is read far from any request: FUNNEL_BASE_URL plus the path."""
    return settings.BASE_URL + path


def unsubscribe_token(user_id: int, kind: str) -> str:
    """Signed, so the link works without logging in and names only what it stops."""
    return signing.dumps({"user": user_id, "kind": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        found = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(found, dict):
        return None
    user, kind = found.get("user"), found.get("kind")
    if not isinstance(user, int) or not isinstance(kind, str):
        return None
    return user, kind


def unsubscribe_url(user_id: int, kind: str) -> str:
    return absolute(reverse("unsubscribe", args=[unsubscribe_token(user_id, kind)]))
