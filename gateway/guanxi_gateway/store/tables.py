"""Gateway tables (identity, audit and webhooks arrive with the identity issue)."""
