"""Running the service: backups and restores, the lock a running server holds, and the state
the metrics report (index generation and size, entries due for review)."""

from kb.operations.backup import BackupReport, RestoreReport, backup, restore
from kb.operations.running import SERVER_APPLICATION_NAME, ServerLock, hold_server_lock

__all__ = [
    "SERVER_APPLICATION_NAME",
    "BackupReport",
    "RestoreReport",
    "ServerLock",
    "backup",
    "hold_server_lock",
    "restore",
]
