"""Money in the desk: each record kind on its own page, and as rows on the funding period and programme pages.

The portfolio's funding period and programme pages are extended here (re-registered with the finance rows added),
so that the portfolio module does not depend on the finance module; the money panel is in panels.py.
"""

from django.contrib import admin
from unfold.contrib.filters.admin import RangeDateFilter

from programme_tracker.core.admin import VersionedHistoryAdmin, VersionedTabularInline, amount_column
from programme_tracker.finance.models import BudgetLine, Commitment, Expenditure, Payment, ReportDue, Tranche
from programme_tracker.portfolio.admin import FundingPeriodAdmin, ProgrammeAdmin
from programme_tracker.portfolio.models import FundingPeriod, Programme


class FinanceInline(VersionedTabularInline):
    """A money row on the funding period's page."""

    extra = 0
    show_change_link = True
    # A foreign key to a record that must belong to the same funding period (offer only those).
    same_period_field: str | None = None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.same_period_field:
            period_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = db_field.related_model.objects.filter(funding_period_id=period_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CommitmentInline(FinanceInline):
    model = Commitment
    fields = ["reference", "decided_on", "amount", "currency", "conditions"]


class ReportDueInline(FinanceInline):
    model = ReportDue
    fields = ["kind", "title", "due_on", "received_on", "approved_on"]


class TrancheInline(FinanceInline):
    model = Tranche
    fields = ["planned_on", "amount", "currency", "requires_report"]
    same_period_field = "requires_report"


class PaymentInline(FinanceInline):
    model = Payment
    fields = ["paid_on", "amount", "currency", "tranche", "reference"]
    same_period_field = "tranche"


class ExpenditureInline(FinanceInline):
    model = Expenditure
    fields = ["organisation", "period_start", "period_end", "category", "amount", "currency"]
    autocomplete_fields = ["organisation"]


class BudgetLineInline(FinanceInline):
    model = BudgetLine
    fields = ["fiscal_year", "kind", "status", "amount", "currency", "revised_on"]


admin.site.unregister(FundingPeriod)


@admin.register(FundingPeriod)
class FundingPeriodWithMoneyAdmin(FundingPeriodAdmin):
    """The funding period with its commitments, reports due, tranches, payments and expenditure."""

    inlines = [*FundingPeriodAdmin.inlines, CommitmentInline, ReportDueInline, TrancheInline, PaymentInline,
               ExpenditureInline]


admin.site.unregister(Programme)


@admin.register(Programme)
class ProgrammeWithBudgetAdmin(ProgrammeAdmin):
    """The programme with its budget lines per year (the money per funding period is a panel: panels.py)."""

    inlines = [*ProgrammeAdmin.inlines, BudgetLineInline]


class MoneyAdmin(VersionedHistoryAdmin):
    """A money record on its own page: searchable by funding period and programme code."""

    list_select_related = ["funding_period", "funding_period__programme"]
    search_fields = ["funding_period__code", "funding_period__programme__code"]
    autocomplete_fields = ["funding_period"]


@admin.register(BudgetLine)
class BudgetLineAdmin(VersionedHistoryAdmin):
    """Budget lines per programme and fiscal year."""

    list_display = ["programme", "fiscal_year", "kind", "status", "amount_shown", "currency", "revised_on"]
    amount_shown = amount_column()
    list_filter = ["fiscal_year", "kind", "status", "programme__area",
                   ("programme__lead_ministry", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["programme"]
    search_fields = ["programme__code", "programme__name"]
    autocomplete_fields = ["programme"]
    list_before_template = "finance/list_links.html"


@admin.register(Commitment)
class CommitmentAdmin(MoneyAdmin):
    """Funding decisions behind funding periods."""

    list_display = ["reference", "funding_period", "decided_on", "amount_shown", "currency"]
    amount_shown = amount_column()
    list_filter = [("decided_on", RangeDateFilter)]
    search_fields = [*MoneyAdmin.search_fields, "reference"]


@admin.register(ReportDue)
class ReportDueAdmin(MoneyAdmin):
    """Progress and financial reports: due, received, approved."""

    list_display = ["title", "funding_period", "kind", "due_on", "received_on", "approved_on"]
    list_filter = ["kind", ("due_on", RangeDateFilter), ("received_on", admin.EmptyFieldListFilter)]


@admin.register(Tranche)
class TrancheAdmin(MoneyAdmin):
    """Planned disbursements."""

    list_display = ["funding_period", "planned_on", "amount_shown", "currency", "requires_report"]
    amount_shown = amount_column()
    list_filter = [("planned_on", RangeDateFilter)]


@admin.register(Payment)
class PaymentAdmin(MoneyAdmin):
    """Money paid out."""

    list_display = ["funding_period", "paid_on", "amount_shown", "currency", "tranche", "reference"]
    amount_shown = amount_column()
    list_filter = [("paid_on", RangeDateFilter)]
    search_fields = [*MoneyAdmin.search_fields, "reference"]
    list_before_template = "finance/list_links.html"


@admin.register(Expenditure)
class ExpenditureAdmin(MoneyAdmin):
    """Spending reported by the implementing organisations."""

    list_display = ["funding_period", "organisation", "period_start", "period_end", "category", "amount_shown",
                    "currency"]
    amount_shown = amount_column()
    list_filter = ["category", ("organisation", admin.RelatedOnlyFieldListFilter), ("period_start", RangeDateFilter)]
    autocomplete_fields = ["funding_period", "organisation"]
    list_before_template = "finance/list_links.html"
