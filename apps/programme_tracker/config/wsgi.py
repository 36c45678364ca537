"""WSGI entry point for gunicorn (see the Procfile)."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme_tracker.config.settings")
application = get_wsgi_application()

if settings.SECRET_KEY_IS_TEMPORARY:
    # Each worker would sign log-ins with a key of its own: nobody could stay logged in.
    raise ImproperlyConfigured(f"site {settings.SITE_NAME!r} has no secret key yet: run `programme-tracker setup` "
                               "first (the Procfile's web process does), or set secret_key (PT_SECRET_KEY)")
