"""Rule on upkeep: stale-record (DESIGN.md rule 7)."""

from datetime import timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy, gettext_noop

from programme_tracker.continuity.choices import Severity
from programme_tracker.continuity.messages import say
from programme_tracker.continuity.rules.base import Finding, Rule, register
from programme_tracker.continuity.rules.funding import label
from programme_tracker.portfolio import periods
from programme_tracker.portfolio.models import Programme, ProgrammeStatus


@register
class StaleRecord(Rule):
    """An active programme whose record nobody has reviewed for more than the set number of months."""

    name = "stale-record"
    title = gettext_lazy("Stale record")
    description = (
        "An active programme never reviewed, or whose last review plus the set number of months (6) is before the "
        "reference date."
    )

    def findings(self, ctx):
        months = ctx.limits.stale_after_months
        # Month lengths differ, so the query takes a few days more than needed and the exact test is below.
        roughly = periods.add_months(ctx.today, -months) + timedelta(days=3)
        rows = Programme.objects.filter(ctx.in_scope(), status=ProgrammeStatus.ACTIVE).filter(
            Q(last_reviewed__isnull=True) | Q(last_reviewed__lt=roughly)
        ).order_by().values_list("id", "code", "name", "last_reviewed")
        for programme_id, code, name, reviewed in rows:
            if reviewed is None:
                key, due = "never", None
                message = say(gettext_noop(
                    "This active programme has never been reviewed. Review the record and set the date."))
            else:
                due = periods.add_months(reviewed, months)
                if due >= ctx.today:
                    continue
                key = due.isoformat()
                message = say(gettext_noop(
                    "Last reviewed on %(reviewed)s; a review was due by %(due)s. Check owner, dates, funding and "
                    "recommendations, then set the review date."
                ), reviewed=reviewed, due=due)
            yield Finding(
                rule=self.name, subject_key=f"programme:{programme_id}", subject_label=label(code, name), key=key,
                key_date=due, severity=Severity.INFO, programme_id=programme_id, message_data=[message],
            )
