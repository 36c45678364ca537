"""Sums over the money records of each funding period (or tranche), as subqueries: no join multiplies the rows.

Shared by the finance rules and the reports, so that "committed" and "spent" mean the same everywhere.
"""

from decimal import Decimal

from django.db.models import DecimalField, F, Max, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from programme_tracker.finance.models import Commitment, Expenditure

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))


def per(model, through="funding_period"):
    """The rows of `model` belonging to the outer funding period (or tranche), grouped by it."""
    return model.objects.filter(**{through: OuterRef("pk")}).order_by().values(through)


def total(model, through="funding_period", default=ZERO):
    """The sum of `model.amount` per funding period (or tranche); `default` where there are no rows."""
    return Coalesce(Subquery(per(model, through).annotate(total=Sum("amount")).values("total")), default)


def with_committed_and_spent(periods):
    """Funding periods with `committed` (the sum of their commitments or, without any, their own amount), `spent`
    (the reported expenditure) and `reported_until` (the end of the last reported month or quarter)."""
    return periods.annotate(
        committed=total(Commitment, default=F("amount")),
        spent=total(Expenditure),
        reported_until=Subquery(per(Expenditure).annotate(last=Max("period_end")).values("last")),
    )
