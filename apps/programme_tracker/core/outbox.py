"""Claiming rows of an outbox (e-mails, webhook deliveries) for one worker, so that two never take the same row."""

import uuid

from django.db.models import F, Q


def claim(model, due: Q, order: tuple[str, ...], limit: int, **marks) -> str | None:
    """Take up to `limit` due rows of `model` with one conditional UPDATE, setting `marks` (their claimed state and
    time), a fresh claim token and one more attempt; returns the token, or None when nothing was due."""
    ids = list(model.objects.filter(due).order_by(*order).values_list("pk", flat=True)[:limit])
    if not ids:
        return None
    token = uuid.uuid4().hex
    # The condition is checked again by the UPDATE itself: rows another worker took meanwhile are left alone.
    taken = model.objects.filter(due, pk__in=ids).update(claim_token=token, attempts=F("attempts") + 1, **marks)
    return token if taken else None
