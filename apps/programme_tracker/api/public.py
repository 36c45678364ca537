"""The public implementation view (/public/, off unless the site sets public_view): for each of the Rapporteur's
recommendations its text, area, the government's response, whether it is covered today, and the programmes marked
public that implement it, with their status, period and secured-until; their money only where it is marked
public. No people, no alerts, no notes. In Dutch and English; each answer cached for five minutes; also as CSV and
JSON. Independent monitoring (POL-3) is the reason for it.
"""

import csv
import io
import json
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_page
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from programme_tracker.api.iati import NothingToPublish, activities
from programme_tracker.continuity.rules.base import Context
from programme_tracker.continuity.rules.coverage import ACCEPTED, coverage, coverage_state
from programme_tracker.finance.spreadsheet import safe_cell
from programme_tracker.portfolio.models import (
    SECURED_FUNDING_STATUSES,
    Area,
    FundingPeriod,
    Programme,
    ProgrammeRecommendation,
)
from programme_tracker.portfolio.models.recommendations import REPORT_ORDER, Recommendation
from programme_tracker.portfolio.runs import secured_until_on
from programme_tracker.taskforce.models import Decision

STATE_LABELS = {"covered": gettext_lazy("covered"), "at_risk": gettext_lazy("covered, but ending soon"),
                "uncovered": gettext_lazy("not covered"), "not_accepted": gettext_lazy("not accepted or pending")}
CACHED_FOR = 300


def public_recommendations(today: date) -> list[dict]:
    """Everything the public view shows, as plain values (the page, the CSV and the JSON are made from this)."""
    ctx = Context(today=today)
    covered_until = coverage(ctx)
    horizon = ctx.days(ctx.limits.coverage_horizon_days)
    links = ProgrammeRecommendation.objects.filter(programme__published=True).select_related("programme")
    untils = secured_until_on(today, Q(programme__published=True))
    money = dict(FundingPeriod.objects.filter(programme__published=True, programme__money_published=True,
                                              status__in=SECURED_FUNDING_STATUSES)
                 .values("programme_id").annotate(total=Sum("amount")).values_list("programme_id", "total"))
    programmes = defaultdict(list)
    for link in links.order_by("programme__code"):
        programme = link.programme
        entry = {"code": programme.code, "name": programme.name, "status": str(programme.get_status_display()),
                 "status_code": programme.status,
                 "start": (programme.actual_start or programme.planned_start),
                 "end": (programme.actual_end or programme.planned_end),
                 "secured_until": untils.get(programme.pk)}
        if programme.money_published:
            entry["secured_funding_eur"] = money.get(programme.pk)
        programmes[link.recommendation_id].append(entry)
    decisions = _public_decisions(links)
    areas = dict(Area.choices)
    answer = []
    for recommendation in Recommendation.objects.annotate(order=REPORT_ORDER).order_by("order", "number", "code"):
        kind = coverage_state(recommendation.government_response in ACCEPTED,
                              covered_until.get(recommendation.pk), horizon)
        answer.append({"code": recommendation.code, "area": str(areas[recommendation.area]),
                       "area_code": recommendation.area,
                       "government_response_code": recommendation.government_response,
                       "text": recommendation.text,
                       "government_response": str(recommendation.get_government_response_display()),
                       "response_note": recommendation.response_note, "coverage": kind,
                       "coverage_label": str(STATE_LABELS[kind]), "programmes": programmes[recommendation.pk],
                       "decisions": decisions[recommendation.pk]})
    return answer


def _public_decisions(links) -> dict[int, list[dict]]:
    """The task force's decisions marked public, per recommendation: those about it, and those about a public
    programme implementing it; newest first. Number, date, kind, state and text only."""
    implementing = defaultdict(set)
    for link in links:
        implementing[link.programme_id].add(link.recommendation_id)
    about = defaultdict(list)
    chosen = Decision.objects.filter(public=True).filter(
        Q(recommendations__isnull=False) | Q(programmes__published=True)).distinct().prefetch_related(
        "recommendations", "programmes").order_by("-decided_on", "-sequence")
    for decision in chosen:
        entry = {"number": decision.number, "decided_on": decision.decided_on,
                 "kind": str(decision.get_kind_display()), "state": str(decision.get_state_display()),
                 "kind_code": decision.kind, "state_code": decision.state,
                 "text": decision.text}
        recommendations = {r.pk for r in decision.recommendations.all()}
        for programme in decision.programmes.all():
            if programme.published:
                recommendations |= implementing[programme.pk]
        for recommendation_id in recommendations:
            about[recommendation_id].append(entry)
    return about


def _public(view):
    """Only when the site serves the public view; cached per language for five minutes."""
    cached = cache_page(CACHED_FOR, key_prefix="public")(vary_on_headers("Accept-Language", "Cookie")(view))

    def checked(request, *args, **kwargs):
        if not settings.PUBLIC_VIEW:
            raise Http404
        return cached(request, *args, **kwargs)

    return require_GET(checked)


@_public
def index_view(request):
    """All recommendations, by area, with their coverage."""
    entries = public_recommendations(timezone.localdate())
    return render(request, "api/public.html", {"entries": entries, "today": timezone.localdate(), "one": None,
                                               "has_public_programmes": Programme.objects.filter(published=True)
                                               .exists()})


@_public
def recommendation_view(request, code: str):
    """One recommendation with the programmes implementing it."""
    entries = [entry for entry in public_recommendations(timezone.localdate()) if entry["code"] == code]
    if not entries:
        raise Http404
    return render(request, "api/public.html", {"entries": entries, "today": timezone.localdate(), "one": entries[0]})


def _plain(value):
    """A value as the downloads write it: dates ISO, amounts with two decimals as the API does, None as is."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value) if value is not None else None


@_public
def iati_view(request):
    """The public programmes as an IATI 2.03 activities file (api/iati.py)."""
    try:
        data = activities()
    except NothingToPublish as nothing:
        raise Http404(str(nothing)) from None
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="iati-activities.xml"'
    return response


def _coded(row: dict) -> dict:
    """A row of the downloads: each label replaced by its code (`prevention`, `accepted`, `active`), the same in
    every language, and dates and amounts as plain text."""
    plain = {key: _plain(value) for key, value in row.items() if not key.endswith("_code") and key != "coverage_label"}
    plain.update({key.removesuffix("_code"): value for key, value in row.items() if key.endswith("_code")})
    return plain


@_public
def download_view(request, file_format: str):
    """The same as CSV (one row per recommendation and public programme) or JSON, with codes for the choices."""
    entries = [{**_coded(entry), **{part: [_coded(row) for row in entry[part]] for part in ("programmes", "decisions")}}
               for entry in public_recommendations(timezone.localdate())]
    if file_format == "json":
        return HttpResponse(json.dumps({"date": timezone.localdate().isoformat(), "recommendations": entries},
                                       ensure_ascii=False, indent=1), content_type="application/json")
    if file_format != "csv":
        raise Http404
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["recommendation", "area", "government response", "coverage", "programme", "programme name",
                     "status", "start", "end", "secured until", "secured funding (EUR)"])
    for entry in entries:
        for programme in entry["programmes"] or [{}]:
            # Text a spreadsheet would run as a formula (a name starting with "=") is written to be shown, not run.
            writer.writerow([safe_cell(value or "") for value in (
                entry["code"], entry["area"], entry["government_response"], entry["coverage"],
                programme.get("code"), programme.get("name"), programme.get("status"), programme.get("start"),
                programme.get("end"), programme.get("secured_until"), programme.get("secured_funding_eur"))])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="recommendations-{timezone.localdate().isoformat()}.csv"'
    return response


@csrf_exempt  # the pages are cached for everyone, so they carry no per-visitor token; choosing a language risks nothing
@require_POST
def language_view(request):
    """The public pages' language switch: set the language cookie and go back to the page (a public page only)."""
    if not settings.PUBLIC_VIEW:
        raise Http404
    language = request.POST.get("language", "")
    back = request.POST.get("next", "")
    if not back.startswith("/public/") or not url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        back = reverse("public-index")
    response = HttpResponseRedirect(back)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response
