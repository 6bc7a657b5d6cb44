"""Django settings: ``base`` for every environment, ``test`` for the test suite.

Production changes settings only through environment variables, read by the
helpers in `coparent.web.settings.env` (each names its variable when it fails);
docs/web.md lists them.
"""
