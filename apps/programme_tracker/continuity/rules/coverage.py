"""Rules on the recommendations: recommendation-uncovered, recommendation-at-risk and ended-without-successor
(DESIGN.md rules 5 and 6)."""

from collections import defaultdict
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy, gettext_noop

from programme_tracker.continuity.choices import Severity
from programme_tracker.continuity.messages import say
from programme_tracker.continuity.rules.base import Context, Finding, Rule, register
from programme_tracker.continuity.rules.funding import label
from programme_tracker.portfolio import periods
from programme_tracker.portfolio.models import (
    SECURED_FUNDING_STATUSES,
    FundingPeriod,
    GovernmentResponse,
    Programme,
    ProgrammeRecommendation,
    ProgrammeStatus,
    Recommendation,
)

ACCEPTED = (GovernmentResponse.ACCEPTED, GovernmentResponse.PARTLY_ACCEPTED)


def coverage_state(accepted: bool, until: date | None, horizon: date) -> str:
    """covered, at_risk, uncovered or not_accepted, from the response and the covered-until on the date."""
    if not accepted:
        return "not_accepted"
    if until is None:
        return "uncovered"
    return "at_risk" if until < horizon else "covered"


def coverage(ctx: Context) -> dict[int, date]:
    """For each accepted recommendation: the latest secured-until on the reference date among the active programmes
    implementing it, or None when none of them has secured funding that day (uncovered); once per scan.

    Always the whole portfolio: whether a recommendation is covered depends on every programme implementing it.
    """
    return ctx.cached("coverage", lambda: _coverage(ctx))


def _coverage(ctx: Context) -> dict[int, date]:
    links = ProgrammeRecommendation.objects.filter(
        recommendation__government_response__in=ACCEPTED, programme__status=ProgrammeStatus.ACTIVE
    )
    runs = ctx.secured_runs_of("covering", Q(programme__in=links.values("programme_id")))
    covered_until: dict[int, date] = {}
    for recommendation_id, programme_id in links.order_by().values_list("recommendation_id", "programme_id"):
        until = periods.secured_until(runs.get(programme_id, []), ctx.today)
        if until is not None and until > covered_until.get(recommendation_id, until - periods.ONE_DAY):
            covered_until[recommendation_id] = until
    return covered_until


class _RecommendationRule(Rule):
    subject = "recommendation"
    per_programme = False  # whether a recommendation is covered depends on every programme implementing it

    @staticmethod
    def accepted(ctx: Context) -> list[tuple[int, str]]:
        """(id, code, response) of the recommendations the government (partly) accepted, once per scan."""
        return ctx.cached("accepted", lambda: list(
            Recommendation.objects.filter(government_response__in=ACCEPTED).order_by()
            .values_list("id", "code", "government_response")))


@register
class RecommendationUncovered(_RecommendationRule):
    """An accepted recommendation that no active programme with secured funding on the reference date implements."""

    name = "recommendation-uncovered"
    title = gettext_lazy("Recommendation uncovered")
    description = (
        "A recommendation the government accepted (or partly accepted) that no active programme with secured "
        "funding on the reference date implements."
    )

    def findings(self, ctx):
        covered = coverage(ctx)
        accepted = gettext_noop("The government accepted %(code)s, but no active programme with secured funding "
                                "implements it. Link a funded programme to it or start one.")
        partly = gettext_noop("The government partly accepted %(code)s, but no active programme with secured "
                              "funding implements it. Link a funded programme to it or start one.")
        for recommendation_id, code, response in self.accepted(ctx):
            if recommendation_id not in covered:
                yield Finding(
                    rule=self.name, subject_key=f"recommendation:{recommendation_id}", subject_label=code, key="",
                    severity=Severity.WARNING, recommendation_id=recommendation_id, for_coordinators=True,
                    message_data=[say(partly if response == GovernmentResponse.PARTLY_ACCEPTED else accepted,
                                      code=code)],
                )


@register
class RecommendationAtRisk(_RecommendationRule):
    """An accepted recommendation covered today, but only by programmes whose secured funding ends soon."""

    name = "recommendation-at-risk"
    title = gettext_lazy("Recommendation at risk")
    description = (
        "An accepted recommendation covered on the reference date, but every covering programme's secured-until "
        "is within the coverage horizon. The key date is the last day it is covered."
    )

    def findings(self, ctx):
        covered = coverage(ctx)
        horizon = ctx.days(ctx.limits.coverage_horizon_days)
        for recommendation_id, code, _response in self.accepted(ctx):
            until = covered.get(recommendation_id)
            if until is not None and until < horizon:
                yield Finding(
                    rule=self.name, subject_key=f"recommendation:{recommendation_id}", subject_label=code,
                    key=until.isoformat(), key_date=until, severity=Severity.INFO,
                    recommendation_id=recommendation_id, for_coordinators=True,
                    message_data=[say(gettext_noop(
                        "%(code)s is covered only up to and including %(until)s: every programme implementing it "
                        "has secured funding ending by then. Secure continued funding for one of them."
                    ), code=code, until=until)],
                )


@register
class EndedWithoutSuccessor(Rule):
    """A programme ending around now with no successor, whose end leaves one of its recommendations uncovered."""

    name = "ended-without-successor"
    title = gettext_lazy("Ended without successor")
    description = (
        "A programme whose actual end (or else planned end) falls within the look-back and horizon windows, that "
        "has no successor (a programme naming it as predecessor, not cancelled), and one of whose recommendations "
        "no other planned or active programme implements with secured funding on the day after that end."
    )

    def findings(self, ctx):
        first, last = ctx.days(-ctx.limits.ended_lookback_days), ctx.days(ctx.limits.ended_horizon_days)
        successors = Programme.objects.filter(predecessor=OuterRef("pk")).exclude(status=ProgrammeStatus.CANCELLED)
        ending = (
            Programme.objects.filter(ctx.in_scope())
            .exclude(status=ProgrammeStatus.CANCELLED)
            .annotate(ends=Coalesce("actual_end", "planned_end"))
            .filter(ends__gte=first, ends__lte=last)
            .exclude(Exists(successors))
        )
        candidates = {pid: rest for pid, *rest in ending.order_by().values_list("id", "code", "name", "ends")}
        if not candidates:
            return
        recommendations: dict[int, list] = defaultdict(list)
        for programme_id, recommendation_id, code in ProgrammeRecommendation.objects.filter(
            programme__in=ending.values("pk")
        ).order_by().values_list("programme_id", "recommendation_id", "recommendation__code"):
            recommendations[programme_id].append((recommendation_id, code))
        # Who else covers each of those recommendations around the candidates' ends (a bounded window).
        others: dict[int, list] = defaultdict(list)
        wanted = {rec_id for links in recommendations.values() for rec_id, _code in links}
        for recommendation_id, programme_id, start, end in FundingPeriod.objects.filter(
            status__in=SECURED_FUNDING_STATUSES,
            programme__status__in=(ProgrammeStatus.ACTIVE, ProgrammeStatus.PLANNED),
            programme__recommendation_links__recommendation__in=wanted,
            start__lte=last + periods.ONE_DAY,
            end__gt=first,
        ).order_by().values_list("programme__recommendation_links__recommendation_id", "programme_id", "start", "end"):
            others[recommendation_id].append((programme_id, start, end))
        for programme_id, (code, name, ends) in candidates.items():
            day_after = ends + periods.ONE_DAY
            left = [
                rec_code for rec_id, rec_code in recommendations.get(programme_id, ())
                if not any(other != programme_id and start <= day_after <= end
                           for other, start, end in others.get(rec_id, ()))
            ]
            if left:
                yield Finding(
                    rule=self.name, subject_key=f"programme:{programme_id}", subject_label=label(code, name),
                    key=ends.isoformat(), key_date=ends, severity=ctx.severity(ends), programme_id=programme_id,
                    message_data=[say(gettext_noop(
                        "%(verb)s on %(end)s with no successor, leaving %(recs)s without a funded programme. Name a "
                        "successor or link another funded programme to %(them)s."
                    ), verb=say(gettext_noop("Ended") if ends < ctx.today else gettext_noop("Ends")), end=ends,
                        recs=", ".join(sorted(left)),
                        them=say(gettext_noop("them") if len(left) > 1 else gettext_noop("it")))],
                )
