"""JSON Schema format checks with exactly jsonschema's semantics, without importing jsonschema (slow to import).

Mirrors jsonschema 4.26 ``_format.py`` for the formats the generated schema uses (date, date-time, uri), with
the same optional-library fallbacks: a format whose library is missing is not checked, as in jsonschema.
Results are cached because catalogs repeat the same dates and URLs many times.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Callable

_RE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


@lru_cache(maxsize=65536)
def is_date(value: str) -> bool:
    """jsonschema's `date`: YYYY-MM-DD that is a real calendar date."""
    try:
        return bool(_RE_DATE.fullmatch(value) and dt.date.fromisoformat(value))
    except ValueError:
        return False


@lru_cache(maxsize=1)
def _datetime_checker() -> Callable[[str], bool]:
    try:
        from rfc3339_validator import validate_rfc3339  # inline: rfc3339_validator takes ~20 ms to import
    except ImportError:  # jsonschema skips date-time without this library
        return lambda value: True
    return lambda value: bool(validate_rfc3339(value.upper()))


#: A plain URL: scheme://host[:port], then path, query and fragment in unreserved characters, sub-delims, ':' and
#: '@' only. RFC 3986's grammar makes every such string a URI (the full grammar also allows user info, IP literals
#: and percent-encoding), so most URLs need no full parse. Written for both Python's re and the compiled validator.
PLAIN_URI = (
    r"[A-Za-z][A-Za-z0-9+.\-]*://[A-Za-z0-9._~\-]*(?::[0-9]*)?(?:/[A-Za-z0-9._~!$&'()*+,;=:@\-]*)*"
    r"(?:\?[A-Za-z0-9._~!$&'()*+,;=:@/?\-]*)?(?:#[A-Za-z0-9._~!$&'()*+,;=:@/?\-]*)?"
)
_PLAIN_URI = re.compile(PLAIN_URI)


@lru_cache(maxsize=1)
def _uri_checker() -> Callable[[str], bool]:
    try:
        import rfc3987  # inline: an optional dependency, probed when used
    except ImportError:
        try:
            from rfc3986_validator import validate_rfc3986  # inline: an optional dependency, probed when used
        except ImportError:  # jsonschema skips uri without either library
            return lambda value: True
        return lambda value: bool(validate_rfc3986(value, rule="URI"))
    # rfc3987.parse(value, rule="URI"), as jsonschema calls it, raises ValueError exactly when this match fails and
    # otherwise returns a non-empty dict; the match alone is half the work.
    return lambda value: _PLAIN_URI.fullmatch(value) is not None or rfc3987.match(value, "URI") is not None


# The libraries are imported on first use: most runs check no date-time, and most URLs are plain.
@lru_cache(maxsize=65536)
def is_datetime(value: str) -> bool:
    """jsonschema's `date-time` (RFC 3339, with rfc3339-validator)."""
    return _datetime_checker()(value)


@lru_cache(maxsize=65536)
def is_uri(value: str) -> bool:
    """jsonschema's `uri` (RFC 3986, with rfc3987)."""
    return _uri_checker()(value)


FORMATS: dict[str, Callable[[str], bool]] = {"date": is_date, "date-time": is_datetime, "uri": is_uri}

#: For the compiled fast-path gate (validators/schema.py): patterns that match only strings the format accepts, so
#: that the gate checks them without calling back into Python. They do not match every such string (dates before
#: 1000 or after 2999, 29 February, URIs beyond PLAIN_URI); a string they refuse just takes the full path.
GATE_PATTERNS: dict[str, str] = {
    "date": r"^[12][0-9]{3}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))$",
    "uri": f"^{PLAIN_URI}$",
}
