"""One exception hierarchy; each class carries the CLI exit code and HTTP status it maps to at the edges."""

from __future__ import annotations


class MedalError(Exception):
    """Base of every error the catalog raises on purpose."""

    exit_code = 1
    http_status = 500


class UsageError(MedalError):
    """The caller asked for something impossible: a missing path, a bad option."""

    exit_code = 2
    http_status = 400


class InputError(MedalError):
    """An input document could not be read or parsed at all."""

    exit_code = 2
    http_status = 422


class QuerySyntaxError(UsageError):
    """A search query could not be parsed: an unbalanced quote or parenthesis, a dangling or unsupported operator."""

    exit_code = 2
    http_status = 400


class UnsupportedURLError(UsageError):
    """A catalog or index URL names a scheme no backend handles."""


class MissingExtraError(MedalError):
    """A backend needs an optional dependency that is not installed; the message names the extra to install."""

    exit_code = 3
    http_status = 501


class StoreError(MedalError):
    """The catalog store could not be opened, read or written."""

    exit_code = 4
    http_status = 500


class StoreLockedError(StoreError):
    """Another process holds the catalog database locked for longer than the busy timeout."""

    http_status = 503


class StoreReadOnlyError(StoreError):
    """The catalog database file (or its folder) cannot be written."""

    http_status = 503


class IndexUnavailableError(MedalError):
    """The search index cannot be reached (for example Elasticsearch is down); store writes queue the entry instead."""

    exit_code = 5
    http_status = 503


class SearchBackendError(MedalError):
    """The search index answered with an error that is not about reachability (a bad mapping, a rejected document)."""

    exit_code = 5
    http_status = 502
