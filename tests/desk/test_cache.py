"""The desk's cached figures with Redis as the cache (a site with `redis_url`): worked out once for every process
while Redis is up, and the pages still work, working the figures out themselves, while it is down."""

import logging
import os
import subprocess
import sys
from collections import OrderedDict

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.config import site_config
from programme_tracker.core import cache as core_cache
from programme_tracker.desk import snapshot
from programme_tracker.portfolio.models import Programme, ProgrammeRecommendation, Recommendation

ANOTHER_PROCESS = """
import sys
from datetime import date

import django

django.setup()
from programme_tracker.desk import snapshot

def refuse(day):
    raise SystemExit("worked out again: the figures were not shared")

snapshot._compute = refuse
print(snapshot.snapshot(date.fromisoformat(sys.argv[1]), sys.argv[2]).until(int(sys.argv[3])))
"""


@pytest.fixture
def redis_cache(settings, redis_server, monkeypatch):
    """The cache a site with `redis_url` has, in a Redis server of this test's own; this process keeps nothing yet."""
    monkeypatch.setenv("PT_REDIS_URL", redis_server.url)
    settings.CACHES = {"default": site_config.cache(site_config.load())}
    monkeypatch.setattr(snapshot, "_kept", OrderedDict())
    monkeypatch.setattr(core_cache, "_down_until", 0.0)
    return redis_server


def test_the_figures_are_worked_out_once_for_every_process(client, demo, login, redis_cache):
    login(roles.COORDINATOR)
    assert client.get(reverse("desk:dashboard")).status_code == 200  # works the snapshot out, puts it in Redis
    day, version = timezone.localdate(), snapshot.stamp()
    helpline = Programme.objects.get(code="STOP-IT-NOW")
    expected = snapshot.snapshot(day, version).until(helpline.pk)
    assert expected is not None
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "programme_tracker.config.settings"}
    other = subprocess.run([sys.executable, "-c", ANOTHER_PROCESS, day.isoformat(), version, str(helpline.pk)],
                           env=env, capture_output=True, text=True, timeout=60)
    assert other.returncode == 0, other.stderr[-2000:]
    assert other.stdout.strip() == str(expected)


def test_emptying_the_cache_leaves_the_job_queues_alone(redis_cache):
    jobs = redis.Redis.from_url(redis_cache.url)
    jobs.set("rq:queue:default", "a queued job")
    cache.set("desk:anything", 1)
    cache.clear()
    assert cache.get("desk:anything") is None
    assert jobs.get("rq:queue:default") == b"a queued job"


def test_the_desk_works_while_redis_is_down_and_uses_it_again_when_it_is_back(client, demo, login, redis_cache,
                                                                               caplog, monkeypatch):
    login(roles.COORDINATOR)
    redis_cache.stop()
    with caplog.at_level(logging.WARNING, logger="programme_tracker.core.cache"):
        for name in ("desk:dashboard", "desk:coverage", "desk:report", "desk:dashboard"):
            assert client.get(reverse(name)).status_code == 200, name
        assert client.get("/desk/search/", {"s": "helpline"}).status_code == 200  # Unfold's search caches too
        police = Programme.objects.get(code="POLICE-UNIT")
        ProgrammeRecommendation.objects.create(programme=police,
                                               recommendation=Recommendation.objects.get(code="POL-1"))
        response = client.get(reverse("desk:dashboard"))
    assert response.context["coverage_counts"]["uncovered"] == 2  # worked out here, and current
    failures = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert len(failures) == 1  # logged once, then Redis is left alone for a while instead of tried on every view
    redis_cache.start()
    monkeypatch.setattr(core_cache, "_down_until", 0.0)  # the pause is over
    assert client.get(reverse("desk:report")).status_code == 200
    assert redis.Redis.from_url(site_config.cache_location(redis_cache.url)).dbsize() > 0
