"""Every table of the application, imported in one place for Alembic and tests."""

from kb.auth.models import Account, ApiToken, AuditEntry, SignInFailure, WebSession
from kb.conflict_analysis.models import Analysis, AnalysisVersion
from kb.interventions.models import Entry, EntryProvider, EntryRating, EntrySource, Meta

__all__ = [
    "Account",
    "Analysis",
    "AnalysisVersion",
    "ApiToken",
    "AuditEntry",
    "Entry",
    "EntryProvider",
    "EntryRating",
    "EntrySource",
    "Meta",
    "SignInFailure",
    "WebSession",
]
