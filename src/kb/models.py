"""Every table of the application, imported in one place for Alembic and tests."""

from kb.interventions.models import Entry, EntryProvider, EntryRating, EntrySource, Meta

__all__ = ["Entry", "EntryProvider", "EntryRating", "EntrySource", "Meta"]
