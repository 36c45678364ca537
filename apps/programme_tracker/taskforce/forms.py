"""The form meeting mode shows under each agenda item: the outcome and a note, and optionally a decision and an
action item recorded with it. The form checks types; services.record_outcome checks the rules."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from programme_tracker.portfolio.models import Organisation
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision

DECISION_FIELDS = ("kind", "text", "organisation", "deadline", "accepted_until", "new_owner")
ACTION_FIELDS = ("what", "owner", "organisation", "due_on")


def people():
    """Who may own an action or a programme: active accounts of the desk."""
    return get_user_model().objects.filter(is_active=True, is_staff=True).order_by("first_name", "last_name",
                                                                                   "username")


class Options:
    """The people and organisations the forms offer, read once for a whole agenda (not once per item)."""

    def __init__(self):
        self.people = {str(user.pk): user for user in people()}
        self.organisations = {str(o.pk): o for o in Organisation.objects.order_by("name")}

    @staticmethod
    def choices(found: dict) -> list[tuple[str, str]]:
        """An empty choice, then each record by its name."""
        return [("", "—"), *((pk, person_name(record) if hasattr(record, "get_username") else str(record))
                             for pk, record in found.items())]


def person_name(user) -> str:
    """A person in a list to choose from: full name and user name."""
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


class RecordChoiceField(forms.ChoiceField):
    """A choice of one of the records Options read: cleaned to the record itself."""

    def __init__(self, *, found: dict | None = None, **kwargs):
        super().__init__(required=False, **kwargs)
        self.found = found or {}

    def clean(self, value):
        """The chosen record, or None."""
        value = super().clean(value)
        return self.found.get(value) if value else None


class DateInput(forms.DateInput):
    """A date picker that sends ISO dates, whatever the language shows."""

    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class OutcomeForm(forms.Form):
    """What the meeting made of one agenda item."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # Left empty, the outcome follows from what is recorded: a decision, else an action.
    outcome = forms.ChoiceField(label=_("outcome"), required=False, choices=[
        ("", _("as recorded below")), *((value, label) for value, label in AgendaItem.Outcome.choices if value)])
    note = forms.CharField(label=_("note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    decision_kind = forms.ChoiceField(label=_("kind"), required=False,
                                      choices=[("", "—"), *Decision.Kind.choices])
    decision_text = forms.CharField(label=_("decision"), required=False, max_length=5000,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    decision_organisation = RecordChoiceField(label=_("responsible organisation"))
    decision_deadline = forms.DateField(label=_("deadline"), required=False, widget=DateInput())
    decision_accepted_until = forms.DateField(label=_("risk accepted until"), required=False, widget=DateInput())
    decision_new_owner = RecordChoiceField(label=_("new owner"))
    action_what = forms.CharField(label=_("what"), required=False, max_length=300)
    action_owner = RecordChoiceField(label=_("owner"))
    action_organisation = RecordChoiceField(label=_("organisation"))
    action_due_on = forms.DateField(label=_("due on"), required=False, widget=DateInput())

    def __init__(self, *args, item: AgendaItem, options: Options, **kwargs):
        super().__init__(*args, prefix=f"item-{item.pk}", initial={
            "version": item.version, "outcome": item.outcome, "note": item.note,
        }, **kwargs)
        self.item = item
        for name, found in (("decision_organisation", options.organisations), ("action_organisation",
                            options.organisations), ("decision_new_owner", options.people),
                            ("action_owner", options.people)):
            self.fields[name].found = found
            self.fields[name].choices = Options.choices(found)

    def part(self, prefix: str, names) -> dict | None:
        """The decision's or the action's fields as the service takes them; None when none is filled in."""
        values = {name: self.cleaned_data[f"{prefix}_{name}"] for name in names}
        if not any(value not in (None, "") for value in values.values()):
            return None
        return {name: ("" if value is None and name in ("kind", "text", "what") else value)
                for name, value in values.items()}

    def clean(self):
        """What a decision and an action need, both checked at once (so every missing field shows in one go); an
        empty outcome is the decision recorded, else the action, and with neither the outcome is asked for."""
        data = super().clean()
        decision = self.part("decision", DECISION_FIELDS) if not self.errors else None
        action = self.part("action", ACTION_FIELDS) if not self.errors else None
        for part, needs in ((decision, (("decision_kind", _("Choose the kind of decision.")),
                                        ("decision_text", _("Write down what was decided.")))),
                            (action, (("action_what", _("Say what must be done.")),
                                      ("action_owner", _("Choose who does it.")),
                                      ("action_due_on", _("Give the day it is due."))))):
            for name, message in needs if part else ():
                if not data.get(name):
                    self.add_error(name, message)
        # The records' own rules too (an accepted risk needs its day), so that both parts' problems show at once.
        for model, prefix, part in ((Decision, "decision", decision), (ActionItem, "action", action)):
            if part:
                self._check(model, prefix, part)
        if not self.errors and not data.get("outcome"):
            if self.part("decision", DECISION_FIELDS):
                data["outcome"] = AgendaItem.Outcome.DECIDED
            elif self.part("action", ACTION_FIELDS):
                data["outcome"] = AgendaItem.Outcome.ACTIONS
            else:
                self.add_error("outcome", _("Choose what the meeting made of this item, or record a decision or "
                                            "an action."))
        return data

    def _check(self, model, prefix: str, values: dict) -> None:
        """The model's checks of these values, as errors of the form's fields not already in error."""
        try:
            model(**values).full_clean(exclude=[f.name for f in model._meta.fields if f.name not in values])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                field = f"{prefix}_{name}"
                if field in self.fields and field not in self.errors:
                    self.add_error(field, messages)

    def record_error(self, error: ValidationError) -> None:
        """Show a rule the service refused under the field it names (or above the form)."""
        for name, messages in error.message_dict.items() if hasattr(error, "error_dict") else [
                (NON_FIELD_ERRORS, error.messages)]:
            self.add_error(name if name in self.fields else None, messages)
        self.describe_errors()

    def full_clean(self):
        """Check the fields, then tie each error to its field for screen readers."""
        super().full_clean()
        self.describe_errors()

    def describe_errors(self) -> None:
        """Point each field with an error at the error's text (the template gives it the id <field id>-error), and
        put the focus on the first of them when the item comes back (htmx focuses an autofocus field it swaps in)."""
        first = True
        for name in self.fields:
            if name in self.errors and not self.fields[name].widget.is_hidden:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"
                if first:
                    self.fields[name].widget.attrs["autofocus"] = True
                    first = False

