"""Sums over the money records of each funding period (or tranche), as subqueries: no join multiplies the rows.

Shared by the finance rules and the reports, so that "committed" and "spent" mean the same everywhere.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import DecimalField, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from programme_tracker.finance.models import Commitment, Expenditure
from programme_tracker.portfolio.models import SECURED_FUNDING_STATUSES

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


def find_spending(scope: Q, programme_statuses, near_share: Decimal, low_share: Decimal, ending) -> list[dict]:
    """Secured funding periods (of programmes with these statuses, expenditure matching `scope`) whose reported
    spending is at least `near_share` of what was committed, or below `low_share` of it while the period ends
    within `ending` (first, last day): with `committed`, `spent`, `reported_until` and the period's facts.

    One query, from the finance side: the expenditure is summed per funding period first (an index-only scan), and
    only those periods are joined and get their commitments summed; a period without expenditure can trigger
    neither rule. The database picks the candidates with a little slack (its arithmetic may be binary on SQLite);
    the rules decide exactly, in Decimal.
    """
    try:
        spent_sql, spent_params = (
            Expenditure.objects.filter(scope).order_by().values("funding_period_id")
            .annotate(spent=Sum("amount"), reported_until=Max("period_end"))
            .values_list("funding_period_id", "spent", "reported_until").query.sql_with_params()
        )
    except EmptyResultSet:  # no programmes to look at (an empty scope)
        return []
    mysql = connection.vendor == "mysql"
    # MariaDB: sum the expenditure once for all periods, then join in the order written (left to itself, it sums
    # per joined period: "split materialized", several times slower), and filter with HAVING (a wrapping SELECT
    # would be merged into this one, evaluating the commitments' subquery once per condition). SQLite before 3.39
    # has no HAVING without GROUP BY.
    sql = (_SPENDING_SQL + ("HAVING" if mysql else ") candidates WHERE") + _CANDIDATES).format(
        spent=spent_sql, straight="STRAIGHT_JOIN" if mysql else "",
        wrap="SET STATEMENT optimizer_switch='split_materialized=off' FOR" if mysql else "SELECT * FROM (",
        end=connection.ops.quote_name("end"),
        secured=", ".join(["%s"] * len(SECURED_FUNDING_STATUSES)), running=", ".join(["%s"] * len(programme_statuses)),
    )
    slack = Decimal("0.0001")
    # Anything above the commitment is overspent, whatever the warning share.
    params = [*spent_params, *SECURED_FUNDING_STATUSES, *programme_statuses, min(near_share, 1) - slack, *ending,
              low_share + slack]
    columns = ("pk", "spent", "reported_until", "code", "programme_id", "end", "currency", "committed")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["spent"], row["committed"] = cents(row["spent"]), cents(row["committed"])
        row["reported_until"], row["end"] = as_date(row["reported_until"]), as_date(row["end"])
    return rows


_SPENDING_SQL = """{wrap}
    SELECT {straight} money.funding_period_id, money.spent, money.reported_until, period.code, period.programme_id,
           period.{end}, period.currency,
           COALESCE((SELECT SUM(commitment.amount) FROM finance_commitment commitment
                     WHERE commitment.funding_period_id = money.funding_period_id), period.amount) AS committed
    FROM ({spent}) money
    JOIN portfolio_fundingperiod period ON period.id = money.funding_period_id
    JOIN portfolio_programme programme ON programme.id = period.programme_id
    WHERE period.status IN ({secured}) AND programme.status IN ({running})
"""
_CANDIDATES = """
(spent > 0 AND spent >= committed * %s) OR ({end} BETWEEN %s AND %s AND committed > 0 AND spent < committed * %s)
"""


def cents(value) -> Decimal:
    """A sum from the database as Decimal cents (SQLite sums decimals in binary: 0.30000000000000004 is 0.30)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def as_date(value):
    """A date from raw SQL (SQLite returns text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value
