"""Accounts: creating and disabling them, sign-in and tokens, and the append-only audit log.

Who is asking and what they may do (the permission table, the case rules) is `kb.access`.
"""

__all__ = ["audit", "models", "schemas", "security", "service", "startup"]
