"""The portfolio as IATI 2.03 activity XML (open data): the programmes marked for the public view, one activity
each; their money (funding periods as budgets, commitments and payments as transactions) only where the money is
marked public, as in the public view.

Vocabularies (docs/guide/api.md, IATI export): the programme's area is a sector of vocabulary 99 (the reporting
organisation's own), the recommendations it implements are tags of vocabulary 99; both name their list by
`vocabulary-uri`. The reporting organisation is the site's `iati_publisher`; the activity identifier is that plus
"-" and the programme's code.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from programme_tracker.finance.models import Commitment, Payment
from programme_tracker.portfolio.models import FundingPeriod, Organisation, Programme, ProgrammeRecommendation

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Codelists of the IATI standard 2.03 (the tests check each value against pyIATI's copy of the codelist).
ACTIVITY_STATUS = {"planned": "1", "active": "2", "suspended": "6", "ended": "4", "cancelled": "5"}
ORGANISATION_TYPE = {"ministry": "10", "agency": "10", "police_justice": "10", "municipality": "15", "ngo": "22",
                     "private": "70"}
ROLE_FUNDING, ROLE_ACCOUNTABLE, ROLE_IMPLEMENTING = "1", "2", "4"
DATE_PLANNED_START, DATE_ACTUAL_START, DATE_PLANNED_END, DATE_ACTUAL_END = "1", "2", "3", "4"
TRANSACTION_COMMITMENT, TRANSACTION_DISBURSEMENT = "2", "3"
BUDGET_ORIGINAL = "1"
BUDGET_STATUS = {"indicative": "1"}  # any other funding status: "2", committed
VOCABULARY_REPORTING_ORGANISATION = "99"
GOVERNMENT = "10"
COUNTRY = "NL"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, {key.replace("_", "-"): value for key, value in attributes.items()
                                          if value is not None})
    if text is not None:
        element.text = text
    return element


def _narrative(parent: ET.Element, tag: str, text: str, **attributes) -> ET.Element:
    element = _sub(parent, tag, **attributes)
    _sub(element, "narrative", text)
    return element


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


class NothingToPublish(Exception):
    """No programme is marked for the public view (an IATI file holds at least one activity)."""


def activities(now: datetime | None = None) -> bytes:
    """The IATI activities file (UTF-8 XML) of the programmes marked public, as of `now`; NothingToPublish when
    there are none."""
    now = now or timezone.now()
    history = Programme.history.filter(id=OuterRef("pk")).values("history_date")
    programmes = list(Programme.objects.filter(published=True).select_related("lead_ministry").annotate(
        changed=Subquery(history.order_by("-history_date")[:1]),
        registered=Subquery(history.order_by("history_date")[:1])).order_by("code"))
    if not programmes:
        raise NothingToPublish(_("No programme is marked for the public view: an IATI file needs at least one."))
    ids = [programme.pk for programme in programmes]
    money_ids = [programme.pk for programme in programmes if programme.money_published]
    periods, commitments, payments, partners, tags = (defaultdict(list) for _ in range(5))
    for period in FundingPeriod.objects.filter(programme_id__in=ids).select_related("funder").order_by("start", "code"):
        periods[period.programme_id].append(period)
    for commitment in Commitment.objects.filter(funding_period__programme_id__in=money_ids).select_related(
            "funding_period__funder").order_by("decided_on", "id"):
        commitments[commitment.funding_period.programme_id].append(commitment)
    for payment in Payment.objects.filter(funding_period__programme_id__in=money_ids).select_related(
            "funding_period__funder").order_by("paid_on", "id"):
        payments[payment.funding_period.programme_id].append(payment)
    for programme_id, organisation in Organisation.objects.filter(programme_links__programme_id__in=ids).values_list(
            "programme_links__programme_id", "pk").order_by("short_name"):
        partners[programme_id].append(organisation)
    organisations = Organisation.objects.in_bulk({pk for values in partners.values() for pk in values})
    for link in ProgrammeRecommendation.objects.filter(programme_id__in=ids).select_related("recommendation"):
        tags[link.programme_id].append(link.recommendation)

    root = ET.Element("iati-activities", {"version": VERSION, "generated-datetime": now.isoformat(
        timespec="seconds")})
    for programme in programmes:
        _activity(root, programme, periods[programme.pk], commitments[programme.pk], payments[programme.pk],
                  [organisations[pk] for pk in partners[programme.pk]], tags[programme.pk], now)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _activity(root, programme, periods, commitments, payments, partners, recommendations, now) -> None:
    changed = programme.changed or now
    activity = _sub(root, "iati-activity", **{"last-updated-datetime": changed.isoformat(timespec="seconds"),
                                              XML_LANG: settings.LANGUAGE_CODE, "default-currency": "EUR"})
    _sub(activity, "iati-identifier", f"{settings.IATI_PUBLISHER}-{programme.code}")
    _narrative(activity, "reporting-org", _("Government of the Netherlands"), ref=settings.IATI_PUBLISHER,
               type=GOVERNMENT)
    _narrative(activity, "title", programme.name)
    # The schema wants a description: the programme's own, else its area.
    _narrative(activity, "description", programme.description or str(programme.get_area_display()), type="1")
    funders = {period.funder_id: period.funder for period in periods}
    for funder in funders.values():
        _narrative(activity, "participating-org", funder.name, role=ROLE_FUNDING, type=ORGANISATION_TYPE[funder.kind])
    if programme.lead_ministry:
        _narrative(activity, "participating-org", programme.lead_ministry.name, role=ROLE_ACCOUNTABLE,
                   type=ORGANISATION_TYPE[programme.lead_ministry.kind])
    for partner in partners:
        _narrative(activity, "participating-org", partner.name, role=ROLE_IMPLEMENTING,
                   type=ORGANISATION_TYPE[partner.kind])
    if not (funders or programme.lead_ministry or partners):  # the schema wants one: the government answers for it
        _narrative(activity, "participating-org", _("Government of the Netherlands"), ref=settings.IATI_PUBLISHER,
                   role=ROLE_ACCOUNTABLE, type=GOVERNMENT)
    _sub(activity, "activity-status", code=ACTIVITY_STATUS[programme.status])
    dates = [(kind, day) for kind, day in (
        (DATE_PLANNED_START, programme.planned_start), (DATE_ACTUAL_START, programme.actual_start),
        (DATE_PLANNED_END, programme.planned_end), (DATE_ACTUAL_END, programme.actual_end)) if day]
    if not dates:  # the schema wants one: the start of its first funding, else the day it was registered
        dates = [(DATE_PLANNED_START, periods[0].start if periods else timezone.localdate(programme.registered or now))]
    for kind, day in dates:
        _sub(activity, "activity-date", type=kind, iso_date=day.isoformat())
    _sub(activity, "recipient-country", code=COUNTRY, percentage="100")
    _narrative(activity, "sector", programme.get_area_display(), vocabulary=VOCABULARY_REPORTING_ORGANISATION,
               vocabulary_uri=_site("/public/"), code=programme.area, percentage="100")
    for recommendation in sorted(recommendations, key=lambda r: r.code):
        _narrative(activity, "tag", recommendation.text[:500], vocabulary=VOCABULARY_REPORTING_ORGANISATION,
                   vocabulary_uri=_site(f"/public/{recommendation.code}/"), code=recommendation.code)
    if not programme.money_published:
        return
    for period in periods:
        budget = _sub(activity, "budget", type=BUDGET_ORIGINAL, status=BUDGET_STATUS.get(period.status, "2"))
        _sub(budget, "period-start", iso_date=period.start.isoformat())
        _sub(budget, "period-end", iso_date=period.end.isoformat())
        _sub(budget, "value", _amount(period.amount), currency=period.currency, value_date=period.start.isoformat())
    for kind, day, record in sorted(
            [(TRANSACTION_COMMITMENT, c.decided_on, c) for c in commitments]
            + [(TRANSACTION_DISBURSEMENT, p.paid_on, p) for p in payments], key=lambda row: (row[1], row[0])):
        _transaction(activity, kind, day, record)


def _transaction(activity, kind: str, day: date, record) -> None:
    transaction = _sub(activity, "transaction", ref=record.reference[:100])
    _sub(transaction, "transaction-type", code=kind)
    _sub(transaction, "transaction-date", iso_date=day.isoformat())
    _sub(transaction, "value", _amount(record.amount), currency=record.currency, value_date=day.isoformat())
    funder = record.funding_period.funder
    _narrative(transaction, "provider-org", funder.name, type=ORGANISATION_TYPE[funder.kind])
