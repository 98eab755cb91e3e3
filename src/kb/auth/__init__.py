"""Accounts, roles, the permission table and case-level rules, sign-in and tokens, the audit log."""

from kb.auth.permissions import PERMISSIONS, can, ensure
from kb.auth.schemas import Caller, CurrentUser

__all__ = ["PERMISSIONS", "Caller", "CurrentUser", "can", "ensure"]
