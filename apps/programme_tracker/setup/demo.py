"""The demo portfolio: programmes drawn from the 2012 developments the First Report describes.

Organisations and the shape of the measures come from the seed text; every amount, date, account and decision
reference is fictional and marked so. Dates are relative to the day the demo is loaded, so that the continuity
problems the register exists to catch are always present: funding ending soon, a gap between two grants, a
renewal decision overdue, an unowned measure, an owner who has left, a ministry that no longer exists, an
accepted recommendation no programme covers, a pilot ending without a successor, and a programme not reviewed for
months: every kind of continuity alert. Its task force (demo_taskforce.py) has the loose ends its rules catch.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from programme_tracker.accounts import roles
from programme_tracker.accounts.services import create_account
from programme_tracker.finance.models import BudgetLine, Commitment, Expenditure, Payment, ReportDue, Tranche
from programme_tracker.portfolio.exchange import FORMAT, FORMAT_VERSION, import_portfolio
from programme_tracker.portfolio.models import FundingPeriod, Organisation, Programme
from programme_tracker.setup.demo_taskforce import load_demo_task_force

MARK = "[Demo data: amounts, dates and references are fictional.]"

DEMO_ORGANISATIONS = [
    ("VenJ", "Ministry of Security and Justice (until 2017)", "ministry", False),
    ("POLITIE", "National Police", "police_justice", True),
    ("OM", "Public Prosecution Service", "police_justice", True),
    ("RECLASSERING", "Probation Service (Reclassering Nederland)", "agency", True),
    ("VEILIGTHUIS", "Veilig Thuis (formerly the Child Abuse Counselling and Reporting Centres)", "agency", True),
    ("STOPITNOW", "Stop it Now! Netherlands", "ngo", True),
    ("ISP-PLATFORM", "Platform of Dutch internet service providers", "private", True),
]

# Owners of programmes (fictional staff). p.visser has left: the account is inactive.
DEMO_PEOPLE = [
    ("a.jansen", "Anna", "Jansen", True),
    ("m.devries", "Mark", "de Vries", True),
    ("s.bakker", "Sanne", "Bakker", True),
    ("p.visser", "Pieter", "Visser", False),
]

# Role accounts for trying the desk, with their demo passwords.
DEMO_ACCOUNTS = [
    ("coordinator", roles.COORDINATOR),
    ("finance", roles.FINANCE_OFFICER),
    ("monitor", roles.MONITOR),
    ("member", roles.TASK_FORCE_MEMBER),
]


def _programme(code, name, area, lead, owner, status, planned_start, planned_end=None, *, recs=(), orgs=(),
               description="", predecessor=None, actual_start=None, actual_end=None, last_reviewed=None,
               public=False, money_public=False):
    return {
        "code": code, "name": name, "area": area, "lead_ministry": lead, "owner": owner, "status": status,
        "description": f"{description} {MARK}".strip(),
        "planned_start": _iso(planned_start), "planned_end": _iso(planned_end),
        "actual_start": _iso(actual_start), "actual_end": _iso(actual_end),
        "predecessor": predecessor, "last_reviewed": _iso(last_reviewed),
        "implementing_organisations": list(orgs),
        "recommendations": [{"recommendation": rec, "note": note} for rec, note in recs],
        "public": public, "money_public": money_public,
    }


def _funding(code, programme, funder, instrument, amount, status, start, end, renewal="pending",
             renewal_date=None):
    return {
        "code": code, "programme": programme, "funder": funder, "instrument": instrument, "amount": amount,
        "currency": "EUR", "status": status, "start": _iso(start), "end": _iso(end),
        "decision_reference": f"DEMO-{code}", "renewal_decision": renewal, "renewal_decision_date": _iso(renewal_date),
        "note": MARK,
    }


def _iso(day):
    return day.isoformat() if day else None


def demo_document(today: date) -> dict:
    """The demo portfolio as a portfolio-exchange document, with dates relative to `today`."""
    d = lambda days: today + timedelta(days=days)  # noqa: E731  (short and local: a day offset from today)
    programmes = [
        _programme("STOP-IT-NOW", "Stop it Now! helpline for potential perpetrators", "prevention", "VWS",
                   "a.jansen", "active", date(2012, 4, 1), actual_start=date(2012, 4, 1), last_reviewed=d(-30),
                   orgs=["STOPITNOW"], description="Anonymous helpline and chat, launched in April 2012.",
                   # Two programmes in the public view (one with its money), so that it and the IATI export
                   # show something on a fresh demo; the site still has to turn the view on.
                   public=True, money_public=True,
                   recs=[("PREV-3", "Runs the helpline, also on digital channels."),
                         ("PREV-4", "Part of the public-health approach to prevention.")]),
        _programme("REPORT-BUTTON", "Online reporting button for children", "prevention", "VWS", "m.devries",
                   "active", date(2012, 2, 1), actual_start=date(2012, 2, 1), last_reviewed=d(-60),
                   orgs=["VEILIGTHUIS"], description="Where children find help after negative experiences online.",
                   recs=[("PREV-1", "Brings online dangers into children's help and advice.")]),
        _programme("POLICE-UNIT", "National child sexual abuse and child pornography unit", "investigation",
                   "JenV", "s.bakker", "active", date(2013, 1, 1), actual_start=date(2013, 1, 1),
                   last_reviewed=d(-14), orgs=["POLITIE"],
                   description="Offender- and victim-oriented detection in one national unit.",
                   recs=[("INV-1", "One national unit."), ("INV-2", "Investigates networks comprehensively.")]),
        _programme("COSA", "COSA expansion: circles of support and accountability", "aftercare", "JenV",
                   "a.jansen", "active", d(-300), d(900), actual_start=d(-300), last_reviewed=d(-45),
                   orgs=["RECLASSERING"], description="Probation and aftercare project for reintegration.",
                   recs=[("AFT-1", "Case-level supervision with volunteers and professionals.")], public=True),
        _programme("LOW-RISK", "Non-judicial interventions for low-risk viewers", "aftercare", "JenV", None,
                   "planned", d(60), d(60 + 3 * 365), orgs=["RECLASSERING", "OM"],
                   description="National roll-out of the pilot; nobody has been named to own it yet.",
                   recs=[("AFT-3", "Low-intensity interventions instead of prosecution for low-risk viewers.")]),
        _programme("LOW-RISK-PILOT", "Pilot: non-judicial interventions for low-risk viewers", "aftercare", "JenV",
                   "s.bakker", "active", d(-700), d(30), actual_start=d(-700), last_reviewed=d(-25),
                   orgs=["RECLASSERING", "OM"],
                   description="The pilot whose positive results led to the national roll-out (LOW-RISK); the "
                               "roll-out is not recorded as its successor and has no secured funding yet.",
                   recs=[("AFT-3", "Tests the interventions in pilot regions.")]),
        _programme("VICTIM-PACKAGE", "Assistance package for victims of abuse images", "victim_assistance", "VWS",
                   "p.visser", "active", d(-200), actual_start=d(-200), last_reviewed=d(-100),
                   description="Expertise and help addressing the existence and spread of the images.",
                   recs=[("VIC-1", "Provides the assistance package.")]),
        _programme("AWARENESS-2019", "Public awareness campaign on child abuse (2019–2022)", "identification",
                   "VWS", "m.devries", "ended", date(2019, 1, 1), date(2022, 12, 31), actual_start=date(2019, 1, 1),
                   actual_end=date(2022, 12, 31), last_reviewed=date(2023, 1, 15),
                   recs=[("IDR-3", "The campaign before digital signs were added.")]),
        _programme("AWARENESS-DIGITAL", "Awareness campaign including digital signs of abuse", "identification",
                   "VWS", "m.devries", "active", date(2023, 1, 1), actual_start=date(2023, 1, 1),
                   predecessor="AWARENESS-2019", last_reviewed=d(-20),
                   recs=[("IDR-3", "Continues the campaign and adds digital signs.")]),
        _programme("TRAINING-DIGITAL", "Training professionals to detect digital signs", "identification", "VenJ",
                   "s.bakker", "active", d(-100), d(500), actual_start=d(-100), last_reviewed=d(-10),
                   orgs=["VEILIGTHUIS"], description="Still registered under the ministry's former name.",
                   recs=[("IDR-1", "Training programme for professionals.")]),
        _programme("NTD-PLATFORM", "Notice-and-take-down platform with internet providers", "partnerships", "JenV",
                   "s.bakker", "active", date(2014, 1, 1), actual_start=date(2014, 1, 1), last_reviewed=d(-300),
                   orgs=["ISP-PLATFORM"], description="Public-private platform; not reviewed for a long time.",
                   recs=[("PPP-1", "The platform itself."), ("IDR-4", "Identification with providers.")]),
    ]
    funding = [
        _funding("STOP-IT-NOW-2022", "STOP-IT-NOW", "VWS", "subsidy", "1800000.00", "closed", date(2022, 1, 1),
                 d(-200), renewal="renewed", renewal_date=d(-260)),
        _funding("STOP-IT-NOW-2025", "STOP-IT-NOW", "VWS", "subsidy", "950000.00", "disbursing", d(-199), d(45)),
        _funding("REPORT-BUTTON-A", "REPORT-BUTTON", "VWS", "subsidy", "420000.00", "disbursing", d(-400), d(60),
                 renewal="renewed", renewal_date=d(-90)),
        _funding("REPORT-BUTTON-B", "REPORT-BUTTON", "VWS", "subsidy", "610000.00", "committed", d(120), d(800)),
        _funding("POLICE-UNIT-STRUCT", "POLICE-UNIT", "JenV", "structural", "12500000.00", "disbursing",
                 date(2013, 1, 1), d(1500), renewal="not_applicable"),
        _funding("COSA-1", "COSA", "JenV", "subsidy", "2300000.00", "disbursing", d(-300), d(200)),
        _funding("COSA-2", "COSA", "JenV", "subsidy", "2600000.00", "indicative", d(201), d(900)),
        _funding("LOW-RISK-1", "LOW-RISK", "JenV", "incidental", "750000.00", "indicative", d(60), d(60 + 365)),
        _funding("LOW-RISK-PILOT-1", "LOW-RISK-PILOT", "JenV", "incidental", "400000.00", "disbursing", d(-700),
                 d(30), renewal="not_renewed", renewal_date=d(-200)),
        _funding("VICTIM-PACKAGE-1", "VICTIM-PACKAGE", "VWS", "subsidy", "1100000.00", "committed", d(-200),
                 d(330)),
        _funding("AWARENESS-2019-1", "AWARENESS-2019", "VWS", "contract", "3000000.00", "closed", date(2019, 1, 1),
                 date(2022, 12, 31), renewal="not_renewed", renewal_date=date(2022, 6, 1)),
        _funding("AWARENESS-DIGITAL-1", "AWARENESS-DIGITAL", "VWS", "contract", "3400000.00", "disbursing",
                 date(2023, 1, 1), d(700)),
        _funding("TRAINING-DIGITAL-1", "TRAINING-DIGITAL", "JenV", "subsidy", "480000.00", "committed", d(-100),
                 d(500)),
        _funding("NTD-PLATFORM-1", "NTD-PLATFORM", "JenV", "structural", "250000.00", "disbursing",
                 date(2014, 1, 1), d(2000), renewal="not_applicable"),
    ]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "organisations": [
            {"short_name": s, "name": n, "kind": k, "active": a} for s, n, k, a in DEMO_ORGANISATIONS
        ],
        "people": [
            {"username": u, "first_name": f, "last_name": last, "email": f"{u}@demo.invalid", "active": a,
             "roles": [roles.COORDINATOR]}
            for u, f, last, a in DEMO_PEOPLE
        ],
        "programmes": programmes,
        "funding_periods": funding,
    }


@transaction.atomic
def load_demo(today: date) -> dict:
    """Load (or refresh) the demo portfolio and its role accounts; returns import counts and new passwords.

    Needs the base data and the roles (see `setup.services.prepare_site`).
    """
    counts = import_portfolio(demo_document(today), update_accounts=True)  # its own accounts: brought up to date
    _load_demo_money(today)
    passwords = {}
    User = get_user_model()
    for username, role in DEMO_ACCOUNTS:
        if not User.objects.filter(username=username).exists():
            _user, passwords[username] = create_account(username, role, password=f"demo-{username}-2012")
    load_demo_task_force(today, _refresh)
    return {"counts": counts, "passwords": passwords}


def _refresh(model, lookup: dict, values: dict):
    """Create the record, or bring it up to date; an unchanged record is not saved (no history, no re-evaluation)."""
    record = model.objects.filter(**lookup).first()
    if record is None:
        return model.objects.create(**lookup, **values)
    if any(getattr(record, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(record, name, value)
        record.save()
    return record


def _load_demo_money(today: date) -> None:
    """Budget lines, a commitment, a report, tranches, a payment and expenditure for the Stop it Now! helpline:
    the second tranche waits for a progress report that is late, so it is overdue and blocked, and little of the
    money is reported spent with the period ending in weeks."""
    d = lambda days: today + timedelta(days=days)  # noqa: E731
    helpline = Programme.objects.get(code="STOP-IT-NOW")
    period = FundingPeriod.objects.get(code="STOP-IT-NOW-2025")
    for year, amount in ((today.year, "950000.00"), (today.year + 1, "1000000.00")):
        _refresh(BudgetLine, {"programme": helpline, "fiscal_year": year, "kind": BudgetLine.Kind.ORIGINAL},
                 {"amount": Decimal(amount), "note": MARK})
    _refresh(Commitment, {"funding_period": period, "reference": "DEMO-VWS-2025-0412"},
             {"decided_on": d(-210), "amount": Decimal("950000.00"),
              "conditions": f"Half-year progress reports. {MARK}"})
    report = _refresh(ReportDue, {"funding_period": period, "title": "Progress report, first half year"},
                      {"kind": ReportDue.Kind.PROGRESS, "due_on": d(-10), "received_on": None, "approved_on": None})
    first = _refresh(Tranche, {"funding_period": period, "requires_report": None},
                     {"planned_on": d(-199), "amount": Decimal("475000.00")})
    _refresh(Tranche, {"funding_period": period, "requires_report": report},
             {"planned_on": d(-20), "amount": Decimal("475000.00")})
    _refresh(Payment, {"funding_period": period, "reference": "DEMO-PAY-1"},
             {"tranche": first, "paid_on": d(-195), "amount": Decimal("475000.00")})
    _refresh(Expenditure, {"funding_period": period, "organisation": Organisation.objects.get(short_name="STOPITNOW"),
                           "category": Expenditure.Category.PERSONNEL},
             {"period_start": d(-199), "period_end": d(-108), "amount": Decimal("310000.00")})
