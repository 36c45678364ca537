"""The audit record: log-ins (from Django's signals), exports and imports (the modules that do them call record)."""

from __future__ import annotations

import getpass

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from programme_tracker.core.models import AuditEvent, refused_characters
from programme_tracker.core.network import client_address


def _clean(text: str, limit: int) -> str:
    """Text for one line of the record: no control characters (a typed user name can hold anything)."""
    text = " ".join(str(text).split())
    return "".join("?" if refused_characters(char) else char for char in text)[:limit]


def command_line() -> str:
    """Who runs a management command, as the audit record names them: the system account of the shell."""
    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):  # no name for the process's user id (a bare container)
        return "command line"


def record(kind: str, *, user=None, username: str = "", detail: str = "", request=None) -> AuditEvent:
    """Write one audit record (in the caller's transaction, so a rolled-back import leaves none)."""
    name = username or (user.get_username() if user is not None and user.is_authenticated else "")
    return AuditEvent.objects.create(
        at=timezone.now(), user=user if user is not None and user.is_authenticated else None,
        username=_clean(name, 150), kind=kind, detail=_clean(detail, 300),
        address=client_address(request) if request is not None else None)


@receiver(user_logged_in, dispatch_uid="audit-log-in")
def _logged_in(sender, request, user, **kwargs):
    record(AuditEvent.Kind.LOG_IN, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit-log-out")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditEvent.Kind.LOG_OUT, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit-log-in-failed")
def _log_in_failed(sender, credentials, request=None, **kwargs):
    record(AuditEvent.Kind.LOG_IN_FAILED, username=str(credentials.get("username", "")), request=request)
