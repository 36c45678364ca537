"""The records as JSON: plain fields, related records by their codes (as people and spreadsheets name them),
money as decimal strings, dates as ISO dates, and each versioned record's edit version."""

from rest_framework import serializers

from programme_tracker.continuity.models import Alert
from programme_tracker.finance.models import BudgetLine, Expenditure, Payment
from programme_tracker.portfolio.models import FundingPeriod, Organisation, Programme, Recommendation


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "short_name", "name", "kind", "active"]


class RecommendationSerializer(serializers.ModelSerializer):
    """A recommendation; only the government's response and its note are written through the API."""

    source_report = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Recommendation
        fields = ["id", "code", "source_report", "area", "number", "text", "government_response", "response_note"]
        read_only_fields = ["code", "area", "number", "text"]


class FundingPeriodSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", queryset=Programme.objects.all())
    funder = serializers.SlugRelatedField(slug_field="short_name", queryset=Organisation.objects.all())

    class Meta:
        model = FundingPeriod
        fields = ["id", "code", "programme", "funder", "instrument", "amount", "currency", "status", "start", "end",
                  "decision_reference", "renewal_decision", "renewal_decision_date", "note", "version"]
        read_only_fields = ["version"]


class ProgrammeSerializer(serializers.ModelSerializer):
    """A programme; `secured_until` is its secured-until today (DESIGN.md), worked out for the page in one query;
    with ?expand=funding_periods each programme carries its funding periods."""

    lead_ministry = serializers.SlugRelatedField(slug_field="short_name", allow_null=True, required=False,
                                                 queryset=Organisation.objects.all())
    owner = serializers.SlugRelatedField(slug_field="username", allow_null=True, required=False, read_only=False,
                                         queryset=Programme._meta.get_field("owner").related_model.objects.all())
    predecessor = serializers.SlugRelatedField(slug_field="code", allow_null=True, required=False,
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


class AlertSerializer(serializers.ModelSerializer):
    """An alert as the inbox shows it: read only; acted on through its actions."""

    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recommendation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
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
    reason = serializers.CharField(max_length=2000)
    accepted_until = serializers.DateField(required=False, allow_null=True)


class ReassignSerializer(serializers.Serializer):
    assignee = serializers.CharField(allow_blank=True, allow_null=True, help_text="A user name; empty: the "
                                     "automatic choice.")


class BudgetLineSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = BudgetLine
        fields = ["id", "programme", "fiscal_year", "kind", "status", "amount", "currency", "revised_on", "note",
                  "version"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    funding_period = serializers.SlugRelatedField(slug_field="code", read_only=True)
    tranche_planned_on = serializers.DateField(source="tranche.planned_on", read_only=True, allow_null=True)

    class Meta:
        model = Payment
        fields = ["id", "funding_period", "reference", "paid_on", "amount", "currency", "tranche_planned_on",
                  "version"]
        read_only_fields = fields


class ExpenditureSerializer(serializers.ModelSerializer):
    funding_period = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="short_name", read_only=True)

    class Meta:
        model = Expenditure
        fields = ["id", "funding_period", "organisation", "period_start", "period_end", "category", "amount",
                  "currency", "version"]
        read_only_fields = fields
