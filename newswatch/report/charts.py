"""PNG charts for the digest email: article volume with mean tone, and tone per top actor.

Draws on matplotlib Figure objects with the Agg canvas; never touches pyplot or leaves global state behind.
Same input, same bytes: no dates or versions go into the PNG.
"""

from __future__ import annotations

import io
import math
import threading
import warnings
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

# Displayed 560 px wide in the email, drawn at 2x so it is sharp on high-density screens.
DISPLAY_WIDTH_PX = 560
DENSITY = 2
_DPI = 100 * DENSITY
_WIDTH_IN = DISPLAY_WIDTH_PX / 100

FONT = "DejaVu Sans"  # ships with matplotlib, so it exists wherever the charts are drawn
INK = "#1f2933"
MUTED = "#6b7280"
GRID = "#e5e7eb"
BAR = "#9fb3c8"
BAR_HIGHLIGHT = "#334e68"
TONE_LINE = "#c2410c"
NEGATIVE = "#c2410c"  # orange-red and blue stay apart for red-green colour blindness
POSITIVE = "#1d6fa5"
NEUTRAL = "#9ca3af"

_RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 8,
    "axes.edgecolor": GRID,
    "axes.labelcolor": MUTED,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "text.color": INK,
    "axes.unicode_minus": True,
    "svg.hashsalt": "newswatch",
    "path.simplify": True,
}
# rc_context swaps matplotlib's process-wide rcParams; one chart at a time keeps threads from seeing each other's.
_LOCK = threading.Lock()
_PALETTE_COLOURS = 64  # a palette PNG is a fraction of the RGBA size and looks the same for flat charts


def _render(draw: Any, height_in: float) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    with _LOCK, matplotlib.rc_context(cast(Any, _RC)), warnings.catch_warnings():
        # A name in a script DejaVu Sans lacks draws as boxes; say nothing rather than fail the digest.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)
        fig = Figure(figsize=(_WIDTH_IN, height_in), dpi=_DPI, facecolor="white")
        canvas = FigureCanvasAgg(fig)
        draw(fig)
        canvas.draw()
        rgba = canvas.buffer_rgba()
        image = Image.frombuffer("RGBA", canvas.get_width_height(), rgba, "raw", "RGBA", 0, 1).convert("RGB")
    out = io.BytesIO()
    palette = image.quantize(
        colors=_PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    # dpi tells viewers the intended display size: 2x pixels at 144 dpi.
    palette.save(out, format="PNG", optimize=True, dpi=(72 * DENSITY, 72 * DENSITY))
    return out.getvalue()


def _nan(values: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _tone_limit(values: Sequence[float | None]) -> float:
    seen = [abs(v) for v in values if v is not None and not math.isnan(v)]
    peak = max(seen, default=0.0)
    return min(1.0, max(0.25, math.ceil(peak * 1.2 / 0.05) * 0.05))


def _day_labels(days: Sequence[date]) -> list[str]:
    labels: list[str] = []
    previous: date | None = None
    for day in days:
        if previous is None or day.month != previous.month:
            labels.append(f"{day.day} {day.strftime('%b')}")
        else:
            labels.append(str(day.day))
        previous = day
    return labels


def volume_tone_chart(
    title: str,
    days: list[date],
    counts: list[int],
    tone: list[float | None],
    *,
    highlight: date | None = None,
) -> bytes:
    """Articles per day as bars and their mean tone (-1..1) as a line on a second axis. PNG, 1120 px wide.

    Days without articles have tone None and leave a gap in the line. `highlight` darkens that day's bar.
    """
    if not len(days) == len(counts) == len(tone):
        raise ValueError(
            f"volume_tone_chart: {len(days)} days, {len(counts)} counts, {len(tone)} tone values"
        )
    if any(c < 0 for c in counts):
        raise ValueError("volume_tone_chart: article counts cannot be negative")

    def draw(fig: Any) -> None:
        ax = fig.add_axes((0.075, 0.14, 0.82, 0.68))
        x = list(range(len(days)))
        colours = [BAR_HIGHLIGHT if d == highlight else BAR for d in days]
        ax.bar(x, counts, color=colours, width=0.7, zorder=2)
        ax.set_xticks(x, _day_labels(days))
        ax.set_xlim(-0.6, max(len(days), 1) - 0.4)
        top = max(counts, default=0)
        ax.set_ylim(0, max(4, top * 1.15))
        ax.yaxis.get_major_locator().set_params(integer=True, nbins=4)
        ax.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
        ax.tick_params(length=0, labelsize=7.5)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.set_ylabel("articles", fontsize=7.5)

        ax2 = ax.twinx()
        limit = _tone_limit(tone)
        ax2.set_ylim(-limit, limit)
        ax2.axhline(0, color=MUTED, linewidth=0.6, linestyle=(0, (3, 3)), zorder=1)
        ax2.plot(x, _nan(tone), color=TONE_LINE, linewidth=1.6, marker="o", markersize=3, zorder=3)
        ax2.tick_params(length=0, labelsize=7.5, colors=TONE_LINE)
        ax2.yaxis.get_major_locator().set_params(nbins=4)
        for side in ("top", "right", "left", "bottom"):
            ax2.spines[side].set_visible(False)
        ax2.set_ylabel("mean tone", fontsize=7.5, color=TONE_LINE)

        fig.text(0.075, 0.93, title, fontsize=10, fontweight="bold", color=INK, va="center")
        fig.text(
            0.895,
            0.93,
            "bars: articles per day  ·  line: mean tone",
            fontsize=7,
            color=MUTED,
            va="center",
            ha="right",
        )
        if not days or top == 0:
            ax.text(0.5, 0.5, "no articles in this period", transform=ax.transAxes, ha="center", color=MUTED)

    return _render(draw, 2.4)


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "\u2212")


def actor_chart(
    rows: list[tuple[str, int, float | None, float | None]], *, title: str | None = None
) -> bytes:
    """Top actors: mentions as horizontal bars, coloured by mean tone, annotated with tone and its change.

    Each row is (actor name, mentions, mean tone or None, change of tone against the previous period or None).
    Rows are drawn in the given order, first at the top.
    """
    for name, mentions, _, _ in rows:
        if mentions < 0:
            raise ValueError(f"actor_chart: {name!r} has a negative mention count")
    n = max(len(rows), 1)
    header = 0.42 if title else 0.12
    height = header + 0.3 * n + 0.12

    def draw(fig: Any) -> None:
        from matplotlib.colors import LinearSegmentedColormap, Normalize

        cmap = LinearSegmentedColormap.from_list("tone", [NEGATIVE, NEUTRAL, POSITIVE])
        norm = Normalize(-0.5, 0.5, clip=True)
        bottom = 0.12 / height
        ax = fig.add_axes((0.33, bottom, 0.4, 1 - bottom - header / height))
        names = [r[0] for r in rows]
        mentions = [r[1] for r in rows]
        colours = [NEUTRAL if r[2] is None else cmap(norm(r[2])) for r in rows]
        y = list(range(len(rows)))
        ax.barh(y, mentions, color=colours, height=0.62)
        ax.set_yticks(y, [_shorten(name) for name in names])
        ax.set_ylim(len(rows) - 0.5 if rows else 0.5, -0.5)
        top = max(mentions, default=0)
        ax.set_xlim(0, max(1, top) * 1.02)
        ax.set_xticks([])
        ax.tick_params(length=0, labelsize=8, labelcolor=INK)
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        for row_y, (_, count, mean, change) in zip(y, rows, strict=True):
            note = f"{count}"
            if mean is not None:
                note += f"   tone {_signed(mean)}"
            if change is not None and mean is not None:
                arrow = "\u25b2" if change > 0 else "\u25bc" if change < 0 else "="
                note += f"  {arrow}{abs(change):.2f}"
            ax.annotate(
                note,
                (count, row_y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=7.5,
                color=INK,
                annotation_clip=False,
            )
        if title:
            fig.text(0.02, 1 - 0.22 / height, title, fontsize=10, fontweight="bold", color=INK, va="center")
        if not rows:
            ax.text(
                0.5, 0.5, "no actors mentioned", transform=ax.transAxes, ha="center", va="center", color=MUTED
            )

    return _render(draw, height)


def _shorten(name: str, limit: int = 26) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "\u2026"
