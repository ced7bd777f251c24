"""A real SMTP server for the tests (aiosmtpd), counting what it receives, which can be told to
refuse (4xx, 5xx) or to hold a message until the test lets it go."""

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pytest_django import Settings


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)
    # What the server answers instead of accepting, while set: "451 4.3.0 Try again later".
    refuse_with: str = ""
    # Set, it makes the server wait in the middle of each message until `release` is set.
    hold: threading.Event | None = None
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_with:
            return self.refuse_with
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        with self.lock:
            self.messages.append(email.message_from_bytes(content, policy=email.policy.default))
        if self.hold is not None:
            self.hold.set()
            # In the server's thread: the client waits for the reply as long as we hold it.
            self.release.wait(30)
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(message["Message-ID"]) for message in self.messages]

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        box.release.set()
        controller.stop()


@pytest.fixture
def smtp(settings: Settings, mailbox: Mailbox) -> Mailbox:
    """Django sends through the real SMTP backend to the test's server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = mailbox.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    return mailbox
