"""The base fixture: the First Report's 25 recommendations with their areas, and the ministries it names."""

from collections import Counter

import pytest

from programme_tracker.config.site_config import REPO_ROOT
from programme_tracker.portfolio.models import Organisation, Recommendation
from programme_tracker.portfolio.services import load_base_data

SEED = REPO_ROOT.parent / "shared" / "seed" / "000_da98309552d3932c.txt"


def test_twenty_five_recommendations_in_the_seven_areas(base):
    areas = Counter(Recommendation.objects.values_list("area", flat=True))
    assert areas == {"policy": 4, "prevention": 4, "identification": 4, "investigation": 7, "aftercare": 4,
                     "victim_assistance": 1, "partnerships": 1}
    codes = set(Recommendation.objects.values_list("code", flat=True))
    assert {"POL-1", "POL-4", "PREV-3", "IDR-4", "INV-7", "AFT-4", "VIC-1", "PPP-1"} <= codes
    assert len(codes) == 25


def test_numbers_follow_the_report_within_each_area(base):
    prev3 = Recommendation.objects.get(code="PREV-3")
    assert (prev3.area, prev3.number) == ("prevention", 3)
    assert "Stop It Now!" in prev3.text
    assert Recommendation.objects.get(code="INV-1").text.startswith("Combine offender-oriented")


@pytest.mark.skipif(not SEED.exists(), reason=f"the seed report is not beside the repository ({SEED})")
def test_every_text_is_taken_from_the_seed(base):
    seed = " ".join(SEED.read_text(encoding="utf-8").split())
    for text in Recommendation.objects.values_list("text", flat=True):
        assert text in seed


def test_ministries_named_in_the_seed(base):
    ministries = dict(Organisation.objects.filter(kind="ministry").values_list("short_name", "name"))
    assert ministries == {"JenV": "Ministry of Justice and Security", "VWS": "Ministry of Health, Welfare and Sport"}


def test_base_data_is_loaded_once_and_edits_survive(base):
    rec = Recommendation.objects.get(code="POL-3")
    rec.government_response = "accepted"
    rec.save()
    assert load_base_data() is False
    rec.refresh_from_db()
    assert rec.government_response == "accepted"
