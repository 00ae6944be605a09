"""The search query language, parsed once and compiled for each backend so both read a query the same way.

Words are ANDed; ``"quoted phrases"``; ``OR``, ``AND``, ``NOT`` (upper case, as in FTS5); parentheses; a trailing
``*`` for a prefix. Anything else FTS5 or Lucene would treat as syntax (``title:x``, ``NEAR(...)``, ``^x``,
``a+b``) is refused with a :class:`QuerySyntaxError` that says where and why, rather than passed on to crash there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medal_catalog.errors import QuerySyntaxError

_OPERATORS = {"AND", "OR", "NOT"}
_UNSUPPORTED = {
    ":": "field-scoped search (title:x) is not supported; use the filters (--modality CT ...)",
    "^": "'^' (column start) is not supported",
    "+": "'+' is not an operator here; words are ANDed already",
    "{": "'{' is not supported",
    "}": "'}' is not supported",
}
#: What counts as a token, as FTS5's unicode61 tokenizer splits text: runs of letters and digits.
TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Leaf:
    """A word or a quoted phrase (``prefix``: the last token matches as a prefix)."""

    text: str
    prefix: bool = False

    @property
    def tokens(self) -> list[str]:
        return TOKEN.findall(self.text.lower())


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Leaf | And | Or | Not


def _lex(text: str) -> list[tuple[str, str, int]]:
    """Tokens as (kind, value, position): ``(``, ``)``, ``op``, ``phrase``, ``word``."""
    out: list[tuple[str, str, int]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append((ch, ch, i))
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError(f"unbalanced quote: the phrase opened at position {i + 1} is never closed")
            star = end + 1 < len(text) and text[end + 1] == "*"
            out.append(("phrase*" if star else "phrase", text[i + 1 : end], i))
            i = end + 2 if star else end + 1
        else:
            j = i
            while j < len(text) and not text[j].isspace() and text[j] not in '()"':
                j += 1
            word = text[i:j]
            for bad, why in _UNSUPPORTED.items():
                if bad in word:
                    raise QuerySyntaxError(f"{why} (in {word!r} at position {i + 1})")
            if word in _OPERATORS:
                out.append(("op", word, i))
            elif word == "NEAR" and j < len(text) and text[j] == "(":
                raise QuerySyntaxError(f"NEAR(...) is not supported (at position {i + 1}); quote a phrase instead")
            else:
                if "*" in word[:-1]:
                    raise QuerySyntaxError(f"'*' may only end a word, as a prefix (in {word!r} at position {i + 1})")
                out.append(("word", word, i))
            i = j
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, int]]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> Node | None:
        node = self.or_expr()
        rest = self.peek()
        if rest is not None:
            raise QuerySyntaxError(f"unbalanced parenthesis: ')' at position {rest[2] + 1} closes nothing")
        return node

    def or_expr(self) -> Node | None:
        found = [self.and_expr()]
        while (tok := self.peek()) is not None and tok[:2] == ("op", "OR"):
            self.pos += 1
            found.append(self.and_expr(after=tok))
        items = [i for i in found if i is not None]
        return items[0] if len(items) == 1 else Or(tuple(items)) if items else None

    def and_expr(self, after: tuple[str, str, int] | None = None) -> Node | None:
        items: list[Node] = []
        while (tok := self.peek()) is not None and tok[0] != ")" and tok[:2] != ("op", "OR"):
            if tok[:2] == ("op", "AND"):
                if not items:
                    raise QuerySyntaxError(f"AND at position {tok[2] + 1} has nothing on its left")
                self.pos += 1
                nxt = self.peek()
                if nxt is None or nxt[0] == ")" or nxt[:2] in (("op", "OR"), ("op", "AND")):
                    raise QuerySyntaxError(f"AND at position {tok[2] + 1} has nothing on its right")
                continue
            node = self.unary()
            if node is not None:
                items.append(node)
        if not items and after is not None:
            raise QuerySyntaxError(f"{after[1]} at position {after[2] + 1} has nothing on its right")
        if not items and (tok := self.peek()) is not None and tok[:2] == ("op", "OR"):
            raise QuerySyntaxError(f"OR at position {tok[2] + 1} has nothing on its left")
        return items[0] if len(items) == 1 else And(tuple(items)) if items else None

    def unary(self) -> Node | None:
        kind, value, at = self.tokens[self.pos]
        if (kind, value) == ("op", "NOT"):
            self.pos += 1
            nxt = self.peek()
            if nxt is None or nxt[0] == ")" or nxt[0] == "op" and nxt[1] != "NOT":
                raise QuerySyntaxError(f"NOT at position {at + 1} has nothing to negate")
            inner = self.unary()
            return Not(inner) if inner is not None else None
        self.pos += 1
        if kind == "(":
            inner = self.or_expr()
            close = self.peek()
            if close is None or close[0] != ")":
                raise QuerySyntaxError(f"unbalanced parenthesis: '(' at position {at + 1} is never closed")
            self.pos += 1
            if inner is None:
                raise QuerySyntaxError(f"empty parentheses at position {at + 1}")
            return inner
        if kind in ("phrase", "phrase*", "word"):
            prefix = kind == "phrase*" or (kind == "word" and value.endswith("*"))
            leaf = Leaf(value[:-1] if kind == "word" and prefix else value, prefix)
            # Punctuation-only words ("-", "...") hold no token: ignore them as the tokenizer would.
            return leaf if leaf.tokens else None
        raise QuerySyntaxError(f"unexpected {value!r} at position {at + 1}")


def parse(text: str) -> Node | None:
    """The query's syntax tree; None for a query with nothing to search for (match everything)."""
    return _Parser(_lex(text or "")).parse()


def positive(node: Node | None) -> Node | None:
    """The query without its negated parts: what scores and highlights (negations only exclude)."""
    if node is None or isinstance(node, Not):
        return None
    if isinstance(node, Leaf):
        return node
    items = tuple(p for p in (positive(i) for i in node.items) if p is not None)
    if not items:
        return None
    return items[0] if len(items) == 1 else type(node)(items)


def leaves(node: Node | None) -> list[Leaf]:
    """Every leaf of a tree, left to right."""
    if node is None:
        return []
    if isinstance(node, Leaf):
        return [node]
    if isinstance(node, Not):
        return leaves(node.item)
    return [leaf for item in node.items for leaf in leaves(item)]


def to_fts5(node: Node) -> str:
    """An FTS5 MATCH expression for a tree without negations (see :func:`positive`)."""
    if isinstance(node, Leaf):
        quoted = '"' + " ".join(node.tokens).replace('"', '""') + '"'
        return quoted + ("*" if node.prefix else "")
    if isinstance(node, Not):
        raise ValueError("FTS5 cannot express a lone NOT; evaluate negations outside the MATCH")
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(to_fts5(i) for i in node.items) + ")"
