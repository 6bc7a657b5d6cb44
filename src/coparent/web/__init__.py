"""The web app: a thin Django shell over the core (pages, API, app database)."""
