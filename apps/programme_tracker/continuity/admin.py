"""Alerts in the desk: filters, acknowledge / dismiss / reassign through the services, and each alert's history."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from programme_tracker.continuity import services
from programme_tracker.continuity.choices import SEVERITY_ORDER, STATE_ORDER, AlertState
from programme_tracker.continuity.forms import AlertActionForm
from programme_tracker.continuity.models import Alert, AlertEvent, ScanState
from programme_tracker.continuity.rules import RULES, rule_title
from programme_tracker.core.admin import ListFilter, ModelAdmin, TabularInline
from programme_tracker.portfolio.models import Area, Organisation, OrganisationKind
from programme_tracker.portfolio.panels import WithPanels


class RuleFilter(ListFilter):
    """Filter by continuity rule (from the registry, so new rules appear by themselves)."""

    title, parameter_name = _("rule"), "rule"

    def lookups(self, request, model_admin):
        return [(name, rule.title) for name, rule in RULES.items()]

    def queryset(self, request, queryset):
        return queryset.filter(rule=self.value()) if self.value() else queryset


class AreaFilter(ListFilter):
    """Filter by the area of the programme or recommendation the alert is about."""

    title, parameter_name = _("area"), "area"

    def lookups(self, request, model_admin):
        return Area.choices

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(Q(programme__area=value) | Q(recommendation__area=value)) if value else queryset


class MinistryFilter(ListFilter):
    """Filter by the lead ministry of the programme the alert is about."""

    title, parameter_name = _("lead ministry"), "ministry"

    def lookups(self, request, model_admin):
        return Organisation.objects.filter(kind=OrganisationKind.MINISTRY).values_list("pk", "short_name")

    def queryset(self, request, queryset):
        return queryset.filter(programme__lead_ministry_id=self.value()) if self.value() else queryset


class AlertEventInline(TabularInline):
    """The alert's state history: who, when, from, to, why."""

    model = AlertEvent
    fields = ["at", "kind", "actor", "from_state", "to_state", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(WithPanels, ModelAdmin):
    """Continuity alerts: what was found, about what, since when, and who follows it up."""

    panels_on = "alert"  # the task force's decisions, actions and agenda items about it

    form = AlertActionForm
    list_display = ["severity", "state", "rule_display", "subject_link", "key_date", "until_date",
                    "assignee_display", "first_seen"]
    list_filter = [RuleFilter, "severity", "state", AreaFilter, MinistryFilter,
                   ("assignee", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["assignee", "programme", "recommendation", "funding_period"]
    search_fields = ["subject_label", "message"]
    actions = ["acknowledge_selected"]
    inlines = [AlertEventInline]
    readonly_fields = ["rule_display", "severity", "state", "subject_link", "message_display", "key_date", "until_date",
                       "assignee_display", "first_seen", "last_seen", "opened_at", "state_changed_at",
                       "dismissed_reason", "accepted_until_display", "escalated_at"]
    fieldsets = [
        (None, {"fields": ["rule_display", "severity", "state", "subject_link", "message_display", "key_date",
                           "until_date"]}),
        (_("Follow-up"), {"fields": ["assignee_display", "first_seen", "last_seen", "opened_at",
                                     "state_changed_at", "dismissed_reason", "accepted_until_display",
                                     "escalated_at"]}),
        (_("Act on this alert"), {"fields": ["action", "reason", "accepted_until", "assignee"]}),
    ]

    def get_queryset(self, request):
        # Annotated before the ordering is applied: active alerts first, then the most severe, then the nearest.
        queryset = self.model._default_manager.get_queryset().annotate(
            state_rank=Case(*(When(state=s, then=Value(i)) for i, s in enumerate(STATE_ORDER)), default=Value(9)),
            severity_rank=Case(*(When(severity=s, then=Value(i)) for i, s in enumerate(SEVERITY_ORDER)),
                               default=Value(9)),
        )
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return ["state_rank", "severity_rank", "key_date", "rule"]

    @admin.display(description=_("rule"), ordering="rule")
    def rule_display(self, alert):
        return rule_title(alert.rule)

    @admin.display(description=_("message"))
    def message_display(self, alert):
        # The page's reader (kept for the request by simple-history's middleware): amounts only for those who may
        # see money records.
        request = getattr(HistoricalRecords.context, "request", None)
        return alert.message_for(getattr(request, "user", None))

    def has_add_permission(self, request):
        return False  # alerts come from the rules

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was found is kept

    @admin.display(description=_("subject"), ordering="subject_label")
    def subject_link(self, alert):
        target = alert.funding_period or alert.programme or alert.recommendation
        if target is None:
            return alert.subject_label
        url = reverse(f"admin:{target._meta.app_label}_{target._meta.model_name}_change", args=[target.pk])
        return format_html('<a href="{}">{}</a>', url, alert.subject_label)

    @admin.display(description=_("risk accepted until"))
    def accepted_until_display(self, alert):
        return alert.accepted_until or "—"

    @admin.display(description=_("assignee"), ordering="assignee__username")
    def assignee_display(self, alert):
        return alert.assignee or _("the coordinators")

    def save_model(self, request, obj, form, change):
        try:
            form.perform(request.user)
        except ValidationError as exc:  # the alert changed since the page was read (a scan, another person)
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)

    def save_related(self, request, form, formsets, change):
        pass  # the history is written by the services, never through the form

    def construct_change_message(self, request, form, formsets, add=False):
        return [{"changed": {"fields": [form.cleaned_data.get("action") or "nothing"]}}]

    @admin.action(description=_("Acknowledge the selected alerts"), permissions=["change"])
    def acknowledge_selected(self, request, queryset):
        done = 0
        for alert_id in queryset.filter(state=AlertState.OPEN).values_list("pk", flat=True):
            services.acknowledge(alert_id, actor=request.user)
            done += 1
        self.message_user(request, ngettext("%(count)s alert acknowledged.", "%(count)s alerts acknowledged.", done)
                          % {"count": done})


@admin.register(ScanState)
class ScanStateAdmin(ModelAdmin):
    """When the last full scan ran and what it found (read-only)."""

    list_display = ["last_full_scan_as_of", "last_full_scan_at", "last_full_scan_summary"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
