"""One exception hierarchy; each class carries the CLI exit code and HTTP status it maps to at the edges (and, for
HTTP, the ``detail`` and headers of its answer)."""

from __future__ import annotations


class MedalError(Exception):
    """Base of every error the catalog raises on purpose."""

    exit_code = 1
    http_status = 500
    #: Headers an HTTP answer to this error carries (e.g. WWW-Authenticate).
    headers: dict[str, str] | None = None

    @property
    def detail(self) -> str | dict:
        """What an HTTP answer's ``detail`` holds: the message, unless a subclass carries more."""
        return str(self)


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


# --- refusals of a request: raised by the HTTP API, answered with their status in the one error envelope ----------
class RequestRefused(MedalError):
    """A request the catalog will not carry out as asked."""

    exit_code = 2  # the caller's to change, as a usage error is
    http_status = 400

    def __init_subclass__(cls, status: int | None = None, **kwargs) -> None:
        # ``class NotFound(RequestRefused, status=404)``: a refusal is its status and its docstring.
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.http_status = status


class Unauthorized(RequestRefused, status=401):
    """No token where one is needed, or an unknown, revoked or malformed one (WWW-Authenticate: Bearer)."""

    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(RequestRefused, status=403):
    """The caller's token is valid, but its role or ownership does not allow this."""


class NotFound(RequestRefused, status=404):
    """No such thing, or none the caller may see (an entry one may not see does not exist for them)."""


class NotAcceptable(RequestRefused, status=406):
    """None of the representations asked for (``?format=``, Accept) is offered."""


class Conflict(RequestRefused, status=409):
    """The request contradicts the catalog's current state (a task not under review, a review that exists)."""


class PayloadTooLarge(RequestRefused, status=413):
    """The request body is larger than the configured limit."""


class UnsupportedMediaType(RequestRefused, status=415):
    """The request body is in a media type the route does not read."""


class Unprocessable(RequestRefused, status=422):
    """The request body was read but cannot be used as it is."""


class TooManyRequests(RequestRefused, status=429):
    """The caller has used up what a limit allows for now (evaluations of a hidden split)."""


class InvalidSubmission(Unprocessable):
    """A submitted document is not valid; ``detail`` is the validation report (as ``medal validate --json``)."""

    def __init__(self, report: dict, message: str = "the document is not valid") -> None:
        super().__init__(message)
        self.report = report

    @property
    def detail(self) -> dict:
        return self.report
