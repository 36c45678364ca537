"""Benchmark-only settings and URLs for the concurrent desk benchmark (benchmarks/desk.py --concurrent).

Only the benchmark's own gunicorn runs with `DJANGO_SETTINGS_MODULE=desk_floor` (with benchmarks/ on its path):
the site's settings unchanged, but this module as the URLconf, so that the product's URLs are served plus the
floor, `/bench/floor/`: a minimal logged-in view rendering a small template through the same template engine,
middleware, session and authentication as the desk. It is what any logged-in Django page costs. Beside it,
`/bench/chrome/`: a desk page without any figures (the admin's login check, header, sidebar and language switch
around an empty page), to tell what the desk's frame costs from what its pages' figures cost. Nothing of this
is in the product.
"""

from functools import cache

from programme_tracker.config.settings import *  # noqa: F403  (the site's settings, unchanged)

ROOT_URLCONF = __name__

FLOOR_TEMPLATE = """<!doctype html>
<html lang="{{ LANGUAGE_CODE|default:'en' }}"><head><meta charset="utf-8"><title>Floor</title></head>
<body><main><h1>Floor</h1><p>Logged in as {{ user.get_username }}.</p>
<ul>{% for n in numbers %}<li>{{ n }}</li>{% endfor %}</ul></main></body></html>"""


@cache
def floor_template():
    """The floor's template, compiled once per process like the desk's (Django's cached template loader)."""
    from django.template import engines

    return engines["django"].from_string(FLOOR_TEMPLATE)


def floor_view(request):
    """A logged-in person gets a small page rendered from a template; anybody else is sent to log in."""
    from django.contrib.auth.views import redirect_to_login
    from django.http import HttpResponse

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return HttpResponse(floor_template().render({"numbers": range(10)}, request))


def chrome_view(request):
    """An empty desk page: everything desk/base.html draws around a page's figures, and nothing else."""
    from django.contrib import admin
    from django.template.response import TemplateResponse

    return TemplateResponse(request, "desk/base.html", {**admin.site.each_context(request), "title": "Chrome"})


def __getattr__(name):
    """`urlpatterns`, made when the URL resolver first asks: include() imports the product's URLs, and their models
    cannot be imported while this module is still being read as the settings."""
    if name != "urlpatterns":
        raise AttributeError(name)
    return urls()


@cache
def urls():
    """The floor, the empty desk page, then every URL of the product."""
    from django.contrib import admin
    from django.urls import include, path

    return [path("bench/floor/", floor_view, name="bench-floor"),
            path("bench/chrome/", admin.site.admin_view(chrome_view), name="bench-chrome"),
            path("", include("programme_tracker.config.urls"))]
