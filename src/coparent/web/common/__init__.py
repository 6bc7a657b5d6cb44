"""Shared web plumbing: error middleware, formatting filters, the report cache,
the plotly.min.js finder, the base templates and styles."""
