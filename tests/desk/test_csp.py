"""No desk page holds code the Content Security Policy blocks: inline scripts, event-handler attributes or
javascript: URLs (django-rq's job pages included, whose lists the desk serves without their inline script).
The same pages in a real browser under the policy: test_csp_browser.py."""

import re

from django.urls import reverse
from redis import Redis
from rq import Queue

from programme_tracker.accounts import roles
from programme_tracker.desk import jobs
from tests.desk.pages import desk_pages

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"\b(href|src|action|formaction)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)


def inline_code(html: str) -> list[str]:
    """Inline scripts, event-handler attributes and javascript: URLs in a page: what the policy blocks."""
    return [match.group(0)[:120] for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL)
            for match in pattern.finditer(html)]


def test_the_check_finds_inline_code():
    assert inline_code('<button type="button" class="desk-button" onclick="window.print()">') != []
    assert inline_code('<script type="text/javascript">(function($) {})(django.jQuery);</script>') != []
    assert inline_code('<a href="javascript:void(0)">') != []
    assert inline_code('<script src="/static/a.js" defer></script><script id="d" type="application/json">{}</script>'
                       '<p>Click on a bar: onclick= in text is no attribute</p>') == []


def test_no_desk_page_holds_inline_code(client, accounts, demo):
    administrator = accounts[roles.ADMINISTRATOR]
    client.force_login(administrator)
    found = {}
    for url in desk_pages(administrator):
        response = client.get(url)
        assert response.status_code == 200, url
        if inline_code(response.content.decode()):
            found[url] = inline_code(response.content.decode())
    assert found == {}


def test_no_job_page_holds_inline_code(client, accounts, settings, redis_server):
    settings.REDIS_URL = redis_server.url
    settings.RQ_QUEUES = {"default": {"URL": redis_server.url}}
    job = Queue("default", connection=Redis.from_url(redis_server.url)).enqueue("programme_tracker.core.jobs.nothing")
    arguments = {"queue_index": 0, "job_id": job.id, "scheduler_index": 0}
    client.force_login(accounts[roles.ADMINISTRATOR])
    shown, found = [], {}
    for pattern in jobs.urlpatterns:
        if not set(pattern.pattern.converters) <= set(arguments):
            continue  # a worker, result or cron job this test has none of
        kwargs = {name: arguments[name] for name in pattern.pattern.converters}
        url = reverse(f"django_rq:{pattern.name}", kwargs=kwargs)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            shown.append(pattern.name)
            if inline_code(response.content.decode()):
                found[url] = inline_code(response.content.decode())
    assert found == {}
    assert {"home", "jobs", "finished_jobs", "failed_jobs", "scheduled_jobs", "started_jobs", "deferred_jobs",
            "workers", "job_detail"} <= set(shown)
