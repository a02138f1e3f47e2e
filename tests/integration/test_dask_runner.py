"""The same ingest flow runs on a local Dask cluster by configuration alone ([runner] task_runner = "dask"),
and stores what the default thread runner stores."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storage.db import Database

REPO = Path(__file__).resolve().parents[2]

pytest.importorskip("prefect_dask")


def _project(folder: Path, runner: str) -> Path:
    for name in ("config", "samples"):
        shutil.copytree(REPO / name, folder / name)
    config = folder / "config" / "newswatch.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + f'\n[runner]\ntask_runner = "{runner}"\nworkers = 2\n',
        encoding="utf-8",
    )
    return config


def _stored(config: Path) -> list[tuple[object, ...]]:
    from newswatch.config import load_settings

    with Database(load_settings(config).database_path, read_only=True) as db:
        return db.query(
            "SELECT a.article_id, a.duplicate_of, round(a.tone, 6), "
            "(SELECT count(*) FROM sentence s WHERE s.article_id = a.article_id), "
            "(SELECT list(t.topic ORDER BY t.topic) FROM article_topic t WHERE t.article_id = a.article_id) "
            "FROM article a ORDER BY a.article_id"
        )


@pytest.mark.flow
@pytest.mark.slow
def test_dask_runner_stores_what_the_thread_runner_stores(prefect_engine: None, tmp_path: Path) -> None:
    from prefect_dask import DaskTaskRunner

    from flows.ingest import configured_ingest_flow
    from newswatch.config import load_settings

    dask_config = _project(tmp_path / "dask", "dask")
    thread_config = _project(tmp_path / "thread", "thread")
    flow_fn = configured_ingest_flow(load_settings(dask_config))
    assert isinstance(flow_fn.task_runner, DaskTaskRunner)
    on_dask = flow_fn(config_path=str(dask_config))
    on_threads = configured_ingest_flow(load_settings(thread_config))(config_path=str(thread_config))
    assert on_dask.articles_new > 0
    assert on_dask.counts() | {"errors": 0} == on_threads.counts() | {"errors": 0}
    assert _stored(dask_config) == _stored(thread_config)
