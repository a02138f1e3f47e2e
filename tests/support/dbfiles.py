"""Reading a DuckDB file the way a SQL client does (read-only, on its own), for tests that compare files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb


def all_tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the file with its rows, sorted."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()]
        return {n: sorted(con.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        con.close()


def storage_version(path: Path) -> str:
    """The file's storage format as DuckDB reports it, e.g. 'v1.5.0+'."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
        return str(row[0]["storage_version"]) if row else ""
    finally:
        con.close()


def record_publishes(monkeypatch: Any) -> list[str]:
    """From now on, how each `Database.publish_copy` made the clients' copy ("snapshot", "bytes", "export"), in
    order: the real method runs, the list only records it."""
    from storage.db import Database

    published: list[str] = []
    publish = Database.publish_copy

    def recorded(self: Database, dest: Path) -> Path:
        out = publish(self, dest)
        published.append(self.last_publish)
        return out

    monkeypatch.setattr(Database, "publish_copy", recorded)
    return published


def record_checkpoints_meanwhile(monkeypatch: Any) -> list[str]:
    """From now on, the database file of each `Database.checkpoint_meanwhile` entered, in order: the real method
    runs, the list only records it."""
    from storage.db import Database

    entered: list[str] = []
    meanwhile = Database.checkpoint_meanwhile

    def recorded(self: Database) -> Any:
        entered.append(self.path.name)
        return meanwhile(self)

    monkeypatch.setattr(Database, "checkpoint_meanwhile", recorded)
    return entered


def scalar(path: Path, sql: str) -> Any:
    """The first value of one query on the file, read as a SQL client does."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute(sql).fetchone()
        return row[0] if row else None
    finally:
        con.close()
