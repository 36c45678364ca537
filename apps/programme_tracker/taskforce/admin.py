"""The task force in the desk: members, meetings with their agenda, decisions with their actions, and actions.

Decisions are numbered and carried out by the services when they are saved; task-force members change only the
actions they own, and only how they ended.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.contrib.filters.admin import RangeDateTimeFilter

from programme_tracker.continuity.models import Alert
from programme_tracker.core.admin import ListFilter, VersionedHistoryAdmin, VersionedTabularInline
from programme_tracker.taskforce import agenda, listeners, services
from programme_tracker.taskforce.invitation import invitation
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting, Member

PEOPLE = ("person", "owner", "new_owner")  # plain choice lists: an autocomplete needs the right to browse accounts


class ChoicesMixin:
    """Offer active accounts first in the fields that name a person, and alerts newest first (the alerts' own
    list sorts by a figure it works out, which a choice list does not have)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in PEOPLE:
            kwargs["queryset"] = get_user_model().objects.order_by("-is_active", "username")
        if db_field.name == "alert":
            kwargs["queryset"] = Alert.objects.order_by("-opened_at")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "alerts":
            kwargs["queryset"] = Alert.objects.order_by("-opened_at")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Member)
class MemberAdmin(ChoicesMixin, VersionedHistoryAdmin):
    """Who sits on the task force, for which organisation and in which role."""

    list_display = ["person", "role", "organisation", "since", "until"]
    list_filter = ["role", ("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["person__username", "person__first_name", "person__last_name", "organisation__short_name"]
    list_select_related = ["person", "organisation"]
    autocomplete_fields = ["organisation"]
    fields = ["person", "organisation", "role", "since", "until"]


SUBJECTS = AgendaItem.SUBJECTS


@admin.display(description=_("about"))
def subject_link(item):
    """The item's subject as a link to its page, or a dash."""
    for name in SUBJECTS:
        subject = getattr(item, name)
        if subject is not None:
            meta = subject._meta
            return format_html('<a class="text-primary-600 underline" href="{}">{}</a>',
                               reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[subject.pk]),
                               subject)
    return "—"


class AgendaItemInline(VersionedTabularInline):
    """The agenda, in order, on the meeting's page: narrow enough to read, each item's subject linked; the item's own
    page (the pencil) links a subject to an item added by hand."""

    model = AgendaItem
    extra = 0
    show_change_link = True
    fields = ["position", "title", "about", "origin", "outcome", "note"]
    readonly_fields = ["about", "origin"]
    ordering = ["position", "pk"]

    about = staticmethod(subject_link)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "note" and field is not None:
            field.widget.attrs["rows"] = 2  # a line or two per item; the minutes hold the rest
        return field


@admin.register(AgendaItem)
class AgendaItemAdmin(ChoicesMixin, VersionedHistoryAdmin):
    """One agenda item with what it is about; most are edited in the meeting's agenda."""

    list_display = ["title", "meeting", "position", "origin", "outcome"]
    list_filter = ["origin", "outcome"]
    search_fields = ["title", "note"]
    list_select_related = ["meeting"]
    autocomplete_fields = ["meeting", *SUBJECTS]
    readonly_fields = ["origin"]
    fields = ["meeting", "position", "title", *SUBJECTS, "origin", "outcome", "note"]


@admin.register(Meeting)
class MeetingAdmin(VersionedHistoryAdmin):
    """Meetings with their agenda, and whether the agenda was published and the minutes approved."""

    list_display = ["__str__", "status", "place", "agenda_published_on", "minutes_approved_on"]
    # A date range, not a date hierarchy: that needs MariaDB's time-zone tables, which a server may lack.
    list_filter = ["status", ("starts_at", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["place", "minutes", "agenda_items__title"]
    inlines = [AgendaItemInline]
    readonly_fields = ["invitation_link"]
    fieldsets = [
        (None, {"fields": ["starts_at", "duration_minutes", "place", "online_link", "status", "invitation_link"]}),
        (_("Agenda and minutes"), {"fields": ["agenda_published_on", "minutes_approved_on", "minutes"]}),
    ]

    def get_urls(self):
        invitation_url = path("<path:object_id>/invitation.ics", self.admin_site.admin_view(self.invitation_view),
                              name="taskforce_meeting_invitation")
        return [invitation_url, *super().get_urls()]

    @admin.display(description=_("invitation"))
    def invitation_link(self, meeting):
        if not meeting.pk:
            return "—"
        return format_html('<a class="text-primary-600 underline" href="{}" download>{}</a>',
                           reverse("admin:taskforce_meeting_invitation", args=[meeting.pk]),
                           _("Download the invitation for your calendar (.ics)"))

    def invitation_view(self, request, object_id):
        """The meeting's invitation as an .ics file, for whoever may see the meeting."""
        meeting = self.get_object(request, object_id)
        if meeting is None:
            raise Http404
        if not self.has_view_or_change_permission(request, meeting):
            raise PermissionDenied
        response = HttpResponse(invitation(meeting), content_type="text/calendar; charset=utf-8")
        day = timezone.localdate(meeting.starts_at).isoformat()
        response["Content-Disposition"] = f'attachment; filename="task-force-meeting-{day}.ics"'
        return response

    actions = ["propose_agenda"]

    @admin.action(description=_("Propose the agenda of the selected planned meetings"), permissions=["change"])
    def propose_agenda(self, request, queryset):
        for meeting in queryset.exclude(status=Meeting.Status.PLANNED):
            self.message_user(request, _("%(meeting)s is not planned but %(status)s: only a planned meeting gets "
                                         "proposals.") % {"meeting": meeting, "status": meeting.get_status_display()
                                                          .lower()}, messages.WARNING)
        planned = queryset.filter(status=Meeting.Status.PLANNED).values_list("pk", flat=True)
        done = [agenda.propose(pk, actor=request.user) for pk in planned]
        added, left_out = sum(d.added for d in done), sum(d.left_out for d in done)
        if planned:
            self.message_user(request, ngettext("%(count)s item proposed.", "%(count)s items proposed.", added)
                              % {"count": added}, messages.SUCCESS)
        if left_out:
            self.message_user(request, ngettext(
                "%(count)s more qualifies but was left out: at most %(limit)s items of each kind are proposed, the "
                "most urgent first. The alert inbox lists the others.",
                "%(count)s more qualify but were left out: at most %(limit)s items of each kind are proposed, the "
                "most urgent first. The alert inbox lists the others.", left_out)
                % {"count": left_out, "limit": settings.CONTINUITY["agenda_proposals_per_kind"]}, messages.WARNING)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"  # a meeting link typed without its scheme is a secure one
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ActionItemInline(ChoicesMixin, VersionedTabularInline):
    """The actions that follow from a decision, on the decision's page."""

    model = ActionItem
    extra = 0
    show_change_link = True
    fields = ["what", "owner", "organisation", "due_on", "state"]
    # An action ends on its own page (the pencil), where its day, evidence or reason go with it.
    readonly_fields = ["state"]
    autocomplete_fields = ["organisation"]


@admin.register(Decision)
class DecisionAdmin(ChoicesMixin, VersionedHistoryAdmin):
    """The decision list: numbered per year, with subjects, who answers for it, by when, and its state."""

    list_display = ["number_display", "decided_on", "kind", "organisation", "deadline", "state"]
    list_filter = ["kind", "state", "year", ("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["text", "programmes__code", "programmes__name", "recommendations__code"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["meeting", "organisation", "programmes", "recommendations", "alerts", "superseded_by"]
    readonly_fields = ["number_display"]
    inlines = [ActionItemInline]
    fieldsets = [
        (None, {"fields": ["number_display", "meeting", "decided_on", "kind", "text"]}),
        (_("About"), {"fields": ["programmes", "recommendations", "alerts"]}),
        (_("Carrying it out"), {"fields": ["organisation", "deadline", "accepted_until", "new_owner", "state",
                                           "superseded_by"]}),
        (_("Publication"), {"fields": ["public"]}),
    ]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            # Chosen on purpose: the admin would preselect the first kind of a required field without a default.
            kwargs["choices"] = [("", "---------"), *Decision.Kind.choices]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description=_("number"), ordering="sequence")
    def number_display(self, decision):
        return decision.number if decision.pk else "—"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.number(obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        # The subjects are saved with the form's many-to-many fields: only then is there something to carry out.
        super().save_related(request, form, formsets, change)
        if not change or {"kind", "alerts", "programmes", "accepted_until", "new_owner"} & set(form.changed_data):
            services.carry_out(form.instance, actor=request.user)
        if not change:
            listeners.publish(form.instance)  # recorded: told to whoever listens (webhooks), in this transaction


class WhoseFilter(ListFilter):
    """My action items, the late ones, or everyone's."""

    title, parameter_name = _("whose"), "whose"

    def lookups(self, request, model_admin):
        return [("mine", _("Mine")), ("mine-late", _("Mine, late")), ("late", _("Everyone's, late"))]

    def queryset(self, request, queryset):
        value, today = self.value(), timezone.localdate()
        if value in ("mine", "mine-late"):
            queryset = queryset.filter(owner=request.user)
        if value in ("mine-late", "late"):
            queryset = queryset.filter(state=ActionItem.State.OPEN, due_on__lt=today)
        return queryset


def keeps_the_task_force(user) -> bool:
    """Whether the person keeps the task force's records (its secretariat), not only their own actions."""
    return user.has_perm("taskforce.change_decision")


@admin.register(ActionItem)
class ActionItemAdmin(ChoicesMixin, VersionedHistoryAdmin):
    """Actions with their owner and due date, the late ones first; members update the ones they own."""

    list_display = ["what", "owner", "organisation", "due_on", "state", "decision"]
    list_filter = [WhoseFilter, "state", ("owner", admin.RelatedOnlyFieldListFilter),
                   ("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["what", "decision__text", "programmes__code", "owner__username"]
    list_select_related = ["owner", "organisation", "decision"]
    autocomplete_fields = ["organisation", "decision", "programmes", "recommendations", "alerts"]
    fieldsets = [
        (None, {"fields": ["what", "owner", "organisation", "due_on", "decision"]}),
        (_("About"), {"fields": ["programmes", "recommendations", "alerts"]}),
        (_("How it ended"), {"fields": ["state", "done_on", "evidence", "cancelled_reason"]}),
    ]
    # What the owner of an action changes when they are not the secretariat.
    OWNER_FIELDS = {"state", "done_on", "evidence", "cancelled_reason", "version"}

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or keeps_the_task_force(request.user) or obj.owner_id == request.user.pk

    def get_readonly_fields(self, request, obj=None):
        if keeps_the_task_force(request.user):
            return super().get_readonly_fields(request, obj)
        return [name for _title, options in self.fieldsets for name in options["fields"]
                if name not in self.OWNER_FIELDS]
