"""Render the human-readable schema reference (one markdown file) from medal.yaml."""

from __future__ import annotations

from medal_catalog.schema import schema_view


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _cardinality(slot) -> str:
    low = "1" if slot.required else "0"
    high = "*" if slot.multivalued else "1"
    return f"{low}..{high}"


def render_reference() -> str:
    """The schema reference as markdown: every class with its slots, then every enum with its values."""
    sv = schema_view()
    schema = sv.schema
    out = [
        "<!-- GENERATED from src/medal_catalog/schema/medal.yaml by `medal schema generate`. Do not edit. -->",
        f"# {schema.title} (version {schema.version})",
        "",
        _cell(schema.description),
        "",
        "## Classes",
        "",
    ]
    for name in sorted(sv.all_classes(imports=False)):
        cls = sv.get_class(name)
        uri = sv.get_uri(cls, expand=False)
        kind = " (abstract)" if cls.abstract else ""
        parent = f" Is a `{cls.is_a}`." if cls.is_a else ""
        out += [f"### {name}{kind}", "", f"{_cell(cls.description)}{parent} URI: `{uri}`.", ""]
        slots = sv.class_induced_slots(name)
        if slots:
            out += ["| slot | range | card. | URI | description |", "|---|---|---|---|---|"]
            for slot in slots:
                out.append(
                    f"| `{slot.name}` | {slot.range} | {_cardinality(slot)} | `{slot.slot_uri or ''}` "
                    f"| {_cell(slot.description)} |"
                )
            out.append("")
    out += ["## Enumerations", ""]
    for name in sorted(sv.all_enums(imports=False)):
        enum = sv.get_enum(name)
        out += [f"### {name}", "", _cell(enum.description), "", "| value | meaning | description |", "|---|---|---|"]
        for value_name, value in enum.permissible_values.items():
            out.append(f"| `{value_name}` | {value.meaning or ''} | {_cell(value.description)} |")
        out.append("")
    out += ["## Types", "", "| type | base | pattern / bounds | description |", "|---|---|---|---|"]
    for name in sorted(sv.all_types(imports=False)):
        typ = sv.get_type(name)
        bounds = typ.pattern or ""
        if typ.minimum_value is not None:
            bounds = f"{typ.minimum_value}..{typ.maximum_value}"
        out.append(f"| `{name}` | {typ.typeof} | `{_cell(bounds)}` | {_cell(typ.description)} |")
    return "\n".join(out) + "\n"
