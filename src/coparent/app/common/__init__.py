"""What every app package shares: the warehouse facts, the post-import hooks, the request memo."""
