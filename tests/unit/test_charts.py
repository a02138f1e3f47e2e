"""Digest charts: PNG size for email, same bytes for the same input, no pyplot state left behind."""

from __future__ import annotations

import io
import sys
import threading
from datetime import date, timedelta

import matplotlib
import pytest
from PIL import Image

from newswatch.report import charts

DAYS = [date(2025, 4, 25) + timedelta(days=i) for i in range(14)]
COUNTS = [3, 4, 2, 0, 5, 8, 6, 12, 30, 41, 25, 18, 11, 9]  # sample numbers
TONE: list[float | None] = [
    -0.1,
    0.05,
    -0.2,
    None,
    -0.15,
    -0.3,
    -0.25,
    -0.4,
    -0.45,
    -0.38,
    -0.2,
    -0.1,
    0.02,
    0.1,
]
ACTORS: list[tuple[str, int, float | None, float | None]] = [
    ("India", 120, -0.31, -0.12),
    ("Pakistan", 98, -0.35, -0.05),
    ("United States", 22, 0.12, 0.2),
    ("United Nations Security Council and a name far too long to fit", 10, None, None),
    ("Ministry of Défense — Ελλάδα", 4, 0.0, 0.0),
]


def image(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(png))
    img.load()
    return img


def test_volume_chart_is_a_small_retina_png() -> None:
    png = charts.volume_tone_chart("Sample topic", DAYS, COUNTS, TONE, highlight=DAYS[-1])
    img = image(png)
    assert img.width == charts.DISPLAY_WIDTH_PX * charts.DENSITY
    assert img.height < img.width
    assert len(png) < 60_000


def test_actor_chart_is_a_small_retina_png_growing_with_rows() -> None:
    few = image(charts.actor_chart(ACTORS[:2]))
    many = image(charts.actor_chart(ACTORS, title="Top actors (sample)"))
    assert few.width == many.width == charts.DISPLAY_WIDTH_PX * charts.DENSITY
    assert many.height > few.height
    assert len(charts.actor_chart(ACTORS)) < 60_000


def test_same_input_same_bytes_and_no_dates_inside() -> None:
    a = charts.volume_tone_chart("Sample topic", DAYS, COUNTS, TONE, highlight=DAYS[-1])
    b = charts.volume_tone_chart("Sample topic", DAYS, COUNTS, TONE, highlight=DAYS[-1])
    assert a == b
    assert charts.actor_chart(ACTORS) == charts.actor_chart(ACTORS)
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"tIME"):
        assert chunk not in a
    assert a != charts.volume_tone_chart("Sample topic", DAYS, COUNTS, TONE)  # the highlight shows


def test_empty_and_sparse_input_still_draws() -> None:
    image(charts.volume_tone_chart("Nothing yet (sample)", [], [], []))
    image(charts.volume_tone_chart("Quiet (sample)", DAYS, [0] * 14, [None] * 14))
    image(charts.actor_chart([]))
    image(charts.volume_tone_chart("One day (sample)", DAYS[:1], [5], [0.9]))


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="14 days, 13 counts"):
        charts.volume_tone_chart("x", DAYS, COUNTS[:-1], TONE)
    with pytest.raises(ValueError, match="negative"):
        charts.volume_tone_chart("x", DAYS[:1], [-1], [None])
    with pytest.raises(ValueError, match="'India' has a negative"):
        charts.actor_chart([("India", -1, None, None)])


def test_no_pyplot_and_no_global_state_left_behind() -> None:
    before = dict(matplotlib.rcParams)
    backend = matplotlib.get_backend() if "matplotlib.pyplot" in sys.modules else None
    charts.volume_tone_chart("Sample topic", DAYS, COUNTS, TONE)
    charts.actor_chart(ACTORS)
    assert dict(matplotlib.rcParams) == before
    if backend is None:
        assert "matplotlib.pyplot" not in sys.modules
    else:
        assert matplotlib.get_backend() == backend


def test_charts_drawn_from_threads_match() -> None:
    expected = charts.actor_chart(ACTORS)
    results: list[bytes] = []

    def draw() -> None:
        results.append(charts.actor_chart(ACTORS))

    threads = [threading.Thread(target=draw) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 3


def test_day_labels_name_the_month_where_it_changes() -> None:
    assert charts._day_labels(DAYS)[:2] == ["25 Apr", "26"]
    assert "1 May" in charts._day_labels(DAYS)
