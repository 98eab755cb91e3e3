"""The Taskforce's monitor (domain.md §8, §9.7): outcomes recorded when a case closes, the six
indicators per court and year with small counts suppressed, and the purge of closed cases."""

__all__: list[str] = []
