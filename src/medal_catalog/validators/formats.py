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


def _datetime_checker() -> Callable[[str], bool]:
    try:
        from rfc3339_validator import validate_rfc3339
    except ImportError:  # jsonschema skips date-time without this library
        return lambda value: True
    return lambda value: bool(validate_rfc3339(value.upper()))


def _uri_checker() -> Callable[[str], bool]:
    try:
        import rfc3987
    except ImportError:
        try:
            from rfc3986_validator import validate_rfc3986
        except ImportError:  # jsonschema skips uri without either library
            return lambda value: True
        return lambda value: bool(validate_rfc3986(value, rule="URI"))

    def check(value: str) -> bool:
        try:
            return bool(rfc3987.parse(value, rule="URI"))
        except ValueError:
            return False
    return check


is_datetime = lru_cache(maxsize=65536)(_datetime_checker())
is_uri = lru_cache(maxsize=65536)(_uri_checker())

FORMATS: dict[str, Callable[[str], bool]] = {"date": is_date, "date-time": is_datetime, "uri": is_uri}
