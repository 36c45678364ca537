"""The API's resources: thin viewsets over the models (their validation and history) and the continuity services
(the alert actions), with the roles' permissions."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as FieldErrors
from rest_framework.response import Response

from programme_tracker.api import bulk, serializers
from programme_tracker.api.concurrency import VersionedMixin
from programme_tracker.api.filters import (
    AlertFilter,
    FundingPeriodFilter,
    ProgrammeFilter,
    RecommendationLinkFilter,
    money_filter,
)
from programme_tracker.api.permissions import ActionPermission, CheckedDelete, ImportPermission
from programme_tracker.continuity import services as alert_services
from programme_tracker.continuity.models import Alert
from programme_tracker.finance.models import BudgetLine, Commitment, Expenditure, Payment, ReportDue, Tranche
from programme_tracker.notifications.models import Notification
from programme_tracker.notifications.services import mark_read
from programme_tracker.portfolio.models import (
    FundingPeriod,
    Organisation,
    Programme,
    ProgrammeRecommendation,
    Recommendation,
)
from programme_tracker.portfolio.runs import secured_until_on
from programme_tracker.taskforce.models import ActionItem, Decision, Meeting


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Ministries, agencies and partners."""

    queryset = Organisation.objects.all()
    serializer_class = serializers.OrganisationSerializer
    filterset_fields = ["kind", "active"]
    ordering_fields = ["id", "short_name"]


class RecommendationViewSet(VersionedMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The Rapporteur's recommendations; the government's response is written by those who may change it (with
    the recommendation's ETag in If-Match)."""

    queryset = Recommendation.objects.select_related("source_report")
    serializer_class = serializers.RecommendationSerializer
    filterset_fields = ["area", "government_response"]
    ordering_fields = ["id", "code"]


class ProgrammeViewSet(VersionedMixin, viewsets.ModelViewSet):
    """Programmes with their secured-until today; ?expand=funding_periods nests their funding periods."""

    queryset = Programme.objects.select_related("lead_ministry", "owner", "predecessor")
    serializer_class = serializers.ProgrammeSerializer
    filterset_class = ProgrammeFilter
    ordering_fields = ["id", "code", "planned_end"]

    def expand(self) -> set[str]:
        return set(self.request.query_params.get("expand", "").split(",")) & {"funding_periods"}

    def get_queryset(self):
        queryset = super().get_queryset()
        if "funding_periods" in self.expand():
            queryset = queryset.prefetch_related(Prefetch(
                "funding_periods", queryset=FundingPeriod.objects.select_related("programme", "funder")
                .order_by("start", "id"), to_attr="expanded_periods"))
        return queryset

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "expand": self.expand()}

    def get_serializer(self, *args, **kwargs):
        # Secured-until of the records being shown, in one query for the page (not one per programme).
        records = args[0] if args else kwargs.get("instance")
        if records is not None:
            many = records if isinstance(records, list | tuple) else [records]
            ids = [record.pk for record in many if getattr(record, "pk", None)]
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["secured_until"] = secured_until_on(
                timezone.localdate(), Q(programme_id__in=ids)) if ids else {}
        return super().get_serializer(*args, **kwargs)


class FundingPeriodViewSet(VersionedMixin, viewsets.ModelViewSet):
    """Funding periods: the money behind each programme, and until when it runs."""

    queryset = FundingPeriod.objects.select_related("programme", "funder")
    serializer_class = serializers.FundingPeriodSerializer
    filterset_class = FundingPeriodFilter
    ordering_fields = ["id", "code", "start", "end"]


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Alerts, read only; acknowledge, dismiss and reassign are actions on one alert."""

    queryset = Alert.objects.select_related("programme", "recommendation", "assignee")
    serializer_class = serializers.AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["id", "key_date"]

    def _answer(self, alert) -> Response:
        return Response(serializers.AlertSerializer(alert, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=serializers.AlertSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ActionPermission])
    def acknowledge(self, request, pk=None):
        """Acknowledge the alert: someone is working on it."""
        return self._answer(alert_services.acknowledge(self.get_object().pk, actor=request.user))

    @extend_schema(request=serializers.DismissSerializer, responses=serializers.AlertSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ActionPermission])
    def dismiss(self, request, pk=None):
        """Dismiss the alert with a reason, optionally accepting the risk up to and including a day."""
        given = serializers.DismissSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._answer(alert_services.dismiss(self.get_object().pk, actor=request.user, **given.validated_data))

    @extend_schema(request=serializers.ReassignSerializer, responses=serializers.AlertSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ActionPermission])
    def reassign(self, request, pk=None):
        """Hand the alert to another person (by user name), or back to the automatic choice (empty)."""
        alert = self.get_object()  # first: an unknown alert says nothing about which user names exist
        given = serializers.ReassignSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        username = given.validated_data.get("assignee") or ""
        assignee = get_user_model().objects.filter(username=username, is_active=True).first() if username else None
        if username and assignee is None:
            raise FieldErrors({"assignee": [_("No active account has this user name.")]})
        return self._answer(alert_services.reassign(alert.pk, actor=request.user, assignee=assignee))


class MoneyViewSet(viewsets.ReadOnlyModelViewSet):
    """A kind of money record: read one by one or as a list; written in bulk (POST …/bulk/), all or nothing, with
    the spreadsheet import's rules and column names."""

    bulk_kind = ""

    @extend_schema(request=bulk.BulkSerializer, responses={200: dict, 400: dict})
    @action(detail=False, methods=["post"], permission_classes=[ImportPermission])
    def bulk(self, request):
        """Check and write many records at once (`dry_run`: only check). 200 when written (or, in a dry run, when
        all rows pass); 400 with every problem by row (1 = the first row posted) and column when any row fails:
        then nothing is written."""
        given = bulk.BulkSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        report = bulk.run(self.bulk_kind, given.validated_data["rows"], user=request.user,
                          dry_run=given.validated_data["dry_run"])
        return Response(report, status=400 if report["errors"] else 200)


class BudgetLineViewSet(MoneyViewSet):
    """Budget lines per programme and fiscal year."""

    queryset = BudgetLine.objects.select_related("programme")
    serializer_class = serializers.BudgetLineSerializer
    filterset_fields = ["fiscal_year", "kind", "status"]
    ordering_fields = ["id", "fiscal_year"]
    bulk_kind = "budget-lines"


class PaymentViewSet(MoneyViewSet):
    """Payments on funding periods."""

    queryset = Payment.objects.select_related("funding_period", "tranche")
    serializer_class = serializers.PaymentSerializer
    filterset_fields = ["paid_on"]
    ordering_fields = ["id", "paid_on"]
    bulk_kind = "payments"


class ExpenditureViewSet(MoneyViewSet):
    """Spending reported by the implementing organisations."""

    queryset = Expenditure.objects.select_related("funding_period", "organisation")
    serializer_class = serializers.ExpenditureSerializer
    filterset_fields = ["category"]
    ordering_fields = ["id", "period_start"]
    bulk_kind = "expenditure"


class RecommendationLinkViewSet(CheckedDelete, viewsets.ModelViewSet):
    """Which programme implements which recommendation (and how): the coverage matrix's links."""

    queryset = ProgrammeRecommendation.objects.select_related("programme", "recommendation")
    serializer_class = serializers.RecommendationLinkSerializer
    filterset_class = RecommendationLinkFilter
    ordering_fields = ["id"]


class CommitmentViewSet(VersionedMixin, viewsets.ModelViewSet):
    """Funding decisions behind funding periods: reference, date, amount."""

    queryset = Commitment.objects.select_related("funding_period")
    serializer_class = serializers.CommitmentSerializer
    filterset_class = money_filter(Commitment)
    ordering_fields = ["id", "decided_on"]


class TrancheViewSet(VersionedMixin, viewsets.ModelViewSet):
    """Planned payments of funding periods, each perhaps waiting for a report."""

    queryset = Tranche.objects.select_related("funding_period")
    serializer_class = serializers.TrancheSerializer
    filterset_class = money_filter(Tranche)
    ordering_fields = ["id", "planned_on"]


class ReportDueViewSet(VersionedMixin, viewsets.ModelViewSet):
    """Reports the implementing organisations owe on their funding, with when they came in and were approved."""

    queryset = ReportDue.objects.select_related("funding_period")
    serializer_class = serializers.ReportDueSerializer
    filterset_class = money_filter(ReportDue)
    ordering_fields = ["id", "due_on"]


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The person's own notifications (never another's); POST …/{id}/read/ marks one read."""

    queryset = Notification.objects.select_related("event")
    serializer_class = serializers.NotificationSerializer
    filterset_fields = ["email_state"]
    ordering_fields = ["id", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or not self.request.user.is_authenticated:
            return Notification.objects.none()  # the schema's generation, or a visitor the permissions refuse
        return super().get_queryset().filter(recipient=self.request.user)

    @extend_schema(request=None, responses=serializers.NotificationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ActionPermission])
    def read(self, request, pk=None):
        """Mark the notification read."""
        notification = self.get_object()
        mark_read(request.user, [notification.pk])
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """The task force's meetings."""

    queryset = Meeting.objects.all()
    serializer_class = serializers.MeetingSerializer
    filterset_fields = ["status"]
    ordering_fields = ["id", "starts_at"]


class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """The task force's decisions, numbered per year, with their subjects."""

    queryset = Decision.objects.select_related("organisation").prefetch_related("programmes", "recommendations",
                                                                                 "alerts")
    serializer_class = serializers.DecisionSerializer
    filterset_fields = ["year", "kind", "state", "meeting"]
    ordering_fields = ["id", "decided_on"]


class ActionItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The actions the task force agreed, with their owners, due dates and how they ended."""

    queryset = ActionItem.objects.select_related("owner", "organisation").prefetch_related(
        "programmes", "recommendations", "alerts")
    serializer_class = serializers.ActionItemSerializer
    filterset_fields = ["state", "decision"]
    ordering_fields = ["id", "due_on"]
