"""The job dashboard (/desk/jobs/): Administrators only, every page, GET and POST; a message without Redis."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, reverse
from redis import Redis
from rq import Queue

from programme_tracker.accounts import roles
from programme_tracker.desk import jobs

# Path arguments for every route of django-rq's pages.
ARGUMENTS = {"queue_index": 0, "job_id": "no-such-job", "result_id": "1", "key": "no-such-worker",
             "scheduler_index": 0, "connection_index": 0, "scheduler_name": "no-such", "cron_job_name": "a/b"}


def job_pages():
    """Every /desk/jobs/ address, with made-up arguments."""
    urls = []
    for pattern in jobs.urlpatterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {name: ARGUMENTS[name] for name in pattern.pattern.converters}
        urls.append(reverse(f"django_rq:{pattern.name}", kwargs=kwargs))
    return urls


PAGES = job_pages()
NOT_ADMINISTRATORS = [roles.COORDINATOR, roles.FINANCE_OFFICER, roles.MONITOR]


@pytest.fixture
def queue(settings, redis_server):
    """The site's job queue on a Redis of the test's own, with one failed and one queued job."""
    settings.REDIS_URL = redis_server.url
    settings.RQ_QUEUES = {"default": {"URL": redis_server.url}}
    queue = Queue("default", connection=Redis.from_url(redis_server.url))
    job = queue.enqueue("programme_tracker.core.jobs.no_such_function", "secret-argument")
    return queue, job


def test_every_job_page_is_covered():
    assert len(PAGES) >= 20  # django-rq's pages: if it adds some, they come through get_admin_urlpatterns too


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_roles_are_refused_every_job_page(client, login, queue, role, method):
    login(role)
    _queue, job = queue
    for url in [*PAGES, reverse("django_rq:job_detail", kwargs={"queue_index": 0, "job_id": job.id}),
                reverse("django_rq:clear", kwargs={"queue_index": 0})]:
        response = getattr(client, method)(url, {"post": "yes"} if method == "post" else {})
        assert response.status_code == 403, url
    assert _queue.count == 1  # nothing emptied or deleted


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_without_a_role_and_anonymous_are_refused(client, base, queue, method):
    for url in PAGES:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    staff = get_user_model().objects.create_user("staff", password="a-long-test-password-1", is_staff=True)
    client.force_login(staff)
    for url in PAGES:
        assert getattr(client, method)(url).status_code == 403, url


def test_administrator_reads_and_empties_the_queue(client, login, queue):
    login(roles.ADMINISTRATOR)
    _queue, job = queue
    detail = client.get(reverse("django_rq:job_detail", kwargs={"queue_index": 0, "job_id": job.id}))
    assert detail.status_code == 200 and "secret-argument" in detail.content.decode()
    assert client.post(reverse("django_rq:clear", kwargs={"queue_index": 0}), {"post": "yes"}).status_code == 302
    assert _queue.count == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_administrator_never_gets_a_server_error(client, login, queue, method):
    login(roles.ADMINISTRATOR)
    for url in [*PAGES, reverse("django_rq:jobs", kwargs={"queue_index": 7})]:
        response = getattr(client, method)(url)
        assert response.status_code < 500, url


def test_redis_down_gives_a_message(client, login, settings, redis_server):
    login(roles.ADMINISTRATOR)
    redis_server.stop()
    settings.REDIS_URL = redis_server.url
    settings.RQ_QUEUES = {"default": {"URL": redis_server.url, "SOCKET_CONNECT_TIMEOUT": 1}}
    for url in PAGES[:3]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Redis does not answer" in response.content.decode()


def test_without_redis_the_page_says_jobs_run_in_process(client, login, settings):
    login(roles.ADMINISTRATOR)
    settings.REDIS_URL = ""
    response = client.get(reverse("django_rq:home"))
    assert response.status_code == 200 and "no Redis is configured" in response.content.decode()


def test_django_rq_adds_no_dashboard_of_its_own_to_the_desk(client, login):
    """django-rq registers an admin page of its own, open to every staff account, unless told not to."""
    login(roles.MONITOR)
    assert client.get("/desk/django_rq/dashboard/").status_code == 404
