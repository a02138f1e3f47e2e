"""The digest flow: compute a day's figures, render, write the files, store the digest. Orchestration only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.logs import progress
from newswatch import digest as digest_mod
from newswatch.config import Settings, load_settings
from newswatch.models import RenderedDigest
from storage.db import Database
from storage.repo import Store


@dataclass
class DigestSummary:
    digest_date: date
    html_path: str
    text_path: str
    topics: int
    articles: int
    highlights: list[str]


@task(cache_policy=NO_CACHE)
def render(data: dict, settings: Settings) -> RenderedDigest:
    images, charts = digest_mod.render_charts(data)
    return digest_mod.render_digest(data, images=images, charts=charts)


@flow(name="digest", log_prints=True)
def digest_flow(config_path: str | None = None, day: date | None = None) -> DigestSummary:
    """Build the digest for `day` (default: the configured date, else yesterday in the digest time zone)."""
    settings = load_settings(config_path)
    day = day or digest_mod.default_day(settings)
    with Database(settings.database_path, lock_timeout=60) as db:
        store = Store(db)
        db.set_meta({"timezone": settings.digest.timezone})
        run_id = store.start_run("digest")
        try:
            data = digest_mod.build_digest(store, settings, day)
            rendered = render(data, settings)
            html_path, text_path = digest_mod.write_digest(rendered, settings.output_dir)
            store.save_digest(rendered, settings.digest.timezone, data, str(html_path), str(text_path))
            store.finish_run(run_id, "ok", {}, {"digest_date": day.isoformat()})
            db.publish_copy(settings.client_copy_path)
        except BaseException as exc:
            store.finish_run(run_id, "failed", {}, {"exception": repr(exc)[:2000]})
            raise
    summary = DigestSummary(day, str(html_path), str(text_path), len(data["topics"]),
                            int(sum(t["count"]["value"] or 0 for t in data["topics"])), data["highlights"])
    progress("digest for %s written to %s", day, html_path)
    return summary

