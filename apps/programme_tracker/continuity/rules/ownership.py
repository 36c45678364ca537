"""Rule on accountability: unowned-measure (DESIGN.md rule 4)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy, gettext_noop

from programme_tracker.continuity.choices import Severity
from programme_tracker.continuity.messages import say
from programme_tracker.continuity.rules.base import Finding, Rule, register
from programme_tracker.continuity.rules.funding import label
from programme_tracker.portfolio.models import Programme, ProgrammeStatus

# What can be missing, as (key, condition on the programme, message). The key is part of the alert's identity, so
# an owner leaving after the ministry was fixed is a new alert, not the old one coming back.
PROBLEMS = (
    ("no-owner", Q(owner__isnull=True),
     gettext_noop("Nobody is named as its owner. Name the person accountable for it.")),
    ("owner-inactive", Q(owner__is_active=False),
     gettext_noop("Its owner %(owner)s no longer has an active account. Name a new owner.")),
    ("no-lead-ministry", Q(lead_ministry__isnull=True),
     gettext_noop("No lead ministry answers for it. Record the lead ministry.")),
    ("lead-ministry-inactive", Q(lead_ministry__active=False),
     gettext_noop("Its lead ministry %(ministry)s is no longer active (merged or dissolved). Record the ministry "
                  "that answers for it now.")),
)


@register
class UnownedMeasure(Rule):
    """A planned, active or suspended programme without an accountable owner or lead ministry."""

    name = "unowned-measure"
    title = gettext_lazy("Unowned measure")
    key_labels = {"no-owner": gettext_lazy("no owner"), "owner-inactive": gettext_lazy("owner left"),
                  "no-lead-ministry": gettext_lazy("no lead ministry"),
                  "lead-ministry-inactive": gettext_lazy("lead ministry no longer active")}
    description = (
        "A planned, active or suspended programme with no owner, an owner whose account is inactive, no lead "
        "ministry, or an inactive lead ministry. One alert per problem found."
    )

    def findings(self, ctx):
        any_problem = Q()
        for _key, condition, _text in PROBLEMS:
            any_problem |= condition
        rows = (
            Programme.objects.filter(ctx.in_scope())
            .filter(status__in=(ProgrammeStatus.PLANNED, ProgrammeStatus.ACTIVE, ProgrammeStatus.SUSPENDED))
            .filter(any_problem)
            .order_by().values_list("id", "code", "name", "owner_id", "owner__is_active", "owner__username",
                                    "owner__first_name", "owner__last_name", "lead_ministry_id",
                                    "lead_ministry__active", "lead_ministry__short_name")
        )
        for (pid, code, name, owner_id, owner_active, username, first_name, last_name, ministry_id, ministry_active,
             ministry) in rows:
            found = {
                "no-owner": owner_id is None,
                "owner-inactive": owner_id is not None and not owner_active,
                "no-lead-ministry": ministry_id is None,
                "lead-ministry-inactive": ministry_id is not None and not ministry_active,
            }
            # The name people know the owner by; the user name only for an account without one.
            owner = f"{first_name} {last_name}".strip() or username
            names = {"owner-inactive": {"owner": owner}, "lead-ministry-inactive": {"ministry": ministry}}
            for key, _condition, text in PROBLEMS:
                if found[key]:
                    yield Finding(
                        rule=self.name, subject_key=f"programme:{pid}", subject_label=label(code, name), key=key,
                        severity=Severity.WARNING, programme_id=pid, for_coordinators=True,
                        message_data=[say(text, **names.get(key, {}))],
                    )
