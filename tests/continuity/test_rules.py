"""Each continuity rule: cases that fire, and near misses a day either side of each boundary that must not."""

import pytest

from programme_tracker.accounts import roles
from programme_tracker.continuity.rules import RULES, Context
from programme_tracker.portfolio.models import Organisation, ProgrammeRecommendation, Recommendation
from tests.builders import T, day, fund, make_programme


def found(rule, today=T):
    """The findings of one rule on `today`, as (subject label start, key, severity)."""
    return [(f.subject_label.split(" ")[0], f.key, f.severity) for f in RULES[rule].findings(Context(today=today))]


@pytest.fixture
def owner(accounts):
    return accounts[roles.COORDINATOR]


# 1. funding-expiring ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("end", "fires", "severity"), [
    (180, True, "info"), (181, False, None),          # horizon: E ≤ T+180
    (90, True, "warning"), (91, True, "info"),        # warning when E ≤ T+90
    (29, True, "critical"), (30, True, "warning"),    # critical when E < T+30
    (-5, True, "critical"),                           # lapsed
])
def test_funding_expiring_horizon_and_severity(owner, end, fires, severity):
    p = make_programme(owner, planned_start=day(-400))
    fund(p, day(-400), day(end))
    assert found("funding-expiring") == ([(p.code, day(end).isoformat(), severity)] if fires else [])


def test_funding_expiring_follows_an_unbroken_run_and_ignores_indicative_money(owner):
    p = make_programme(owner)
    fund(p, day(-100), day(10))
    fund(p, day(11), day(100))  # adjacent: one run to T+100
    fund(p, day(101), day(400), status="indicative")  # shown, never counted as secured
    assert found("funding-expiring") == [(p.code, day(100).isoformat(), "info")]


def test_funding_expiring_not_when_the_programme_ends_with_its_funding(owner):
    p = make_programme(owner, planned_end=day(60))
    fund(p, day(-100), day(60))
    assert found("funding-expiring") == []
    p.planned_end = day(61)
    p.save()
    assert found("funding-expiring") == [(p.code, day(60).isoformat(), "warning")]


def test_funding_expiring_leaves_later_funding_to_the_gap_rule(owner):
    p = make_programme(owner)
    fund(p, day(-100), day(60))
    fund(p, day(62), day(500))
    assert found("funding-expiring") == []
    assert found("funding-gap") == [(p.code, day(61).isoformat(), "warning")]


@pytest.mark.parametrize(("successor_start", "grace", "fires"), [(61, 0, False), (62, 0, True), (62, 1, False)])
def test_funding_expiring_not_when_a_successor_is_funded_in_time(owner, settings, successor_start, grace, fires):
    settings.CONTINUITY = {**settings.CONTINUITY, "successor_grace_days": grace}
    p = make_programme(owner)
    fund(p, day(-100), day(60))
    successor = make_programme(owner, status="planned", planned_start=day(61), predecessor=p)
    fund(successor, day(successor_start), day(900))
    assert bool([f for f in found("funding-expiring") if f[0] == p.code]) is fires


def test_funding_expiring_planned_programme_looks_from_its_start(owner):
    inside = make_programme(owner, status="planned", planned_start=day(180))
    outside = make_programme(owner, status="planned", planned_start=day(181))
    fund(inside, day(180), day(200), status="indicative")
    # No secured funding at all: E = the day before the planned start.
    assert found("funding-expiring") == [(inside.code, day(179).isoformat(), "info")]
    assert outside.code not in {f[0] for f in found("funding-expiring")}


def test_ended_and_suspended_programmes_do_not_expire(owner):
    fund(make_programme(owner, status="ended", planned_start=day(-300)), day(-300), day(10))
    assert found("funding-expiring") == []


# 2. funding-gap ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("gap_start", "gap_end", "fires"), [
    (-10, -1, False), (-10, 0, True),        # the stretch must end on or after T
    (365, 400, True), (366, 400, False),     # and start on or before T+365
])
def test_funding_gap_window(owner, gap_start, gap_end, fires):
    p = make_programme(owner)
    fund(p, day(-500), day(gap_start - 1))
    fund(p, day(gap_end + 1), day(900))
    expected = [(p.code, day(gap_start).isoformat(), "critical" if gap_start < 30 else "info")] if fires else []
    assert found("funding-gap") == expected


def test_funding_gap_one_alert_per_stretch_and_overlaps_are_no_gap(owner):
    p = make_programme(owner)
    fund(p, day(-100), day(50))
    fund(p, day(40), day(100))  # overlaps: no gap
    fund(p, day(102), day(200))  # one day unsecured: T+101
    fund(p, day(230), day(300))  # T+201..T+229
    gaps = RULES["funding-gap"].findings(Context(today=T))
    assert [(g.key_date, g.until_date) for g in gaps] == [(day(101), day(101)), (day(201), day(229))]


# 3. renewal-decision-overdue --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("end", "fires"), [(119, True), (120, False)])  # notice date = end − 120 must be before T
def test_renewal_decision_overdue_after_the_notice_date(owner, end, fires):
    p = make_programme(owner)
    period = fund(p, day(-300), day(end))
    assert found("renewal-decision-overdue") == (
        [(period.code, day(end - 120).isoformat(), "info" if end > 90 else "warning")] if fires else []
    )


def test_renewal_decision_overdue_not_when_decided_or_the_programme_stops(owner):
    decided = make_programme(owner)
    fund(decided, day(-300), day(10), renewal_decision="renewed", renewal_decision_date=day(-20))
    stops = make_programme(owner, planned_end=day(10))
    fund(stops, day(-300), day(10))
    assert found("renewal-decision-overdue") == []


# 4. unowned-measure -----------------------------------------------------------------------------------------------

def test_unowned_measure_each_problem(owner, accounts, ministry):
    no_owner = make_programme(None, status="planned")
    left = make_programme(accounts[roles.MONITOR])
    accounts[roles.MONITOR].is_active = False
    accounts[roles.MONITOR].save()
    old = Organisation.objects.create(short_name="VenJ", name="Security and Justice", kind="ministry", active=False)
    merged = make_programme(owner, lead_ministry=old)
    no_ministry = make_programme(owner, status="suspended", lead_ministry=None)
    make_programme(None, status="ended")  # ended programmes need no owner
    make_programme(owner)  # fine
    assert sorted(found("unowned-measure")) == sorted([
        (no_owner.code, "no-owner", "warning"), (left.code, "owner-inactive", "warning"),
        (merged.code, "lead-ministry-inactive", "warning"), (no_ministry.code, "no-lead-ministry", "warning"),
    ])


# 5. recommendation-uncovered / recommendation-at-risk ------------------------------------------------------------

@pytest.fixture
def accepted(base):
    rec = Recommendation.objects.get(code="PREV-3")
    Recommendation.objects.exclude(pk=rec.pk).update(government_response="pending")
    return rec


def test_recommendation_uncovered_until_an_active_funded_programme_implements_it(owner, accepted):
    assert found("recommendation-uncovered") == [("PREV-3", "", "warning")]
    p = make_programme(owner)
    ProgrammeRecommendation.objects.create(programme=p, recommendation=accepted)
    fund(p, day(1), day(400))  # funded from tomorrow: still uncovered today
    assert found("recommendation-uncovered") == [("PREV-3", "", "warning")]
    fund(p, day(-10), day(0))
    assert found("recommendation-uncovered") == []


@pytest.mark.parametrize(("until", "at_risk"), [(179, True), (180, False)])
def test_recommendation_at_risk_when_every_covering_programme_ends_soon(owner, accepted, until, at_risk):
    for end in (until - 50, until):
        p = make_programme(owner)
        ProgrammeRecommendation.objects.create(programme=p, recommendation=accepted)
        fund(p, day(-10), day(end))
    assert found("recommendation-at-risk") == ([("PREV-3", day(until).isoformat(), "info")] if at_risk else [])
    assert found("recommendation-uncovered") == []


# 6. ended-without-successor ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("end", "fires"), [(-91, False), (-90, True), (180, True), (181, False)])
def test_ended_without_successor_window(owner, accepted, end, fires):
    p = make_programme(owner, status="ended" if end < 0 else "active", planned_end=day(end))
    ProgrammeRecommendation.objects.create(programme=p, recommendation=accepted)
    assert [f[0] for f in found("ended-without-successor")] == ([p.code] if fires else [])


def test_ended_without_successor_not_with_a_successor_or_other_cover(owner, accepted):
    p = make_programme(owner, planned_end=day(30))
    ProgrammeRecommendation.objects.create(programme=p, recommendation=accepted)
    other = make_programme(owner)
    ProgrammeRecommendation.objects.create(programme=other, recommendation=accepted)
    fund(other, day(-10), day(30))  # covers until the same day: the day after is uncovered
    assert [f[0] for f in found("ended-without-successor")] == [p.code]
    fund(other, day(31), day(60))
    assert found("ended-without-successor") == []
    make_programme(owner, status="planned", predecessor=p)
    other.delete()
    assert found("ended-without-successor") == []


@pytest.mark.parametrize("end", [-90, 0, 180])
def test_a_cancelled_programme_never_ends_without_successor_but_its_recommendation_is_uncovered(owner, accepted, end):
    p = make_programme(owner, status="cancelled", planned_end=day(end))
    ProgrammeRecommendation.objects.create(programme=p, recommendation=accepted)
    assert found("ended-without-successor") == []
    assert [f[0] for f in found("recommendation-uncovered")] == [accepted.code]


@pytest.mark.parametrize(("successor_status", "fires"), [
    ("cancelled", True), ("planned", False), ("active", False), ("ended", False), ("suspended", False),
])
def test_a_cancelled_successor_is_no_successor(owner, accepted, successor_status, fires):
    p = make_programme(owner, planned_end=day(30))
    ProgrammeRecommendation.objects.create(programme=p, recommendation=accepted)
    make_programme(owner, status=successor_status, predecessor=p)
    assert [f[0] for f in found("ended-without-successor")] == ([p.code] if fires else [])


def test_a_cancelled_successor_beside_a_real_one_does_not_matter(owner, accepted):
    p = make_programme(owner, planned_end=day(30))
    ProgrammeRecommendation.objects.create(programme=p, recommendation=accepted)
    make_programme(owner, status="cancelled", predecessor=p)
    make_programme(owner, status="planned", predecessor=p)
    assert found("ended-without-successor") == []


def test_a_cancelled_programme_with_funding_covers_nothing(owner, accepted):
    p = make_programme(owner, planned_end=day(30))
    ProgrammeRecommendation.objects.create(programme=p, recommendation=accepted)
    cancelled = make_programme(owner, status="cancelled")
    ProgrammeRecommendation.objects.create(programme=cancelled, recommendation=accepted)
    fund(cancelled, day(-10), day(400))
    assert [f[0] for f in found("ended-without-successor")] == [p.code]


# 7. stale-record -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("reviewed", "fires"), [("2025-11-30", True), ("2025-12-01", False)])
def test_stale_record_after_six_months(owner, reviewed, fires):
    from datetime import date

    p = make_programme(owner, last_reviewed=date.fromisoformat(reviewed))  # T = 2026-06-01
    assert found("stale-record") == ([(p.code, "2026-05-30", "info")] if fires else [])


def test_stale_record_never_reviewed_and_only_active(owner):
    p = make_programme(owner, last_reviewed=None)
    make_programme(None, status="planned", last_reviewed=None)
    assert found("stale-record") == [(p.code, "never", "info")]
