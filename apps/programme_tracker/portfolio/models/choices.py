"""The fixed vocabularies of the portfolio, in the words of DESIGN.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.TextChoices):
    """The seven headings of the First Report's recommendations (4+4+4+7+4+1+1 = 25)."""

    POLICY = "policy", _("Policy")
    PREVENTION = "prevention", _("Prevention")
    IDENTIFICATION = "identification", _("Identification & recording")
    INVESTIGATION = "investigation", _("Investigation, prosecution & trial")
    AFTERCARE = "aftercare", _("Aftercare & supervision of offenders")
    VICTIM_ASSISTANCE = "victim_assistance", _("Victim assistance")
    PARTNERSHIPS = "partnerships", _("Public-private partnerships")


class GovernmentResponse(models.TextChoices):
    """The government's response to a recommendation."""

    ACCEPTED = "accepted", _("Accepted")
    PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    PENDING = "pending", _("Pending")


class OrganisationKind(models.TextChoices):
    """What kind of body an organisation is."""

    MINISTRY = "ministry", _("Ministry")
    AGENCY = "agency", _("Government agency")
    POLICE_JUSTICE = "police_justice", _("Police or justice body")
    MUNICIPALITY = "municipality", _("Municipality")
    NGO = "ngo", _("NGO")
    PRIVATE = "private", _("Private partner")


class ProgrammeStatus(models.TextChoices):
    """Where a programme stands in its life."""

    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class Instrument(models.TextChoices):
    """How money reaches a programme."""

    STRUCTURAL = "structural", _("Structural budget")
    SUBSIDY = "subsidy", _("Subsidy")
    CONTRACT = "contract", _("Contract")
    INCIDENTAL = "incidental", _("Incidental")


class FundingStatus(models.TextChoices):
    """How firm a funding period is; only committed, disbursing and closed count as secured."""

    INDICATIVE = "indicative", _("Indicative")
    COMMITTED = "committed", _("Committed")
    DISBURSING = "disbursing", _("Disbursing")
    CLOSED = "closed", _("Closed")


SECURED_FUNDING_STATUSES = (FundingStatus.COMMITTED, FundingStatus.DISBURSING, FundingStatus.CLOSED)


class RenewalDecision(models.TextChoices):
    """Whether the funder has decided on continuing after a funding period ends."""

    PENDING = "pending", _("Pending")
    RENEWED = "renewed", _("Renewed")
    NOT_RENEWED = "not_renewed", _("Not renewed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
