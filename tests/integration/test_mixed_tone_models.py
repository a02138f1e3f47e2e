"""After a model update, stored actor tones come from two models until `newswatch rescore --actors` runs: the
digest must not call the difference between the models a change in coverage."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from newswatch.report.digest import build_digest, render_digest
from storage.db import Database
from storage.store import Store
from tests.support.coverage_data import generate_days, save, write_settings

START = date(2025, 1, 1)
SPIKE, SHIFT = 20, 30


def _actor(data: dict, actor_id: str) -> dict:
    return next(a for t in data["topics"] for a in t["actors"] if a["actor_id"] == actor_id)


def test_a_tone_shift_across_two_models_is_held_back_and_said_why(tmp_path: Path) -> None:
    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        store = Store(db)
        save(store, generate_days(START, SHIFT + 1, SPIKE, SHIFT))
        db.execute("UPDATE article_actor SET tone_method = 'model', tone_model = 'tone-linear-2.0'")
        shift = START + timedelta(days=SHIFT)
        # One model throughout: the planted harsh day is flagged.
        data = build_digest(store, settings, shift)
        assert _actor(data, "actor-x")["tone_flag"] == "harsher"
        assert _view(db, shift) == ("harsher", False)
        assert [m["model"] for m in data["tone_models"]] == ["tone-linear-2.0"]
        assert "rescore --actors" not in render_digest(data).text

        # The days before the shift were scored by the previous model: same figures, no flag, and a note.
        db.execute("UPDATE article_actor SET tone_model = 'tone-linear-1.0' WHERE article_id IN "
                   "(SELECT article_id FROM article WHERE published_at < ?)", [shift])
        data = build_digest(store, settings, shift)
        actor = _actor(data, "actor-x")
        assert actor["tone_flag"] is None and actor["tone_mixed_models"]
        assert actor["tone_change"] is not None and actor["tone_change"] < -0.2  # the figures still show
        assert not any(f["subject"] == actor["name"] and "turned" in f["text"] for f in data["flags"])
        assert {m["model"] for m in data["tone_models"]} == {"tone-linear-1.0", "tone-linear-2.0"}
        text = render_digest(data).text
        assert "more than one method or model" in text and "newswatch rescore --actors" in text
        # The view SQL clients read applies the same rule (migration 010).
        assert _view(db, shift) == (None, True)
        assert _view(db, shift - timedelta(days=1))[1] is False  # that day and its 7 before: all the older model

        # Rows of the earlier VADER window (migration 009 gave them the version "1"): named by their method.
        db.execute("UPDATE article_actor SET tone_method = 'vader-window', tone_model = '1' WHERE article_id IN "
                   "(SELECT article_id FROM article WHERE published_at < ?)", [shift])
        text = render_digest(build_digest(store, settings, shift)).text
        assert "(tone-linear-2.0: " in text or "tone-linear-2.0: " in text
        assert "vader-window: " in text and "(1: " not in text and ", 1: " not in text


def _view(db: Database, day: date) -> tuple[str | None, bool]:
    row = db.query_dicts("SELECT tone_flag, tone_mixed_models FROM daily_actor_tone WHERE day = ? AND actor_id = "
                         "'actor-x'", [day])[0]
    return row["tone_flag"], row["tone_mixed_models"]
