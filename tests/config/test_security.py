"""HTTPS behind a proxy, the security headers and the Content Security Policy.

The production example site (sites/production-example/) passes `check --deploy` at warning level and, served
behind its TLS proxy, redirects plain HTTP and sends HSTS and secure cookies; every site sends the other headers and
a policy without inline scripts. (The pages under the policy: tests/desk/test_csp.py and test_csp_browser.py.)
"""

import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from programme_tracker.accounts import roles
from programme_tracker.config import site_config
from programme_tracker.config.site_config import SiteConfigError
from programme_tracker.core.headers import permissions_policy

CLI = str(Path(sys.executable).parent / "programme-tracker")
EXAMPLE = site_config.REPO_ROOT / "sites" / "production-example" / "site_config.json"
HOST = "tracker.example.nl"


def clean_environment() -> dict[str, str]:
    """This process's environment without the site's settings and what the test run sets for itself (the browser
    tests allow Django's async-unsafe calls, which `check --deploy` rightly refuses)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PT_")}
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return env


def example_env(tmp_path, **overrides):
    """The environment of a process on a copy of the production example, its secret given as
    docs/operations/production.md says."""
    site = tmp_path / "production-example"
    site.mkdir()
    shutil.copy(EXAMPLE, site / "site_config.json")
    env = clean_environment()
    env |= {"PT_SITES_DIR": str(tmp_path), "PT_SITE": "production-example",
            "PT_SECRET_KEY": secrets.token_urlsafe(50), "PT_DB_PASSWORD": "not-a-real-password"}
    env |= {f"PT_{name.upper()}": value for name, value in overrides.items()}
    return env


def run(args, env):
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.cli
def test_the_production_example_passes_check_deploy(tmp_path):
    """Its MariaDB needs the `mariadb` extra; `make test` installs without it, so there the same site runs on
    SQLite (the deployment checks read the HTTPS, cookie and header settings, not the database). `make
    test-mariadb` checks it as it is."""
    overrides = {} if importlib.util.find_spec("MySQLdb") else {"db_type": "sqlite", "db_name": str(tmp_path / "db")}
    result = run([CLI, "check", "--deploy", "--fail-level", "WARNING"], example_env(tmp_path, **overrides))
    assert "no issues" in result.stdout


@pytest.mark.cli
def test_the_default_site_is_what_check_deploy_warns_about(tmp_path):
    """Without the HTTPS settings the four warnings of the issue come back: the example's settings are what fix them."""
    env = clean_environment() | {"PT_SITES_DIR": str(tmp_path)}
    result = subprocess.run([CLI, "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


def test_the_production_example_holds_no_secret_and_only_known_settings():
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert not {"secret_key", "db_password", "mail_password"} & set(data)  # given by environment variables
    assert set(data) <= {setting.name for setting in site_config.SETTINGS}
    assert data["db_type"] == "mariadb" and data["redis_url"] and not data.get("debug", False)
    assert data["site_url"].startswith("https://") and data["csrf_trusted_origins"] == [f"https://{HOST}"]


# Requests through the production example's own settings (its database swapped for an empty SQLite file: the
# pages asked for read nothing from it). Prints, per request, the status, the headers and the cookies' flags.
PROBE = """
import json
from django.test import Client
client = Client(HTTP_HOST="tracker.example.nl")
out = {}
for name, extra in (("plain", {}), ("proxied", {"HTTP_X_FORWARDED_PROTO": "https"})):
    response = client.get("/desk/login/", **extra)
    out[name] = {"status": response.status_code, "location": response.get("Location"),
                 "headers": dict(response.headers),
                 "cookies": {key: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"])}
                             for key, m in response.cookies.items()}}
print(json.dumps(out))
"""


@pytest.mark.cli
def test_behind_the_proxy_the_example_redirects_plain_http_and_sends_hsts_and_secure_cookies(tmp_path):
    env = example_env(tmp_path, db_type="sqlite", db_name=str(tmp_path / "db.sqlite3"), redis_url="")
    result = json.loads(run([CLI, "shell", "-c", PROBE], env).stdout.strip().splitlines()[-1])

    plain, proxied = result["plain"], result["proxied"]
    assert plain["status"] == 301 and plain["location"] == f"https://{HOST}/desk/login/"
    assert proxied["status"] == 200, proxied
    headers = proxied["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert proxied["cookies"]["csrftoken"]["secure"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_every_site_sends_the_security_headers(client, login):
    login(roles.COORDINATOR)
    response = client.get(reverse("desk:dashboard"))
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response  # the embedded default runs on plain HTTP


def policy_of(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: sources}."""
    directives = (part.split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def test_the_policy_forbids_inline_scripts_plugins_framing_and_foreign_sources(client, login):
    login(roles.COORDINATOR)
    policy = policy_of(client.get(reverse("desk:dashboard")))
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'self'" in policy["script-src"]
    assert all(not source.startswith(("http", "*")) for sources in policy.values() for source in sources)
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]


def test_the_login_page_has_the_policy_too(client, base):
    assert "script-src" in client.get("/desk/login/")["Content-Security-Policy"]


@pytest.mark.parametrize(("value", "ok"), [("X-Forwarded-Proto", True), ("", True), ("X_Forwarded_Proto", False),
                                           ("X-Forwarded-Proto: https", False), ("Früh", False)])
def test_the_proxy_header_must_be_a_header_name(value, ok):
    if ok:
        assert site_config.load("default", environ={"PT_HTTPS_PROXY_HEADER": value})["https_proxy_header"] == value
    else:
        with pytest.raises(SiteConfigError, match="setting https_proxy_header .* must be an HTTP header name"):
            site_config.load("default", environ={"PT_HTTPS_PROXY_HEADER": value})


def test_the_https_settings_are_off_by_default_and_read_from_the_environment():
    defaults = site_config.load("default", environ={})
    assert not any(defaults[name] for name in ("https_proxy_header", "ssl_redirect", "hsts_seconds",
                                               "hsts_include_subdomains", "hsts_preload", "secure_cookies"))
    config = site_config.load("default", environ={"PT_SSL_REDIRECT": "yes", "PT_HSTS_SECONDS": "3600",
                                                  "PT_SECURE_COOKIES": "on"})
    assert (config["ssl_redirect"], config["hsts_seconds"], config["secure_cookies"]) == (True, 3600, True)
    with pytest.raises(SiteConfigError, match="setting hsts_seconds"):
        site_config.load("default", environ={"PT_HSTS_SECONDS": "-1"})


def test_permissions_policy_header():
    assert permissions_policy({"camera": [], "geolocation": ["self"]}) == "camera=(), geolocation=(self)"
