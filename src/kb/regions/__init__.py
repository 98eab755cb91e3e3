"""Every Dutch municipality with its province and arrondissement (domain.md §9.1).

`register` is the pure lookup the rest of the product resolves places through; `routes` is its
public API. The list and its sources are package data (`data/municipalities.csv`, `data/aliases.csv`).
"""

from kb.regions.register import (
    MAX_RESULTS,
    Municipality,
    Register,
    data_dir,
    fold,
    provider_area,
    provider_arrondissements,
    register,
    suggestion_text,
    unknown_place_message,
)

__all__ = [
    "MAX_RESULTS",
    "Municipality",
    "Register",
    "data_dir",
    "fold",
    "provider_area",
    "provider_arrondissements",
    "register",
    "suggestion_text",
    "unknown_place_message",
]
