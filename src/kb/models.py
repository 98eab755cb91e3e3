"""Every table of the application, imported in one place for Alembic and tests."""

from kb.auth.models import Account, ApiToken, AuditEntry, SignInFailure
from kb.conflict_analysis.models import Analysis, AnalysisVersion
from kb.db import Meta, WebSession
from kb.desk.models import DeskProfile
from kb.interventions.models import EntryRow, SearchQueryStat
from kb.monitor.models import CaseClosure, CaseOutcome
from kb.proposals.models import Proposal

__all__ = [
    "Account",
    "Analysis",
    "AnalysisVersion",
    "ApiToken",
    "AuditEntry",
    "CaseClosure",
    "CaseOutcome",
    "DeskProfile",
    "EntryRow",
    "Meta",
    "Proposal",
    "SearchQueryStat",
    "SignInFailure",
    "WebSession",
]
