"""What finance adds to the programme's page: committed, paid and spent per funding period."""

from django.utils.translation import gettext_lazy as _

from programme_tracker.finance.models import Payment
from programme_tracker.finance.sums import total, with_committed_and_spent
from programme_tracker.portfolio.models import Programme
from programme_tracker.portfolio.panels import Panel, register_panel


def money(programme: Programme) -> dict:
    """The programme's funding periods in date order, each with what is committed, paid and spent."""
    return {"periods": with_committed_and_spent(programme.funding_periods.order_by("start")).annotate(
        paid=total(Payment))}


def register() -> None:
    """Put the money just below the open alerts on the programme's page."""
    register_panel(Panel("money", _("Money"), "finance/panels/money.html", money, order=-10,
                         permission="finance.view_budgetline"))
