"""Django settings, built from the current site's configuration (see site_config.py)."""

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
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "programme_tracker.config.urls"
WSGI_APPLICATION = "programme_tracker.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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
DAILY_SCAN_TIME = SITE["daily_scan_time"]
DIGEST_TIME = SITE["digest_time"]
SITE_URL = SITE["site_url"]

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
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
