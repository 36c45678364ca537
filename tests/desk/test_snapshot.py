"""The cached portfolio figures: the stamp moves with every saved change they depend on."""

from datetime import date
from decimal import Decimal

from programme_tracker.desk.snapshot import snapshot, stamp
from programme_tracker.finance.models import BudgetLine
from programme_tracker.portfolio.models import Organisation, ProgrammeRecommendation, Recommendation


def test_the_stamp_moves_with_every_kind_of_change_the_figures_depend_on(programme):
    changes = [
        lambda: setattr(programme, "status", "suspended") or programme.save(),
        lambda: _extend(programme),
        lambda: ProgrammeRecommendation.objects.create(programme=programme,
                                                       recommendation=Recommendation.objects.get(code="POL-1")),
        lambda: _respond(Recommendation.objects.get(code="POL-2")),
        lambda: _rename(Organisation.objects.get(short_name="VWS")),
        lambda: BudgetLine.objects.create(programme=programme, fiscal_year=2026, amount=Decimal("5.00")),
        lambda: programme.funding_periods.first().delete(),
    ]
    seen = {stamp()}
    for change in changes:
        change()
        seen.add(stamp())
    assert len(seen) == len(changes) + 1


def test_the_snapshot_of_a_day_holds_secured_until_and_coverage(programme):
    snap = snapshot(date(2026, 6, 1))
    assert snap.until(programme.pk) == date(2026, 12, 31)
    assert snap.until(programme.pk + 1000) is None
    assert snapshot(date(2027, 6, 1)).until(programme.pk) is None


def _extend(programme):
    period = programme.funding_periods.first()
    period.end = date(2027, 6, 30)
    period.save()


def _respond(recommendation):
    recommendation.government_response = "accepted"
    recommendation.save()


def _rename(organisation):
    organisation.name = organisation.name + " (renamed)"
    organisation.save()
