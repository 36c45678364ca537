"""/health/ for monitoring and /health/live/ for load balancers: is the site able to do its work?

/health/ answers 200 when every check passes and 503 naming the one that fails: the database answers; Redis
answers where the site uses it; the daily scan ran within the last 26 hours; no e-mail and no webhook delivery
waits in its outbox for more than an hour past its time. /health/live/ answers 200 whenever the process serves
requests. Neither needs a log-in, and neither tells more than which check failed.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from programme_tracker.api.models import DeliveryState, WebhookDelivery
from programme_tracker.continuity.models import ScanState
from programme_tracker.notifications.models import EmailState, Notification

SCAN_AT_MOST = timedelta(hours=26)  # a daily scan, with two hours to spare
OUTBOX_AT_MOST = timedelta(hours=1)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return ""


def _redis() -> str:
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    return ""


def _scan() -> str:
    last = ScanState.objects.values_list("last_full_scan_at", flat=True).first()
    if last is None:
        return "no daily scan has run yet"
    if timezone.now() - last > SCAN_AT_MOST:
        return f"the last daily scan ran at {last.isoformat()}"
    return ""


def _outbox() -> str:
    late = timezone.now() - OUTBOX_AT_MOST
    stuck = Notification.objects.filter(Q(email_state=EmailState.PENDING, email_due_at__lt=late)
                                        | Q(email_state=EmailState.CLAIMED, claimed_at__lt=late)).count()
    return f"{stuck} e-mail(s) waiting more than an hour" if stuck else ""


def _webhooks() -> str:
    late = timezone.now() - OUTBOX_AT_MOST  # (a receiver that is down waits with a later due time: not counted)
    stuck = WebhookDelivery.objects.filter(Q(state=DeliveryState.PENDING, due_at__lt=late)
                                           | Q(state=DeliveryState.CLAIMED, claimed_at__lt=late)).count()
    return f"{stuck} webhook deliveries waiting more than an hour" if stuck else ""


CHECKS = {"database": _database, "redis": _redis, "daily scan": _scan, "outbox": _outbox, "webhooks": _webhooks}


@never_cache
@require_GET
def health_view(request):
    """Every check: 200 when all pass, otherwise 503 with what failed."""
    results = {}
    for name, check in CHECKS.items():
        if name == "redis" and not settings.REDIS_URL:
            continue  # the site does without Redis: nothing to check, and nothing to report as fine
        try:
            problem = check()
        except Exception as exc:  # noqa: BLE001  (any failure of a check is that check failing)
            problem = f"{type(exc).__name__}"
        results[name] = {"ok": not problem, **({"problem": problem} if problem else {})}
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": results}, status=200 if healthy else 503)


@never_cache
@require_GET
def live_view(request):
    """The process serves requests."""
    return JsonResponse({"status": "ok"})
