"""A Letter out through Django's email backend (FUNNEL_EMAIL_URL), as the job's own message:
the same Message-ID on every attempt, so a message sent twice (a worker killed after the server
took it, before the row said so) folds into one in the reader's mail client."""

import hashlib
import smtplib
import ssl
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.translation import gettext as _

from funnel.assistant.letters import Letter, unsubscribe_url
from funnel.assistant.models import Job


def message_id(job: Job) -> str:
    """Made from the job alone, so every attempt at it carries the same one."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{job.key}".encode()).hexdigest()[:16]
    return f"<funnel.{job.pk}.{digest}@{domain}>"


def recipient(user: User) -> str:
    return formataddr((user.get_full_name(), user.email)) if user.get_full_name() else user.email


def one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def build_message(job: Job, letter: Letter, connection: BaseEmailBackend) -> EmailMultiAlternatives:
    assert job.user is not None  # every email job is someone's
    unsubscribe = unsubscribe_url(job.user.pk, job.kind)
    message = EmailMultiAlternatives(
        subject=one_line(letter.subject),
        body=letter.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient(job.user)],
        connection=connection,
        headers={
            "Message-ID": message_id(job),
            # RFC 8058: mail clients offer "Unsubscribe", which POSTs to the link.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    message.attach_alternative(letter.html, "text/html")
    for attachment in letter.attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message


def failure_reason(exc: BaseException) -> str:
    """What went wrong, in words the page "What Funnel sent" can show."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [
            f"{code} {text.decode(errors='replace')}" for code, text in exc.recipients.values()
        ]
        return _("The mail server refused the address: %(reply)s") % {"reply": "; ".join(codes)}
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        return _("The mail server answered %(code)s: %(reply)s") % {
            "code": exc.smtp_code,
            "reply": one_line(str(reply)),
        }
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _("The mail server closed the connection.")
    if isinstance(exc, ssl.SSLError):
        return _("The secure connection to the mail server failed: %(error)s") % {
            "error": one_line(str(exc))
        }
    if isinstance(exc, OSError):  # refused, unreachable, timed out, an unknown host
        return _("The mail server %(host)s:%(port)s could not be reached: %(error)s") % {
            "host": settings.EMAIL_HOST,
            "port": settings.EMAIL_PORT,
            "error": one_line(exc.strerror or str(exc)),
        }
    return one_line(f"{type(exc).__name__}: {exc}")
