"""`serve` on another port (make run PORT=8080): links in e-mail lead there, unless the site sets its own site_url."""

import io

import pytest

from programme_tracker.setup.management.commands import serve


@pytest.fixture
def started(monkeypatch, settings):
    """The serve command with the set-up and the web server left out: what it would run with."""
    ran = {}
    monkeypatch.setattr(serve, "prepare_site", lambda log: None)
    monkeypatch.setattr(serve, "ensure_first_administrator", lambda log, prompt, terminal: None)
    monkeypatch.setattr(serve, "InProcessScheduler", lambda: type("Idle", (), {"start": lambda self: None})())
    monkeypatch.setattr(serve, "call_command", lambda name, addrport, **options: ran.update(addrport=addrport))
    settings.REDIS_URL = ""
    return ran


@pytest.mark.parametrize(("addrport", "url"), [("127.0.0.1:8080", "http://127.0.0.1:8080"),
                                               ("8081", "http://127.0.0.1:8081")])
def test_links_follow_the_port_the_desk_is_served_on(started, settings, addrport, url):
    settings.SITE_URL, settings.SITE_URL_IS_DEFAULT = "http://127.0.0.1:8000", True  # not set for the site
    serve.Command(stdout=io.StringIO()).handle(addrport=addrport)
    assert started["addrport"] == addrport and url == settings.SITE_URL


def test_a_site_url_the_site_sets_is_kept(started, settings):
    settings.SITE_URL, settings.SITE_URL_IS_DEFAULT = "https://taskforce.example.nl", False
    serve.Command(stdout=io.StringIO()).handle(addrport="127.0.0.1:8080")
    assert settings.SITE_URL == "https://taskforce.example.nl"
