"""Accounts, roles, the permission table and case-level rules, sign-in and tokens, the audit log."""

from kb.auth.permissions import (
    PERMISSIONS,
    AnalysisFacts,
    can,
    ensure,
    may_approve_analysis,
    may_edit_analysis,
    may_read_analysis,
    may_reassess_analysis,
    may_submit_analysis,
)
from kb.auth.schemas import Caller, CurrentUser

__all__ = [
    "PERMISSIONS",
    "AnalysisFacts",
    "Caller",
    "CurrentUser",
    "can",
    "ensure",
    "may_approve_analysis",
    "may_edit_analysis",
    "may_read_analysis",
    "may_reassess_analysis",
    "may_submit_analysis",
]
