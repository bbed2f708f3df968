"""The expression tokenizer: text -> tokens with their source offsets.

Tokenizing never fails: a character DynamoDB's grammar has no use for
becomes a one-character ``UNKNOWN`` token, so the parser reports it in
DynamoDB's ``Syntax error; token: "...", near: "..."`` form, where *near* is
the source from the previous token to the next one.

Public API
----------
``Token(kind, text, start, end)``
    ``kind`` is one of ``NAME`` (``price``), ``KEYWORD`` (AND OR NOT BETWEEN
    IN, any case; ``text`` keeps the source spelling), ``NAME_REF``
    (``#n``), ``VALUE_REF`` (``:v``), ``NUMBER`` (digits, list indexes),
    ``OP`` (``= <> < <= > >= ( ) [ ] , . + -``), ``UNKNOWN`` and ``EOF``.
``tokenize(text) -> list[Token]``
    Always ends with an ``EOF`` token. O(len(text)).
``syntax_error(kind, source, tokens, i) -> ValidationError``
    DynamoDB's syntax error for ``tokens[i]`` in an expression of ``kind``
    (``"UpdateExpression"``...).
``scan_text(text) -> (tokens, redundant parentheses?, deepest nesting)``
    Tokens plus the two checks DynamoDB makes before parsing; cached per
    text. O(len(text)).

Examples
--------
>>> [t.text for t in tokenize("a.b[2] <> :v AND #n")]
['a', '.', 'b', '[', '2', ']', '<>', ':v', 'AND', '#n', '<EOF>']
>>> toks = tokenize("SET a = :v,")
>>> print(syntax_error("UpdateExpression", "SET a = :v,", toks, len(toks) - 1).message)
Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple, Sequence

from ...errors import ValidationError

__all__ = ["Token", "tokenize", "syntax_error", "scan_text", "KEYWORDS"]

KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})

_TOKEN_RE = re.compile(r"""
    (?P<space>\s+)
  | (?P<NAME>[A-Za-z][A-Za-z0-9_]*)
  | (?P<NAME_REF>\#[A-Za-z0-9_]+)
  | (?P<VALUE_REF>:[A-Za-z0-9_]+)
  | (?P<NUMBER>[0-9]+)
  | (?P<OP><>|<=|>=|[=<>()\[\],.+\-])
""", re.VERBOSE)


class Token(NamedTuple):
    kind: str
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; see the module docstring."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            tokens.append(Token("UNKNOWN", text[pos], pos, pos + 1))
            pos += 1
            continue
        kind = m.lastgroup
        if kind != "space":
            word = m.group()
            if kind == "NAME" and word.upper() in KEYWORDS:
                kind = "KEYWORD"
            tokens.append(Token(str(kind), word, m.start(), m.end()))
        pos = m.end()
    tokens.append(Token("EOF", "<EOF>", len(text), len(text)))
    return tokens


def syntax_error(kind: str, source: str, tokens: list[Token], i: int) -> ValidationError:
    """DynamoDB's syntax error at ``tokens[i]``.

    ``near`` runs from the previous token's start to the next token's end,
    as DynamoDB quotes it.
    """
    tok = tokens[i]
    first = tokens[i - 1].start if i > 0 else tok.start
    # DynamoDB's quote stops at the last real token, not trailing spaces.
    last = tokens[i - 1].end if tok.kind == "EOF" and i > 0 else tok.end
    if i + 1 < len(tokens) and tokens[i + 1].kind != "EOF":
        last = tokens[i + 1].end
    near = source[first:last]
    return ValidationError(
        f'Invalid {kind}: Syntax error; token: "{tok.text}", near: "{near}"')


@lru_cache(maxsize=512)
def scan_text(text: str) -> tuple:
    """``(tokens, redundant parentheses?, deepest nesting)`` of ``text``;
    remembered per text, since programs send the same expressions again and
    again (tokens are immutable, so the parses may share them)."""
    tokens = tuple(tokenize(text))
    return tokens, _redundant_parentheses(tokens), _paren_depth(tokens)


def _paren_depth(tokens: Sequence) -> int:
    depth = deepest = 0
    for tok in tokens:
        if tok.kind == "OP" and tok.text in "()":
            depth += 1 if tok.text == "(" else -1
            deepest = max(deepest, depth)
    return deepest


def _redundant_parentheses(tokens: Sequence) -> bool:
    """True if some matched pair of grouping parentheses directly encloses
    another. A function call's parentheses are not grouping: DynamoDB
    accepts ``f((:x))``."""
    stack: list = []
    pairs: dict = {}
    for j, tok in enumerate(tokens):
        if tok.kind == "OP" and tok.text == "(":
            stack.append(j)
        elif tok.kind == "OP" and tok.text == ")" and stack:
            pairs[stack.pop()] = j
    calls = {i for i in pairs if i > 0 and tokens[i - 1].kind == "NAME"}
    return any(pairs.get(i + 1) == j - 1 for i, j in pairs.items() if i not in calls)
