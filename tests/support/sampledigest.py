"""A small sample digest (made-up numbers, marked as sample) with real charts, for mail tests.

The HTML is a table-based, 600 px email layout like the real digest's, written here and not the lead's template.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

from newswatch import models
from newswatch.report import charts

SAMPLE_DATE = date(2025, 5, 8)


def sample_charts() -> dict[str, bytes]:
    return dict(_charts())


@functools.cache
def _charts() -> dict[str, bytes]:  # drawn once per test session; callers get a copy
    days = [SAMPLE_DATE - timedelta(days=13 - i) for i in range(14)]
    counts = [3, 4, 2, 0, 5, 8, 6, 12, 30, 41, 25, 18, 11, 9]
    tone = [-0.1, 0.05, -0.2, None, -0.15, -0.3, -0.25, -0.4, -0.45, -0.38, -0.2, -0.1, 0.02, 0.1]
    rows: list[tuple[str, int, float | None, float | None]] = [
        ("India", 120, -0.31, -0.12),
        ("Pakistan", 98, -0.35, -0.05),
        ("United States", 22, 0.12, 0.2),
        ("United Nations Security Council", 10, None, None),
    ]
    return {
        "volume": charts.volume_tone_chart(
            "Sample topic: articles and tone", days, counts, tone, highlight=SAMPLE_DATE
        ),
        "actors": charts.actor_chart(rows, title="Top actors (sample)"),
    }


SAMPLE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>newswatch digest (sample)</title>
<style>
  body { margin: 0; padding: 0; background: #f3f4f6; font-family: Arial, Helvetica, sans-serif; color: #1f2933; }
  .wrap { width: 100%; max-width: 600px; }
  img { display: block; border: 0; max-width: 100%; height: auto; }
  td.article { padding: 6px 20px; font-size: 14px; line-height: 20px; word-break: break-word; }
</style></head>
<body>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6">
<tr><td align="center">
  <table role="presentation" class="wrap" width="600" cellpadding="0" cellspacing="0" border="0"
         style="width:100%;max-width:600px;background:#ffffff">
    <tr><td style="padding:20px 20px 8px 20px;font-size:20px;font-weight:bold">
      newswatch digest &middot; 8 May 2025 (sample)</td></tr>
    <tr><td style="padding:0 20px 12px 20px;font-size:13px;color:#6b7280">
      Sample data for a layout test: 41 articles, mean tone &minus;0.38.</td></tr>
    <tr><td style="padding:0 20px">
      <img src="cid:volume" width="560" alt="Articles per day and mean tone over 14 days (sample)"
           style="width:100%;max-width:560px;height:auto"></td></tr>
    <tr><td style="padding:12px 20px 0 20px">
      <img src="cid:actors" width="560" alt="Top actors by mentions, coloured by tone (sample)"
           style="width:100%;max-width:560px;height:auto"></td></tr>
    <tr><td class="article"><a href="https://example.org/sample-article" style="color:#1d6fa5">
      Sample headline for a layout test, long enough to wrap onto a second line in a narrow column</a><br>
      <span style="color:#6b7280;font-size:12px">example.org &middot; tone &minus;0.21</span></td></tr>
    <tr><td class="article">A_very_long_unbroken_token_that_must_wrap_instead_of_widening_the_email_layout_xxxxxxxxxxxxxxxxxxxx</td></tr>
    <tr><td style="padding:16px 20px;font-size:11px;color:#9ca3af">Sent by newswatch (sample).</td></tr>
  </table>
</td></tr>
</table>
</body></html>
"""

SAMPLE_TEXT = """newswatch digest - 8 May 2025 (sample)

Sample data for a layout test: 41 articles, mean tone -0.38.

* Sample headline for a layout test
  https://example.org/sample-article
"""


def sample_digest() -> models.RenderedDigest:
    return models.RenderedDigest(
        digest_date=SAMPLE_DATE,
        subject="India-Pakistan (sample)",
        html=SAMPLE_HTML,
        text=SAMPLE_TEXT,
        images=sample_charts(),
    )
