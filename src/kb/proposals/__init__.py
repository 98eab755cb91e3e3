"""The pilot registry and the editors' review: proposals, the duplicate warning, the due list."""

__all__: list[str] = []
