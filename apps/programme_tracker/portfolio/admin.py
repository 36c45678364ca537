"""The portfolio in the desk: thin admin classes; rules live on the models, actions in services."""

from datetime import timedelta

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.views import ChangeList

from programme_tracker.core.admin import (
    HistoryAdmin,
    ListFilter,
    TabularInline,
    VersionedHistoryAdmin,
    VersionedTabularInline,
    amount_column,
)
from programme_tracker.portfolio.models import (
    SECURED_FUNDING_STATUSES,
    FundingPeriod,
    Organisation,
    Programme,
    ProgrammeOrganisation,
    ProgrammeRecommendation,
    Recommendation,
    SourceReport,
)
from programme_tracker.portfolio.models.choices import OrganisationKind
from programme_tracker.portfolio.models.recommendations import REPORT_ORDER
from programme_tracker.portfolio.panels import WithPanels
from programme_tracker.portfolio.runs import secured_until_on


@admin.register(Organisation)
class OrganisationAdmin(VersionedHistoryAdmin):
    """Ministries, agencies and partners."""

    list_display = ["short_name", "name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["short_name", "name"]
    fields = ["short_name", "name", "kind", "active", "contacts"]
    filter_horizontal = ["contacts"]


@admin.register(SourceReport)
class SourceReportAdmin(HistoryAdmin):
    """Reports whose recommendations are tracked."""

    list_display = ["code", "title", "published"]
    search_fields = ["code", "title"]


class RecommendationProgrammeInline(TabularInline):
    """The programmes implementing a recommendation, seen from the recommendation."""

    model = ProgrammeRecommendation
    fields = ["programme", "note"]
    autocomplete_fields = ["programme"]
    extra = 0
    verbose_name = _("implementing programme")
    verbose_name_plural = _("implementing programmes")


@admin.register(Recommendation)
class RecommendationAdmin(WithPanels, VersionedHistoryAdmin):
    """The recommendations and the government's response; coverage shown as a count of programmes."""

    list_display = ["code", "text_start", "area", "government_response", "programme_count"]
    list_filter = ["area", "government_response", "source_report"]
    search_fields = ["code", "text"]
    fields = ["code", "source_report", "area", "number", "text", "government_response", "response_note"]
    inlines = [RecommendationProgrammeInline]
    panels_on = "recommendation"  # the task force's decisions, actions and agenda items

    def get_ordering(self, request):
        return ["source_report__code", REPORT_ORDER, "number"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(programme_total=Count("programme_links"))

    @admin.display(description=_("programmes"), ordering="programme_total")
    def programme_count(self, recommendation):
        return recommendation.programme_total

    @admin.display(description=_("text"), ordering="text")
    def text_start(self, recommendation):
        return recommendation.short_text


class FundingEndFilter(ListFilter):
    """Filter programmes by their secured-until today (DESIGN.md: the end of the unbroken secured run containing
    today), or by why they have none."""

    title = _("secured funding ends")
    parameter_name = "funding_ends"

    def lookups(self, request, model_admin):
        return [
            ("90", _("within 3 months")),
            ("180", _("within 6 months")),
            ("365", _("within 12 months")),
            ("later", _("after 12 months")),
            ("gap", _("not secured today, secured funding to come")),
            ("ended", _("already ended")),
            ("none", _("never secured")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        today = timezone.localdate()
        if value in {"90", "180", "365", "later"}:
            untils = secured_until_on(today)
            if value == "later":
                ids = [pid for pid, until in untils.items() if until > today + timedelta(days=365)]
            else:
                ids = [pid for pid, until in untils.items() if until <= today + timedelta(days=int(value))]
            return queryset.filter(pk__in=ids)
        # Not secured today: a later secured period, only earlier ones, or none at all.
        secured = Q(funding_periods__status__in=SECURED_FUNDING_STATUSES)
        queryset = queryset.exclude(pk__in=list(secured_until_on(today)))
        if value == "gap":
            return queryset.filter(secured, funding_periods__start__gt=today).distinct()
        if value == "ended":
            return queryset.filter(secured).exclude(pk__in=Programme.objects.filter(
                secured, funding_periods__start__gt=today)).distinct()
        if value == "none":
            return queryset.exclude(pk__in=Programme.objects.filter(secured))
        return queryset


class SecuredUntilChangeList(ChangeList):
    """The programme list, with each shown programme's secured-until worked out for the page in one query."""

    def get_results(self, request):
        super().get_results(request)
        ids = [programme.pk for programme in self.result_list]
        untils = secured_until_on(timezone.localdate(), Q(programme_id__in=ids)) if ids else {}
        for programme in self.result_list:
            programme.secured_until_today = untils.get(programme.pk)


class FundingPeriodInline(VersionedTabularInline):
    """Funding periods edited on the programme's page."""

    model = FundingPeriod
    # The main facts only; decision references and notes are on the funding period's own page (change link).
    fields = ["code", "funder", "instrument", "amount", "status", "start", "end", "renewal_decision",
              "renewal_decision_date"]
    autocomplete_fields = ["funder"]
    extra = 0
    show_change_link = True


class ProgrammeRecommendationInline(TabularInline):
    """The recommendations a programme implements, with a note on how."""

    model = ProgrammeRecommendation
    fields = ["recommendation", "note"]
    autocomplete_fields = ["recommendation"]
    extra = 0


class ProgrammeOrganisationInline(TabularInline):
    """The organisations that implement a programme."""

    model = ProgrammeOrganisation
    fields = ["organisation"]
    autocomplete_fields = ["organisation"]
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(WithPanels, VersionedHistoryAdmin):
    """Programmes with their funding, recommendations and implementing organisations on one page."""

    list_display = ["code", "name", "area", "status", "lead_ministry", "owner_name", "secured_until_display",
                    "planned_end"]
    list_filter = ["area", "status", ("lead_ministry", admin.RelatedOnlyFieldListFilter), FundingEndFilter,
                   ("planned_end", RangeDateFilter)]
    list_filter_submit = True
    search_fields = ["code", "name", "description", "owner__username", "owner__last_name"]
    list_select_related = ["lead_ministry", "owner"]
    # The owner is a plain choice list: an autocomplete would require permission to browse the user accounts.
    autocomplete_fields = ["lead_ministry", "predecessor"]
    readonly_fields = ["successor_list"]
    inlines = [FundingPeriodInline, ProgrammeRecommendationInline, ProgrammeOrganisationInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "area", "status", "description"]}),
        (_("Accountability"), {"fields": ["lead_ministry", "owner", "last_reviewed"]}),
        (_("Timeline"), {"fields": ["planned_start", "planned_end", "actual_start", "actual_end",
                                    "predecessor", "successor_list"]}),
        (_("Publication"), {"fields": ["published", "money_published"]}),
    ]

    def get_changelist(self, request, **kwargs):
        return SecuredUntilChangeList

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_ministry":
            kwargs["queryset"] = Organisation.objects.filter(kind=OrganisationKind.MINISTRY)
        if db_field.name == "owner":
            kwargs["queryset"] = get_user_model().objects.order_by("-is_active", "username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("owner"), ordering="owner__last_name")
    def owner_name(self, programme):
        owner = programme.owner
        return (owner.get_full_name() or owner.username) if owner else "—"

    # Not sortable: secured-until depends on today's run, which the database cannot order by (the desk's
    # "Funding ending" page lists programmes in that order).
    @admin.display(description=_("secured until"))
    def secured_until_display(self, programme):
        until = getattr(programme, "secured_until_today", None)
        return date_format(until) if until else _("not secured today")

    @admin.display(description=_("successors"))
    def successor_list(self, programme):
        if not programme.pk:
            return "—"
        return ", ".join(str(successor) for successor in programme.successors.all()) or "—"



@admin.register(FundingPeriod)
class FundingPeriodAdmin(VersionedHistoryAdmin):
    """Funding periods: the money behind each programme, and until when it runs."""

    list_display = ["code", "programme", "funder", "instrument", "amount_shown", "currency", "status", "start", "end",
                    "renewal_decision"]
    amount_shown = amount_column()
    list_filter = ["status", "instrument", "renewal_decision", ("funder", admin.RelatedOnlyFieldListFilter),
                   "programme__area", ("end", RangeDateFilter)]
    list_filter_submit = True
    search_fields = ["code", "programme__code", "programme__name", "decision_reference"]
    list_select_related = ["programme", "funder"]
    autocomplete_fields = ["programme", "funder"]
    date_hierarchy = "end"
    fieldsets = [
        (None, {"fields": ["code", "programme", "funder", "instrument", "status"]}),
        (_("Money and dates"), {"fields": ["amount", "currency", "start", "end"]}),
        (_("Decisions"), {"fields": ["decision_reference", "renewal_decision", "renewal_decision_date", "note"]}),
    ]
