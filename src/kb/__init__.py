"""Kennisbank Scheiding & Kind: knowledge base and conflict analysis for children in divorces."""

__all__ = ["__version__"]

__version__ = "0.1.0"
