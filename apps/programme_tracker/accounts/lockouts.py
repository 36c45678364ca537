"""Log-in lockouts (django-axes): where a log-in comes from, which counts lock out now, and clearing them."""

import unicodedata
from collections.abc import Iterable
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.utils import reset
from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone


def attempted_username(request, credentials=None) -> str:
    """The user name a log-in tried, as the lockout counts it (settings.AXES_USERNAME_CALLABLE): without case,
    accents or width differences. MariaDB's collation finds the account `coord2` for `COORD2` or `Coörd2` too, so
    each spelling must count against the same account, not get five tries of its own."""
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = request.POST.get("username", "")
    decomposed = unicodedata.normalize("NFKD", str(name or "").strip())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def lockout_period():
    """How long failed log-ins count: `login_lockout_minutes` after each."""
    return settings.AXES_COOLOFF_TIME


def current_attempts(model=AccessAttempt) -> QuerySet:
    """The counts of failed log-ins that still count, each with the totals for its user name and for its address
    (either total reaching `login_failure_limit` locks out, as django-axes decides); `model` may be a proxy."""
    since = timezone.now() - lockout_period()
    counting = model.objects.filter(attempt_time__gte=since)

    def total(field):
        same = counting.filter(**{field: OuterRef(field)}).order_by().values(field)
        return Coalesce(Subquery(same.annotate(n=Sum("failures_since_start")).values("n")[:1]), Value(0))

    return counting.annotate(user_failures=total("username"), address_failures=total("ip_address"))


def is_locked_out(attempt) -> bool:
    """Whether an annotated attempt (current_attempts) locks its user name or its address out now."""
    limit = settings.AXES_FAILURE_LIMIT
    return attempt.user_failures >= limit or attempt.address_failures >= limit


@transaction.atomic
def clear_lockouts(attempts: Iterable) -> int:
    """Forget the failed log-ins of the given attempts' user names and of their addresses, so that both may log in
    again at once; returns how many counts were removed."""
    removed = 0
    for username, address in {(attempt.username, attempt.ip_address) for attempt in attempts}:
        removed += reset(ip=address, username=username, ip_or_username=True)
    return removed


def forget_old_log_in_records(now) -> int:
    """Delete django-axes' records of log-ins and failed log-ins older than `keep_audit_days` (the audit record's
    retention; core/retention.py runs this daily). Attempts that still count towards a lockout are kept."""
    cutoff = now - timedelta(days=settings.RETENTION["keep_audit_days"])
    deleted = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    deleted += AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    return deleted + AccessAttempt.objects.filter(attempt_time__lt=min(cutoff, now - lockout_period())).delete()[0]
