"""Portfolio models, one file per record kind."""

from programme_tracker.portfolio.models.choices import (
    SECURED_FUNDING_STATUSES,
    Area,
    FundingStatus,
    GovernmentResponse,
    Instrument,
    OrganisationKind,
    ProgrammeStatus,
    RenewalDecision,
)
from programme_tracker.portfolio.models.funding import FundingPeriod
from programme_tracker.portfolio.models.organisations import Organisation
from programme_tracker.portfolio.models.programmes import Programme, ProgrammeOrganisation, ProgrammeRecommendation
from programme_tracker.portfolio.models.recommendations import Recommendation, SourceReport

__all__ = [
    "SECURED_FUNDING_STATUSES",
    "Area",
    "FundingPeriod",
    "FundingStatus",
    "GovernmentResponse",
    "Instrument",
    "Organisation",
    "OrganisationKind",
    "Programme",
    "ProgrammeOrganisation",
    "ProgrammeRecommendation",
    "ProgrammeStatus",
    "Recommendation",
    "RenewalDecision",
    "SourceReport",
]
