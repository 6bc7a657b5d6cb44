"""The Data page: upload, check, import, and data freshness per table."""
