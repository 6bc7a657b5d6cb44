"""A small, safe expression language for mapping files: row filters and computed columns.

Mapping files are data, not code, so expressions are parsed here into a tree
and compiled to DuckDB SQL from that tree only: a column becomes an
identifier this module generates, a literal an escaped SQL literal, a
function one of the templates below. No text of the mapping reaches the SQL
unescaped, so there is nothing to inject. Mistakes are found in two steps,
both `MappingError` naming the mapping file and key with a character position:
`parse` (when the mapping is loaded: syntax, unknown functions, argument
counts, date formats) and `Binder.bind` (when the file's header is known:
unknown columns, types).

The language (docs/import.md, "Expressions")::

    quantity * unit_price                     arithmetic: + - * / and ( )
    concat(first_name, ' ', `Last Name`)      text; `...` quotes a header with spaces
    year(date(close_date, '%d/%m/%Y'))        date parts of a parsed date
    coalesce(close_value, products.sales_price)   a lookup's column: LOOKUP.COLUMN
    deal_stage = 'Won' and not (account is empty)
    status in ('Cancelled', 'Void')

Values are text, number, date (a timestamp) or boolean. Source cells are
text: where a number or a date is needed, a column is read as one (plain
decimals; ISO dates unless ``date(x, format)`` says otherwise), and a cell
that cannot be read is reported on its row by the import (``ingest.E202`` or
``E204``), never silently turned into an empty value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from coparent.errors import MappingError

__all__ = [
    "FUNCTIONS",
    "Binder",
    "Bound",
    "ColumnRef",
    "Conversion",
    "Node",
    "Type",
    "parse",
    "to_text_sql",
]

Type = Literal["text", "number", "date", "boolean"]

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
      | (?P<quoted>`(?:[^`]|``)*`)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op><=|>=|!=|<>|[-+*/=<>(),.])""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "is", "empty", "in", "true", "false"}
_FORMAT_DIRECTIVES = set("YymdbBHIMSpTfjzaA%")


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


@dataclass(frozen=True)
class Node:
    """One node of a parsed expression; ``pos`` is its 1-based character position."""

    kind: str
    pos: int
    value: object = None
    args: tuple[Node, ...] = ()


@dataclass(frozen=True)
class _Fn:
    params: tuple[Type | None, ...]
    """Parameter types (None: any); the last repeats when ``variadic``."""
    result: Type | None
    """The result type (None: the arguments' common type)."""
    sql: Callable[[list[str]], str]
    min_args: int = -1
    variadic: bool = False
    literal_args: tuple[int, ...] = ()
    """Positions that must be text literals (formats, marks)."""


def _join(sep: str) -> Callable[[list[str]], str]:
    return lambda a: sep.join(a)


FUNCTIONS: dict[str, _Fn] = {
    "coalesce": _Fn((None,), None, lambda a: f"coalesce({', '.join(a)})", 1, True),
    "if": _Fn(
        ("boolean", None, None), None, lambda a: f"(CASE WHEN {a[0]} THEN {a[1]} ELSE {a[2]} END)"
    ),
    "concat": _Fn(("text",), "text", lambda a: f"concat({', '.join(a)})", 1, True),
    "lower": _Fn(("text",), "text", lambda a: f"lower({a[0]})"),
    "upper": _Fn(("text",), "text", lambda a: f"upper({a[0]})"),
    "trim": _Fn(("text",), "text", lambda a: f"trim({a[0]})"),
    "replace": _Fn(("text", "text", "text"), "text", lambda a: f"replace({a[0]}, {a[1]}, {a[2]})"),
    "left": _Fn(("text", "number"), "text", lambda a: f"left({a[0]}, CAST({a[1]} AS BIGINT))"),
    "right": _Fn(("text", "number"), "text", lambda a: f"right({a[0]}, CAST({a[1]} AS BIGINT))"),
    "length": _Fn(("text",), "number", lambda a: f"CAST(length({a[0]}) AS DOUBLE)"),
    "starts_with": _Fn(("text", "text"), "boolean", lambda a: f"starts_with({a[0]}, {a[1]})"),
    "ends_with": _Fn(("text", "text"), "boolean", lambda a: f"suffix({a[0]}, {a[1]})"),
    "contains": _Fn(("text", "text"), "boolean", lambda a: f"contains({a[0]}, {a[1]})"),
    "text": _Fn((None,), "text", lambda a: a[0]),
    "number": _Fn(("text", "text", "text"), "number", lambda a: a[0], 1, literal_args=(1, 2)),
    "date": _Fn(("text", "text"), "date", lambda a: a[0], 1, literal_args=(1,)),
    "year": _Fn(("date",), "number", lambda a: f"CAST(year({a[0]}) AS DOUBLE)"),
    "quarter": _Fn(("date",), "number", lambda a: f"CAST(quarter({a[0]}) AS DOUBLE)"),
    "month": _Fn(("date",), "number", lambda a: f"CAST(month({a[0]}) AS DOUBLE)"),
    "day": _Fn(("date",), "number", lambda a: f"CAST(day({a[0]}) AS DOUBLE)"),
    "weekday": _Fn(("date",), "number", lambda a: f"CAST(isodow({a[0]}) AS DOUBLE)"),
    "hour": _Fn(("date",), "number", lambda a: f"CAST(hour({a[0]}) AS DOUBLE)"),
    "days_between": _Fn(
        ("date", "date"),
        "number",
        lambda a: f"((epoch({a[1]}) - epoch({a[0]})) / 86400.0)",
    ),
    "round": _Fn(
        ("number", "number"),
        "number",
        lambda a: f"round({a[0]}, CAST({a[1] if len(a) > 1 else '0'} AS INTEGER))",
        1,
    ),
    "abs": _Fn(("number",), "number", lambda a: f"abs({a[0]})"),
    "floor": _Fn(("number",), "number", lambda a: f"floor({a[0]})"),
    "ceil": _Fn(("number",), "number", lambda a: f"ceil({a[0]})"),
}


class _Parser:
    def __init__(self, text: str, *, file: str, key: str) -> None:
        self.text, self.file, self.key = text, file, key
        self.toks = self._tokens()
        self.i = 0

    def fail(self, message: str, pos: int, hint: str = "") -> MappingError:
        return MappingError(
            f"{message} (at character {pos} of {self.text!r})",
            file=self.file,
            key=self.key,
            hint=hint or "see docs/import.md, Expressions",
        )

    def _tokens(self) -> list[_Tok]:
        out: list[_Tok] = []
        pos = 0
        while pos < len(self.text):
            m = _TOKEN.match(self.text, pos)
            if m is None:
                ch = self.text[pos]
                if ch in "'\"`":
                    what = "column name" if ch == "`" else "text"
                    raise self.fail(
                        f"the {what} quoted with {ch} here is never closed",
                        pos + 1,
                        "texts are quoted with ' or \" (a quote inside is written twice); "
                        "column names with spaces with backquotes",
                    )
                raise self.fail(f"unexpected {ch!r}", pos + 1)
            kind = m.lastgroup or ""
            if kind != "space":
                out.append(_Tok(kind, m.group(), pos + 1))
            pos = m.end()
        out.append(_Tok("end", "", len(self.text) + 1))
        return out

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self, text: str | None = None) -> _Tok:
        tok = self.tok
        if text is not None and not self.word(text):
            shown = repr(tok.text) if tok.text else "the end"
            raise self.fail(f"expected {text!r}, found {shown}", tok.pos)
        self.i += 1
        return tok

    def word(self, text: str) -> bool:
        tok = self.tok
        if tok.kind == "name":
            return tok.text.lower() == text
        return tok.kind == "op" and tok.text == text

    def parse(self) -> Node:
        node = self.or_()
        if self.tok.kind != "end":
            hint = ""
            if self.tok.kind == "name" and self.toks[self.i - 1].kind == "name":
                hint = "a column name with spaces is written in backquotes: `Deal ID`"
            raise self.fail(f"unexpected {self.tok.text!r}", self.tok.pos, hint)
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.word("or"):
            pos = self.take().pos
            node = Node("or", pos, args=(node, self.and_()))
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.word("and"):
            pos = self.take().pos
            node = Node("and", pos, args=(node, self.not_()))
        return node

    def not_(self) -> Node:
        if self.word("not"):
            pos = self.take().pos
            return Node("not", pos, args=(self.not_(),))
        return self.compare()

    def compare(self) -> Node:
        node = self.sum()
        tok = self.tok
        if tok.kind == "op" and tok.text in ("=", "!=", "<>", "<", "<=", ">", ">="):
            self.take()
            op = "!=" if tok.text == "<>" else tok.text
            return Node("cmp", tok.pos, op, (node, self.sum()))
        if self.word("is"):
            self.take()
            negated = self.word("not")
            if negated:
                self.take()
            self.take("empty")
            return Node("empty", tok.pos, negated, (node,))
        negated = self.word("not")
        if negated or self.word("in"):
            if negated:
                self.take()
            self.take("in")
            self.take("(")
            items = [self.atom()]
            while self.word(","):
                self.take()
                items.append(self.atom())
            self.take(")")
            for item in items:
                if item.kind != "lit":
                    raise self.fail("the list after 'in' holds only literals", item.pos)
            return Node("in", tok.pos, negated, (node, *items))
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.word("+") or self.word("-"):
            tok = self.take()
            node = Node("arith", tok.pos, tok.text, (node, self.product()))
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.word("*") or self.word("/"):
            tok = self.take()
            node = Node("arith", tok.pos, tok.text, (node, self.unary()))
        return node

    def unary(self) -> Node:
        if self.word("-"):
            pos = self.take().pos
            return Node("neg", pos, args=(self.unary(),))
        return self.atom()

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "number":
            self.take()
            return Node("lit", tok.pos, float(tok.text))
        if tok.kind == "string":
            self.take()
            quote = tok.text[0]
            value = tok.text[1:-1].replace(quote * 2, quote)
            if "\x00" in value:
                raise self.fail("a NUL character in a string", tok.pos)
            return Node("lit", tok.pos, value)
        if self.word("-"):
            minus = self.take()
            if self.tok.kind != "number":
                raise self.fail("expected a number after '-'", minus.pos)
            return Node("lit", minus.pos, -float(self.take().text))
        if self.word("("):
            self.take()
            node = self.or_()
            self.take(")")
            return node
        if tok.kind == "name" and tok.text.lower() in ("true", "false"):
            self.take()
            return Node("lit", tok.pos, tok.text.lower() == "true")
        if tok.kind == "name" and self.toks[self.i + 1].text == "(":
            return self.call()
        if tok.kind in ("name", "quoted"):
            if tok.kind == "name" and tok.text.lower() in _KEYWORDS:
                raise self.fail(
                    f"{tok.text!r} is a keyword",
                    tok.pos,
                    f"write a column called {tok.text} in backquotes: `{tok.text}`",
                )
            first = self.name()
            if self.word("."):
                self.take()
                if self.tok.kind not in ("name", "quoted"):
                    raise self.fail("expected a column name after '.'", self.tok.pos)
                return Node("col", tok.pos, (first, self.name()))
            return Node("col", tok.pos, (None, first))
        shown = repr(tok.text) if tok.text else "the end"
        raise self.fail(f"expected a value, a column or a function, found {shown}", tok.pos)

    def name(self) -> str:
        tok = self.take()
        return tok.text[1:-1].replace("``", "`") if tok.kind == "quoted" else tok.text

    def call(self) -> Node:
        tok = self.take()
        name = tok.text.lower()
        fn = FUNCTIONS.get(name)
        if fn is None:
            raise self.fail(
                f"unknown function {tok.text!r}",
                tok.pos,
                "functions: " + ", ".join(sorted(FUNCTIONS)),
            )
        self.take("(")
        args: list[Node] = []
        if not self.word(")"):
            args.append(self.or_())
            while self.word(","):
                self.take()
                args.append(self.or_())
        self.take(")")
        least = len(fn.params) if fn.min_args < 0 else fn.min_args
        most = None if fn.variadic else len(fn.params)
        if len(args) < least or (most is not None and len(args) > most):
            want = f"{least}" if least == most else f"{least} to {most}" if most else f"{least}+"
            raise self.fail(f"{name}() takes {want} argument(s), got {len(args)}", tok.pos)
        for index in fn.literal_args:
            if index < len(args):
                arg = args[index]
                if arg.kind != "lit" or not isinstance(arg.value, str):
                    raise self.fail(
                        f"argument {index + 1} of {name}() must be a quoted text", arg.pos
                    )
                self._check_literal(name, index, arg)
        return Node("call", tok.pos, name, tuple(args))

    def _check_literal(self, name: str, index: int, arg: Node) -> None:
        text = str(arg.value)
        if name == "date":
            bad = [d for d in re.findall(r"%(.?)", text) if d not in _FORMAT_DIRECTIVES]
            if bad or "%" not in text:
                raise self.fail(
                    f"{text!r} is not a date format",
                    arg.pos,
                    "use strptime directives such as %Y %m %d %H %M %S (docs/import.md, Formats)",
                )
        elif len(text) != 1 or text.isdigit():
            raise self.fail(f"{text!r} must be one character such as ',' or '.'", arg.pos)


def parse(text: str, *, file: str, key: str) -> Node:
    """The parsed expression; a syntax error is a `MappingError` at ``file``: ``key``."""
    return _Parser(text, file=file, key=key).parse()


@dataclass(frozen=True)
class ColumnRef:
    """A column an expression may read: its SQL identifier, type and the label issues show."""

    sql: str
    type: Type
    label: str


@dataclass(frozen=True)
class Conversion:
    """Text read as a number or a date: ``bad`` is true on rows whose text cannot be read."""

    bad: str
    value: str
    label: str
    target: Type


@dataclass
class Bound:
    """A bound expression: its SQL, result type and the conversions it makes."""

    sql: str
    type: Type
    conversions: list[Conversion] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)


def _lit(value: object) -> tuple[str, Type]:
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), "boolean"
    if isinstance(value, float):
        return f"CAST({value!r} AS DOUBLE)", "number"
    text = str(value).replace("'", "''")
    return f"'{text}'", "text"


def to_text_sql(sql: str, typ: Type) -> str:
    """SQL that renders a value of type ``typ`` as text (whole numbers without .0)."""
    if typ == "number":
        return (
            f"(CASE WHEN {sql} = trunc({sql}) AND abs({sql}) < 1e15 "
            f"THEN CAST(CAST({sql} AS BIGINT) AS VARCHAR) ELSE CAST({sql} AS VARCHAR) END)"
        )
    if typ == "date":
        return f"strftime({sql}, '%Y-%m-%d %H:%M:%S')"
    if typ == "boolean":
        return f"(CASE WHEN {sql} THEN 'true' WHEN NOT {sql} THEN 'false' END)"
    return sql


class Binder:
    """Binds parsed expressions to the columns of one source (and its lookups)."""

    def __init__(
        self,
        columns: Mapping[tuple[str | None, str], ColumnRef],
        *,
        file: str,
        available: Mapping[str | None, str],
    ) -> None:
        """``columns`` by (lookup or None, name); ``available`` lists them per source for hints."""
        self.columns = columns
        self.file = file
        self.available = available

    def bind(self, text: str, *, key: str, allowed: tuple[Type, ...] = (), what: str = "") -> Bound:
        """``text`` compiled to SQL; a result type not in ``allowed`` (if given) is refused."""
        node = parse(text, file=self.file, key=key)
        ctx = _Ctx(self, text, key)
        sql, typ = ctx.expr(node)
        if allowed and typ not in allowed:
            if allowed == ("boolean",):
                raise ctx.fail(
                    f"a condition must be true or false, but this gives {_a(typ)}",
                    1,
                    "compare it: x = 'yes', x > 0, x is empty",
                )
            hint = "wrap it in text(...) to store it as text" if "text" in allowed else ""
            raise ctx.fail(
                f"{what} takes {' or '.join(allowed)} values, but this gives {_a(typ)}", 1, hint
            )
        return Bound(sql, typ, ctx.conversions, ctx.used)


def _ref(node: Node) -> tuple[str | None, str]:
    assert isinstance(node.value, tuple)
    lookup, name = node.value
    return (None if lookup is None else str(lookup)), str(name)


def _a(typ: str) -> str:
    return "an " + typ if typ[0] in "aeiou" else "a " + typ


class _Ctx:
    def __init__(self, binder: Binder, text: str, key: str) -> None:
        self.binder, self.text, self.key = binder, text, key
        self.conversions: list[Conversion] = []
        self.used: set[str] = set()

    def fail(self, message: str, pos: int, hint: str = "") -> MappingError:
        return MappingError(
            f"{message} (at character {pos} of {self.text!r})",
            file=self.binder.file,
            key=self.key,
            hint=hint or "see docs/import.md, Expressions",
        )

    def expr(self, node: Node) -> tuple[str, Type]:
        kind = node.kind
        if kind == "lit":
            return _lit(node.value)
        if kind == "col":
            return self.column(node)
        if kind in ("and", "or"):
            left = self.want(node.args[0], "boolean")
            right = self.want(node.args[1], "boolean")
            return f"({left} {kind.upper()} {right})", "boolean"
        if kind == "not":
            return f"(NOT {self.want(node.args[0], 'boolean')})", "boolean"
        if kind == "neg":
            return f"(- {self.want(node.args[0], 'number')})", "number"
        if kind == "arith":
            left = self.want(node.args[0], "number")
            right = self.want(node.args[1], "number")
            if node.value == "/":
                return f"({left} / nullif({right}, 0))", "number"
            return f"({left} {node.value} {right})", "number"
        if kind == "empty":
            sql, _ = self.expr(node.args[0])
            test = "IS NOT NULL" if node.value else "IS NULL"
            return f"({sql} {test})", "boolean"
        if kind == "cmp":
            (left, lt), (right, _) = self.unify(node.args, node)
            if lt == "boolean" and node.value not in ("=", "!="):
                raise self.fail("true/false values compare only with = and !=", node.pos)
            return f"({left} {node.value} {right})", "boolean"
        if kind == "in":
            (left, _), *items = self.unify(node.args, node)
            sql = f"({left} IN ({', '.join(s for s, _ in items)}))"
            return (f"(NOT {sql})" if node.value else sql), "boolean"
        return self.call(node)

    def column(self, node: Node) -> tuple[str, Type]:
        lookup, name = _ref(node)
        ref = self.binder.columns.get((lookup, name))
        if ref is None:
            if lookup is not None and lookup not in self.binder.available:
                raise self.fail(
                    f"unknown lookup {lookup!r} in {lookup}.{name}",
                    node.pos,
                    "lookups of this table: "
                    + (", ".join(k for k in self.binder.available if k) or "none")
                    + "; a header that holds a dot is written in backquotes: `a.b`",
                )
            where = self.binder.available.get(lookup, "")
            raise self.fail(
                f"unknown column {name!r}" + (f" in lookup {lookup!r}" if lookup else ""),
                node.pos,
                where,
            )
        self.used.add(ref.sql)
        return ref.sql, ref.type

    def want(self, node: Node, target: Type) -> str:
        sql, typ = self.expr(node)
        return self.coerce(sql, typ, target, node)[0]

    def coerce(self, sql: str, typ: Type, target: Type, node: Node) -> tuple[str, Type]:
        if typ == target:
            return sql, typ
        if target == "text":
            return to_text_sql(sql, typ), "text"
        if typ == "text" and target in ("number", "date"):
            return self.convert(sql, target, node, None), target
        raise self.fail(f"expected {_a(target)} but this is {_a(typ)}", node.pos)

    def convert(self, sql: str, target: Type, node: Node, args: list[str] | None) -> str:
        """Read text as a number or a date, remembering how to find the rows that fail."""
        if target == "number":
            text = sql
            if args:
                decimal = args[0]
                thousands = args[1] if len(args) > 1 else None
                if thousands is not None:
                    text = f"replace({text}, {thousands}, '')"
                text = f"replace({text}, {decimal}, '.')"
            value = f"TRY_CAST({text} AS DOUBLE)"
            bad = f"({sql} IS NOT NULL AND NOT coalesce(isfinite({value}), FALSE))"
        else:
            fmt = args[0] if args else None
            value = f"TRY_STRPTIME({sql}, {fmt})" if fmt else f"TRY_CAST({sql} AS TIMESTAMP)"
            bad = f"({sql} IS NOT NULL AND {value} IS NULL)"
        label = self.label(node)
        self.conversions.append(Conversion(bad, sql, label, target))
        return value

    def label(self, node: Node) -> str:
        if node.kind == "col":
            return self.binder.columns[_ref(node)].label
        return self.text

    def unify(self, nodes: tuple[Node, ...], at: Node) -> list[tuple[str, Type]]:
        """Bring arguments to one type: text meets number or date by reading the text."""
        bound = [(*self.expr(n), n) for n in nodes]
        types = {t for _, t, _ in bound}
        if len(types) == 1:
            return [(s, t) for s, t, _ in bound]
        others = types - {"text"}
        if len(others) == 1 and next(iter(others)) in ("number", "date"):
            target = next(iter(others))
            return [self.coerce(s, t, target, n) for s, t, n in bound]
        shown = " and ".join(sorted(types))
        raise self.fail(f"cannot compare or combine {shown} values", at.pos)

    def call(self, node: Node) -> tuple[str, Type]:
        name = str(node.value)
        fn = FUNCTIONS[name]
        if name in ("number", "date"):
            target: Type = "number" if name == "number" else "date"
            sql, typ = self.expr(node.args[0])
            literals = [_lit(a.value)[0] for a in node.args[1:]]
            if typ == target:
                if literals:
                    raise self.fail(f"{name}() of {_a(typ)} takes no format", node.pos)
                return sql, typ
            if typ != "text":
                raise self.fail(f"{name}() reads text, not {_a(typ)}", node.pos)
            return self.convert(sql, target, node.args[0], literals), target
        if fn.result is None:
            args = node.args
            if name == "if":
                cond = self.want(args[0], "boolean")
                (a, typ), (b, _) = self.unify(args[1:], node)
                return fn.sql([cond, a, b]), typ
            bound = self.unify(args, node)
            return fn.sql([s for s, _ in bound]), bound[0][1]
        if name == "text":
            sql, typ = self.expr(node.args[0])
            return to_text_sql(sql, typ), "text"
        sqls = []
        for index, arg in enumerate(node.args):
            param = fn.params[min(index, len(fn.params) - 1)]
            sqls.append(self.want(arg, param) if param else self.expr(arg)[0])
        return fn.sql(sqls), fn.result
