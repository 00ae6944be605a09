"""The campaign page's plots, written as inline SVG by hand (text kept as text, so it scales and reads out).
Suppressed small cells are drawn as empty bars/cells marked "<N", never as their true value.

Not matplotlib (issue 29): it cost 1-2 s to import in a fresh process and 0.05-0.3 s a plot, which made the
campaign's first view slow and made drawing after each write too dear; a bar chart and a grid of counts need a
few rectangles and labels, drawn here in well under a millisecond each. ``RENDERS`` counts the plots drawn, so
that tests can tell a page served from the store from one drawn anew.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

#: Colours with at least 3:1 contrast against white (WCAG 1.4.11 for graphics).
BAR = "#1f5f99"
SUPPRESSED = "#8a5a00"
TEXT = "#222222"
#: The lightest and darkest cell of the grid (a blue ramp, like matplotlib's "Blues").
LOW, HIGH = (0xF7, 0xFB, 0xFF), (0x08, 0x30, 0x6B)
FONT = 12
#: Average advance of a character of the page's sans-serif at FONT px (to size the label column).
CHAR = 0.6 * FONT
WIDTH = 640

#: How many plots this process has drawn (tests: a view served from the store draws none).
RENDERS = [0]


def _text(
    x: float, y: float, text: str, anchor: str = "start", color: str = TEXT, size: int = FONT, weight: str = "normal"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="central" fill="{color}" '
        f'font-size="{size}" font-weight="{weight}">{escape(text)}</text>'
    )


def _fit(label: str, room: float) -> str:
    """``label`` cut with an ellipsis to about ``room`` pixels."""
    most = max(3, int(room / CHAR))
    return label if len(label) <= most else label[: most - 1] + "…"


def _svg(name: str, width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="plot-{escape(name)}" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" font-family="system-ui, sans-serif">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bars(name: str, title: str, labels: Sequence[str], values: Sequence[int | None], threshold: int) -> str:
    """A horizontal bar chart; a value of None is a suppressed small count (drawn as a marked stub)."""
    RENDERS[0] += 1
    row, top, gap = 22, 30, 4
    label_room = min(WIDTH * 0.4, max(40.0, CHAR * max((len(s) for s in labels), default=4) + 8))
    left = label_room + 8
    value_room = CHAR * 6 + 8
    span = WIDTH - left - value_room
    peak = max([v for v in values if v is not None] + [threshold])
    height = top + row * len(labels) + 8
    body = [
        _text(0, 12, title, size=FONT + 2, weight="bold"),
        f'<line x1="{left:.1f}" y1="{top - 2}" x2="{left:.1f}" y2="{height - 6}" stroke="{TEXT}"/>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        middle = y + row / 2
        body.append(_text(left - 6, middle, _fit(label, label_room), anchor="end"))
        if value is None:
            body.append(f'<rect x="{left:.1f}" y="{y + gap}" width="3" height="{row - 2 * gap}" fill="{SUPPRESSED}"/>')
            body.append(_text(left + 8, middle, f"<{threshold}", color=SUPPRESSED))
        else:
            length = span * value / peak
            body.append(
                f'<rect x="{left:.1f}" y="{y + gap}" width="{length:.1f}" height="{row - 2 * gap}" fill="{BAR}"/>'
            )
            body.append(_text(left + length + 4, middle, str(value)))
    return _svg(name, WIDTH, height, title, body)


def _shade(fraction: float) -> str:
    fraction = min(1.0, max(0.0, fraction))
    return "#" + "".join(f"{round(a + (b - a) * fraction):02x}" for a, b in zip(LOW, HIGH, strict=True))


def _luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink(fill: str) -> str:
    """White or dark text, whichever contrasts more with ``fill``."""
    light = _luminance(fill)
    return "#fff" if 1.05 / (light + 0.05) > (light + 0.05) / (_luminance(TEXT) + 0.05) else TEXT


def heatmap(
    name: str,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[int | None]],
    threshold: int,
) -> str:
    """A rows × columns grid of counts; None cells are suppressed small counts."""
    RENDERS[0] += 1
    cell_w, cell_h, top = 56, 26, 50
    label_room = min(WIDTH * 0.4, max(40.0, CHAR * max((len(s) for s in rows), default=4) + 8))
    left = label_room + 8
    width = max(left + cell_w * len(columns) + 8, 0.62 * (FONT + 2) * len(title) + 16)
    height = top + cell_h * len(rows) + 8
    peak = max([c for row in cells for c in row if c is not None] + [threshold])
    body = [_text(0, 12, title, size=FONT + 2, weight="bold")]
    for j, column in enumerate(columns):
        body.append(_text(left + j * cell_w + cell_w / 2, top - 10, _fit(column, cell_w), anchor="middle"))
    for i, (label, row) in enumerate(zip(rows, cells, strict=True)):
        y = top + i * cell_h
        body.append(_text(left - 6, y + cell_h / 2, _fit(label, label_room), anchor="end"))
        for j, count in enumerate(row):
            x = left + j * cell_w
            fill = _shade((count or 0) / peak)
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{cell_w}" height="{cell_h}" fill="{fill}" stroke="#fff"/>')
            if count is None:
                body.append(_text(x + cell_w / 2, y + cell_h / 2, f"<{threshold}", anchor="middle", color=SUPPRESSED))
            else:
                body.append(_text(x + cell_w / 2, y + cell_h / 2, str(count), anchor="middle", color=_ink(fill)))
    return _svg(name, width, height, title, body)
