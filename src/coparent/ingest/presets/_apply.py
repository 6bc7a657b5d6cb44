"""Apply a preset to a read export: canonical columns as text, rows kept, problems located.

The result is one `MappedTable` per canonical table the preset fills. Each
holds text columns named by canonical column (ISO dates, plain numbers,
18-character Salesforce ids, channels and statuses through the vocabularies)
with the source header of each as its label, so `coparent.ingest.checks`
then converts and checks them like any mapped file and every issue names the
export's own row and header. Columns read from other tables (a campaign
member's channel comes from its campaign) stay pending until the service,
which sees every file of the import and the warehouse, resolves them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from coparent.ingest._dates import parse_timestamps
from coparent.ingest._values import parse_booleans
from coparent.ingest.checks import subject
from coparent.ingest.issues import IssueCode, IssueLog, show_value
from coparent.ingest.mapping import ColumnPlan, ColumnRule
from coparent.ingest.presets._cells import (
    DayOrderEvidence,
    join_time,
    map_unique,
    normalise_numbers,
    pick_ids,
    salesforce_ids,
    to_iso,
)
from coparent.ingest.presets._match import HeaderMatch
from coparent.ingest.presets._model import ColumnSpec, Condition, Preset, TableSpec
from coparent.ingest.presets._read import Export
from coparent.ingest.readers import SourceTable
from coparent.schema import TABLES

__all__ = ["Lookup", "MappedTable", "apply_preset"]

Lookup = Callable[[str, str, str], dict[str, str] | None]
"""(table, key column, value column) -> key -> value, or None when that table is not known."""

_EMPTY = "(empty)"


@dataclass
class _Field:
    name: str
    label: str
    values: pa.Array
    kind: str


@dataclass
class MappedTable:
    """One canonical table from one export, as text, ready for the ordinary checks."""

    table: str
    file: str
    preset: Preset
    values: dict[str, pa.Array | None]
    """Canonical column -> text values; None when the export has nothing for it."""
    labels: dict[str, str]
    hints: dict[str, str]
    rows: pa.Array
    header_row: int | None
    log: IssueLog
    pending: dict[str, ColumnSpec] = field(default_factory=dict)
    derived: bool = False
    """True for tables derived from another object's export (stage changes of deals)."""

    @property
    def num_rows(self) -> int:
        return len(self.rows)

    def source(self) -> SourceTable:
        columns = {c: v for c, v in self.values.items() if v is not None}
        names = list(columns)
        return SourceTable(self.file, names, columns, self.rows, self.header_row, {})

    def plans(self) -> list[ColumnPlan]:
        """One plan per canonical column: read the text column, or leave it empty."""
        out = []
        for col in TABLES[self.table]:
            values = self.values.get(col.name)
            rule = ColumnRule(column=col.name, hint=self.hints.get(col.name, ""))
            if values is None:
                out.append(ColumnPlan(col, ColumnRule(), None, self.labels.get(col.name, col.name)))
            else:
                out.append(ColumnPlan(col, rule, col.name, self.labels.get(col.name, col.name)))
        return out

    def resolve_lookups(self, lookup: Lookup) -> None:
        """Fill columns read from another table (then their default, with a warning)."""
        for name, spec in self.pending.items():
            assert spec.lookup is not None
            other, key_col, value_col = spec.lookup
            ref = next(c for c in TABLES[self.table] if c.ref_table == other)
            keys = self.values.get(ref.name)
            known = lookup(other, key_col, value_col)
            values: pa.Array = pa.nulls(self.num_rows, pa.string())
            if keys is not None and known:
                values = map_unique(keys, known.get)
            self.labels[name] = self.labels.get(ref.name, ref.name)
            if spec.default is not None:
                what = (
                    f"{{count}} of {self.num_rows:,} rows (rows {{rows}}) name no known "
                    f"{subject(other)} in {ref.name}"
                    if known is not None
                    else f"there is no {other} table to read {value_col} from, so in all "
                    "{count} rows"
                )
                values = _fill_default(
                    values,
                    spec.default,
                    rows=self.rows,
                    label=self.labels[name],
                    column=f"{self.table}.{name}",
                    why=what,
                    preset=self.preset.name,
                    log=self.log,
                )
            self.values[name] = values
        self.pending = {}


def apply_preset(
    export: Export,
    match: HeaderMatch,
    *,
    dayfirst: bool | None,
    log: IssueLog,
    tables: Sequence[str] | None = None,
) -> list[MappedTable]:
    """Every table of ``match.preset`` (or those in ``tables``) from ``export``.

    Missing required columns are reported (``ingest.E102``, naming the
    aliases looked for) and leave their table out; other problems are logged
    for the checks' verdict. Derived tables with no rows are left out.
    """
    preset = match.preset
    src = export.table
    fields = _choose_columns(export, match, log)
    order = _day_order(export, match, fields, dayfirst=dayfirst, log=log)
    prepared = {
        name: _prepare(f, preset, fields, dayfirst=order, export=export, log=log)
        for name, f in fields.items()
    }
    date_hint = _date_hint(order, dayfirst)
    wanted = [m for m in match.missing if tables is None or m[0] in tables]
    missing = {(t, c) for t, c, _ in wanted}
    for table, column, need in wanted:
        aliases = [a for f in need for a in preset.fields[f].aliases]
        log.add(
            IssueCode.E102,
            row=src.header_row,
            column=aliases[0] if aliases else column,
            value=None,
            message=f"{table}.{column} is read from "
            + ", ".join(repr(a) for a in aliases)
            + ", but the file has none of them",
            hint=f"add the column to the export, or copy the preset (coparent import "
            f"--show-preset {preset.name}) and add your header to its aliases",
        )
    out = []
    for spec in preset.tables.values():
        if tables is not None and spec.table not in tables:
            continue
        if any(t == spec.table for t, _ in missing):
            continue
        if spec.melt is not None:
            mapped = _melt(
                spec,
                preset,
                export,
                match,
                prepared,
                dayfirst=order,
                date_hint=date_hint,
                log=log,
            )
        else:
            mapped = _table(spec, preset, export, prepared, date_hint=date_hint, log=log)
        derived = spec.table != preset.main_table
        mapped.derived = derived
        if mapped.num_rows or not derived:
            out.append(mapped)
    return out


def _choose_columns(export: Export, match: HeaderMatch, log: IssueLog) -> dict[str, _Field]:
    """The column each field reads; a repeated header picks the one whose values fit."""
    src = export.table
    preset = match.preset
    out: dict[str, _Field] = {}
    for name, positions in match.fields.items():
        spec = preset.fields[name]
        pos = positions[0]
        if len(positions) > 1:
            vocabs: set[str] = {
                c.vocab
                for t in preset.tables.values()
                for c in t.columns
                if c.vocab is not None and name in c.fields
            } | {
                cond.vocab
                for t in preset.tables.values()
                for cond in (t.rows.keep_if, t.rows.skip_if)
                if cond is not None and cond.vocab is not None and cond.field == name
            }

            def fit(p: int, vocabs: set[str] = vocabs) -> int:
                values = _text(src.columns[src.names[p]])
                if not vocabs:
                    return 0
                known = 0
                for v in vocabs:
                    hits = map_unique(values, _vocab_hit(preset, v))
                    known = max(known, len(hits) - hits.null_count)
                return known

            pos = max(positions, key=lambda p: (fit(p), -p))
            header = export.headers[pos]
            log.add(
                IssueCode.W104,
                row=src.header_row,
                column=header,
                value=header,
                message=f"the header {header!r} appears {len(positions)} times; "
                f"{spec.name} is read from column {pos + 1}"
                + (
                    " (its values fit the preset's words)"
                    if pos != positions[0]
                    else " (the first)"
                ),
                hint="rename the other column in the CRM (a custom field with the same name) to "
                "silence this",
            )
        out[name] = _Field(name, export.headers[pos], _text(src.columns[src.names[pos]]), spec.kind)
    return out


def _vocab_hit(preset: Preset, vocab: str) -> Callable[[str], str | None]:
    return lambda text: "1" if preset.vocab_lookup(vocab, text) else None


def _text(values: pa.Array) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values if pa.types.is_string(values.type) else pc.cast(values, pa.string())


def _day_order(
    export: Export,
    match: HeaderMatch,
    fields: dict[str, _Field],
    *,
    dayfirst: bool | None,
    log: IssueLog,
) -> bool:
    """Day-first or month-first for this file: the option, else the data, else month-first."""
    if dayfirst is not None:
        return dayfirst
    evidence = DayOrderEvidence()
    rows = export.table.rows
    for f in fields.values():
        if f.kind in ("date", "datetime"):
            evidence.add(f.values, rows, f.label)
    src = export.table
    for pos, _ in match.melted:
        evidence.add(_text(src.columns[src.names[pos]]), rows, export.headers[pos])
    if evidence.day_first and evidence.month_first:
        chosen = evidence.day_first > evidence.month_first
        row, label, value = (evidence.day_example if chosen else evidence.month_example) or (
            0,
            "",
            "",
        )
        other = evidence.month_example if chosen else evidence.day_example
        assert other is not None
        log.add(
            IssueCode.W103,
            row=row,
            column=label,
            value=value,
            message=f"the dates disagree: {value!r} is {'day' if chosen else 'month'}-first but "
            f"{other[2]!r} (row {other[0]}, {other[1]}) is not; read as "
            f"{'day' if chosen else 'month'}-first (the larger group), the others are reported",
            hint="check the dates in the CRM, or give --dayfirst / --monthfirst",
        )
        return chosen
    if evidence.day_first or evidence.month_first:
        return bool(evidence.day_first)
    if evidence.ambiguous and evidence.ambiguous_example is not None:
        row, label, value = evidence.ambiguous_example
        log.add(
            IssueCode.W103,
            row=row,
            column=label,
            value=value,
            count=evidence.ambiguous,
            message=f"{evidence.ambiguous:,} date(s) such as {value!r} read the same day-first "
            "and month-first, and no date in the file decides; read as month-first "
            "(the default)",
            hint="import again with --dayfirst if the CRM shows 05/03/2024 for 5 March",
        )
    return False


def _date_hint(dayfirst: bool, given: bool | None) -> str:
    order = "day-first (05/03/2024 = 5 March)" if dayfirst else "month-first (03/05/2024 = 5 March)"
    why = "as given" if given is not None else "as decided from this file's dates"
    return (
        f"dates are read as ISO 8601, or {order} {why}; give --dayfirst or --monthfirst if "
        "that is wrong, or correct the value in the CRM"
    )


def _prepare(
    f: _Field,
    preset: Preset,
    fields: dict[str, _Field],
    *,
    dayfirst: bool,
    export: Export,
    log: IssueLog,
) -> _Field:
    values = f.values
    spec = preset.fields[f.name]
    rows = export.table.rows
    if f.kind in ("date", "datetime"):
        if spec.time is not None and spec.time in fields:
            values = join_time(values, fields[spec.time].values)
        values = to_iso(values, dayfirst=dayfirst)
        if f.kind == "date":  # a datetime read as a date keeps its calendar day as written
            stamp = pc.fill_null(pc.match_substring_regex(values, r"^\d{4}-\d{2}-\d{2}[T ]"), False)
            values = pc.if_else(stamp, pc.utf8_slice_codeunits(values, 0, 10), values)
    elif f.kind == "number":
        values = normalise_numbers(values, comma_default=export.delimiter == ";")
    elif f.kind in ("sfid", "sfref"):
        values, bad = salesforce_ids(values, strict=f.kind == "sfid")
        log.add_rows(
            IssueCode.E211,
            mask=bad,
            rows=rows,
            column=f.label,
            values=values,
            message=lambda _i, v: f"{show_value(v)} is not a Salesforce id (15 or 18 letters and "
            "digits, the last three matching the case of the first fifteen)",
            hint="export the id column again; an 18-character id whose case was changed (by a "
            "spreadsheet) no longer names its record",
        )
    return _Field(f.name, f.label, values, f.kind)


def _coalesce(arrays: list[pa.Array], n: int) -> pa.Array:
    if not arrays:
        return pa.nulls(n, pa.string())
    return arrays[0] if len(arrays) == 1 else pc.coalesce(*arrays)


def _take(f: _Field, keep: pa.Array | None) -> _Field:
    return f if keep is None else _Field(f.name, f.label, f.values.filter(keep), f.kind)


def _condition(
    cond: Condition,
    preset: Preset,
    fields: dict[str, _Field],
    computed: dict[str, pa.Array],
    n: int,
) -> pa.Array | None:
    """Mask where ``cond`` holds; None when its field is not in the file."""
    if cond.field is not None:
        f = fields.get(cond.field)
        if f is None:
            return None
        values = f.values
    else:
        assert cond.column is not None
        values = computed.get(cond.column, pa.nulls(n, pa.string()))
    if cond.vocab is not None:
        vocab = cond.vocab
        values = map_unique(values, lambda t: preset.vocab_lookup(vocab, t))
    wanted = [v for v in cond.is_ if v != _EMPTY]
    mask = pc.fill_null(pc.is_in(values, value_set=pa.array(wanted, pa.string())), False)
    if _EMPTY in cond.is_:
        mask = pc.or_(mask, values.is_null())
    return mask


def _warn_rows(
    log: IssueLog,
    code: IssueCode,
    mask: pa.Array,
    rows: pa.Array,
    *,
    column: str,
    message: str,
    hint: str,
) -> int:
    """One warning for the rows of ``mask``; ``{count}`` and ``{rows}`` in ``message`` filled."""
    count = int(pc.sum(mask).as_py() or 0)
    if not count:
        return 0
    first = rows.filter(mask)[:5].to_pylist()
    listed = ", ".join(str(r) for r in first) + (", ..." if count > len(first) else "")
    text = message.replace("{count}", f"{count:,}").replace("{rows}", listed)
    log.add(code, row=first[0], column=column, count=count, message=text, hint=hint)
    return count


def _fill_default(
    values: pa.Array,
    default: str,
    *,
    rows: pa.Array,
    label: str,
    column: str,
    why: str,
    preset: str,
    log: IssueLog,
) -> pa.Array:
    empty = values.is_null()
    _warn_rows(
        log,
        IssueCode.W204,
        empty,
        rows,
        column=label,
        message=f"{why}: {column} is loaded as {default!r}",
        hint=f"the {preset} preset fills {column} with {default!r} when the export has no value",
    )
    return pc.fill_null(values, pa.scalar(default, pa.string()))


def _table(
    spec: TableSpec,
    preset: Preset,
    export: Export,
    prepared: dict[str, _Field],
    *,
    date_hint: str,
    log: IssueLog,
) -> MappedTable:
    """Rows (after the row rules), then columns in dependency order."""
    src = export.table
    rows = src.rows
    n = len(rows)
    keep = _row_filter(spec, preset, prepared, rows, log=log)
    fields = {k: _take(f, keep) for k, f in prepared.items()}
    if keep is not None:
        rows = rows.filter(keep)
        n = len(rows)
    values: dict[str, pa.Array | None] = {}
    labels: dict[str, str] = {}
    hints: dict[str, str] = {}
    pending: dict[str, ColumnSpec] = {}
    tdef = TABLES[spec.table]
    # status first (closed_at depends on it), columns that read computed ones last
    ordered = sorted(
        spec.columns,
        key=lambda c: (
            c.column != "status",
            bool(c.by_status) or (c.when is not None and c.when.column is not None),
        ),
    )
    for cs in ordered:
        col = tdef.column(cs.column)
        present = [f for f in cs.source_fields if f in fields]
        labels[cs.column] = fields[present[0]].label if present else cs.column
        if cs.lookup is not None:
            pending[cs.column] = cs
            continue
        if cs.value is None and not present:
            values[cs.column] = None if cs.default is None else pa.nulls(n, pa.string())
            if cs.default is None:
                continue
        computed = {k: v for k, v in values.items() if v is not None}
        result = _column(cs, preset, fields, computed, rows, n, label=labels[cs.column], log=log)
        if cs.when is not None:
            cond = _condition(cs.when, preset, fields, computed, n)
            if cond is not None:
                result = pc.if_else(cond, result, pa.scalar(None, pa.string()))
        if cs.default_field is not None and cs.default_field in fields:
            fallback = fields[cs.default_field]
            filled = pc.and_(result.is_null(), fallback.values.is_valid())
            _warn_rows(
                log,
                IssueCode.W204,
                filled,
                rows,
                column=labels[cs.column],
                message=f"{labels[cs.column]} is empty in {{count}} row(s) (rows {{rows}}); "
                f"{spec.table}.{cs.column} is taken from {fallback.label} instead",
                hint=f"the {preset.name} preset falls back to {fallback.label} for "
                f"{spec.table}.{cs.column}",
            )
            result = pc.coalesce(result, fallback.values)
        if cs.default is not None:
            aliases = ", ".join(
                repr(a) for f in cs.source_fields for a in preset.fields[f].aliases[:2]
            )
            result = _fill_default(
                result,
                cs.default,
                rows=rows,
                label=labels[cs.column],
                column=f"{spec.table}.{cs.column}",
                why=f"{labels[cs.column]} is empty in {{count}} of {n:,} rows (rows {{rows}})"
                if present
                else f"the export has no column for it ({aliases or 'none in the preset'}), "
                "so in all {count} rows",
                preset=preset.name,
                log=log,
            )
        values[cs.column] = result
        if col.values is not None:
            hints[cs.column] = _vocab_hint(preset, cs, result, labels[cs.column], col.values)
        elif col.type in ("timestamp", "date"):
            hints[cs.column] = date_hint
    mapped = MappedTable(
        spec.table, src.file, preset, values, labels, hints, rows, src.header_row, log, pending
    )
    _skip_empty(mapped, spec)
    if spec.rows.dedupe is not None:
        _dedupe(mapped, spec.rows.dedupe)
    return mapped


def _vocab_hint(
    preset: Preset, cs: ColumnSpec, values: pa.Array, label: str, allowed: tuple[str, ...]
) -> str:
    low = pc.utf8_lower(values)
    unknown = pc.and_(values.is_valid(), pc.invert(pc.is_in(low, value_set=pa.array(allowed))))
    first = pc.index(pc.fill_null(unknown, False), True).as_py()
    example = values[first].as_py() if first >= 0 else "Signed"
    vocab = cs.vocab or "status"
    return (
        f"a {label} the {preset.name} preset does not know: say what it means in the preset's "
        f'[vocab.{vocab}] ({example!r} = "won", or {", ".join(allowed)}): coparent import '
        f"--show-preset {preset.name} > my-{preset.name}.toml, edit, then import with --preset "
        f"my-{preset.name}.toml"
    )


def _row_filter(
    spec: TableSpec, preset: Preset, fields: dict[str, _Field], rows: pa.Array, *, log: IssueLog
) -> pa.Array | None:
    n = len(rows)
    keep: pa.Array | None = None
    for cond, keep_when in ((spec.rows.keep_if, True), (spec.rows.skip_if, False)):
        if cond is None:
            continue
        mask = _condition(cond, preset, fields, {}, n)
        if mask is None:
            continue
        this = mask if keep_when else pc.invert(mask)
        assert cond.field is not None
        label = fields[cond.field].label
        words = ", ".join(cond.is_)
        _warn_rows(
            log,
            IssueCode.W102,
            pc.invert(this),
            rows,
            column=label,
            message=f"skipped {{count}} row(s) (rows {{rows}}) whose {label} "
            + (f"is not {words!r}" if keep_when else f"reads as {words!r}")
            + f" in the preset's [vocab.{cond.vocab}]",
            hint=f"only these rows are {subject(spec.table)} rows for the {preset.name} preset",
        )
        keep = this if keep is None else pc.and_(keep, this)
    return keep


def _column(
    cs: ColumnSpec,
    preset: Preset,
    fields: dict[str, _Field],
    computed: dict[str, pa.Array],
    rows: pa.Array,
    n: int,
    *,
    label: str,
    log: IssueLog,
) -> pa.Array:
    if cs.value is not None:
        return pa.repeat(pa.scalar(cs.value, pa.string()), n)
    if cs.by_status:
        status = computed.get("status", pa.nulls(n, pa.string()))
        result = pa.nulls(n, pa.string())
        for word, names in cs.by_status:
            chosen = _coalesce([fields[f].values for f in names if f in fields], n)
            result = pc.if_else(pc.fill_null(pc.equal(status, word), False), chosen, result)
        return result
    parts: list[pa.Array] = []
    several_masks: list[tuple[_Field, pa.Array]] = []
    for name in cs.fields:
        f = fields.get(name)
        if f is None:
            continue
        if f.kind == "ids":
            chosen, several = pick_ids(f.values, pick=cs.pick)
            taken = chosen
            for earlier in parts:
                taken = pc.if_else(earlier.is_valid(), pa.scalar(None, pa.string()), taken)
            several_masks.append((f, pc.and_(several, taken.is_valid())))
            parts.append(chosen)
        else:
            parts.append(f.values)
    values = _coalesce(parts, n)
    for f, mask in several_masks:
        rule = "the lowest id (the oldest record)" if cs.pick == "lowest" else "the first id listed"
        _warn_rows(
            log,
            IssueCode.W205,
            mask,
            rows,
            column=f.label,
            message=f"{f.label} lists several ids in {{count}} row(s) (rows {{rows}}); "
            f"{cs.column} takes {rule}",
            hint="coparent keeps one per row; a (Primary) column, when exported, is used first",
        )
    if cs.status is not None:
        values = _status(cs, preset, fields, values, rows, n, log=log)
    elif cs.vocab is not None:
        vocab = cs.vocab
        mapped = map_unique(values, lambda t: preset.vocab_lookup(vocab, t))
        values = pc.coalesce(mapped, values)
    if cs.only_prefix is not None:
        prefix = cs.only_prefix
        other = pc.and_(values.is_valid(), pc.invert(pc.starts_with(values, prefix)))
        other = pc.fill_null(other, False)
        read = " / ".join(fields[f].label for f in cs.fields if f in fields) or label
        _warn_rows(
            log,
            IssueCode.W206,
            other,
            rows,
            column=label,
            message=f"{{count}} value(s) of {read} (rows {{rows}}) are not ids of "
            f"the kind {cs.column} refers to (starting {prefix}); they are left empty",
            hint="Salesforce ids start with their object's prefix (00Q lead, 003 contact, 006 "
            "opportunity, 001 account); coparent has no table for the others",
        )
        values = pc.if_else(other, pa.scalar(None, pa.string()), values)
    return values


def _status(
    cs: ColumnSpec,
    preset: Preset,
    fields: dict[str, _Field],
    stage: pa.Array,
    rows: pa.Array,
    n: int,
    *,
    log: IssueLog,
) -> pa.Array:
    """open/won/lost from the boolean columns when present, else from the stage's vocabulary.

    Unknown stages stay as written, so the checks report each one (ingest.E206)
    with a hint to add it to the vocabulary; nothing is guessed.
    """
    assert cs.status is not None
    flags: dict[str, pa.Array] = {}
    for role in ("won", "lost", "closed"):
        name = getattr(cs.status, role)
        f = fields.get(name) if name else None
        if f is None:
            continue
        parsed, bad = parse_booleans(f.values)
        log.add_rows(
            IssueCode.E205,
            mask=bad,
            rows=rows,
            column=f.label,
            values=f.values,
            message=lambda _i, v: f"{show_value(v)} is not true or false",
            hint="the preset reads this column as true/false (also yes/no, 1/0)",
        )
        flags[role] = parsed
    none = pa.scalar(None, pa.string())
    result = pa.nulls(n, pa.string())
    if "won" in flags:
        result = pc.if_else(pc.fill_null(flags["won"], False), "won", result)
    if "lost" in flags:
        result = pc.coalesce(result, pc.if_else(pc.fill_null(flags["lost"], False), "lost", none))
    if "closed" in flags:
        closed = flags["closed"]
        result = pc.coalesce(
            result, pc.if_else(pc.fill_null(pc.invert(closed), False), "open", none)
        )
        if "won" in flags:
            lost = pc.fill_null(pc.and_(closed, pc.invert(flags["won"])), False)
            result = pc.coalesce(result, pc.if_else(lost, "lost", none))
    if cs.vocab is not None:
        vocab = cs.vocab
        from_stage = map_unique(stage, lambda t: preset.vocab_lookup(vocab, t))
        result = pc.coalesce(result, from_stage)
    return pc.coalesce(result, stage)


def _skip_empty(mapped: MappedTable, spec: TableSpec) -> None:
    if not spec.rows.skip_empty:
        return
    keep = pa.repeat(pa.scalar(True), mapped.num_rows)
    for name in spec.rows.skip_empty:
        v = mapped.values.get(name)
        keep = pc.and_(
            keep, pa.repeat(pa.scalar(False), mapped.num_rows) if v is None else v.is_valid()
        )
    _filter(mapped, keep)


def _filter(mapped: MappedTable, keep: pa.Array) -> None:
    if not len(keep) or pc.all(keep).as_py():
        return
    mapped.values = {k: None if v is None else v.filter(keep) for k, v in mapped.values.items()}
    mapped.rows = mapped.rows.filter(keep)


def _dedupe(mapped: MappedTable, rule: tuple[str, str, str]) -> None:
    """Keep a row only when ``on`` differs from the previous row of its ``by`` (by ``order``)."""
    by, order, on = (mapped.values.get(c) for c in rule)
    if by is None or on is None or not mapped.num_rows:
        return
    n = mapped.num_rows
    order_values = order if order is not None else pa.nulls(n, pa.string())
    table = pa.table({"by": by, "order": order_values, "on": on, "i": pa.array(range(n))})
    ranked = table.sort_by([("by", "ascending"), ("order", "ascending"), ("i", "ascending")])
    keep = [True] * n
    prev_by: object = object()
    prev_on: object = object()
    for b, o, i in zip(
        ranked["by"].to_pylist(), ranked["on"].to_pylist(), ranked["i"].to_pylist(), strict=True
    ):
        if b == prev_by and o == prev_on:
            keep[i] = False
        prev_by, prev_on = b, o
    mask = pa.array(keep)
    label = mapped.labels.get(rule[2], rule[2])
    _warn_rows(
        mapped.log,
        IssueCode.W102,
        pc.invert(mask),
        mapped.rows,
        column=label,
        message=f"skipped {{count}} history row(s) (rows {{rows}}) whose {label} "
        f"is the same as the row before for that {rule[0]}: they record other changes "
        "(amount, close date, probability)",
        hint="Salesforce writes a history row for every change; only stage changes are kept",
    )
    _filter(mapped, mask)


def _melt(
    spec: TableSpec,
    preset: Preset,
    export: Export,
    match: HeaderMatch,
    prepared: dict[str, _Field],
    *,
    dayfirst: bool,
    date_hint: str,
    log: IssueLog,
) -> MappedTable:
    """One row per record and matching header with a value (HubSpot's Date entered columns)."""
    melt = spec.melt
    assert melt is not None
    src = export.table
    ids = prepared.get(melt.id_field)
    parts: list[tuple[pa.Array, pa.Array, pa.Array, pa.Array, pa.Array]] = []
    if ids is not None:
        for k, (pos, name) in enumerate(match.melted):
            label = export.headers[pos]
            values = to_iso(_text(src.columns[src.names[pos]]), dayfirst=dayfirst)
            _, bad = parse_timestamps(values, formats=(), timezone="UTC")
            log.add_rows(
                IssueCode.E204,
                mask=bad,
                rows=src.rows,
                column=label,
                values=values,
                message=lambda _i, v: f"{show_value(v)} is not a valid date",
                hint=date_hint,
            )
            keep = pc.and_(values.is_valid(), pc.invert(bad))
            m = int(pc.sum(keep).as_py() or 0)
            if not m:
                continue
            parts.append(
                (
                    src.rows.filter(keep),
                    ids.values.filter(keep),
                    pa.repeat(pa.scalar(name, pa.string()), m),
                    values.filter(keep),
                    pa.repeat(pa.scalar(k, pa.int64()), m),
                )
            )
    names = (melt.id_column, melt.name_column, melt.value_column)
    if parts:
        table = pa.table(
            {
                "row": pa.concat_arrays([p[0] for p in parts]),
                names[0]: pa.concat_arrays([p[1] for p in parts]),
                names[1]: pa.concat_arrays([p[2] for p in parts]),
                names[2]: pa.concat_arrays([p[3] for p in parts]),
                "k": pa.concat_arrays([p[4] for p in parts]),
            }
        ).sort_by([("row", "ascending"), ("k", "ascending")])
    else:
        table = pa.table(
            {"row": pa.array([], pa.int64()), **{c: pa.array([], pa.string()) for c in names}}
        )
    first = export.headers[match.melted[0][0]] if match.melted else melt.value_column
    labels = {
        names[0]: ids.label if ids is not None else names[0],
        names[1]: f"{first} (header)",
        names[2]: first,
    }
    columns: dict[str, pa.Array | None] = {c: table[c].combine_chunks() for c in names}
    return MappedTable(
        spec.table,
        src.file,
        preset,
        columns,
        labels,
        {names[2]: date_hint},
        table["row"].combine_chunks(),
        src.header_row,
        log,
    )
