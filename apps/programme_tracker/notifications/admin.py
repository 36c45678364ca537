"""Notifications in the desk: each person sees their own list, marks it read, and sets how they are told."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programme_tracker.continuity.rules import RULES
from programme_tracker.core.admin import ModelAdmin
from programme_tracker.core.forms import ModelForm, can_be_key
from programme_tracker.notifications import services
from programme_tracker.notifications.models import (
    EmailState,
    Notification,
    Preference,
    Subscription,
    UndeliveredEmail,
)
from programme_tracker.portfolio.models import Organisation, OrganisationKind


def unread_badge(request):
    """Unfold's header label: how many notifications the person has not read (None hides it)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return None
    count = services.unread_count(user)
    if not count:
        return None
    return [ngettext("%(count)s unread notification", "%(count)s unread notifications", count) % {"count": count},
            "warning"]


class OwnRowsAdmin(ModelAdmin):
    """Every person sees and edits only their own rows."""

    owner_field = "user"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(**{self.owner_field: request.user})

    def save_model(self, request, obj, form, change):
        setattr(obj, self.owner_field, request.user)
        super().save_model(request, obj, form, change)


@admin.register(Notification)
class NotificationAdmin(OwnRowsAdmin):
    """My notifications: what happened to which alert, why I am told, and whether the e-mail went out."""

    owner_field = "recipient"
    list_display = ["created_at", "unread", "alert_link", "what", "reason", "email_state", "sent_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter), "email_state", "alert__severity"]
    list_select_related = ["alert", "event"]
    actions = ["mark_selected_read"]
    readonly_fields = ["created_at", "alert_link", "what", "reason", "email_state", "email_due_at", "sent_at",
                       "attempts", "last_error", "read_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Opening a notification reads it (an id that is no number is left to the admin's "not found").
        if can_be_key(Notification._meta.pk, object_id):
            services.mark_read(request.user, [object_id])
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("unread"), boolean=True)
    def unread(self, notification):
        return notification.read_at is None

    @admin.display(description=_("alert"))
    def alert_link(self, notification):
        url = reverse("admin:continuity_alert_change", args=[notification.alert_id])
        return format_html('<a href="{}">{}</a>', url, notification.alert)

    @admin.display(description=_("what happened"))
    def what(self, notification):
        return f"{notification.event.get_kind_display()} · {notification.alert.get_severity_display()}"

    @admin.action(description=_("Mark the selected notifications read"), permissions=["change"])
    def mark_selected_read(self, request, queryset):
        count = services.mark_read(request.user, list(queryset.values_list("pk", flat=True)))
        self.message_user(request, ngettext("%(count)s notification marked read.",
                                           "%(count)s notifications marked read.", count) % {"count": count})


@admin.register(UndeliveredEmail)
class UndeliveredEmailAdmin(ModelAdmin):
    """E-mails about alerts that could not be sent, for Administrators: whose, why, and send again once fixed."""

    list_display = ["created_at", "recipient", "recipient_email", "alert", "attempts", "last_error"]
    list_select_related = ["recipient", "alert"]
    readonly_fields = ["created_at", "recipient", "recipient_email", "alert", "reason", "attempts", "last_error"]
    fields = readonly_fields
    actions = ["send_selected_again"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(email_state=EmailState.FAILED)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("e-mail address"))
    def recipient_email(self, notification):
        return notification.recipient.email or _("(none)")

    @admin.action(description=_("Send the selected e-mails again"), permissions=["change"])
    def send_selected_again(self, request, queryset):
        count = services.send_again(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, ngettext("%(count)s e-mail is back in the outbox.",
                                            "%(count)s e-mails are back in the outbox.", count) % {"count": count})


@admin.register(Preference)
class PreferenceAdmin(OwnRowsAdmin):
    """How I receive e-mail about alerts."""

    list_display = ["user", "delivery", "language"]
    fields = ["delivery", "language"]

    def has_add_permission(self, request):
        # One preference per person.
        return super().has_add_permission(request) and not Preference.objects.filter(user=request.user).exists()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.apply_preference(request.user)


class SubscriptionForm(ModelForm):
    """The rule is picked from the registered continuity rules."""

    rule = forms.ChoiceField(label=_("rule"), required=False)

    class Meta:
        model = Subscription
        fields = ["area", "ministry", "rule"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("any rule"))] + [(name, rule.title) for name, rule in RULES.items()]
        self.fields["ministry"].queryset = Organisation.objects.filter(kind=OrganisationKind.MINISTRY)


@admin.register(Subscription)
class SubscriptionAdmin(OwnRowsAdmin):
    """Alerts I follow by area, lead ministry and rule (empty: any)."""

    form = SubscriptionForm
    list_display = ["user", "area", "ministry", "rule"]
