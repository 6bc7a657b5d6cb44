"""Presets as data: the TOML layout, its parsed form, and the checks that make it safe to use.

A preset says how one CRM export (source + object) becomes canonical tables::

    [preset]                 # name, crm, object, title, identify = [fields], docs text
    [fields]                 # source fields: aliases (labels, internal names, old labels) + kind
    id = { aliases = ["Record ID", "Deal ID", "hs_object_id"], kind = "id" }
    [vocab.status]           # source words -> canonical words, matched like headers
    "Closed Won" = "won"
    [opportunities.columns]  # canonical column <- rule over fields
    opportunity_id = "id"
    [opportunities.rows]     # optional row rules: keep_if, skip_if, dedupe, skip_empty
    [stage_changes.melt]     # optional: one row per (record, matching header)

Every mistake in a preset (a user's edited copy, or a shipped one in a test)
is a `MappingError` naming the file and the key. Aliases of different fields
may not collide after `normalise_header`, or matching would be ambiguous; the
same holds for vocabulary keys that map to different words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from coparent.errors import MappingError
from coparent.ingest._toml import read_toml_file
from coparent.schema import TABLES

__all__ = [
    "KINDS",
    "ColumnSpec",
    "Condition",
    "FieldSpec",
    "MeltSpec",
    "Preset",
    "RowRules",
    "StatusFlags",
    "TableSpec",
    "normalise_header",
    "parse_preset",
]

Kind = Literal["text", "id", "ids", "sfid", "sfref", "datetime", "date", "number", "bool"]
KINDS: tuple[Kind, ...] = (
    "text",
    "id",
    "ids",
    "sfid",
    "sfref",
    "datetime",
    "date",
    "number",
    "bool",
)
Pick = Literal["first", "lowest"]

_QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb`"
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_header(text: str) -> str:
    """How headers, aliases and vocabulary words are compared.

    Case, quotes (straight, curly, guillemets), punctuation and spacing are
    ignored: ``Date entered “Lead (Lifecycle Stage Pipeline)”`` matches
    ``date entered "lead (lifecycle stage pipeline)"`` and ``hs_object_id``
    matches ``HS Object ID``. Idempotent.

    >>> normalise_header('  Is Deal Closed? ')
    'is deal closed'
    >>> normalise_header('Date entered \u201cLead (Lifecycle Stage Pipeline)\u201d')
    'date entered lead lifecycle stage pipeline'
    """
    stripped = text.translate({ord(q): " " for q in _QUOTES})
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


@dataclass(frozen=True)
class FieldSpec:
    """A source field: the headers it may appear under, in order of preference, and its kind."""

    name: str
    aliases: tuple[str, ...]
    kind: Kind = "text"
    time: str | None = None
    """Another field holding the time of day for this date (Pipedrive's Due time)."""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(normalise_header(a) for a in self.aliases))


@dataclass(frozen=True)
class Condition:
    """True where a field's value (through a vocabulary) or a computed column is in ``is_``."""

    is_: tuple[str, ...]
    field: str | None = None
    column: str | None = None
    vocab: str | None = None


@dataclass(frozen=True)
class StatusFlags:
    """Boolean fields that decide open/won/lost before the stage is read."""

    won: str | None = None
    lost: str | None = None
    closed: str | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for f in (self.won, self.lost, self.closed) if f)


@dataclass(frozen=True)
class ColumnSpec:
    """How one canonical column is computed from fields (applied in this order).

    ``fields`` (first non-empty; ``pick`` chooses one id from a multi-valued
    cell), or ``status`` flags then ``fields``, or ``by_status`` (fields per
    status); then ``vocab``; ``only_prefix`` keeps Salesforce ids of one
    object; ``when`` empties the value where the condition is false;
    ``default`` / ``default_field`` fill what is still empty (with a
    warning); ``lookup`` reads another canonical table by key.
    """

    column: str
    fields: tuple[str, ...] = ()
    value: str | None = None
    vocab: str | None = None
    pick: Pick = "first"
    only_prefix: str | None = None
    status: StatusFlags | None = None
    by_status: tuple[tuple[str, tuple[str, ...]], ...] = ()
    when: Condition | None = None
    default: str | None = None
    default_field: str | None = None
    lookup: tuple[str, str, str] | None = None
    """(table, key column there, value column there); the key is this table's ref column."""

    @property
    def source_fields(self) -> tuple[str, ...]:
        """Every field this column may read, in order (for labels and requirements)."""
        out = list(self.fields)
        if self.status is not None:
            out += self.status.fields
        for _, fs in self.by_status:
            out += fs
        if self.default_field:
            out.append(self.default_field)
        return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class RowRules:
    """Which source rows become rows of a table."""

    keep_if: Condition | None = None
    """Applied only when its field is in the file: rows not matching are skipped."""
    skip_if: Condition | None = None
    skip_empty: tuple[str, ...] = ()
    """Canonical columns without which a row is no row (derived tables)."""
    dedupe: tuple[str, str, str] | None = None
    """(by, order, on): keep a row only when ``on`` differs from the previous row of ``by``."""


@dataclass(frozen=True)
class MeltSpec:
    """One row per record and header matching ``headers`` (regexes with a ``name`` group)."""

    headers: tuple[str, ...]
    id_field: str
    id_column: str
    name_column: str
    value_column: str
    value_kind: Kind = "datetime"

    def match(self, header: str) -> str | None:
        for pattern in self.headers:
            m = re.match(pattern, header.strip(), re.IGNORECASE)
            if m:
                return m.group("name").strip()
        return None


@dataclass(frozen=True)
class TableSpec:
    """The rules for one canonical table."""

    table: str
    columns: tuple[ColumnSpec, ...] = ()
    rows: RowRules = field(default_factory=RowRules)
    melt: MeltSpec | None = None

    def column(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.column == name), None)


@dataclass(frozen=True)
class Preset:
    """A parsed preset: fields, vocabularies and the tables it fills."""

    name: str
    crm: str
    object: str
    title: str
    fields: dict[str, FieldSpec]
    vocabs: dict[str, dict[str, str]]
    tables: dict[str, TableSpec]
    identify: tuple[str, ...]
    timezone: str | None = None
    notes: dict[str, str] = field(default_factory=dict)
    origin: Path | None = None

    @property
    def family(self) -> str:
        return self.name.split("-", 1)[0]

    @property
    def main_table(self) -> str:
        return next(iter(self.tables))

    def vocab_lookup(self, vocab: str, text: str) -> str | None:
        return self.vocabs[vocab].get(normalise_header(text))

    def required_columns(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """(table, column) -> fields of which one must be present, for each required column.

        Only the first (main) table counts: a derived table (stage changes from a
        deals export) simply has no rows when its columns are absent. A column
        with a constant, a default or a lookup never needs a field.
        """
        out: dict[tuple[str, str], tuple[str, ...]] = {}
        for spec in list(self.tables.values())[:1]:
            if spec.melt is not None:
                continue
            tdef = TABLES[spec.table]
            for col in tdef:
                if col.nullable:
                    continue
                cs = spec.column(col.name)
                if cs is None or cs.value is not None or cs.default is not None or cs.lookup:
                    continue
                out[(spec.table, col.name)] = cs.source_fields
        return out


_PRESET_KEYS = (
    "name",
    "crm",
    "object",
    "title",
    "identify",
    "timezone",
    "summary",
    "reads",
    "derives",
    "cannot_know",
    "unconfirmed",
)
_COLUMN_KEYS = (
    "field",
    "fields",
    "value",
    "vocab",
    "pick",
    "only_prefix",
    "status",
    "by_status",
    "when",
    "default",
    "default_field",
    "lookup",
)


class _Ctx:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, message: str, hint: str = "") -> MappingError:
        return MappingError(message, file=self.file, key=key, hint=hint)

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "expected a non-empty text")
        return value

    def texts(self, value: Any, key: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise self.fail(key, "expected a text or a non-empty list of texts")
        return tuple(self.text(v, key) for v in value)

    def only(self, section: Mapping[str, Any], allowed: tuple[str, ...], key: str) -> None:
        for k in section:
            if k not in allowed:
                raise self.fail(
                    f"{key}.{k}", f"unknown key {k!r}", "allowed: " + ", ".join(allowed)
                )

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "expected a table")
        return value


def parse_preset(data: Mapping[str, Any], *, file: str, origin: Path | None = None) -> Preset:
    """Check parsed TOML and build a `Preset`; every mistake names its key."""
    ctx = _Ctx(file)
    if "preset" not in data:
        raise ctx.fail(
            "preset",
            "no [preset] section",
            "a preset starts with [preset] name = ...; a file of [TABLE.columns] alone is a "
            "mapping: use --mapping for it",
        )
    head = ctx.table(data["preset"], "preset")
    ctx.only(head, _PRESET_KEYS, "preset")
    for k in ("name", "crm", "object"):
        if k not in head:
            raise ctx.fail(f"preset.{k}", "missing")
    name = ctx.text(head["name"], "preset.name")
    if not re.match(r"^[a-z0-9][a-z0-9_-]*$", name):
        raise ctx.fail("preset.name", f"{name!r}: use lowercase letters, digits, - and _")
    fields = _fields(ctx, ctx.table(data.get("fields", {}), "fields"))
    vocabs = _vocabs(ctx, ctx.table(data.get("vocab", {}), "vocab"))
    tables: dict[str, TableSpec] = {}
    for key, section in data.items():
        if key in ("preset", "fields", "vocab"):
            continue
        if key not in TABLES:
            raise ctx.fail(
                key,
                f"{key!r} is neither a canonical table nor preset, fields or vocab",
                "canonical tables: " + ", ".join(TABLES),
            )
        tables[key] = _table(ctx, key, ctx.table(section, key), fields, vocabs)
    if not tables:
        raise ctx.fail("preset", "the preset fills no table", "add [TABLE.columns] sections")
    identify = ctx.texts(head.get("identify", []) or [next(iter(fields), "")], "preset.identify")
    for f in identify:
        _known_field(ctx, f, fields, "preset.identify")
    timezone = head.get("timezone")
    if timezone is not None:
        from coparent.ingest.mapping import check_timezone

        check_timezone(ctx.text(timezone, "preset.timezone"), file=file, key="preset.timezone")
    notes = {
        k: ctx.text(head[k], f"preset.{k}")
        for k in ("summary", "reads", "derives", "cannot_know", "unconfirmed")
        if k in head
    }
    return Preset(
        name=name,
        crm=ctx.text(head["crm"], "preset.crm"),
        object=ctx.text(head["object"], "preset.object"),
        title=ctx.text(head.get("title", f"{head['crm']} {head['object']}"), "preset.title"),
        fields=fields,
        vocabs=vocabs,
        tables=tables,
        identify=identify,
        timezone=timezone,
        notes=notes,
        origin=origin,
    )


def load_preset_file(path: Path) -> Preset:
    """Read a preset TOML file (a user's edited copy)."""
    data = read_toml_file(path, option="--preset", docs="docs/presets.md")
    return parse_preset(data, file=str(path), origin=path)


def _fields(ctx: _Ctx, raw: dict[str, Any]) -> dict[str, FieldSpec]:
    out: dict[str, FieldSpec] = {}
    owner: dict[str, str] = {}
    for name, given in raw.items():
        key = f"fields.{name}"
        spec = ctx.table({"aliases": given} if isinstance(given, str | list) else given, key)
        ctx.only(spec, ("aliases", "kind", "time"), key)
        aliases = ctx.texts(spec.get("aliases"), f"{key}.aliases")
        kind = spec.get("kind", "text")
        if kind not in KINDS:
            raise ctx.fail(f"{key}.kind", f"unknown kind {kind!r}", "kinds: " + ", ".join(KINDS))
        time = spec.get("time")
        if time is not None:
            ctx.text(time, f"{key}.time")
            if kind not in ("date", "datetime"):
                raise ctx.fail(f"{key}.time", "time is for date fields")
        fs = FieldSpec(name, aliases, cast(Kind, kind), time)
        for alias, norm in zip(aliases, (normalise_header(a) for a in aliases), strict=True):
            if not norm:
                raise ctx.fail(f"{key}.aliases", f"{alias!r} has no letters or digits")
            other = owner.get(norm)
            if other is not None and other != name:
                raise ctx.fail(
                    f"{key}.aliases",
                    f"{alias!r} is also an alias of fields.{other} (after ignoring case, "
                    "quotes and punctuation)",
                    "each header may belong to one field only; remove it from one of them",
                )
            owner[norm] = name
        out[name] = fs
    for fs in out.values():
        if fs.time is not None:
            _known_field(ctx, fs.time, out, f"fields.{fs.name}.time")
    return out


def _vocabs(ctx: _Ctx, raw: dict[str, Any]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name, given in raw.items():
        table = ctx.table(given, f"vocab.{name}")
        words: dict[str, str] = {}
        for word, raw_target in table.items():
            key = f"vocab.{name}.{word}"
            target = ctx.text(raw_target, key)
            norm = normalise_header(str(word))
            if not norm:
                raise ctx.fail(key, "the word has no letters or digits")
            if words.get(norm, target) != target:
                raise ctx.fail(
                    key,
                    f"{word!r} maps to {target!r} but a spelling of it already maps to "
                    f"{words[norm]!r}",
                    "words are compared ignoring case, quotes and punctuation",
                )
            words[norm] = target
        out[name] = words
    return out


def _known_field(ctx: _Ctx, name: str, fields: Mapping[str, FieldSpec], key: str) -> None:
    if name not in fields:
        raise ctx.fail(key, f"unknown field {name!r}", "fields: " + ", ".join(fields))


def _known_vocab(ctx: _Ctx, name: Any, vocabs: Mapping[str, Any], key: str) -> str:
    name = ctx.text(name, key)
    if name not in vocabs:
        raise ctx.fail(key, f"unknown vocabulary {name!r}", "vocabularies: " + ", ".join(vocabs))
    return str(name)


def _condition(
    ctx: _Ctx, raw: Any, key: str, fields: Mapping[str, FieldSpec], vocabs: Mapping[str, Any]
) -> Condition:
    spec = ctx.table(raw, key)
    ctx.only(spec, ("field", "column", "vocab", "is"), key)
    if ("field" in spec) == ("column" in spec):
        raise ctx.fail(key, "give exactly one of field or column")
    f = spec.get("field")
    if f is not None:
        _known_field(ctx, f, fields, f"{key}.field")
    vocab = spec.get("vocab")
    if vocab is not None:
        vocab = _known_vocab(ctx, vocab, vocabs, f"{key}.vocab")
    return Condition(ctx.texts(spec.get("is"), f"{key}.is"), f, spec.get("column"), vocab)


def _table(
    ctx: _Ctx,
    name: str,
    section: dict[str, Any],
    fields: Mapping[str, FieldSpec],
    vocabs: Mapping[str, Any],
) -> TableSpec:
    ctx.only(section, ("columns", "rows", "melt"), name)
    tdef = TABLES[name]
    melt = None
    if "melt" in section:
        melt = _melt(ctx, ctx.table(section["melt"], f"{name}.melt"), name, fields)
    columns = []
    for col, raw in ctx.table(section.get("columns", {}), f"{name}.columns").items():
        key = f"{name}.columns.{col}"
        if col not in tdef.column_names:
            raise ctx.fail(
                key, f"{name} has no column {col!r}", "its columns: " + ", ".join(tdef.column_names)
            )
        columns.append(_column(ctx, col, raw, key, name, fields, vocabs))
    if melt is None and not columns:
        raise ctx.fail(name, "no columns", f"add [{name}.columns]")
    rows = _rows(ctx, section.get("rows", {}), f"{name}.rows", fields, vocabs)
    return TableSpec(name, tuple(columns), rows, melt)


def _column(
    ctx: _Ctx,
    col: str,
    raw: Any,
    key: str,
    table: str,
    fields: Mapping[str, FieldSpec],
    vocabs: Mapping[str, Any],
) -> ColumnSpec:
    if isinstance(raw, str):
        raw = {"field": raw}
    spec = ctx.table(raw, key)
    ctx.only(spec, _COLUMN_KEYS, key)
    names: tuple[str, ...] = ()
    if "field" in spec and "fields" in spec:
        raise ctx.fail(key, "give field or fields, not both")
    if "field" in spec:
        names = (ctx.text(spec["field"], f"{key}.field"),)
    elif "fields" in spec:
        names = ctx.texts(spec["fields"], f"{key}.fields")
    for f in names:
        _known_field(ctx, f, fields, f"{key}.fields")
    value = spec.get("value")
    by_status: list[tuple[str, tuple[str, ...]]] = []
    for status, fs in ctx.table(spec.get("by_status", {}), f"{key}.by_status").items():
        flist = ctx.texts(fs, f"{key}.by_status.{status}")
        for f in flist:
            _known_field(ctx, f, fields, f"{key}.by_status.{status}")
        by_status.append((status, flist))
    flags: StatusFlags | None = None
    if "status" in spec:
        st = ctx.table(spec["status"], f"{key}.status")
        ctx.only(st, ("won", "lost", "closed"), f"{key}.status")
        for flag in st.values():
            _known_field(ctx, flag, fields, f"{key}.status")
        flags = StatusFlags(st.get("won"), st.get("lost"), st.get("closed"))
    lookup = None
    if "lookup" in spec:
        lk = ctx.table(spec["lookup"], f"{key}.lookup")
        ctx.only(lk, ("table", "key", "value"), f"{key}.lookup")
        other = ctx.text(lk.get("table"), f"{key}.lookup.table")
        if other not in TABLES:
            raise ctx.fail(f"{key}.lookup.table", f"{other!r} is not a canonical table")
        lookup = (
            other,
            ctx.text(lk.get("key"), f"{key}.lookup.key"),
            ctx.text(lk.get("value"), f"{key}.lookup.value"),
        )
        ref = [c for c in TABLES[table] if c.ref_table == other]
        if not ref:
            raise ctx.fail(f"{key}.lookup", f"{table} has no column referring to {other}")
    given = sum(bool(x) for x in (names, value is not None, flags, by_status, lookup))
    if given == 0:
        raise ctx.fail(key, "give field(s), value, status, by_status or lookup")
    if value is not None and given > 1:
        raise ctx.fail(key, "a constant value takes no fields")
    pick = spec.get("pick", "first")
    if pick not in ("first", "lowest"):
        raise ctx.fail(f"{key}.pick", 'expected "first" or "lowest"')
    when = None
    if "when" in spec:
        when = _condition(ctx, spec["when"], f"{key}.when", fields, vocabs)
    default_field = spec.get("default_field")
    if default_field is not None:
        _known_field(ctx, default_field, fields, f"{key}.default_field")
    vocab = spec.get("vocab")
    if vocab is not None:
        vocab = _known_vocab(ctx, vocab, vocabs, f"{key}.vocab")
    return ColumnSpec(
        column=col,
        fields=names,
        value=None if value is None else ctx.text(str(value), f"{key}.value"),
        vocab=vocab,
        pick=cast(Pick, pick),
        only_prefix=spec.get("only_prefix"),
        status=flags,
        by_status=tuple(by_status),
        when=when,
        default=spec.get("default"),
        default_field=default_field,
        lookup=lookup,
    )


def _rows(
    ctx: _Ctx, raw: Any, key: str, fields: Mapping[str, FieldSpec], vocabs: Mapping[str, Any]
) -> RowRules:
    spec = ctx.table(raw, key)
    ctx.only(spec, ("keep_if", "skip_if", "skip_empty", "dedupe"), key)
    keep = (
        _condition(ctx, spec["keep_if"], f"{key}.keep_if", fields, vocabs)
        if "keep_if" in spec
        else None
    )
    skip = (
        _condition(ctx, spec["skip_if"], f"{key}.skip_if", fields, vocabs)
        if "skip_if" in spec
        else None
    )
    dedupe = None
    if "dedupe" in spec:
        d = ctx.table(spec["dedupe"], f"{key}.dedupe")
        ctx.only(d, ("by", "order", "on"), f"{key}.dedupe")
        dedupe = tuple(ctx.text(d.get(k), f"{key}.dedupe.{k}") for k in ("by", "order", "on"))
    skip_empty = ctx.texts(spec["skip_empty"], f"{key}.skip_empty") if "skip_empty" in spec else ()
    return RowRules(keep, skip, skip_empty, cast("tuple[str, str, str] | None", dedupe))


def _melt(ctx: _Ctx, spec: dict[str, Any], table: str, fields: Mapping[str, FieldSpec]) -> MeltSpec:
    key = f"{table}.melt"
    ctx.only(
        spec, ("headers", "id_field", "id_column", "name_column", "value_column", "value_kind"), key
    )
    headers = ctx.texts(spec.get("headers"), f"{key}.headers")
    for h in headers:
        try:
            pattern = re.compile(h)
        except re.error as exc:
            raise ctx.fail(f"{key}.headers", f"{h!r} is not a regular expression: {exc}") from None
        if "name" not in pattern.groupindex:
            raise ctx.fail(f"{key}.headers", f"{h!r} has no (?P<name>...) group")
    id_field = ctx.text(spec.get("id_field"), f"{key}.id_field")
    _known_field(ctx, id_field, fields, f"{key}.id_field")
    cols = TABLES[table].column_names
    out = []
    for k in ("id_column", "name_column", "value_column"):
        c = ctx.text(spec.get(k), f"{key}.{k}")
        if c not in cols:
            raise ctx.fail(f"{key}.{k}", f"{table} has no column {c!r}")
        out.append(c)
    kind = spec.get("value_kind", "datetime")
    if kind not in KINDS:
        raise ctx.fail(f"{key}.value_kind", f"unknown kind {kind!r}")
    return MeltSpec(headers, id_field, out[0], out[1], out[2], cast(Kind, kind))
