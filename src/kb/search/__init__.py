"""Search: the `SearchBackend` protocol, the embedded tantivy engine and the Meilisearch client."""
