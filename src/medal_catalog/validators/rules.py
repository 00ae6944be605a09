"""MEDAL policy rules that a schema cannot express; each yields Issues located within the record, with a stable code.

Rules read plain records (dicts as loaded), tolerate records that also failed the schema, and never quote a
value in a message.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

from medal_catalog.report import Issue, Severity, record_issue
from medal_catalog.validators.metrics import metric_rules
from medal_catalog.validators.schema import Gate, all_of as _all_of
from medal_catalog.schema import json_schema


E, W = Severity.ERROR, Severity.WARNING


#: The vendored data, found next to the package as medal_catalog.schema finds its files (importlib.resources would
#: add a tenth of the time `medal validate` takes on a small file, only to be imported).
_DATA = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=1)
def spdx_licenses() -> dict[str, Any]:
    """The vendored SPDX licence list (see scripts/vendor_data.py)."""
    return json.loads((_DATA / "spdx_licenses.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def iso_countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> country name (vendored)."""
    data = json.loads((_DATA / "iso3166.json").read_text("utf-8"))
    return data["countries"]


@lru_cache(maxsize=65536)
def orcid_checksum_ok(orcid: str) -> bool:
    """True when the ORCID iD (URL or bare) has a correct ISO 7064 MOD 11-2 check character."""
    digits = re.sub(r"[^0-9X]", "", orcid.rsplit("/", 1)[-1].upper())
    if len(digits) != 16:
        return False
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def _get(record: Any, *keys: str | int) -> Any:
    for key in keys:
        if isinstance(key, int):
            if not isinstance(record, list) or key >= len(record):
                return None
        elif not isinstance(record, dict):
            return None
        record = record[key] if isinstance(key, int) else record.get(key)
    return record


def _items(record: Any, key: str) -> list:
    value = _get(record, key)
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- consent and ethics --------------------------------------------------------------------------------------


def consent_rules(record: dict) -> Iterator[Issue]:
    consent = _get(record, "consent")
    if not isinstance(consent, dict):
        return
    for i, modifier in enumerate(_items(consent, "duo_modifiers")):
        if modifier == "NMDS":
            yield record_issue(
                E,
                "consent.nmds",
                f"/consent/duo_modifiers/{i}",
                "DUO NMDS (no general methods research) forbids methods development: the data cannot "
                "serve an AI benchmark",
                "Only data whose consent allows method development can be used.",
            )
    if consent.get("allows_algorithm_development") is False:
        yield record_issue(
            E,
            "consent.no-algorithm-development",
            "/consent/allows_algorithm_development",
            "the consent excludes developing or evaluating algorithms with these data",
            "MEDAL evaluates AI models; such data cannot be part of the exam.",
        )
    if consent.get("consent_type") in ("waiver", "opt_out") and not isinstance(record.get("ethics_approval"), dict):
        yield record_issue(
            E,
            "consent.waiver-without-ethics",
            "/consent/consent_type",
            "a consent waiver or opt-out needs the ethics approval that allowed it",
            "Add ethics_approval with the committee, reference, date and country.",
        )


# --- licence and access --------------------------------------------------------------------------------------

_LICENSE_REF = re.compile(r"^LicenseRef-[A-Za-z0-9.\-]+$")


def license_rules(record: dict) -> Iterator[Issue]:
    license_ = _get(record, "license")
    if not isinstance(license_, dict):
        return
    spdx = spdx_licenses()
    known = spdx["licenses"]
    spdx_id = license_.get("spdx_id")
    entry = known.get(spdx_id) if isinstance(spdx_id, str) else None
    if isinstance(spdx_id, str) and entry is None and not _LICENSE_REF.match(spdx_id):
        close = [k for k in known if k.lower() == spdx_id.lower() or k.lower().startswith(spdx_id.lower())][:5]
        yield record_issue(
            E,
            "license.unknown-spdx",
            "/license/spdx_id",
            "not an SPDX licence identifier",
            (f"Did you mean {', '.join(close)}? " if close else "")
            + "Use an id from https://spdx.org/licenses/ or LicenseRef-<name> for a custom licence.",
        )
    elif entry is not None and entry["deprecated"]:
        yield record_issue(
            W,
            "license.deprecated-spdx",
            "/license/spdx_id",
            "a deprecated SPDX identifier",
            "Use the current identifier (for example GPL-2.0-only instead of GPL-2.0).",
        )
    access = record.get("access_level")
    if access == "open" and (entry is None or entry["category"] not in spdx["open_categories"]):
        named = spdx_id if isinstance(spdx_id, str) and len(spdx_id) <= 64 else "this licence"
        yield record_issue(
            E,
            "license.not-open",
            "/license/spdx_id",
            f"open access requires an open licence, and {named} is not one",
            "Use an open licence such as CC-BY-4.0 or CC0-1.0, or choose access_level registered.",
        )
    if access == "controlled" and license_.get("dua_required") is not True:
        pointer = "/license/dua_required" if "dua_required" in license_ else "/license"
        yield record_issue(
            E,
            "license.controlled-without-dua",
            pointer,
            "controlled access requires a data use agreement",
            "Set dua_required: true and give dua_url.",
        )
    if license_.get("dua_required") is True and not license_.get("dua_url"):
        yield record_issue(
            W,
            "license.dua-url-missing",
            "/license/dua_required",
            "a data use agreement is required but dua_url does not say where to read it",
        )


# --- splits and publication ----------------------------------------------------------------------------------


def split_rules(record: dict) -> Iterator[Issue]:
    for i, split in enumerate(_items(record, "splits")):
        if isinstance(split, dict) and split.get("labels_hidden") is True and split.get("labels_published") is True:
            yield record_issue(
                E,
                "split.hidden-labels-published",
                f"/splits/{i}/labels_published",
                "a hidden test split's labels have been published, so models may have seen them",
                "Use a split whose labels were never released.",
            )
    metrics = [m for m in _items(record, "metrics") if isinstance(m, dict)]
    if metrics and not any(m.get("role") == "primary" for m in metrics):
        yield record_issue(
            E,
            "metrics.no-primary",
            "/metrics",
            "no metric is marked primary",
            "Mark the metric that ranks submissions with role: primary.",
        )


def publication_rules(record: dict) -> Iterator[Issue]:
    status = record.get("publication_status")
    if status == "unpublished":
        if record.get("doi"):
            yield record_issue(
                E,
                "publication.unpublished-with-doi",
                "/doi",
                "declared unpublished but carries the DOI of published data",
            )
        for i, pub in enumerate(_items(record, "related_publications")):
            if isinstance(pub, dict) and pub.get("describes_this_data") is True:
                yield record_issue(
                    E,
                    "publication.unpublished-with-doi",
                    f"/related_publications/{i}/doi",
                    "declared unpublished but a publication released or describes these very data",
                    "Set publication_status to published or partially_published.",
                )
    elif status == "published" and not record.get("doi"):
        yield record_issue(
            W,
            "publication.published-without-doi",
            "/publication_status",
            "published data should carry their DOI",
            "Add doi.",
        )


# --- counts --------------------------------------------------------------------------------------------------


def count_rules(record: dict) -> Iterator[Issue]:
    subjects, studies = _int(record.get("subject_count")), _int(record.get("study_count"))
    series, instances = _int(record.get("series_count")), _int(record.get("instance_count"))
    if series is not None and instances is not None and series > instances:
        yield record_issue(
            E,
            "counts.series-exceed-instances",
            "/series_count",
            "more series than instances: every series holds at least one instance",
            "Count instance_count as the number of DICOM files (images) in all series; `medal harvest` "
            "fills both counts from the files.",
        )
    if studies is not None and series is not None and studies > series:
        yield record_issue(
            E,
            "counts.studies-exceed-series",
            "/study_count",
            "more studies than series: every study holds at least one series",
        )
    if subjects is not None and studies is not None and subjects > studies:
        yield record_issue(
            E,
            "counts.subjects-exceed-studies",
            "/subject_count",
            "more subjects than studies: every subject has at least one study",
        )
    sex = _get(record, "population", "sex_counts")
    if isinstance(sex, dict) and subjects is not None:
        values = [_int(sex.get(k)) for k in ("female", "male", "other", "unknown")]
        if all(v is not None for v in values) and sum(values) != subjects:
            yield record_issue(
                E,
                "counts.sex-mismatch",
                "/population/sex_counts",
                "the sex counts do not add up to subject_count",
                "female + male + other + unknown must equal subject_count.",
            )
    bins = [b for b in _items(_get(record, "population") or {}, "age_bins") if isinstance(b, dict)]
    counts = [_int(b.get("count")) for b in bins]
    if bins and subjects is not None and all(c is not None for c in counts) and sum(counts) > subjects:
        yield record_issue(
            E, "counts.age-bins-exceed", "/population/age_bins", "the age bins count more subjects than subject_count"
        )


# --- identifiers, countries, dates, ranges (anywhere in the record) ------------------------------------------

_DATE_KEYS = {"created", "modified", "approval_date", "review_date", "start_date", "end_date", "started_at", "ended_at"}
_RANGE_PAIRS = (("minimum", "maximum"), ("start_date", "end_date"), ("started_at", "ended_at"))


_COUNTRY_HINT = "The United Kingdom is GB; see https://www.iso.org/obp/ui/#search."
_CHECKED_KEYS = _DATE_KEYS | {"orcid", "country", "countries"}


@lru_cache(maxsize=None)
def _plan(cls: str) -> tuple:
    """Which keys to check at each level of a ``cls`` record, and which children to descend into.

    Derived once from the generated JSON Schema, so the walk visits only branches that can hold an ORCID, a
    country, a date or a range, instead of every node of every record.
    """

    defs = json_schema()["$defs"]

    def ref_of(prop: dict) -> tuple[str | None, bool]:
        if "$ref" in prop:
            return prop["$ref"].rsplit("/", 1)[-1], False
        if isinstance(prop.get("items"), dict) and "$ref" in prop["items"]:
            return prop["items"]["$ref"].rsplit("/", 1)[-1], True
        for option in prop.get("anyOf", []):
            name, many = ref_of(option)
            if name:
                return name, many
        return None, False

    def build(name: str, seen: frozenset) -> tuple | None:
        props = defs.get(name, {}).get("properties", {})
        keys = tuple(k for k in props if k in _CHECKED_KEYS)
        children = []
        for key, prop in props.items():
            target, many = ref_of(prop)
            if target and target not in seen:
                sub = build(target, seen | {target})
                if sub:
                    children.append((key, many, sub))
        ranges = tuple((low, high) for low, high in _RANGE_PAIRS if low in props and high in props)
        return (keys, ranges, tuple(children)) if keys or ranges or children else None

    return build(cls, frozenset({cls})) or ((), (), ())


def anywhere_rules(record: dict, today: str, cls: str = "ImagingDataset") -> Iterator[Issue]:
    countries = iso_countries()
    stack: list[tuple[str, Any, tuple]] = [("", record, _plan(cls))]
    while stack:
        pointer, node, (keys, ranges, children) = stack.pop()
        if not isinstance(node, dict):
            continue
        for key in keys:
            value = node.get(key)
            if value is None:
                continue
            if key == "orcid":
                if isinstance(value, str) and not orcid_checksum_ok(value):
                    yield record_issue(
                        E,
                        "orcid.check-digit",
                        f"{pointer}/{key}",
                        "the ORCID iD's check digit is wrong",
                        "Copy the iD from the person's ORCID record.",
                    )
            elif key in _DATE_KEYS:
                if isinstance(value, str) and value[:10] > today:
                    yield record_issue(
                        E,
                        "date.future",
                        f"{pointer}/{key}",
                        f"`{key}` lies in the future",
                        "Write the date it happened as YYYY-MM-DD (no later than today); leave the "
                        "field out if it is not known yet.",
                    )
            elif key == "country":
                if isinstance(value, str) and value not in countries:
                    yield record_issue(
                        E,
                        "country.unknown",
                        f"{pointer}/{key}",
                        "not an ISO 3166-1 alpha-2 country code",
                        _COUNTRY_HINT,
                    )
            elif key == "countries" and isinstance(value, list):
                for i, code in enumerate(value):
                    if isinstance(code, str) and code not in countries:
                        yield record_issue(
                            E,
                            "country.unknown",
                            f"{pointer}/{key}/{i}",
                            "not an ISO 3166-1 alpha-2 country code",
                            _COUNTRY_HINT,
                        )
        for low, high in ranges:
            a, b = node.get(low), node.get(high)
            if a is not None and b is not None and type(a) is type(b) and not isinstance(a, bool) and a > b:
                yield record_issue(E, "range.inverted", f"{pointer}/{low}", f"`{low}` is greater than `{high}`")
        for key, many, plan in children:
            child = node.get(key)
            if child is None:
                continue
            if many and isinstance(child, list):
                stack.extend((f"{pointer}/{key}/{i}", item, plan) for i, item in enumerate(child))
            else:
                stack.append((f"{pointer}/{key}", child, plan))


# --- free text that may identify a patient -------------------------------------------------------------------

_PHI_TEXT = re.compile(
    r"\b(DOB|date of birth|MRN|medical record (number|no)|NHS (number|no)|SSN|social security|patient name|"
    r"\d{3}-\d{2}-\d{4}|\d{1,2}[/.]\d{1,2}[/.](19|20)\d{2})\b",
    re.IGNORECASE,
)
_TEXT_KEYS = ("description", "comments", "data_use_conditions", "clinical_rationale", "data_collection")


_PHI_WORDS = ("dob", "birth", "mrn", "record", "nhs", "ssn", "social", "name")
_DIGIT_SEPARATOR = re.compile(r"\d[/.\-]\d")


def _suspect(text: str) -> bool:
    # A cheap screen first: the full pattern runs only on text holding one of its words or a digit-separator-digit.
    low = text.lower()
    if not any(word in low for word in _PHI_WORDS) and not _DIGIT_SEPARATOR.search(low):
        return False
    return _PHI_TEXT.search(text) is not None


def free_text_rules(record: dict) -> Iterator[Issue]:
    for key in _TEXT_KEYS:
        value = record.get(key)
        if isinstance(value, str) and _suspect(value):
            yield record_issue(
                W,
                "phi.suspect-free-text",
                f"/{key}",
                "free text looks as if it may carry a patient identifier or birth date",
                "Remove names, record numbers and exact dates of patients from free text.",
            )


RULES: dict[str, tuple[Callable[[dict], Iterator[Issue]], ...]] = {
    "ImagingDataset": (consent_rules, license_rules, publication_rules, count_rules, free_text_rules),
    "BenchmarkTask": (split_rules, free_text_rules, metric_rules),
    "ImagingSeries": (),
    "ReviewAssessment": (free_text_rules,),
}


def check_rules(cls: str, record: Any, today: str | None = None) -> list[Issue]:
    """Every policy issue of one record of class ``cls``."""
    if not isinstance(record, dict):
        return []
    today = today or dt.date.today().isoformat()
    found = [issue for rule in RULES.get(cls, ()) for issue in rule(record)]
    found.extend(anywhere_rules(record, today, cls))
    return found


# --- the same rules as JSON Schema, for the fast path ---------------------------------------------------------
#
# Most records break no rule. `policy_gate` says what the rules demand as JSON Schema (plus the few tests a schema
# cannot say, such as counts that must agree with each other), so that a compiled validator can clear a clean record
# without running the rules above. The gate may be stricter than the rules (a record it refuses just goes through
# the rules, which then say what is wrong) but never laxer: tests/validators/test_fast_path.py holds it to that.


def _not_both_true(a: str, b: str) -> dict:
    return {"not": {"required": [a, b], "properties": {a: {"const": True}, b: {"const": True}}}}


def _absent_or_null(key: str) -> dict:
    return {"properties": {key: {"type": "null"}}}


#: What free_text_rules' cheap screen looks for, as a pattern the compiled validator can run: it matches every text
#: whose lower-cased form holds a screened word or digit-separator-digit, so texts it does not match are never
#: suspect. (?i) folds case as str.lower() does for every character whose lower case holds an ASCII letter, except
#: U+0130 (lower case "i" + U+0307), which is listed; \p{Nd} is Python's \d (the validator's \d is ASCII only).
_SUSPECT_GATE = "(?i)(?:" + "|".join(_PHI_WORDS) + r")|\p{Nd}[/.\-]\p{Nd}|\x{130}"


def _free_text_gate() -> dict:
    return {"properties": {key: {"not": {"type": "string", "pattern": _SUSPECT_GATE}} for key in _TEXT_KEYS}}


def _consent_gate() -> list[dict]:
    return [
        {
            "properties": {
                "consent": {
                    "properties": {
                        "duo_modifiers": {"not": {"contains": {"const": "NMDS"}}},
                        "allows_algorithm_development": {"not": {"const": False}},
                    }
                }
            }
        },
        # A waiver or opt-out needs an ethics approval object.
        {
            "if": {
                "required": ["consent"],
                "properties": {
                    "consent": {
                        "type": "object",
                        "required": ["consent_type"],
                        "properties": {"consent_type": {"enum": ["waiver", "opt_out"]}},
                    }
                },
            },
            "then": {"required": ["ethics_approval"], "properties": {"ethics_approval": {"type": "object"}}},
        },
    ]


def _license_gate() -> list[dict]:
    spdx = spdx_licenses()
    known = spdx["licenses"]
    current = sorted(k for k, v in known.items() if not v["deprecated"])
    deprecated = sorted(k for k, v in known.items() if v["deprecated"])
    open_ = sorted(k for k, v in known.items() if not v["deprecated"] and v["category"] in spdx["open_categories"])

    def access(level: str) -> dict:
        return {"required": ["access_level"], "properties": {"access_level": {"const": level}}}

    dua_required = {"required": ["dua_required"], "properties": {"dua_required": {"const": True}}}
    return [
        # Known and current, or a LicenseRef- (the validator's $ is stricter than re's: "\n" takes the slow path).
        {
            "properties": {
                "license": {
                    "properties": {
                        "spdx_id": {
                            "anyOf": [
                                {"not": {"type": "string"}},
                                {"enum": current},
                                {"type": "string", "pattern": _LICENSE_REF.pattern, "not": {"enum": deprecated}},
                            ]
                        }
                    }
                }
            }
        },
        {
            "if": access("open"),
            "then": {
                "properties": {
                    "license": {"type": "object", "required": ["spdx_id"], "properties": {"spdx_id": {"enum": open_}}}
                }
            },
        },
        {"if": access("controlled"), "then": {"properties": {"license": dua_required}}},
        {
            "properties": {
                "license": {
                    "if": dua_required,
                    "then": {"required": ["dua_url"], "properties": {"dua_url": {"type": "string", "minLength": 1}}},
                }
            }
        },
    ]


def _publication_gate() -> list[dict]:
    def status(value: str) -> dict:
        return {"required": ["publication_status"], "properties": {"publication_status": {"const": value}}}

    return [
        {
            "if": status("unpublished"),
            "then": {
                "allOf": [
                    _absent_or_null("doi"),
                    {
                        "properties": {
                            "related_publications": {
                                "items": {
                                    "not": {
                                        "type": "object",
                                        "required": ["describes_this_data"],
                                        "properties": {"describes_this_data": {"const": True}},
                                    }
                                }
                            }
                        }
                    },
                ]
            },
        },
        {
            "if": status("published"),
            "then": {"required": ["doi"], "properties": {"doi": {"type": "string", "minLength": 1}}},
        },
    ]


def _split_gate() -> list[dict]:
    primary = {"type": "object", "required": ["role"], "properties": {"role": {"const": "primary"}}}
    return [
        {
            "properties": {
                "splits": {"items": _not_both_true("labels_hidden", "labels_published")},
                # No metric objects at all, or one of them primary (metric items are objects wherever the schema holds).
                "metrics": {"anyOf": [{"not": {"type": "array"}}, {"maxItems": 0}, {"contains": primary}]},
            }
        }
    ]


def _counts_clean(record: dict) -> bool:
    """True when count_rules finds nothing in ``record``: its tests, inlined, since this runs for every dataset."""
    get = record.get
    subjects, studies, series, instances = (
        get("subject_count"),
        get("study_count"),
        get("series_count"),
        get("instance_count"),
    )
    # As _int: plain ints as they are (the common case, tested inline), anything else through _int itself.
    if type(subjects) is not int and subjects is not None:
        subjects = _int(subjects)
    if type(studies) is not int and studies is not None:
        studies = _int(studies)
    if type(series) is not int and series is not None:
        series = _int(series)
    if type(instances) is not int and instances is not None:
        instances = _int(instances)
    if series is not None and instances is not None and series > instances:
        return False
    if studies is not None and series is not None and studies > series:
        return False
    if subjects is not None and studies is not None and subjects > studies:
        return False
    population = get("population")
    if subjects is None or not population:
        return True  # the sex and age tests need both
    if not isinstance(population, dict):
        return True
    sex = population.get("sex_counts")
    if isinstance(sex, dict):
        values = sex.get("female"), sex.get("male"), sex.get("other"), sex.get("unknown")
        if not all(type(v) is int for v in values):
            values = tuple(_int(v) for v in values)
        if all(v is not None for v in values) and sum(values) != subjects:
            return False
    bins = population.get("age_bins")
    if isinstance(bins, list) and bins:
        counts = [_int(b.get("count")) for b in bins if isinstance(b, dict)]
        if counts and all(c is not None for c in counts) and sum(counts) > subjects:
            return False
    return True


@lru_cache(maxsize=None)
def _range_plan(cls: str) -> tuple:
    """The rule plan of ``cls`` cut down to the branches that hold a range."""

    def prune(plan: tuple) -> tuple | None:
        _keys, ranges, children = plan
        kept = tuple((key, many, sub) for key, many, child in children if (sub := prune(child)))
        return (ranges, kept) if ranges or kept else None

    return prune(_plan(cls)) or ((), ())


def _ranges_clean(plan: tuple) -> Callable[[Any], bool]:
    """A test that no range is inverted in a node of ``plan`` (from _range_plan) or below: anywhere_rules' range test
    on exactly the nodes it visits.

    Written out as one function per class (source generated from the plan, as dataclasses writes __init__): it runs
    for every dataset, and walking the plan generically cost three times as much.
    """
    lines = ["def clean(node):"]

    def emit(plan: tuple, var: str, depth: int) -> None:
        pad = "    " * depth
        ranges, children = plan
        lines.append(f"{pad}if isinstance({var}, dict):")
        for low, high in ranges:
            lines.extend(
                [
                    f"{pad}    a, b = {var}.get({low!r}), {var}.get({high!r})",
                    f"{pad}    if (a is not None and b is not None and type(a) is type(b)",
                    f"{pad}            and not isinstance(a, bool)):",
                    f"{pad}        try:",
                    f"{pad}            if a > b:",
                    f"{pad}                return False",
                    f"{pad}        except TypeError:  # values the rules cannot compare: let them fail as they do",
                    f"{pad}            return False",
                ]
            )
        for key, many, sub in children:
            child = f"n{depth}"
            lines.append(f"{pad}    {child} = {var}.get({key!r})")
            if many:
                lines.extend([f"{pad}    if isinstance({child}, list):", f"{pad}        for i{depth} in {child}:"])
                emit(sub, f"i{depth}", depth + 3)
                lines.append(f"{pad}    elif {child} is not None:")
                emit(sub, child, depth + 2)
            else:
                lines.append(f"{pad}    if {child} is not None:")
                emit(sub, child, depth + 2)
        lines.append(f"{pad}    pass")

    emit(plan, "node", 1)
    lines.append("    return True")
    namespace: dict[str, Any] = {}
    exec("\n".join(lines), namespace)  # noqa: S102 - source built above from the schema's own property names
    return namespace["clean"]


def _not_after(today: str) -> dict:
    """Strings whose first ten characters do not come after ``today`` (date.future's test), as JSON Schema.

    A pattern when ``today`` is YYYY-MM-DD: the date itself, or its first i characters and then a smaller digit. It
    leaves out the few other strings that pass (shorter ones, non-digits), which then take the full path.
    """
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", today):
        return {"format": "medal-not-after-today"}
    earlier = [f"{today[:i]}[0-{int(c) - 1}]" for i, c in enumerate(today) if c.isdigit() and c != "0"]
    return {"pattern": f"^(?:{today}|{'|'.join(earlier)})"}


#: Each rule's twin: the JSON Schema and residual tests that only records the rule finds nothing in pass. A rule added
#: to RULES needs one here (policy_gate fails without it); anywhere_rules' twin is built in policy_gate.
_TWINS: dict[Callable, Callable[[], tuple[list[dict], list[Callable[[dict], bool]]]]] = {
    consent_rules: lambda: (_consent_gate(), []),
    license_rules: lambda: (_license_gate(), []),
    publication_rules: lambda: (_publication_gate(), []),
    split_rules: lambda: (_split_gate(), []),
    free_text_rules: lambda: ([_free_text_gate()], []),
    count_rules: lambda: ([], [_counts_clean]),
    metric_rules: lambda: ([], [lambda record: next(metric_rules(record), None) is None]),
}


def policy_gate(cls: str, today: str) -> Gate:
    """The rules that check_rules(cls, ..., today) applies, as a Gate."""
    schemas: list[dict] = []
    residual: list[Callable[[dict], bool]] = []
    for rule in RULES.get(cls, ()):
        fragments, tests = _TWINS[rule]()
        schemas += fragments
        residual += tests
    # anywhere_rules, for every class: identifiers, countries and dates wherever they occur, and ranges.
    countries = sorted(iso_countries())
    country = {"if": {"type": "string"}, "then": {"enum": countries}}
    properties = {
        "orcid": {"format": "medal-orcid"},
        "country": country,
        "countries": {"items": country},
        **{key: _not_after(today) for key in _DATE_KEYS},
    }
    if _range_plan(cls) != ((), ()):
        residual.append(_ranges_clean(_range_plan(cls)))
    return Gate(
        schema=_all_of(schemas),
        properties=properties,
        formats={"medal-orcid": orcid_checksum_ok, "medal-not-after-today": lambda value: value[:10] <= today},
        residual=tuple(residual),
    )
