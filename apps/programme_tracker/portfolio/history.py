"""The change log of one programme: its own history merged with that of its funding periods and links."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from programme_tracker.portfolio.models import (
    FundingPeriod,
    Programme,
    ProgrammeOrganisation,
    ProgrammeRecommendation,
)

HISTORY_TYPES = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass(frozen=True)
class Change:
    """One historical save: what record, who, when, and each field's value before and after."""

    when: datetime
    who: str
    record: str
    action: str
    fields: tuple[tuple[str, str, str], ...]  # (field label, before, after)


def _displayer(fields, rows):
    """A function showing a stored value as people read it: choice labels, related records by name."""
    labels = {}
    for field in fields:
        if field.choices:
            labels[field.attname] = {value: str(label) for value, label in field.flatchoices}
        elif field.is_relation:
            ids = {getattr(row, field.attname) for row in rows} - {None}
            related = field.related_model._base_manager.in_bulk(ids) if ids else {}
            labels[field.attname] = {pk: str(obj) for pk, obj in related.items()}

    def display(field, value):
        if value is None or value == "":
            return ""
        return labels.get(field.attname, {}).get(value, str(value))

    return display


def _diff_rows(rows, label_of, fields, display):
    """Turn one record's history rows (oldest first) into Changes, comparing each row with the one before."""
    previous = None
    for row in rows:
        changed = []
        for field in fields:
            after = getattr(row, field.attname)
            before = getattr(previous, field.attname) if previous is not None else None
            if previous is None and row.history_type == "+":
                if after not in (None, ""):
                    changed.append((str(field.verbose_name), "", display(field, after)))
            elif previous is not None and before != after:
                changed.append((str(field.verbose_name), display(field, before), display(field, after)))
        user = row.history_user.get_username() if row.history_user_id else ""
        yield Change(row.history_date, user, label_of(row), HISTORY_TYPES[row.history_type], tuple(changed))
        previous = row


def _tracked_fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in {"id", "version"}]


def programme_change_log(programme: Programme, limit: int = 50) -> list[Change]:
    """The newest changes to a programme, its funding periods and its links, newest first.

    A bounded number of queries: one per source, plus one per related model shown by name.
    """
    sources = [
        (Programme.history.filter(id=programme.pk), lambda r: str(Programme._meta.verbose_name), Programme),
        (FundingPeriod.history.filter(programme_id=programme.pk),
         lambda r: f"{FundingPeriod._meta.verbose_name} {r.code}", FundingPeriod),
        (ProgrammeRecommendation.history.filter(programme_id=programme.pk).select_related("recommendation"),
         lambda r: f"{ProgrammeRecommendation._meta.verbose_name} {r.recommendation.code}",
         ProgrammeRecommendation),
        (ProgrammeOrganisation.history.filter(programme_id=programme.pk).select_related("organisation"),
         lambda r: f"{ProgrammeOrganisation._meta.verbose_name} {r.organisation.short_name}",
         ProgrammeOrganisation),
    ]
    changes: list[Change] = []
    for queryset, label_of, model in sources:
        rows = list(queryset.select_related("history_user").order_by("id", "history_date", "history_id"))
        by_record: dict[int, list] = {}
        for row in rows:
            by_record.setdefault(row.id, []).append(row)
        fields = [f for f in _tracked_fields(model) if f.name != "programme"]
        display = _displayer(fields, rows)
        for record_rows in by_record.values():
            changes.extend(_diff_rows(record_rows, label_of, fields, display))
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]
