"""The mailed HTML as a reader sees it: rendered in headless Chromium, nothing wider than 600 px, charts loaded.

Skipped when Chromium is not installed (Debian: apt-get install -y chromium).
"""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from newswatch.report import mail
from tests.support.mailrender import check_mail_layout, find_chromium, inline_images
from tests.support.sampledigest import sample_digest

pytestmark = [
    pytest.mark.skipif(
        find_chromium() is None, reason="chromium is not installed (apt-get install -y chromium)"
    ),
    pytest.mark.slow,
]


def received_html_and_images(msg: EmailMessage) -> tuple[str, dict[str, bytes]]:
    """What a mail client has to work with: the parsed HTML part and the inline images by Content-ID."""
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    html_part = parsed.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    images = {
        part["Content-ID"].strip("<>"): part.get_content()
        for part in parsed.walk()
        if part.get_content_type() == "image/png"
    }
    return html_part.get_content(), images


def test_sample_digest_as_mailed_fits_600_px_and_shows_its_charts() -> None:
    settings = mail.EmailSettings(
        host="127.0.0.1",
        port=25,
        security="none",
        username=None,
        password_env=None,
        password_block=None,
        sender="digest@example.org",
        recipients=("alice@example.org",),
    )
    html, images = received_html_and_images(mail.build_message(sample_digest(), settings))
    assert set(images) == {"volume", "actors"}
    assert check_mail_layout(html, images) == []


def test_a_layout_wider_than_600_px_is_reported() -> None:
    digest = sample_digest()
    wide = digest.html.replace("max-width:600px", "min-width:700px")
    problems = check_mail_layout(wide, digest.images)
    assert any("700 px wide" in p for p in problems)
    assert any("scrolls sideways" in p for p in problems)


def test_an_unbreakable_line_that_widens_the_column_is_reported() -> None:
    digest = sample_digest()
    problems = check_mail_layout(digest.html.replace("word-break: break-word;", ""), digest.images)
    assert any("A_very_long_unbroken_token" in p for p in problems)


def test_a_chart_that_is_not_there_is_reported() -> None:
    digest = sample_digest()
    problems = check_mail_layout(digest.html, {"volume": digest.images["volume"]})
    assert problems == ["image Top actors by mentions, coloured by tone (sample) did not load"]


def test_remote_images_never_load(tmp_path: Path) -> None:
    html = (
        '<html><body><img src="https://example.org/pixel.png" alt="remote (sample)" width="1"></body></html>'
    )
    assert check_mail_layout(html, {}) == ["image remote (sample) did not load"]


def test_inline_images_swaps_only_known_names() -> None:
    html = '<img src="cid:volume"><img src="cid:missing">'
    out = inline_images(html, {"volume": b"\x89PNG"})
    assert 'src="data:image/png;base64,iVBORw=="' in out
    assert 'src="cid:missing"' in out


def test_the_real_digest_with_evidence_lines_fits_600_px(tmp_path: Path) -> None:
    # The template's own HTML with every kind of evidence line, one quote an unbreakable 190-character word and
    # one link 400 characters long (tests/support/evidence_data.py: SAMPLE data).
    from newswatch.report.digest import build_digest, render_charts, render_digest
    from storage.db import Database
    from storage.store import Store
    from tests.support.coverage_data import write_settings
    from tests.support.evidence_data import D, save_history

    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        store = Store(db)
        save_history(store)
        db.execute("UPDATE sentence SET text = ? WHERE article_id = 'd2' AND idx = 0", ["Actor X " + "w" * 190])
        db.execute("UPDATE article SET url = ? WHERE article_id = 'd0'",
                   ["https://news.example.invalid/" + "long-path-" * 40])
        data = build_digest(store, settings, D)
    assert sum(1 for f in data["flags"] for e in f["evidence"] if e["show"]) >= 10
    images, charts = render_charts(data)
    rendered = render_digest(data, images=images, charts=charts)
    settings_mail = mail.EmailSettings(
        host="127.0.0.1", port=25, security="none", username=None, password_env=None, password_block=None,
        sender="digest@example.org", recipients=("alice@example.org",))
    html, received = received_html_and_images(mail.build_message(rendered, settings_mail))
    assert check_mail_layout(html, received) == []
