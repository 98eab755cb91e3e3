"""The knowledge base: entries loaded from `content/`, their catalogue, indexing and search."""

from kb.interventions.catalogue import Catalogue, CatalogueStore
from kb.interventions.schemas import Entry, SearchItem, SearchPage

__all__ = ["Catalogue", "CatalogueStore", "Entry", "SearchItem", "SearchPage"]
