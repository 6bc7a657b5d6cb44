"""The HTTP API (django-ninja): the same reports as the pages, as JSON, role-checked.

Mounted at ``/api/`` by `coparent.web.urls`; the OpenAPI document is at
``/api/openapi.json`` and its browsable form at ``/api/docs``. Every error
has one JSON shape (`coparent.api.errors`).
"""
