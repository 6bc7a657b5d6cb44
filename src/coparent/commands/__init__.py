"""Commands of the ``coparent`` CLI, grouped by module; cli.py registers them.

A group is a Typer sub-app named ``app`` (registered with ``app.add_typer``).
"""
