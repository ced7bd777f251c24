"""The email backend of the demo and of a Funnel without FUNNEL_EMAIL_URL: each email goes to
the log as its headers and plain text, so the digest can be read where the server prints."""

import sys
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

from django.core.mail.backends.console import EmailBackend
from django.core.mail.message import EmailMessage

SHOWN_HEADERS = ["Date", "From", "To", "Subject", "Message-ID"]


class LogBackend(EmailBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream", sys.stderr)
        super().__init__(*args, **kwargs)

    def write_message(self, message: EmailMessage) -> None:
        # The default policy decodes and unfolds headers: the log shows words, not =?utf-8?q?.
        parsed = message_from_bytes(message.message().as_bytes(), policy=policy.default)
        lines = [f"{name}: {str(parsed[name]).strip()}" for name in SHOWN_HEADERS if parsed[name]]
        lines += ["", plain_text(parsed)]
        lines += [
            f"[attached: {part.get_filename()}]" for part in parsed.walk() if part.get_filename()
        ]
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")


def plain_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    return ""
