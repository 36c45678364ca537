"""Reads a site's settings from `sites/<site>/site_config.json`, overridden by `PT_<NAME>` environment variables.

Like a Frappe bench site: one folder per site holds its configuration, its embedded database and its secret.
Every setting is declared once in SETTINGS (name, type, default, meaning); the settings reference in
docs/operations/sites-and-settings.md is generated from the same table, and a test keeps the two the same.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from programme_tracker.accounts import roles

REPO_ROOT = Path(__file__).resolve().parents[3]


class SiteConfigError(Exception):
    """A site setting is missing or malformed; the message names the setting and where it came from."""


def _to_bool(value: Any) -> bool:
    """Accept JSON booleans and the usual spellings of yes/no in environment variables."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("must be true or false")


def _to_int(value: Any) -> int:
    """Accept whole numbers only (not booleans, not 3.5)."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError("must be a whole number")
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError("must be a whole number") from None


def _to_count(value: Any) -> int:
    """Accept whole numbers of zero or more (days, months)."""
    number = _to_int(value)
    if number < 0:
        raise ValueError("must be zero or more")
    return number


def _to_str(value: Any) -> str:
    """Accept text; numbers and lists are refused so a typo does not become a silent value."""
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value


def _to_address(value: Any) -> str:
    """Accept one e-mail address (name@example.org), or nothing; what would break an e-mail's header is refused."""
    text = _to_str(value).strip()
    local, _at, domain = text.partition("@")
    if text and (not local or not domain or "@" in domain or any(c.isspace() or ord(c) < 32 for c in text)):
        raise ValueError("must be one e-mail address (name@example.org), or empty")
    return text


def _to_list(value: Any) -> list[str]:
    """Accept a JSON list of strings, or a comma-separated environment variable."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise ValueError("must be a list of text values (comma-separated in an environment variable)")


def _to_clock(value: Any) -> str:
    """Accept a local time of day as HH:MM (24-hour clock)."""
    text = _to_str(value).strip()
    hours, _sep, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and int(hours) < 24 and int(minutes) < 60):
        raise ValueError("must be a time of day as HH:MM")
    return f"{int(hours):02d}:{minutes}"


def _to_header(value: Any) -> str:
    """Accept an HTTP header name (letters, digits and '-'), or nothing."""
    text = _to_str(value).strip()
    if text and not all(char.isascii() and (char.isalnum() or char == "-") for char in text):
        raise ValueError("must be an HTTP header name such as X-Forwarded-Proto")
    return text


def _to_positive(value: Any) -> int:
    """Accept whole numbers of one or more (a limit, minutes, hours)."""
    number = _to_int(value)
    if number < 1:
        raise ValueError("must be 1 or more")
    return number


def _to_roles(value: Any) -> list[str]:
    """Accept a list of role names (in any case), given as roles.py spells them; an unknown name is refused."""
    by_lower = {role.lower(): role for role in roles.ROLES}
    names = _to_list(value)
    unknown = [name for name in names if name.strip().lower() not in by_lower]
    if unknown:
        raise ValueError(f"names no role {', '.join(map(repr, unknown))} (the roles are {', '.join(roles.ROLES)})")
    return [by_lower[name.strip().lower()] for name in names]


def _choice(*allowed: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = _to_str(value).strip().lower()
        if text not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return text

    convert.__name__ = "one of " + " | ".join(allowed)
    return convert


@dataclass(frozen=True)
class Setting:
    """One site setting: its name in site_config.json, how to read it, its default and what it does."""

    name: str
    convert: Callable[[Any], Any]
    default: Any
    help: str
    group: str = ""  # settings read together: "continuity" (the rules' Limits), "retention"

    @property
    def env_var(self) -> str:
        return "PT_" + self.name.upper()

    @property
    def type_name(self) -> str:
        names = {_to_bool: "boolean", _to_int: "integer", _to_count: "whole number ≥ 0", _to_str: "text",
                 _to_list: "list", _to_clock: "time (HH:MM)", _to_header: "header name",
                 _to_positive: "whole number ≥ 1", _to_roles: "list of roles",
                 _to_address: "e-mail address"}
        return names.get(self.convert, getattr(self.convert, "__name__", "text"))


# The two groups of settings read together: the continuity rules' limits, and what the retention job keeps.
Limit = partial(Setting, group="continuity")
Kept = partial(Setting, group="retention")

SETTINGS: tuple[Setting, ...] = (
    Setting("db_type", _choice("sqlite", "mariadb"), "sqlite",
            "Database engine. `sqlite` is the embedded default; `mariadb` needs the `mariadb` extra."),
    Setting("db_name", _to_str, "",
            "SQLite: file path (default `sites/<site>/db.sqlite3`). MariaDB: database name "
            "(default `programme_tracker`)."),
    Setting("db_host", _to_str, "127.0.0.1", "MariaDB host."),
    Setting("db_port", _to_int, 3306, "MariaDB port."),
    Setting("db_user", _to_str, "root", "MariaDB user."),
    Setting("db_password", _to_str, "", "MariaDB password."),
    Setting("redis_url", _to_str, "",
            "Redis for background jobs, e.g. `redis://127.0.0.1:6379/0`, and for the cache all web processes share "
            "(in the next database, here `/1`). Empty: jobs run in-process, each process caches for itself."),
    Setting("secret_key", _to_str, "",
            "Django secret key. Empty: one is generated once and kept in `sites/<site>/.secret_key`."),
    Setting("debug", _to_bool, False, "Django debug pages. Never on in production."),
    Setting("allowed_hosts", _to_list, ["localhost", "127.0.0.1", "[::1]"], "Host names the web server answers."),
    Setting("csrf_trusted_origins", _to_list, [],
            "Origins (scheme and host) trusted for form posts behind a proxy, e.g. `https://tracker.example.nl`."),
    # HTTPS behind a TLS proxy (README, Security); all off by default so that the embedded site works on plain HTTP.
    Setting("https_proxy_header", _to_header, "",
            "Behind a TLS proxy: the header the proxy sets to `https` on secure requests, e.g. `X-Forwarded-Proto` "
            "(the proxy must set or remove it on every request). Empty: requests are secure only when they reach "
            "the web server over TLS themselves."),
    Setting("ssl_redirect", _to_bool, False, "Redirect every plain-HTTP request to HTTPS."),
    Setting("hsts_seconds", _to_count, 0,
            "Strict-Transport-Security: how long browsers use only HTTPS for the site once they have seen it "
            "(`31536000` is a year). 0: no such header."),
    Setting("hsts_include_subdomains", _to_bool, False, "Strict-Transport-Security covers every sub-domain too."),
    Setting("hsts_preload", _to_bool, False,
            "Strict-Transport-Security allows the domain on the browsers' preload list."),
    Setting("secure_cookies", _to_bool, False,
            "Send the session, CSRF and language cookies over HTTPS only."),
    # Log-in throttling, second factor and sessions (README, Security: log-in).
    Setting("login_failure_limit", _to_positive, 5,
            "Failed log-ins after which a user name, and separately an address, is locked out."),
    Setting("login_lockout_minutes", _to_positive, 15,
            "How long a lockout lasts after the last failed log-in (an Administrator can clear it sooner)."),
    Setting("reverse_proxies", _to_count, 0,
            "How many reverse proxies stand in front of the web server (1 for a TLS proxy): the address a log-in "
            "comes from is then read from `X-Forwarded-For` as the outermost of them saw it. 0: the connection's "
            "own address."),
    Setting("second_factor_roles", _to_roles, [roles.ADMINISTRATOR, roles.FINANCE_OFFICER],
            "Roles whose members must log in with a second factor (a code from an authenticator app); they are sent "
            "to set it up at their next log-in. Superusers count as Administrators. Empty: nobody must."),
    Setting("session_idle_hours", _to_positive, 8, "A log-in session ends after this many hours without a request."),
    Setting("session_expire_at_browser_close", _to_bool, False,
            "Also end the session when the browser is closed."),
    Setting("time_zone", _to_str, "Europe/Amsterdam", "Time zone dates are shown in (stored in UTC)."),
    Setting("language_code", _choice("en", "nl"), "en", "Default language of the desk."),
    Setting("mail_server", _to_str, "",
            "SMTP host for e-mail. Empty: each e-mail is written as a file in the site's mail/ folder (development)."),
    Setting("mail_port", _to_int, 25, "SMTP port."),
    Setting("mail_login", _to_str, "", "SMTP user name."),
    Setting("mail_password", _to_str, "", "SMTP password."),
    Setting("mail_use_tls", _to_bool, False, "Use STARTTLS for SMTP."),
    Setting("mail_use_ssl", _to_bool, False, "Use implicit TLS (SMTPS) for SMTP."),
    Setting("mail_from", _to_str, "programme-tracker@localhost",
            "Sender address of e-mail (an address nobody reads: the e-mails say not to reply)."),
    Setting("mail_reply_to", _to_address, "",
            "Address for questions about the e-mails (the task force's secretariat): their Reply-To and the "
            "\"questions to\" line. Empty: the e-mails refer questions to the coordinators."),
    Setting("public_view", _to_bool, False,
            "Serve the public implementation view at /public/: the recommendations, their coverage and the programmes "
            "marked public (no people, no alerts; money only where marked)."),
    Setting("api_requests_per_minute", _to_count, 1200,
            "Requests a minute the API answers per token (or per person with a desk session); then 429."),
    Setting("metrics_token", _to_str, "",
            "Bearer token Prometheus sends to read /metrics/ (Authorization: Bearer …). Empty: /metrics/ is off. "
            "A secret: give it as the environment variable PT_METRICS_TOKEN."),
    Setting("webhooks_to_private_networks", _to_bool, False,
            "Let webhooks go to addresses in private networks and this machine (10.x, 192.168.x, 127.x, ...): for a "
            "receiver inside the organisation's own network. Off: only public addresses."),
    Setting("iati_publisher", _to_str, "XM-DAC-7",
            "IATI organisation identifier of the reporting organisation in the IATI export (the activity "
            "identifiers start with it). XM-DAC-7: the Netherlands government's DAC donor code."),
    # Continuity rules (DESIGN.md): lead times, horizons and grace days, with DESIGN.md's defaults.
    Limit("expiry_horizon_days", _to_count, 180,
            "funding-expiring: warn when secured funding ends within this many days; also how far ahead a planned "
            "programme's start is looked at."),
    Limit("critical_days", _to_count, 30, "Severity: critical when the key date is less than this many days away."),
    Limit("warning_days", _to_count, 90, "Severity: warning when the key date is at most this many days away."),
    Limit("successor_grace_days", _to_count, 0,
            "funding-expiring: days a successor's secured funding may start after the day following the end."),
    Limit("gap_horizon_days", _to_count, 365, "funding-gap: look for unsecured stretches starting this far ahead."),
    Limit("renewal_notice_days", _to_count, 120,
            "renewal-decision-overdue: the renewal decision is due this many days before a funding period ends."),
    Limit("coverage_horizon_days", _to_count, 180,
            "recommendation-at-risk: every covering programme's secured funding ends within this many days."),
    Limit("ended_lookback_days", _to_count, 90, "ended-without-successor: look back this many days for ends."),
    Limit("ended_horizon_days", _to_count, 180, "ended-without-successor: look ahead this many days for ends."),
    Limit("stale_after_months", _to_count, 6, "stale-record: an active programme not reviewed for more months."),
    Limit("tranche_grace_days", _to_count, 0, "tranche-overdue: days a planned payment may be late."),
    Limit("report_grace_days", _to_count, 0, "report-overdue: days a report may be late."),
    Limit("overspend_warning_percent", _to_count, 90,
            "overspend: warn when this share (%) of the committed amount is spent; critical above 100%."),
    Limit("underspend_percent", _to_count, 50,
            "underspend: warn when less than this share (%) of the committed amount is spent …"),
    Limit("underspend_days_before_end", _to_count, 90, "… this many days before the funding period ends."),
    Limit("agenda_warning_age_days", _to_count, 14,
            "Task force: a warning still open after this many days is proposed for the next meeting's agenda "
            "(critical alerts always are)."),
    Limit("agenda_proposals_per_kind", _to_positive, 10,
            "Task force: the agenda proposes at most this many items of each kind (overdue actions, alerts, renewals, "
            "recommendations), the most urgent first; the others are counted, and decision-needed flags the "
            "critical ones."),
    Limit("task_force_meeting_months", _to_positive, 3,
            "Task force: it meets at least this often (task-force-not-meeting); the agenda looks this far past a "
            "meeting when no later one is planned."),
    Limit("action_critical_days", _to_count, 14, "action-overdue: critical when an action is more days late."),
    Limit("decision_needed_days", _to_count, 14,
            "decision-needed: a critical alert active for more days with no decision, action or agenda item."),
    Limit("minutes_approval_days", _to_count, 21, "minutes-not-approved: days after a meeting its minutes may wait."),
    Setting("escalate_after_days", _to_count, 14, "Alerts still open after this many days go to the coordinators."),
    Setting("daily_scan_time", _to_clock, "06:00", "Local time (HH:MM) after which the daily scan runs."),
    Setting("digest_time", _to_clock, "07:00", "Local time (HH:MM) the daily digest e-mail goes out."),
    Setting("site_url", _to_str, "http://127.0.0.1:8000", "Address of the desk, for links in e-mail."),
    # Imports (finance/spreadsheet.py, portfolio/exchange.py): a file beyond these is refused before it is read.
    Setting("import_max_megabytes", _to_positive, 25,
            "Largest file an import reads (a spreadsheet uploaded or given to `import-money`, a portfolio document "
            "for `import-portfolio`), in MB; an XLSX file may unpack to at most 10 times this."),
    Setting("import_max_rows", _to_positive, 250000,
            "Most rows a spreadsheet import reads under the row naming the columns (and at most 2.5 million cells)."),
    Setting("import_max_columns", _to_positive, 200, "Most columns with values a spreadsheet import reads."),
    # Retention (core/retention.py): what is older is deleted by the daily retention job.
    Kept("keep_history_months", _to_positive, 84,
            "Change history kept this many months (the latest version of each record always stays)."),
    Kept("keep_audit_days", _to_positive, 730, "Audit records (log-ins, exports, imports) kept this many days."),
    Kept("keep_notifications_days", _to_positive, 365,
            "Read notifications whose e-mail is settled kept this many days."),
    Kept("keep_job_runs_days", _to_positive, 90, "Job runs kept this many days."),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


@dataclass(frozen=True)
class SiteConfig:
    """The resolved settings of one site, with the folder they belong to."""

    site: str
    site_dir: Path
    values: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


def default(name: str) -> Any:
    """A setting's default value."""
    return _BY_NAME[name].default


def sites_dir() -> Path:
    """Folder holding one sub-folder per site (`PT_SITES_DIR`, default `sites/` in the repository)."""
    return Path(os.environ.get("PT_SITES_DIR") or REPO_ROOT / "sites")


def current_site() -> str:
    """The site picked by `--site` or `PT_SITE`; `default` otherwise."""
    return os.environ.get("PT_SITE") or "default"


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SiteConfigError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise SiteConfigError(f"{path}: must hold a JSON object of settings")
    unknown = sorted(set(data) - set(_BY_NAME))
    if unknown:
        raise SiteConfigError(f"{path}: unknown setting {', '.join(unknown)} "
                              "(see the settings reference in docs/operations/sites-and-settings.md)")
    return data


def load(site: str | None = None, environ: dict[str, str] | None = None) -> SiteConfig:
    """Resolve every setting of a site: default, then site_config.json, then the environment."""
    site = site or current_site()
    environ = os.environ if environ is None else environ
    if not site.replace("-", "").replace("_", "").isalnum():
        raise SiteConfigError(f"site name {site!r} may hold only letters, digits, '-' and '_'")
    site_dir = sites_dir() / site
    config_path = site_dir / "site_config.json"
    if site != "default" and not config_path.exists():
        raise SiteConfigError(f"site {site!r} has no {config_path}; create it or pick another site")
    from_file = _read_file(config_path)
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.env_var in environ:
            raw, source = environ[setting.env_var], f"environment variable {setting.env_var}"
        elif setting.name in from_file:
            raw, source = from_file[setting.name], f"{config_path}"
        else:
            values[setting.name] = setting.default
            continue
        try:
            values[setting.name] = setting.convert(raw)
        except ValueError as exc:
            raise SiteConfigError(f"setting {setting.name} ({source}) {exc}; got {raw!r}") from None
    return SiteConfig(site=site, site_dir=site_dir, values=values)


def group(config: SiteConfig, name: str) -> dict[str, Any]:
    """The values of one group of settings (e.g. "continuity": the rules' limits), by setting name."""
    return {setting.name: config[setting.name] for setting in SETTINGS if setting.group == name}


def secret_key_file(config: SiteConfig) -> Path:
    """Where `setup` keeps the site's generated secret key when none is configured."""
    return config.site_dir / ".secret_key"


def secret_key(config: SiteConfig) -> str:
    """The configured secret key, or the one `setup` generated and keeps beside the site's database; empty when
    neither exists yet (reading the settings never writes: `setup` does)."""
    if config["secret_key"]:
        return config["secret_key"]
    path = secret_key_file(config)
    return path.read_text(encoding="utf-8").strip() if path.exists() else ""


def database(config: SiteConfig) -> dict[str, Any]:
    """Django's DATABASES['default'] for the site."""
    if config["db_type"] == "sqlite":
        name = config["db_name"] or str(config.site_dir / "db.sqlite3")  # the folder is made by `setup`
        # A busy timeout lets a second writer wait for the first instead of failing at once; write-ahead logging
        # lets the pages read while a job writes (a big import's transaction would otherwise hold them up).
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name, "OPTIONS": {
            "timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            # A transaction takes the write lock when it begins: one that read first could not wait for it later.
            "transaction_mode": "IMMEDIATE"}}
    return {
        "ENGINE": "django.db.backends.mysql",
        "NAME": config["db_name"] or "programme_tracker",
        "HOST": config["db_host"],
        "PORT": config["db_port"],
        "USER": config["db_user"],
        "PASSWORD": config["db_password"],
        "OPTIONS": {
            "charset": "utf8mb4",
            # Strict mode: MariaDB refuses bad data instead of truncating it silently.
            "init_command": (
                "SET sql_mode='STRICT_TRANS_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO'"
            ),
            "isolation_level": "read committed",
        },
        "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
    }


def cache_location(redis_url: str) -> str:
    """The cache's Redis: the jobs' server, in the database after theirs (`/0` → `/1`).

    A database of its own, because emptying the cache (Django's `cache.clear()`) empties the whole database and
    must never take the queued jobs with it.
    """
    parts = urlsplit(redis_url)
    query, path = dict(parse_qsl(parts.query)), parts.path
    if "db" in query or parts.scheme == "unix":  # the database is named in the query (redis-py's rule)
        query["db"] = str(int(query["db"]) + 1 if query.get("db", "").isdigit() else 1)
    else:
        number = path.strip("/")
        path = f"/{int(number) + 1 if number.isdigit() else 1}"
    # Not urlunsplit: it writes unix:///run/redis.sock as unix:/run/redis.sock, which redis-py refuses.
    return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{urlencode(query)}" if query else "")


def cache(config: SiteConfig) -> dict[str, Any]:
    """Django's CACHES['default'] for the site: Redis shared by every process when `redis_url` is set, otherwise
    each process's own memory."""
    if not config["redis_url"]:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    db = database(config)
    where = f"{db['ENGINE']}:{db.get('HOST', '')}:{db.get('PORT', '')}:{db['NAME']}"
    return {
        "BACKEND": "programme_tracker.core.cache.TolerantRedisCache",
        "LOCATION": cache_location(config["redis_url"]),
        # Entries are keyed by the state of the site's database (history ids), so two sites sharing a Redis must
        # never read each other's: the prefix names the site and where its database is.
        "KEY_PREFIX": f"pt:{config.site}:{hashlib.sha256(where.encode()).hexdigest()[:12]}",
        # A Redis that does not answer must not hold a page up: the cache then answers as an empty one.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }


def reference_markdown() -> str:
    """The settings reference as a Markdown table (kept in docs/operations/sites-and-settings.md; a test checks it
    is current)."""
    lines = ["| setting | environment variable | type | default | what it does |", "| --- | --- | --- | --- | --- |"]
    for s in SETTINGS:
        default = f"`{json.dumps(s.default)}`" if s.default not in ("", []) else "(empty)"
        # A "|" inside a cell (the choices of `one of a | b`) would start a new column: escape it.
        type_name = s.type_name.replace("|", "\\|")
        lines.append(f"| `{s.name}` | `{s.env_var}` | {type_name} | {default} | {s.help} |")
    return "\n".join(lines)
