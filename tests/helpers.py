"""Small helpers the test modules share."""

import atexit
import shutil
import tempfile
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from django.test import Client
from django.test.client import ClientHandler
from django.test.signals import setting_changed

if TYPE_CHECKING:
    # What the test client answers: a response with the request's context and templates.
    from django.test.client import _MonkeyPatchedWSGIResponse as Response
else:
    from django.http import HttpResponse as Response

__all__ = ["Clock", "Response", "child_environment", "new_client", "present"]

T = TypeVar("T")


class Clock:
    """A clock a test sets by hand (the worker's `clock`): `clock.at = later` moves time."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def present(value: T | None) -> T:
    """The value, which the test expects to be there (an optional field, a `.first()`)."""
    assert value is not None
    return value


# Building the middleware takes about 15 ms (WhiteNoise indexes every static file), and Django's
# test client builds it again for each new client, so once per test. The clients share one
# handler instead, as the requests of a server process do, built again when a test changes a
# setting (some middleware reads settings when it is built).
_handlers: dict[bool, ClientHandler] = {}
# No middleware reads the hashers, which every test sets (conftest.fast_password_hashing).
_NOT_READ_BY_MIDDLEWARE = {"PASSWORD_HASHERS"}


def _forget_the_handlers(*, setting: str, **kwargs: object) -> None:
    if setting not in _NOT_READ_BY_MIDDLEWARE:
        _handlers.clear()


setting_changed.connect(_forget_the_handlers, dispatch_uid="tests.helpers.forget_the_handlers")


def new_client(
    *, enforce_csrf_checks: bool = False, raise_request_exception: bool = True
) -> Client:
    """A client of its own (cookies, session, signed-in user) on the shared handler."""
    client = Client(
        enforce_csrf_checks=enforce_csrf_checks, raise_request_exception=raise_request_exception
    )
    handler = _handlers.get(enforce_csrf_checks)
    if handler is None:
        handler = ClientHandler(enforce_csrf_checks)
        handler.load_middleware()  # now, not on the first request: clients in threads share it
        _handlers[enforce_csrf_checks] = handler
    client.handler = handler
    return client


_bytecode_cache: list[str] = []


def child_environment(environment: Mapping[str, str]) -> dict[str, str]:
    """The environment for a fresh Python process (`python -m funnel.cli`, `manage.py`).

    Where writing bytecode is turned off (PYTHONDONTWRITEBYTECODE), each child compiles every
    module of Django and Funnel again, about 1.5 s each time: the children of this test run
    share a cache in a temporary folder instead (PYTHONPYCACHEPREFIX), so no .pyc file lands in
    the project. Elsewhere the environment is left as it is.
    """
    child = dict(environment)
    if child.pop("PYTHONDONTWRITEBYTECODE", ""):
        if not _bytecode_cache:
            folder = tempfile.mkdtemp(prefix="funnel-tests-pycache-")
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            _bytecode_cache.append(folder)
        child["PYTHONPYCACHEPREFIX"] = _bytecode_cache[0]
    return child
