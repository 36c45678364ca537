"""What continuity adds to the programme's page: the alerts still open about it, most urgent first."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from programme_tracker.continuity.choices import ACTIVE_STATES, SEVERITY_ORDER
from programme_tracker.portfolio.models import Programme
from programme_tracker.portfolio.panels import Panel, register_panel


def open_alerts(programme: Programme) -> dict:
    """The programme's open and acknowledged alerts, most urgent and soonest first."""
    alerts = sorted(programme.alerts.filter(state__in=ACTIVE_STATES),
                    key=lambda alert: (SEVERITY_ORDER.index(alert.severity), alert.key_date or date.max))
    return {"alerts": alerts}


def register() -> None:
    """Put the open alerts at the top of the programme's page."""
    register_panel(Panel("open-alerts", _("Open alerts"), "continuity/panels/open_alerts.html", open_alerts,
                         order=-20, permission="continuity.view_alert"))
