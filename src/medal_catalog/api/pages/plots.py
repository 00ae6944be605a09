"""The campaign page's plots: matplotlib rendered to inline SVG on the server (text kept as text, so it scales and
reads out). Suppressed small cells are drawn as empty bars/cells marked "<N", never as their true value."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# matplotlib is imported when a plot is first drawn, not with the app: it adds 250-500 ms to the start of every
# server and test app (python -X importtime), and the plots are drawn once per process (and at start, in the
# background: api/pages/campaign.warm_up).

#: Colours with at least 3:1 contrast against white (WCAG 1.4.11 for graphics).
BAR = "#1f5f99"
SUPPRESSED = "#8a5a00"


def _figure(width: float, height: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _svg(fig: Figure, name: str) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name, "svg.id": f"plot-{name}"}):
        fig.savefig(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def bars(name: str, title: str, labels: Sequence[str], values: Sequence[int | None], threshold: int) -> str:
    """A horizontal bar chart; a value of None is a suppressed small count (drawn as a marked stub)."""
    return _bars(name, title, tuple(labels), tuple(values), threshold)


def heatmap(name: str, title: str, rows: Sequence[str], columns: Sequence[str],
            cells: Sequence[Sequence[int | None]], threshold: int) -> str:
    """A rows × columns grid of counts; None cells are suppressed small counts."""
    return _heatmap(name, title, tuple(rows), tuple(columns), tuple(tuple(r) for r in cells), threshold)


# Drawing costs ~0.1-0.3 s a plot and the counts change only when the catalog does: the same numbers are drawn
# once per process (the SVG depends on nothing else).
@lru_cache(maxsize=512)
def _bars(name: str, title: str, labels: tuple[str, ...], values: tuple[int | None, ...], threshold: int) -> str:
    fig = _figure(6.4, max(1.6, 0.32 * len(labels) + 0.9))
    ax = fig.add_subplot()
    shown = [v if v is not None else 0 for v in values]
    positions = range(len(labels))
    ax.barh(list(positions), shown, color=BAR)
    for y, v in zip(positions, values, strict=True):
        ax.text((v or 0), y, f" {v}" if v is not None else f" <{threshold}", va="center",
                color="#222" if v is not None else SUPPRESSED, fontsize=9)
    ax.set_yticks(list(positions), labels=list(labels), fontsize=9)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max([*shown, threshold]) * 1.2)
    return _svg(fig, name)


@lru_cache(maxsize=512)
def _heatmap(name: str, title: str, rows: tuple[str, ...], columns: tuple[str, ...],
             cells: tuple[tuple[int | None, ...], ...], threshold: int) -> str:
    fig = _figure(max(3.0, 0.7 * len(columns) + 2.4), max(1.6, 0.42 * len(rows) + 1.1))
    ax = fig.add_subplot()
    grid = np.array([[c if c is not None else 0 for c in row] for row in cells] or [[0]], dtype=float)
    ax.imshow(grid, cmap="Blues", vmin=0, vmax=max(grid.max(), threshold), aspect="auto")
    peak = max(grid.max(), threshold)
    for i, row in enumerate(cells):
        for j, c in enumerate(row):
            text = str(c) if c is not None else f"<{threshold}"
            ax.text(j, i, text, ha="center", va="center", fontsize=9,
                    color="white" if c is not None and c > peak * 0.6 else "#222")
    ax.set_xticks(range(len(columns)), labels=list(columns), fontsize=9)
    ax.set_yticks(range(len(rows)), labels=list(rows), fontsize=9)
    ax.set_title(title, fontsize=11, loc="left")
    return _svg(fig, name)
