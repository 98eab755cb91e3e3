"""Accounts, roles, the permission table, guards, sessions and tokens, and the audit log."""

from kb.auth import audit
from kb.auth.guards import current_user, ensure, requires, requires_sign_in
from kb.auth.permissions import (
    PERMISSIONS,
    ROLES,
    AnalysisFacts,
    can,
    may_approve_analysis,
    may_edit_analysis,
    may_read_analysis,
    may_reassess_analysis,
    may_submit_analysis,
)
from kb.auth.schemas import CurrentUser

__all__ = [
    "PERMISSIONS",
    "ROLES",
    "AnalysisFacts",
    "CurrentUser",
    "audit",
    "can",
    "current_user",
    "ensure",
    "may_approve_analysis",
    "may_edit_analysis",
    "may_read_analysis",
    "may_reassess_analysis",
    "may_submit_analysis",
    "requires",
    "requires_sign_in",
]
