"""Recursive-descent parsers for DynamoDB's expression language.

No ``eval``: :mod:`.tokens` splits the text and each grammar rule below is
one method. Placeholders are resolved through an :class:`.Expressions`
context, which records what was used.

Errors come in DynamoDB's order and words. Redundant parentheses
(``((x))``) are caught before parsing; then a syntax error
(``Invalid <Kind>: Syntax error; token: "...", near: "..."``); only a
syntactically valid expression reports a semantic problem, the first of the
lowest pass: invalid function names, functions used the wrong way, reserved
words, repeated update sections, undefined placeholders, overlapping then
conflicting paths, ADD/DELETE operand types, and finally operand counts,
constant operand types, document-path requirements and distinct operands.
The order was established from requests recorded against DynamoDB.

Public API
----------
``parse_condition(text, ctx=None, kind="ConditionExpression") -> Condition``
    ConditionExpression, FilterExpression (pass ``kind``) and the raw
    grammar of KeyConditionExpression.
``parse_update(text, ctx=None) -> Update``
    SET (``+``/``-``, ``if_not_exists``, ``list_append``), REMOVE, ADD,
    DELETE; each section once; no two paths overlapping.
``parse_projection(text, ctx=None) -> tuple[Path, ...]``
``check_paths(paths, kind)``
    DynamoDB's overlap/conflict rule on a list of paths.

All cost O(len(text)) except the path check, O(paths²).

Examples
--------
>>> from .context import Expressions
>>> ctx = Expressions({"#s": "status"}, {":v": {"S": "ok"}})
>>> parse_condition("#s = :v AND NOT attribute_exists(a.b[1])", ctx)  # doctest: +NORMALIZE_WHITESPACE
And(left=Compare(op='=', left=Path(elements=('status',)), right=Value(name=':v', value={'S': 'ok'})),
    right=Not(operand=Func(name='attribute_exists', args=(Path(elements=('a', 'b', 1)),))))
>>> parse_condition("status = :v", ctx)
Traceback (most recent call last):
...
dynamo_lab.dynamodb.errors.ValidationError: Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status
>>> parse_update("SET a = :v REMOVE a.b", Expressions(values={":v": {"N": "1"}}))
Traceback (most recent call last):
...
dynamo_lab.dynamodb.errors.ValidationError: Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]
"""
from __future__ import annotations

from typing import Any

from ...errors import ValidationError
from ..types import compare_values, serialization_error, value_type
from . import grammar
from .ast import (
    AddAction,
    And,
    Arith,
    Between,
    Compare,
    DeleteAction,
    Func,
    IfNotExists,
    In,
    ListAppend,
    Not,
    Or,
    Path,
    RemoveAction,
    SetAction,
    Size,
    Update,
    Value,
)
from .context import Expressions
from .paths import check_paths, path_problems
from .reserved import is_reserved
from .tokens import Token, scan_text, syntax_error

__all__ = ["parse_condition", "parse_update", "parse_projection", "check_paths"]

_CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
# DynamoDB checks a syntactically valid expression in passes; a lower level
# is reported first (same level: first in the text). Established from
# requests recorded against DynamoDB (dynalite's test suite).
_FUNCTION_NAME, _MISUSE, _NAMES, _SECTIONS, _UNDEFINED = 2, 3, 4, 5, 6
_OVERLAP, _CONFLICT, _ADD_DELETE, _OPERANDS = 7, 8, 9, 10


class _Parser:
    """One parse of one expression. ``pending`` holds the first semantic
    error, raised only once the whole text has parsed."""

    def __init__(self, text: Any, kind: str, ctx: Expressions | None) -> None:
        if not isinstance(text, str):
            raise serialization_error(text, "String")
        self.text, self.kind = text, kind
        self.ctx = ctx if ctx is not None else Expressions()
        if not text.strip():
            raise self.invalid("The expression can not be empty;")
        size = len(text.encode("utf-8"))
        if size > grammar.MAX_EXPRESSION_SIZE:
            raise self.invalid("Expression size has exceeded the maximum allowed size; "
                               f"expression size: {size}")
        self.tokens, redundant, depth = scan_text(text)
        self._last = len(self.tokens) - 1
        if redundant:
            # DynamoDB finds "((x))" before it parses: even "((b.c)).d",
            # otherwise a syntax error, is reported this way.
            raise self.invalid("The expression has redundant parentheses;")
        if depth > grammar.MAX_PAREN_DEPTH:
            # The lab's own guard (DynamoDB's limit here is not documented):
            # it keeps the recursive descent far from Python's stack limit.
            raise self.invalid("The expression has too many nested parentheses; "
                               f"nesting levels: {depth}")
        self.i = 0
        self.operators = 0
        # Semantic errors found so far, as (level, order, error); DynamoDB
        # reports syntax first, then checks in passes, see _LEVELS.
        self.errors: list = []

    # -- helpers ---------------------------------------------------------
    def invalid(self, message: str) -> ValidationError:
        return ValidationError(f"Invalid {self.kind}: {message}")

    def defer(self, message: str, level: int = _OPERANDS) -> None:
        self.errors.append((level, len(self.errors), self.invalid(message)))

    def count_operator(self) -> None:
        """One more operator or function; DynamoDB refuses an expression
        with more than 300, naming the count at which it stopped."""
        self.operators += 1
        if self.operators > grammar.MAX_OPERATORS:
            raise self.invalid("The expression contains too many operators; "
                               f"operator count: {self.operators}")

    def peek(self, k: int = 0) -> Token:
        j = self.i + k
        return self.tokens[j if j < self._last else self._last]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "EOF":
            self.i += 1
        return tok

    def fail(self) -> ValidationError:
        return syntax_error(self.kind, self.text, self.tokens, self.i)

    def is_op(self, text: str, k: int = 0) -> bool:
        tok = self.peek(k)
        return tok.kind == "OP" and tok.text == text

    def is_keyword(self, word: str) -> bool:
        tok = self.peek()
        return tok.kind == "KEYWORD" and tok.text.upper() == word

    def expect_op(self, text: str) -> None:
        if not self.is_op(text):
            raise self.fail()
        self.take()

    def finish(self, result: Any) -> Any:
        if self.peek().kind != "EOF":
            raise self.fail()
        if self.errors:
            raise min(self.errors, key=lambda e: e[:2])[2]
        return result

    def is_call(self) -> bool:
        return self.peek().kind == "NAME" and self.is_op("(", 1)

    # -- paths and values -------------------------------------------------
    def path(self) -> Path:
        elements: list[str | int] = [self.path_element()]
        while True:
            if self.is_op("."):
                self.take()
                elements.append(self.path_element())
            elif self.is_op("["):
                self.take()
                tok = self.peek()
                if tok.kind != "NUMBER":
                    raise self.fail()
                self.take()
                self.expect_op("]")
                elements.append(int(tok.text))
            else:
                break
        if len(elements) > grammar.MAX_PATH_DEPTH:
            self.defer("The document path has too many nesting levels; "
                       f"nesting levels: {len(elements)}", level=_NAMES)
        return Path(tuple(elements))

    def path_element(self) -> str:
        tok = self.peek()
        if tok.kind == "NAME":
            if self.kind == "UpdateExpression" and tok.text.upper() in _CLAUSES:
                raise self.fail()  # clause words are grammar, not names, here
            self.take()
            if is_reserved(tok.text):
                self.defer("Attribute name is a reserved keyword; reserved keyword: "
                           f"{tok.text}", level=_NAMES)
            return tok.text
        if tok.kind == "NAME_REF":
            self.take()
            name = self.ctx.name(tok.text)
            if name is None:
                self.defer("An expression attribute name used in the document path is "
                           f"not defined; attribute name: {tok.text}", level=_UNDEFINED)
                return tok.text
            return name
        raise self.fail()

    def value(self) -> Value:
        tok = self.peek()
        if tok.kind != "VALUE_REF":
            raise self.fail()
        self.take()
        av = self.ctx.value(tok.text)
        if av is None:
            self.defer("An expression attribute value used in expression is not defined; "
                       f"attribute value: {tok.text}", level=_UNDEFINED)
            av = {"NULL": True}
        return Value(tok.text, av)

    def call_args(self, operand) -> tuple[str, list]:
        name = self.take().text
        self.count_operator()
        self.expect_op("(")
        args = [operand()]
        while self.is_op(","):
            self.take()
            args.append(operand())
        self.expect_op(")")
        if len(args) != grammar.ARITY.get(name, len(args)):
            self.defer("Incorrect number of operands for operator or function; "
                       f"operator or function: {name}, number of operands: {len(args)}")
        return name, args

    def needs_path(self, name: str, arg: Any) -> None:
        if not isinstance(arg, Path):
            self.defer("Operator or function requires a document path; "
                       f"operator or function: {name}")

    def operand_type(self, name: str, arg: Any, allowed: tuple) -> None:
        # Constants have a known type, and so does size(): a number.
        t = value_type(arg.value) if isinstance(arg, Value) else \
            "N" if isinstance(arg, Size) else None
        if t is not None and t not in allowed:
            self.defer("Incorrect operand type for operator or function; operator or "
                       f"function: {name}, operand type: {t}")

    # -- conditions -------------------------------------------------------
    def condition(self):
        node = self.conjunction()
        while self.is_keyword("OR"):
            self.take()
            self.count_operator()
            node = Or(node, self.conjunction())
        return node

    def conjunction(self):
        node = self.negation()
        while self.is_keyword("AND"):
            self.take()
            self.count_operator()
            node = And(node, self.negation())
        return node

    def negation(self):
        count = 0
        while self.is_keyword("NOT"):  # a loop: "NOT NOT ... x" may be long
            self.take()
            self.count_operator()
            count += 1
        node = self.primary()
        for _ in range(count):
            node = Not(node)
        return node

    def primary(self):
        if self.is_op("(") and not self.operand_group_ahead():
            self.take()
            node = self.condition()
            self.expect_op(")")
            return node
        if self.is_call() and self.peek().text in grammar.CONDITION_FUNCTIONS:
            name = self.peek().text
            node = self.boolean_function()
            if not self.at_comparison():
                return node
            self.defer("The function is not allowed to be used this way in an "
                       f"expression; function: {name}", level=_MISUSE)
            return self.comparison(Value(name, {"NULL": True}))
        name, was_call = self.peek().text, self.is_call()
        left = self.cond_operand()
        if was_call and not self.at_comparison():
            # A function standing alone as a condition: size() is misused,
            # an unknown one has already been reported by name.
            if name == "size":
                self.defer("The function is not allowed to be used this way in an "
                           "expression; function: size", level=_MISUSE)
            if self.errors:
                return Func(name, ())
        return self.comparison(left)

    def operand_group_ahead(self) -> bool:
        """At "(": is this a parenthesised operand, as in "(a) BETWEEN (b)
        AND (c)", rather than a parenthesised condition? Decided by what
        follows the matching ")"."""
        depth = 0
        for j in range(self.i, len(self.tokens)):
            tok = self.tokens[j]
            if tok.kind == "OP" and tok.text == "(":
                depth += 1
            elif tok.kind == "OP" and tok.text == ")":
                depth -= 1
                if depth == 0:
                    nxt = self.tokens[min(j + 1, len(self.tokens) - 1)]
                    return (nxt.kind == "OP" and nxt.text in grammar.COMPARATORS) or \
                        (nxt.kind == "KEYWORD" and nxt.text.upper() in ("BETWEEN", "IN"))
        return False

    def at_comparison(self) -> bool:
        tok = self.peek()
        return (tok.kind == "OP" and tok.text in grammar.COMPARATORS) or \
            (tok.kind == "KEYWORD" and tok.text.upper() in ("BETWEEN", "IN"))

    def comparison(self, left):
        tok = self.peek()
        if tok.kind == "OP" and tok.text in grammar.COMPARATORS:
            self.take()
            self.count_operator()
            right = self.cond_operand()
            self.distinct(tok.text, left, (right,))
            if tok.text not in ("=", "<>"):
                self.ordered(tok.text, left, right)
            return Compare(tok.text, left, right)
        if self.is_keyword("BETWEEN"):
            self.take()
            self.count_operator()
            low = self.cond_operand()
            if not self.is_keyword("AND"):
                raise self.fail()
            self.take()
            high = self.cond_operand()
            self.distinct("BETWEEN", left, (low, high))
            self.ordered("BETWEEN", left)
            self.check_bounds(low, high)
            return Between(left, low, high)
        if self.is_keyword("IN"):
            self.take()
            self.count_operator()
            self.expect_op("(")
            options = [self.cond_operand()]
            while self.is_op(","):
                self.take()
                options.append(self.cond_operand())
            self.expect_op(")")
            if len(options) > grammar.MAX_IN_OPERANDS:
                self.defer("The IN operator is provided with too many operands; "
                           f"number of operands: {len(options)}")
            self.distinct("IN", left, options)
            return In(left, tuple(options))
        raise self.fail()

    def distinct(self, operator: str, first: Any, rest) -> None:
        # DynamoDB refuses a path compared with itself ("a = a").
        if isinstance(first, Path) and any(first == other for other in rest):
            self.defer("The first operand must be distinct from the remaining operands for "
                       f"this operator or function; operator: {operator}, first operand: "
                       f"{first.display()}")

    def ordered(self, operator: str, *operands: Any) -> None:
        """``< <= > >= BETWEEN`` order S, N and B only: a constant of
        another type is refused (a path's type is known only per item)."""
        for arg in operands:
            if isinstance(arg, Value) and value_type(arg.value) not in grammar.ORDERED_TYPES:
                self.defer("Incorrect operand type for operator or function; operator or "
                           f"function: {operator}, operand type: {value_type(arg.value)}")
                return

    def check_bounds(self, low: Any, high: Any) -> None:
        if not (isinstance(low, Value) and isinstance(high, Value)):
            self.ordered("BETWEEN", low, high)
            return
        if value_type(low.value) != value_type(high.value):
            self.defer("The BETWEEN operator requires same data type for lower and upper "
                       f"bounds; lower bound operand: AttributeValue: {_brief(low.value)}, "
                       f"upper bound operand: AttributeValue: {_brief(high.value)}")
        elif value_type(low.value) not in grammar.ORDERED_TYPES:
            self.ordered("BETWEEN", low)
        elif compare_values(low.value, high.value) == 1:
            self.defer("The BETWEEN operator requires upper bound to be greater than or "
                       f"equal to lower bound; lower bound operand: AttributeValue: "
                       f"{_brief(low.value)}, upper bound operand: AttributeValue: "
                       f"{_brief(high.value)}")

    def boolean_function(self):
        name, args = self.call_args(self.cond_operand)
        if name.startswith("attribute_"):
            self.needs_path(name, args[0])
        if name == "attribute_type" and len(args) == 2:
            self.operand_type(name, args[1], ("S",))
            arg = args[1]
            if isinstance(arg, Value) and "S" in arg.value \
                    and arg.value["S"] not in grammar.TYPE_TAGS:
                self.defer(f"Invalid attribute type name found; type: {arg.value['S']}, "
                           f"valid types: {grammar.ATTRIBUTE_TYPES}")
        if name == "begins_with":
            for arg in args:
                self.operand_type(name, arg, ("S", "B"))
        if name in ("begins_with", "contains", "attribute_type"):
            self.distinct(name, args[0], args[1:])
        return Func(name, tuple(args))

    def cond_operand(self):
        tok = self.peek()
        if self.is_op("("):
            self.take()
            inner = self.cond_operand()
            self.expect_op(")")
            return inner
        if self.is_call():
            if tok.text == "size":
                name, args = self.call_args(self.cond_operand)
                # size() takes a path or a constant with a size (S, B, set,
                # L, M); size(size(a)) is a number, so refused.
                self.operand_type("size", args[0], ("S", "B", "SS", "NS", "BS", "L", "M"))
                return Size(args[0])
            if tok.text in grammar.CONDITION_FUNCTIONS:
                self.defer("The function is not allowed to be used this way in an "
                           f"expression; function: {tok.text}", level=_MISUSE)
            elif tok.text in grammar.UPDATE_FUNCTIONS:
                self.defer("The function is not allowed in a condition expression; "
                           f"function: {tok.text}", level=_FUNCTION_NAME)
            else:
                self.defer(f"Invalid function name; function: {tok.text}",
                           level=_FUNCTION_NAME)
            self.call_args(self.cond_operand)
            return Value(tok.text, {"NULL": True})
        if tok.kind == "VALUE_REF":
            return self.value()
        return self.path()

    # -- updates ----------------------------------------------------------
    def update(self) -> Update:
        seen: set[str] = set()
        actions: list = []
        while self.peek().kind != "EOF":
            tok = self.peek()
            clause = tok.text.upper() if tok.kind == "NAME" else ""
            if clause not in _CLAUSES:
                raise self.fail()
            self.take()
            if clause in seen:
                self.defer(f'The "{clause}" section can only be used once in an '
                           "update expression;", level=_SECTIONS)
            seen.add(clause)
            while True:
                actions.append(self.action(clause))
                if not self.is_op(","):
                    break
                self.take()
        return Update(tuple(actions))

    def action(self, clause: str):
        path = self.path()
        if clause == "SET":
            self.expect_op("=")
            return SetAction(path, self.set_value())
        if clause == "REMOVE":
            return RemoveAction(path)
        value = self.value()
        allowed = ("N", "SS", "NS", "BS") if clause == "ADD" else ("SS", "NS", "BS")
        t = value_type(value.value)
        if t not in allowed:
            self.defer("Incorrect operand type for operator or function; operator: "
                       f"{clause}, operand type: {grammar.TYPE_NAMES[t]}, "
                       f"typeSet: ALLOWED_FOR_{clause}_OPERAND", level=_ADD_DELETE)
        return (AddAction if clause == "ADD" else DeleteAction)(path, value)

    def set_value(self):
        left = self.update_operand()
        tok = self.peek()
        if tok.kind == "OP" and tok.text in "+-":
            self.take()
            self.count_operator()
            right = self.update_operand()
            for side in (left, right):
                self.operand_type(tok.text, side, ("N",))
            return Arith(tok.text, left, right)
        return left

    def update_operand(self):
        tok = self.peek()
        if self.is_op("("):
            # DynamoDB accepts "SET a = (b + c)"; a parenthesised value
            # cannot be followed by a path step, so "(b.c).d" stays an error.
            self.take()
            inner = self.set_value()
            self.expect_op(")")
            return inner
        if self.is_call():
            if tok.text == "if_not_exists":
                name, args = self.call_args(self.update_operand)
                self.needs_path(name, args[0])
                path = args[0] if isinstance(args[0], Path) else Path(("",))
                return IfNotExists(path, args[-1])
            if tok.text == "list_append":
                name, args = self.call_args(self.update_operand)
                for arg in args:
                    self.operand_type(name, arg, ("L",))
                return ListAppend(args[0], args[-1])
            if tok.text in grammar.CONDITION_FUNCTIONS or tok.text == "size":
                self.defer("The function is not allowed in an update expression; "
                           f"function: {tok.text}", level=_FUNCTION_NAME)
            else:
                self.defer(f"Invalid function name; function: {tok.text}",
                           level=_FUNCTION_NAME)
            self.call_args(self.update_operand)
            return Value(tok.text, {"NULL": True})
        if tok.kind == "VALUE_REF":
            return self.value()
        return self.path()

    # -- projections ------------------------------------------------------
    def projection(self) -> tuple:
        paths = [self.path()]
        while self.is_op(","):
            self.take()
            paths.append(self.path())
        return tuple(paths)


def _brief(av: dict) -> str:
    t = value_type(av)
    return f"{{{t}:{av[t]}}}"


def parse_condition(text: str, ctx: Expressions | None = None,
                    kind: str = "ConditionExpression"):
    """Parse a condition (ConditionExpression, FilterExpression...).

    Parameters
    ----------
    text : str
        The expression.
    ctx : Expressions, optional
        The request's placeholder maps; a fresh empty one if omitted.
    kind : str
        The request parameter name, used in error messages.

    Examples
    --------
    >>> parse_condition("a BETWEEN :lo AND :hi", Expressions(values={":lo": {"N": "1"}, ":hi": {"N": "5"}}))
    Between(subject=Path(elements=('a',)), low=Value(name=':lo', value={'N': '1'}), high=Value(name=':hi', value={'N': '5'}))
    >>> parse_condition("a = ", kind="FilterExpression")
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: Invalid FilterExpression: Syntax error; token: "<EOF>", near: "="
    """
    p = _Parser(text, kind, ctx)
    return p.finish(p.condition())


def parse_update(text: str, ctx: Expressions | None = None) -> Update:
    """Parse an UpdateExpression into an :class:`Update`.

    Examples
    --------
    >>> u = parse_update("SET n = n + :one REMOVE prev[0] ADD tags :t",
    ...                  Expressions(values={":one": {"N": "1"}, ":t": {"SS": ["x"]}}))
    >>> [type(a).__name__ for a in u.actions]
    ['SetAction', 'RemoveAction', 'AddAction']
    >>> parse_update("SET a = :v SET b = :v", Expressions(values={":v": {"N": "1"}}))
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: Invalid UpdateExpression: The "SET" section can only be used once in an update expression;
    """
    p = _Parser(text, "UpdateExpression", ctx)
    result = p.update()
    for relation, message in path_problems(result.paths):
        p.defer(message, _OVERLAP if relation == "overlap" else _CONFLICT)
    return p.finish(result)


def parse_projection(text: str, ctx: Expressions | None = None) -> tuple:
    """Parse a ProjectionExpression into a tuple of :class:`Path`.

    Examples
    --------
    >>> [str(p) for p in parse_projection("a, #b.c[1]", Expressions({"#b": "b"}))]
    ['a', 'b.c[1]']
    """
    p = _Parser(text, "ProjectionExpression", ctx)
    result = p.projection()
    for relation, message in path_problems(result):
        p.defer(message, _OVERLAP if relation == "overlap" else _CONFLICT)
    return p.finish(result)
