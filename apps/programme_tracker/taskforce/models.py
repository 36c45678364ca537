"""The task force's records: its members, its meetings and their agendas, the decisions it takes and the actions that
follow from them.

The coordination loop runs through them: an alert is put on a meeting's agenda, the meeting records a decision with
a responsible organisation and a deadline, and the decision's actions each have an owner and a due date, and end
done (with evidence) or cancelled (with a reason). Every record keeps its history and refuses a stale edit.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme_tracker.continuity.models import Alert
from programme_tracker.core.models import EARLIEST, LATEST, ValidatedModel, VersionedModel
from programme_tracker.portfolio.models import Organisation, Programme, Recommendation
from programme_tracker.portfolio.models.validators import are_dates


class MemberQuerySet(models.QuerySet):
    """Task-force seats."""

    def on(self, day):
        """The seats held on `day` (from `since` up to and including `until`)."""
        return self.filter(Q(until__isnull=True) | Q(until__gte=day), since__lte=day)


class Member(ValidatedModel, VersionedModel):
    """A person's seat on the task force: for which organisation, in which role, from when and until when."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")
        ADVISER = "adviser", _("Adviser")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="task_force_seats",
                               verbose_name=_("person"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="task_force_members",
                                     verbose_name=_("organisation"))
    role = models.CharField(_("role in the task force"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    since = models.DateField(_("member since"))
    until = models.DateField(_("member until"), null=True, blank=True,
                             help_text=_("The last day of the membership; empty while it lasts."))
    history = HistoricalRecords(excluded_fields=["version"])
    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("task-force member")
        verbose_name_plural = _("task-force members")
        ordering = ["person__username", "since"]
        constraints = [models.UniqueConstraint(fields=["person", "since"], name="member_seat_once_per_start")]

    def __str__(self):
        return f"{self.person} ({self.get_role_display().lower()}, {self.organisation.short_name})"

    def clean(self):
        """A membership ends on or after the day it starts."""
        if are_dates(self.since, self.until) and self.until < self.since:
            raise ValidationError({"until": _("The membership cannot end before it starts.")})


class Meeting(ValidatedModel, VersionedModel):
    """A meeting of the task force: when and where, whether it was held, and when its agenda and minutes were
    published and approved."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online meeting link"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    agenda_published_on = models.DateField(_("agenda published on"), null=True, blank=True)
    minutes_approved_on = models.DateField(_("minutes approved on"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True,
                               help_text=_("What was discussed beyond the decisions and actions recorded per item."))
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]

    def __str__(self):
        return str(_("Task-force meeting of %(date)s") % {"date": date_format(timezone.localdate(self.starts_at))})

    def clean(self):
        """A meeting starts within the years the register holds and is held on its day or before today; minutes
        are approved only for a meeting that was held, and not before it."""
        if self.starts_at and not EARLIEST.year <= self.starts_at.year <= LATEST.year:
            raise ValidationError({"starts_at": _("Give a start from %(first)s to %(last)s.")
                                   % {"first": EARLIEST.year, "last": LATEST.year}})
        if self.starts_at and self.status == self.Status.HELD and \
                timezone.localdate(self.starts_at) > timezone.localdate():
            raise ValidationError({"status": _("A meeting still to come cannot have been held.")})
        if self.minutes_approved_on and self.status != self.Status.HELD:
            raise ValidationError({"minutes_approved_on": _("Only the minutes of a held meeting are approved.")})
        if self.minutes_approved_on and self.starts_at and are_dates(self.minutes_approved_on) \
                and self.minutes_approved_on < self.starts_at.date():
            raise ValidationError({"minutes_approved_on": _("The minutes cannot be approved before the meeting.")})
        if self.duration_minutes is not None and not 1 <= self.duration_minutes <= 24 * 60:
            raise ValidationError({"duration_minutes": _("Give a duration from 1 minute to 24 hours.")})


class Decision(ValidatedModel, VersionedModel):
    """A decision of the task force, numbered per year (TF-2027-004): what was decided, about which programmes,
    recommendations and alerts, who answers for it, by when, and whether it is in force."""

    class Kind(models.TextChoices):
        CONTINUE_FUNDING = "continue_funding", _("Continue or extend the funding")
        END_MEASURE = "end_measure", _("End the measure")
        TRANSFER_OWNERSHIP = "transfer_ownership", _("Transfer the ownership")
        ACCEPT_RISK = "accept_risk", _("Accept the risk until a date")
        ASK_MINISTER = "ask_minister", _("Ask the minister")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        IMPLEMENTED = "implemented", _("Implemented")
        SUPERSEDED = "superseded", _("Superseded")

    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("number in the year"), editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions",
                                verbose_name=_("meeting"),
                                help_text=_("Empty for a decision taken in writing between meetings."))
    decided_on = models.DateField(_("decided on"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("decision"))
    programmes = models.ManyToManyField(Programme, blank=True, related_name="task_force_decisions",
                                        verbose_name=_("programmes"))
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="task_force_decisions",
                                             verbose_name=_("recommendations"))
    alerts = models.ManyToManyField(Alert, blank=True, related_name="task_force_decisions", verbose_name=_("alerts"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="task_force_decisions", verbose_name=_("responsible organisation"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    accepted_until = models.DateField(_("risk accepted until"), null=True, blank=True,
                                      help_text=_("For a decision to accept the risk: its linked alerts are "
                                                  "dismissed until this day."))
    new_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("new owner"),
                                  help_text=_("For a transfer of ownership: who owns the programmes from now on."))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.IN_FORCE)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                      verbose_name=_("superseded by"))
    agenda_item = models.ForeignKey("AgendaItem", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="decisions", verbose_name=_("agenda item"),
                                    help_text=_("The item of the meeting under which it was decided."))
    public = models.BooleanField(_("in the public view"), default=False, help_text=_(
        "Shown in the public implementation view beside the recommendations it is about (its number, date, kind "
        "and text: write the text without people's names)."))
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-year", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="decision_number_once")]

    def __str__(self):
        return self.number

    @staticmethod
    def format_number(year: int, sequence: int) -> str:
        """A decision's number as people cite it: TF-<year>-<three digits at least>."""
        return f"TF-{year}-{sequence:03d}"

    @property
    def number(self) -> str:
        """This decision's number (TF-2027-004), once it has one."""
        return self.format_number(self.year, self.sequence) if self.year and self.sequence else str(
            _("(not numbered yet)"))

    def clean(self):
        """Each kind and state asks for what it needs: an accepted risk its end date, a transfer its new owner, a
        superseded decision the one that replaced it."""
        errors = {}
        if self.kind == self.Kind.ACCEPT_RISK and not self.accepted_until:
            errors["accepted_until"] = _("Give the day until which the risk is accepted.")
        if self.kind != self.Kind.ACCEPT_RISK and self.accepted_until:
            errors["accepted_until"] = _("Only a decision to accept the risk has this date.")
        if self.kind == self.Kind.TRANSFER_OWNERSHIP and not self.new_owner_id:
            errors["new_owner"] = _("Give the new owner.")
        if self.state == self.State.SUPERSEDED and not self.superseded_by_id:
            errors["superseded_by"] = _("Give the decision that replaced this one.")
        if self.superseded_by_id and self.superseded_by_id == self.pk:
            errors["superseded_by"] = _("A decision cannot replace itself.")
        if are_dates(self.decided_on, self.deadline) and self.deadline < self.decided_on:
            errors["deadline"] = _("The deadline cannot be before the decision.")
        if self.agenda_item_id and self.meeting_id and self.agenda_item.meeting_id != self.meeting_id:
            errors["agenda_item"] = _("The agenda item is of another meeting than the decision.")
        if errors:
            raise ValidationError(errors)


class ActionItem(ValidatedModel, VersionedModel):
    """Something one person must do by a date, usually following from a decision: open until it is done (with a
    short note of the evidence) or cancelled (with the reason)."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    # Identifies the action in the portfolio exchange, across sites (an action has no number people cite).
    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    what = models.CharField(_("what"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="task_force_actions",
                              verbose_name=_("owner"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="task_force_actions", verbose_name=_("organisation"))
    due_on = models.DateField(_("due on"))
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="actions",
                                 verbose_name=_("decision"))
    programmes = models.ManyToManyField(Programme, blank=True, related_name="task_force_actions",
                                        verbose_name=_("programmes"))
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="task_force_actions",
                                             verbose_name=_("recommendations"))
    alerts = models.ManyToManyField(Alert, blank=True, related_name="task_force_actions", verbose_name=_("alerts"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True,
                                help_text=_("Where the result can be found: a letter, a decision, a document."))
    cancelled_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    agenda_item = models.ForeignKey("AgendaItem", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="actions", verbose_name=_("agenda item"),
                                    help_text=_("The item of the meeting under which it was agreed."))
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["state", "due_on"], name="action_open_by_due_date")]
        constraints = [
            models.CheckConstraint(condition=Q(state="done", done_on__isnull=False) | ~Q(state="done"),
                                   name="action_done_has_a_date"),
        ]

    def __str__(self):
        return self.what

    def clean(self):
        """Done has a date and evidence; cancelled has a reason; an open action has neither."""
        errors = {}
        if self.state == self.State.DONE:
            if not self.done_on:
                errors["done_on"] = _("Give the day the action was done.")
            elif are_dates(self.done_on) and self.done_on > timezone.localdate():
                errors["done_on"] = _("The day it was done cannot be after today.")
            if not self.evidence.strip():
                errors["evidence"] = _("Say where the result can be found.")
        elif self.done_on:
            errors["done_on"] = _("Only a done action has this date.")
        if self.state == self.State.CANCELLED and not self.cancelled_reason.strip():
            errors["cancelled_reason"] = _("Give the reason for cancelling the action.")
        if errors:
            raise ValidationError(errors)


class AgendaItem(ValidatedModel, VersionedModel):
    """One item on a meeting's agenda: about an alert, a programme, a recommendation, an action item, or a free text;
    proposed by the register or added by the secretary; and what the meeting made of it."""

    class Origin(models.TextChoices):
        PROPOSED = "proposed", _("Proposed by the register")
        ADDED = "added", _("Added by hand")

    class Outcome(models.TextChoices):
        PENDING = "", _("Not discussed yet")
        DECIDED = "decided", _("Decided")
        ACTIONS = "actions", _("Actions agreed")
        DEFERRED = "deferred", _("Deferred to the next meeting")
        NOTED = "noted", _("Noted")
        DROPPED = "dropped", _("Dropped from the agenda")

    SUBJECTS = ("alert", "programme", "recommendation", "action")  # what an item may be about: one at most
    MAX_PER_MEETING = 200  # a meeting discusses a few dozen items; thousands would be a mistake (or an attack)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items",
                                verbose_name=_("meeting"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("item"), max_length=300)
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items",
                              verbose_name=_("alert"))
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="agenda_items", verbose_name=_("programme"))
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="agenda_items", verbose_name=_("recommendation"))
    action = models.ForeignKey(ActionItem, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="agenda_items", verbose_name=_("action item"))
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.ADDED)
    # What the register proposed the item for ("alert:12", "renewal:7"), so that proposing again adds it only once.
    proposal = models.CharField(_("proposed for"), max_length=60, blank=True, editable=False, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True,
                               default=Outcome.PENDING)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(alert__isnull=True, programme__isnull=True, recommendation__isnull=True)
                | Q(alert__isnull=False, programme__isnull=True, recommendation__isnull=True, action__isnull=True)
                | Q(alert__isnull=True, programme__isnull=False, recommendation__isnull=True, action__isnull=True)
                | Q(alert__isnull=True, programme__isnull=True, recommendation__isnull=False, action__isnull=True),
                name="agenda_item_about_one_subject",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        """An item is about one subject at most (or only its text)."""
        subjects = [name for name in self.SUBJECTS if getattr(self, f"{name}_id")]
        if self._state.adding and self.meeting_id and \
                AgendaItem.objects.filter(meeting_id=self.meeting_id).count() >= self.MAX_PER_MEETING:
            raise ValidationError(_("A meeting has at most %(count)s agenda items.") % {"count": self.MAX_PER_MEETING})
        if len(subjects) > 1:
            raise ValidationError({subjects[1]: _("An agenda item is about one subject; make another item for this "
                                                  "one.")})
