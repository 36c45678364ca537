"""The records as JSON: plain fields, related records by their codes (as people and spreadsheets name them),
money as decimal strings, dates as ISO dates, and each versioned record's edit version."""

import re

from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers

from programme_tracker.continuity.models import Alert
from programme_tracker.finance.models import BudgetLine, Commitment, Expenditure, Payment, ReportDue, Tranche
from programme_tracker.notifications.models import Notification
from programme_tracker.portfolio.models import (
    FundingPeriod,
    Organisation,
    Programme,
    ProgrammeRecommendation,
    Recommendation,
)
from programme_tracker.taskforce.models import ActionItem, Decision, Meeting

PERIOD_CODE = "The funding period's code."  # (not the code field's own help, which is about making one)
AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class Text(serializers.CharField):
    """Text that must be given as text: a JSON number or true is refused (DRF would quietly make it "0")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ByCode(serializers.SlugRelatedField):
    """A related record named by its code (or short name, user name) as text: a JSON number is refused, not
    looked up as the code "0"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class Money(serializers.DecimalField):
    """An amount as a decimal string with at most two decimals ("950000.00") or a JSON number: digits 0-9 only
    (Python's Decimal would take "1_000", " 1000" and other scripts' digits), and -0 is 0."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float) or (
                isinstance(data, str) and not AMOUNT.fullmatch(data)):
            self.fail("invalid")
        value = super().to_internal_value(data)
        return value.copy_abs() if value.is_zero() else value


class Record(serializers.ModelSerializer):
    """A model's serializer whose text fields take text only, and amounts as Money does."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.CharField: Text, models.TextField: Text, models.DecimalField: Money}


class OrganisationSerializer(Record):
    class Meta:
        model = Organisation
        fields = ["id", "short_name", "name", "kind", "active", "version"]


class RecommendationSerializer(Record):
    """A recommendation; only the government's response and its note are written through the API."""

    source_report = ByCode(slug_field="code", read_only=True)

    class Meta:
        model = Recommendation
        fields = ["id", "code", "source_report", "area", "number", "text", "government_response", "response_note",
                  "version"]
        read_only_fields = ["code", "area", "number", "text", "version"]


class FundingPeriodSerializer(Record):
    programme = ByCode(slug_field="code", queryset=Programme.objects.all())
    funder = ByCode(slug_field="short_name", queryset=Organisation.objects.all())

    class Meta:
        model = FundingPeriod
        fields = ["id", "code", "programme", "funder", "instrument", "amount", "currency", "status", "start", "end",
                  "decision_reference", "renewal_decision", "renewal_decision_date", "note", "version"]
        read_only_fields = ["version"]


class ProgrammeSerializer(Record):
    """A programme; `secured_until` is its secured-until today (DESIGN.md), worked out for the page in one query;
    with ?expand=funding_periods each programme carries its funding periods."""

    lead_ministry = ByCode(slug_field="short_name", allow_null=True, required=False,
                                                 queryset=Organisation.objects.all())
    owner = ByCode(slug_field="username", allow_null=True, required=False, read_only=False,
                                         queryset=Programme._meta.get_field("owner").related_model.objects.all())
    predecessor = ByCode(slug_field="code", allow_null=True, required=False,
                                               queryset=Programme.objects.all())
    secured_until = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = ["id", "code", "name", "description", "area", "status", "lead_ministry", "owner", "planned_start",
                  "planned_end", "actual_start", "actual_end", "predecessor", "last_reviewed", "secured_until",
                  "version"]
        read_only_fields = ["version"]

    def get_secured_until(self, programme) -> str | None:
        until = self.context.get("secured_until", {}).get(programme.pk)
        return until.isoformat() if until else None

    def to_representation(self, programme):
        data = super().to_representation(programme)
        if "funding_periods" in self.context.get("expand", ()):
            data["funding_periods"] = FundingPeriodSerializer(
                getattr(programme, "expanded_periods", programme.funding_periods.all()), many=True).data
        return data


class AlertSerializer(Record):
    """An alert as the inbox shows it: read only; acted on through its actions."""

    programme = ByCode(slug_field="code", read_only=True, allow_null=True)
    recommendation = ByCode(slug_field="code", read_only=True, allow_null=True)
    assignee = ByCode(slug_field="username", read_only=True, allow_null=True)
    title = serializers.CharField(source="rule_title", read_only=True)
    message = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = ["id", "rule", "title", "severity", "state", "subject_label", "programme", "recommendation",
                  "key_date", "until_date", "message", "assignee", "first_seen", "last_seen", "opened_at",
                  "state_changed_at", "accepted_until", "dismissed_reason"]
        read_only_fields = fields


    def get_message(self, alert) -> str:
        request = self.context.get("request")
        return alert.message_for(getattr(request, "user", None))


class DismissSerializer(serializers.Serializer):
    reason = Text(max_length=2000)
    accepted_until = serializers.DateField(required=False, allow_null=True)

    def validate_accepted_until(self, value):
        if value is not None and value.year > 2999:  # as every date of the register
            raise serializers.ValidationError(_("Give a day before the year 3000."))
        return value


class ReassignSerializer(serializers.Serializer):
    assignee = Text(allow_blank=True, allow_null=True, help_text="A user name; empty: the "
                                     "automatic choice.")


class BudgetLineSerializer(Record):
    programme = ByCode(slug_field="code", read_only=True)

    class Meta:
        model = BudgetLine
        fields = ["id", "programme", "fiscal_year", "kind", "status", "amount", "currency", "revised_on", "note",
                  "version"]
        read_only_fields = fields


class PaymentSerializer(Record):
    funding_period = ByCode(slug_field="code", read_only=True, help_text=PERIOD_CODE)
    tranche_planned_on = serializers.DateField(source="tranche.planned_on", read_only=True, allow_null=True)

    class Meta:
        model = Payment
        fields = ["id", "funding_period", "reference", "paid_on", "amount", "currency", "tranche_planned_on",
                  "version"]
        read_only_fields = fields


class ExpenditureSerializer(Record):
    funding_period = ByCode(slug_field="code", read_only=True, help_text=PERIOD_CODE)
    organisation = ByCode(slug_field="short_name", read_only=True)

    class Meta:
        model = Expenditure
        fields = ["id", "funding_period", "organisation", "period_start", "period_end", "category", "amount",
                  "currency", "version"]
        read_only_fields = fields


class RecommendationLinkSerializer(Record):
    """That a programme implements a recommendation, with a note on how."""

    programme = ByCode(slug_field="code", queryset=Programme.objects.all())
    recommendation = ByCode(slug_field="code", queryset=Recommendation.objects.all())

    class Meta:
        model = ProgrammeRecommendation
        fields = ["id", "programme", "recommendation", "note"]
        validators = []  # the model's own unique check answers, by field, on save


class CommitmentSerializer(Record):
    funding_period = ByCode(slug_field="code", queryset=FundingPeriod.objects.all(), help_text=PERIOD_CODE)

    class Meta:
        model = Commitment
        fields = ["id", "funding_period", "reference", "decided_on", "amount", "currency", "conditions", "version"]
        read_only_fields = ["version"]
        validators = []


class ReportDueSerializer(Record):
    funding_period = ByCode(slug_field="code", queryset=FundingPeriod.objects.all(), help_text=PERIOD_CODE)

    class Meta:
        model = ReportDue
        fields = ["id", "funding_period", "kind", "title", "due_on", "received_on", "approved_on", "version"]
        read_only_fields = ["version"]


class TrancheSerializer(Record):
    funding_period = ByCode(slug_field="code", queryset=FundingPeriod.objects.all(), help_text=PERIOD_CODE)

    class Meta:
        model = Tranche
        fields = ["id", "funding_period", "planned_on", "amount", "currency", "requires_report", "version"]
        read_only_fields = ["version"]


class NotificationSerializer(Record):
    """One of the person's own notifications: which alert, what happened, why they are told."""

    event = serializers.CharField(source="event.kind", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "alert", "event", "reason", "created_at", "read_at", "email_state"]
        read_only_fields = fields


class MeetingSerializer(Record):
    online_link = serializers.CharField(read_only=True)  # often empty, which the schema's "uri" would not allow
    class Meta:
        model = Meeting
        fields = ["id", "starts_at", "duration_minutes", "place", "online_link", "status", "agenda_published_on",
                  "minutes_approved_on", "version"]
        read_only_fields = fields


class DecisionSerializer(Record):
    """A decision of the task force with its number and subjects (programmes and recommendations by code)."""

    number = serializers.CharField(read_only=True)
    organisation = ByCode(slug_field="short_name", read_only=True, allow_null=True)
    programmes = ByCode(slug_field="code", many=True, read_only=True)
    recommendations = ByCode(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "number", "meeting", "decided_on", "kind", "text", "programmes", "recommendations", "alerts",
                  "organisation", "deadline", "accepted_until", "state", "superseded_by", "version"]
        read_only_fields = fields


class ActionItemSerializer(Record):
    """An action the task force agreed: what, who, by when, and how it ended."""

    owner = ByCode(slug_field="username", read_only=True, allow_null=True)
    organisation = ByCode(slug_field="short_name", read_only=True, allow_null=True)
    programmes = ByCode(slug_field="code", many=True, read_only=True)
    recommendations = ByCode(slug_field="code", many=True, read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "reference", "what", "owner", "organisation", "due_on", "decision", "programmes",
                  "recommendations", "alerts", "state", "done_on", "evidence", "cancelled_reason", "version"]
        read_only_fields = fields
