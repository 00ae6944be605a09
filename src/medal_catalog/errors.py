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
