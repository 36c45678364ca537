"""The one form for acting on an alert (acknowledge, dismiss, reassign): the alert's page and the inbox both use it.

The form reads and checks what was typed; the rules it checks (which states an action may start from, what a
reason must be) are the services' own, which check them again under the scan lock and do the action.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminSingleDateWidget, UnfoldAdminTextareaWidget

from programme_tracker.continuity import services
from programme_tracker.continuity.choices import EventKind
from programme_tracker.continuity.models import Alert
from programme_tracker.core.forms import ModelForm

# The actions, by the name forms and addresses use, with the event each one writes.
ACTIONS = {"acknowledge": EventKind.ACKNOWLEDGED, "dismiss": EventKind.DISMISSED, "reassign": EventKind.REASSIGNED}


class AccountChoiceField(forms.ModelChoiceField):
    """A person chosen by id, in ASCII digits only: Python reads "١" as 1 and "²" as a digit; the database would
    not, or would find somebody else."""

    def to_python(self, value):
        if value not in self.empty_values and not re.fullmatch(r"[0-9]{1,18}", str(value)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class AlertActionForm(ModelForm):
    """Acknowledge, dismiss (with a reason, optionally accepting the risk until a date) or reassign one alert."""

    action = forms.ChoiceField(label=_("Action"), required=False, widget=UnfoldAdminSelectWidget, choices=[
        ("", "—"), ("acknowledge", _("Acknowledge: I am working on it")),
        ("dismiss", _("Dismiss, with a reason")), ("reassign", _("Reassign")),
    ], error_messages={"invalid_choice": _("Unknown action.")})
    reason = forms.CharField(label=_("Reason for dismissal"), required=False, strip=False,
                             widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}))
    accepted_until = forms.DateField(label=_("Accept the risk until"), required=False,
                                     widget=UnfoldAdminSingleDateWidget,
                                     error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")},
                                     help_text=_("Optional: the alert reopens after this day if still true."))
    assignee = AccountChoiceField(label=_("New assignee"), required=False, widget=UnfoldAdminSelectWidget,
                                  queryset=services.assignable_people(),
                                  error_messages={"invalid_choice": _("Choose an active account.")},
                                  help_text=_("Empty: back to the automatic choice."))

    class Meta:
        model = Alert
        fields = []

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in ACTIONS:
            try:
                if action == "dismiss":
                    data["reason"] = services.check_dismissal(data.get("reason"), data.get("accepted_until"))
                services.check_state(self.instance, ACTIONS[action])
            except ValidationError as exc:
                self.add_error(None, exc)
        return data

    def perform(self, actor) -> Alert | None:
        """Do the chosen action through its service (one call, one transaction); None when none was chosen."""
        data, alert_id = self.cleaned_data, self.instance.pk
        match data.get("action"):
            case "acknowledge":
                return services.acknowledge(alert_id, actor=actor)
            case "dismiss":
                return services.dismiss(alert_id, actor=actor, reason=data["reason"],
                                        accepted_until=data.get("accepted_until"))
            case "reassign":
                return services.reassign(alert_id, actor=actor, assignee=data.get("assignee"))
        return None
