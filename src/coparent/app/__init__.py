"""The app layer: Django models, migrations, services and selectors.

Everything the app stores or decides lives here: teams and roles, goals,
the feedback loop, wins, starter projects, pairing, imports and the digest.
The HTTP shell (`coparent.web`: views, pages, templates, urls) and the
machine interfaces (`coparent.cli`, `coparent.api`) call into it; it never
imports them. Each package keeps its Django app label (``teams``, ``wins``...)
and its migration history from when it lived under `coparent.web`.
"""
