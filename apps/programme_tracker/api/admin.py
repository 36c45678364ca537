"""Webhooks in the desk, for Administrators: register an address and its events, send it a test, see each
delivery, send again."""

from urllib.parse import urlsplit

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget

from programme_tracker.api.models import DeliveryState, Webhook, WebhookDelivery, WebhookEvent, new_secret
from programme_tracker.api.webhooks import refused_address, send_test
from programme_tracker.core.admin import ModelAdmin
from programme_tracker.core.forms import ModelForm


class WebhookForm(ModelForm):
    """The events are ticked from the list of what a webhook can hear of (a test is sent only on request)."""

    events = forms.MultipleChoiceField(label=capfirst(_("events")), choices=[
        (value, label) for value, label in WebhookEvent.choices if value != WebhookEvent.TEST],
                                       widget=UnfoldAdminCheckboxSelectMultipleWidget,
                                       help_text=_("The events this address is sent."))

    class Meta:
        model = Webhook
        fields = ["url", "description", "events", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if urlsplit(url).username or urlsplit(url).password:
            # It would stand in the lists; the signature is how the receiver knows the site.
            raise forms.ValidationError(_("Put no user name or password in the address: the receiver checks the "
                                          "signature instead."))
        refused = refused_address(url)
        if refused:
            raise forms.ValidationError(refused)
        return url


@admin.register(Webhook)
class WebhookAdmin(ModelAdmin):
    """The addresses other systems registered, what they hear of, and how their deliveries went."""

    form = WebhookForm
    list_display = ["url", "description", "event_list", "active", "waiting", "not_delivered"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    readonly_fields = ["secret", "created_at"]
    actions = ["send_test_delivery", "give_new_secret"]

    def get_fields(self, request, obj=None):
        # The secret exists once the webhook is saved; it is then shown for the receiving system to use.
        return ["url", "description", "events", "active", *(["secret", "created_at"] if obj else [])]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            waiting_count=Count("deliveries", filter=Q(deliveries__state__in=[DeliveryState.PENDING,
                                                                               DeliveryState.CLAIMED])),
            failed_count=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)))

    @admin.display(description=_("events"))
    def event_list(self, webhook):
        labels = dict(WebhookEvent.choices)
        return ", ".join(str(labels.get(event, event)) for event in webhook.events) or "—"

    @admin.display(description=_("waiting"), ordering="waiting_count")
    def waiting(self, webhook):
        return webhook.waiting_count

    @admin.display(description=_("not delivered"), ordering="failed_count")
    def not_delivered(self, webhook):
        return webhook.failed_count

    @admin.action(description=_("Send a test delivery to the selected webhooks"), permissions=["change"])
    def send_test_delivery(self, request, queryset):
        count = send_test(queryset)
        self.message_user(request, ngettext(
            "A test delivery is in the outbox for %(count)s webhook: its deliveries show whether it arrived.",
            "A test delivery is in the outbox for %(count)s webhooks: their deliveries show whether it arrived.",
            count) % {"count": count})

    @admin.action(description=_("Give the selected webhooks a new signing secret"), permissions=["change"])
    def give_new_secret(self, request, queryset):
        count = 0
        for webhook in queryset:  # each its own secret
            count += Webhook.objects.filter(pk=webhook.pk).update(secret=new_secret())
        self.message_user(request, ngettext(
            "%(count)s webhook has a new secret: give it to the receiving system.",
            "%(count)s webhooks have a new secret: give them to the receiving systems.", count) % {"count": count})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ModelAdmin):
    """Each event sent to each webhook: its body, whether it arrived, and the receiver's last answer."""

    list_display = ["created_at", "webhook", "event", "state", "attempts", "response_status", "sent_at"]
    list_filter = ["state", "event", "webhook"]
    list_select_related = ["webhook"]
    readonly_fields = ["webhook", "event", "delivery_id", "created_at", "state", "due_at", "attempts", "sent_at",
                       "response_status", "last_error", "body"]
    fields = readonly_fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # A delivery is a record of what was sent: its page is read only; the change right is for "send again".
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("Send the selected deliveries again"), permissions=["change"])
    def send_again(self, request, queryset):
        # Only what has not arrived; a fresh count of attempts, due now.
        count = queryset.filter(state=DeliveryState.FAILED).update(
            state=DeliveryState.PENDING, due_at=timezone.now(), attempts=0, claim_token="", last_error="")
        self.message_user(request, ngettext("%(count)s delivery is back in the outbox.",
                                            "%(count)s deliveries are back in the outbox.", count) % {"count": count})
