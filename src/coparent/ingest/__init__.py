"""Ingest: read source exports, map them onto the canonical tables, report every problem.

The pieces, in the order an import uses them (``coparent.services.imports``
puts them together and decides whether to load):

- `readers` reads CSV and other delimited text, Excel and Parquet into text
  columns that keep each record's spreadsheet row number;
- `mapping` parses TOML mapping files and resolves them against a header;
- `checks` converts and checks every value, `table_checks` the keys, the
  order of timestamps and the references;
- `issues` holds the located `Issue`, its stable `IssueCode` and the capped,
  counting `IssueLog`.

Checks return issues and never raise for bad data. docs/import.md documents
the formats, the mapping keys and every issue code.
"""

from __future__ import annotations
