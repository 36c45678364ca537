"""Django settings, built from the current site's configuration (see site_config.py)."""

from datetime import timedelta

from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

from programme_tracker.config import site_config

try:
    SITE = site_config.load()
except site_config.SiteConfigError as exc:
    # Start-up stops here with a message naming the setting; the CLI prints it without a traceback.
    raise ImproperlyConfigured(str(exc)) from None

BASE_DIR = site_config.REPO_ROOT
SITE_NAME = SITE.site
SITE_DIR = SITE.site_dir

SECRET_KEY = site_config.secret_key(SITE)
DEBUG = SITE["debug"]
ALLOWED_HOSTS = SITE["allowed_hosts"]
CSRF_TRUSTED_ORIGINS = SITE["csrf_trusted_origins"]

# HTTPS behind a TLS proxy: site settings, all off on the embedded default (README, Security).
if SITE["https_proxy_header"]:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + SITE["https_proxy_header"].upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = SITE["ssl_redirect"]
SECURE_HSTS_SECONDS = SITE["hsts_seconds"]
SECURE_HSTS_INCLUDE_SUBDOMAINS = SITE["hsts_include_subdomains"]
SECURE_HSTS_PRELOAD = SITE["hsts_preload"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SITE["secure_cookies"]
# Headers every site sends (Django's defaults, stated so that a change of default cannot weaken them silently).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    # Unfold (the admin theme) must come before django.contrib.admin to override its templates.
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.simple_history",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "django_rq",
    "csp",
    # Log-in throttling and the second factor (accounts/: lockouts, enrolment and verification).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "programme_tracker.core",
    "programme_tracker.accounts",
    "programme_tracker.portfolio",
    "programme_tracker.continuity",
    "programme_tracker.notifications",
    "programme_tracker.finance",
    "programme_tracker.desk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "programme_tracker.core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session has given its second factor; if not, and it must, only the second-factor pages open.
    "django_otp.middleware.OTPMiddleware",
    "programme_tracker.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "programme_tracker.config.urls"
WSGI_APPLICATION = "programme_tracker.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Other packages' templates we must replace (django-rq's inline scripts, for the CSP): found before theirs.
        "DIRS": [BASE_DIR / "apps" / "programme_tracker" / "desk" / "overrides"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": site_config.database(SITE)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs: RQ on Redis when configured (core/jobs.py); otherwise the same jobs run in-process under serve.
# RQ_QUEUES only feeds django-rq's job dashboard (/desk/jobs/), which needs Redis.
REDIS_URL = SITE["redis_url"]
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}
# django-rq would also add its own dashboard to the admin, open to every staff account; /desk/jobs/ is the one.
RQ_SHOW_ADMIN_LINK = False
# The desk's cached figures (desk/snapshot.py): in Redis when the site has one, so that every web process shares
# what one worked out (in the database after the jobs'); otherwise in each process's memory.
CACHES = {"default": site_config.cache(SITE)}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "desk:dashboard"  # after logging in without a page to go back to

# Log-in throttling (django-axes): a user name, and separately an address, is locked out after
# `login_failure_limit` failed log-ins for `login_lockout_minutes` after the last one (README, Security: log-in).
# Every failed log-in is kept (Accounts and roles → Failed log-ins); Administrators clear lockouts in the desk.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = SITE["login_failure_limit"]
AXES_COOLOFF_TIME = timedelta(minutes=SITE["login_lockout_minutes"])
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own, not the pair
AXES_LOCKOUT_CALLABLE = "programme_tracker.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "programme_tracker.core.network.client_address"
AXES_USERNAME_CALLABLE = "programme_tracker.accounts.lockouts.attempted_username"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ENABLE_ADMIN = False  # the desk shows them with its own admin classes (accounts/admin.py)
AXES_VERBOSE = False  # its start-up banner would open the output of every command
REVERSE_PROXIES = SITE["reverse_proxies"]
# The second factor (django-otp): members of these roles are sent to set one up; whoever has one gives it.
SECOND_FACTOR_ROLES = SITE["second_factor_roles"]
OTP_TOTP_ISSUER = "Programme Tracker"  # the name authenticator apps show beside the code
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Sessions end after `session_idle_hours` without a request: every request pushes the expiry on.
SESSION_COOKIE_AGE = SITE["session_idle_hours"] * 3600
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = SITE["session_expire_at_browser_close"]

LANGUAGE_CODE = SITE["language_code"]
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "apps" / "programme_tracker" / "locale"]
TIME_ZONE = SITE["time_zone"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = SITE_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # filled by collectstatic; WhiteNoise expects it to exist
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders as well, so a fresh checkout works before collectstatic.
WHITENOISE_USE_FINDERS = True
# The desk's front-end libraries, installed from the npm registry by `make` (package.json); only their dist folders.
STATICFILES_DIRS = [
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

DEFAULT_FROM_EMAIL = SERVER_EMAIL = SITE["mail_from"]
if SITE["mail_server"]:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = SITE["mail_server"]
    EMAIL_PORT = SITE["mail_port"]
    EMAIL_HOST_USER = SITE["mail_login"]
    EMAIL_HOST_PASSWORD = SITE["mail_password"]
    EMAIL_USE_TLS = SITE["mail_use_tls"]
    EMAIL_USE_SSL = SITE["mail_use_ssl"]
    EMAIL_TIMEOUT = 30
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Continuity rules: lead times, horizons and grace days (see continuity/rules/base.py, Limits).
CONTINUITY = {
    name: SITE[name]
    for name in ("expiry_horizon_days", "critical_days", "warning_days", "successor_grace_days", "gap_horizon_days",
                 "renewal_notice_days", "coverage_horizon_days", "ended_lookback_days", "ended_horizon_days",
                 "stale_after_months", "tranche_grace_days", "report_grace_days", "overspend_warning_percent",
                 "underspend_percent", "underspend_days_before_end")
}
CONTINUITY_ESCALATE_AFTER_DAYS = SITE["escalate_after_days"]
# How long records about people and their work are kept (core/retention.py; README, Privacy).
RETENTION = {name: SITE[name] for name in ("keep_history_months", "keep_audit_days", "keep_notifications_days",
                                            "keep_job_runs_days")}
DAILY_SCAN_TIME = SITE["daily_scan_time"]
DIGEST_TIME = SITE["digest_time"]
SITE_URL = SITE["site_url"]
# Imports: how large a file is read at all (finance/spreadsheet.py ImportLimits, portfolio/exchange.py).
IMPORT_MAX_MEGABYTES = SITE["import_max_megabytes"]
IMPORT_MAX_ROWS = SITE["import_max_rows"]
IMPORT_MAX_COLUMNS = SITE["import_max_columns"]

# Content Security Policy (django-csp): scripts only from the site's own files, never inline.
# 'unsafe-eval': Unfold 0.91 ships Alpine.js's standard build, which evaluates the expressions in its templates'
# x-data/x-init/@click attributes with the Function constructor; Alpine's CSP build cannot evaluate them (arrow
# functions, assignments, globals such as localStorage), so using it would mean forking dozens of Unfold templates.
# Styles may be inline: Unfold writes its colours in a <style> element and many style attributes.
# An inline script that cannot be a file carries nonce="{{ request.csp_nonce }}" (NONCE below adds it to the header).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.UNSAFE_EVAL, csp.NONCE],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
# The browser features no desk page uses, switched off for the desk and anything that might be injected into it.
PERMISSIONS_POLICY = {feature: [] for feature in ("accelerometer", "camera", "geolocation", "gyroscope",
                                                   "magnetometer", "microphone", "payment", "usb")}

SIMPLE_HISTORY_REVERT_DISABLED = True  # a revert would bypass the concurrent-edit check; edit instead

UNFOLD = {
    "SITE_TITLE": _("Programme Tracker"),
    "SITE_HEADER": _("Programme Tracker"),
    "SITE_SUBHEADER": _("Continuity of the measures against child sexual abuse material"),
    "SHOW_HISTORY": True,
    "SHOW_LANGUAGES": True,
    # The header shows how many notifications the person has not read.
    "ENVIRONMENT": "programme_tracker.notifications.admin.unread_badge",
    # The desk pages first, each shown only to those who may see it; then the records, as the admin lists them.
    "SIDEBAR": {"show_all_applications": True, "navigation": "programme_tracker.desk.navigation.sidebar"},
    # After a refused save, the first field with an error is brought into view.
    "SCRIPTS": [lambda request: static("core/first-error.js")],
    # The user menu: change password and the second factor.
    "ACCOUNT": {"navigation": "programme_tracker.accounts.navigation.account_links"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    # django-axes: failed log-ins and lockouts (WARNING) are logged, every successful log-in (INFO) is not.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
