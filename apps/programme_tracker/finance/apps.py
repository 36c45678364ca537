"""The finance module: budgets per year, commitments, tranches and payments, reports due, and expenditure."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    """Budget lines, commitments, tranches, payments, reports due and expenditure (IATI terms)."""

    name = "programme_tracker.finance"
    verbose_name = _("Finance")

    def ready(self):
        # Saving money records re-evaluates the programme's finance rules once the transaction commits.
        from programme_tracker.core import jobs as core_jobs
        from programme_tracker.finance import exchange, jobs, panels, receivers  # noqa: F401

        panels.register()  # committed, paid and spent on the programme's page

        # The money travels in the portfolio exchange as two sections of its own.
        exchange.register()
        # Uploads that are done with are removed by a scheduled job.
        core_jobs.register(jobs.PURGE)
