"""WSGI entry point: ``coparent.web.wsgi:application`` for any WSGI server behind a proxy."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coparent.web.settings.base")

application = get_wsgi_application()
