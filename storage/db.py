"""DuckDB behind one module: connections, append-only migrations, batched writes and the digest's queries.

This is the only module that imports duckdb. It translates duckdb.Error into newswatch's StorageError, and it
never writes row by row: every write takes a batch, in one transaction.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from newswatch.errors import DatabaseLocked, StorageError

_log = logging.getLogger("newswatch")

# Files clients open must be readable by the duckdb CLI a version behind the library (docs/schema.md).
STORAGE_COMPATIBILITY = "v1.5.0"
COPY_DUE = "client_copy_due"  # meta key set by Database.defer_copy, cleared by the next publish_copy
# DuckDB checkpoints whenever its write-ahead log passes `checkpoint_threshold` (16 MB by default, about 1,800
# articles). While an ingest stores its batches the threshold is raised to this, so a first run of thousands of
# articles checkpoints once, when it publishes, rather than every few batches (Database.checkpoints_held).
HELD_CHECKPOINT_THRESHOLD = "128MB"
_LOCK_PATTERN = re.compile(r"Could not set lock|Conflicting lock", re.IGNORECASE)
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# What a statement writes, for a snapshot (Database.start_snapshot): the table of an INSERT/UPDATE/DELETE, nothing
# for a statement that only reads or sets the session, and "unknown" for anything else (DDL, COPY, ATTACH, ...).
_TARGET = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+("?)(\w+)\1(?=[\s(]|$)',
                     re.IGNORECASE)
# CHECKPOINT is not among them: it rewrites the file being copied.
_NO_WRITE = re.compile(r"^\s*(SELECT|FROM|VALUES|SET|RESET|BEGIN|COMMIT|ROLLBACK|PRAGMA|DESCRIBE|SHOW|EXPLAIN|"
                       r"SUMMARIZE)\b", re.IGNORECASE)
_WRITE_WORD = re.compile(r"\b(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY|ATTACH|DETACH)\b", re.IGNORECASE)


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("storage").joinpath("migrations").iterdir():
        match = re.fullmatch(r"(\d{3})_(\w+)\.sql", entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def wal_path(path: Path) -> Path:
    """The write-ahead log DuckDB keeps beside a database file (`<file>.wal`)."""
    return path.with_name(path.name + ".wal")


def copy_due_path(path: Path) -> Path:
    """The mark beside a database file (`<file>.copy-due`) that says the clients' copy is behind it: made by the first
    write a connection counts in `changes`, removed once publish_copy has renamed a new copy into place. A run that
    stored articles and then failed to publish (a full disk, a read-only folder) or was killed before it published
    leaves it, so the next run publishes even when it stores nothing new. A file, not a row: the copy is a byte copy
    of the database and would carry a row."""
    return path.with_name(path.name + ".copy-due")


def _wrap(exc: duckdb.Error, path: Path, doing: str) -> StorageError:
    message = str(exc)
    if _LOCK_PATTERN.search(message):
        return DatabaseLocked(
            f"{path}: another process holds the database ({message.splitlines()[0]}). Only one newswatch "
            f"run may write at a time; SQL clients should open the read copy (newswatch info)."
        )
    return StorageError(f"{path}: {doing}: {message}")


# What DuckDB says when a checkpoint cannot start beside an open write transaction (checkpoint_meanwhile retries).
_OTHER_WRITERS = "there are other write transactions active"
CHECKPOINT_RETRY_SECONDS = 0.005


class Database:
    """A DuckDB file opened by this process. Use as a context manager; writes are batched and transactional."""

    def __init__(self, path: Path, *, read_only: bool = False, lock_timeout: float = 0.0,
                 memory_limit: str = "") -> None:
        self.path = Path(path)
        self.read_only = read_only
        # Rows this connection inserted, updated or deleted that SQL clients see (bookkeeping() writes aside):
        # the flows publish a new read copy when it is not zero.
        self.changes = 0
        self._copy_marked = False  # whether this connection made the copy-due mark since its last publish
        self._bookkeeping = 0
        self._depth = 0
        self._snapshot: _Snapshot | None = None
        self.last_publish = ""  # how the last publish_copy made the copy: "snapshot", "bytes" or "export"
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + lock_timeout
        while True:
            try:
                config: dict[str, str | bool | int | float | list[str]] = (
                    {} if read_only else {"storage_compatibility_version": STORAGE_COMPATIBILITY})
                self.con = duckdb.connect(str(self.path), read_only=read_only, config=config)
                break
            except duckdb.Error as exc:
                err = _wrap(exc, self.path, "open")
                if isinstance(err, DatabaseLocked) and time.monotonic() < deadline:
                    time.sleep(0.5)
                    continue
                raise err from None
        self.con.execute("SET TimeZone = 'UTC'")
        if memory_limit:  # checked by the config ("512MB"); DuckDB's default is 80% of the machine's memory
            self.con.execute(f"SET memory_limit = '{_sql_str(memory_limit)}'")
        if not read_only:
            self.migrate()

    # -- lifecycle -------------------------------------------------------------------------------------
    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        snapshot, self._snapshot = self._snapshot, None
        if snapshot is not None:  # started and never published (the run failed): its copy is of no use
            snapshot.discard()
        with suppress(duckdb.Error):
            self.con.close()

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        if self._snapshot is not None:
            self._snapshot.note(sql)
        try:
            if isinstance(params, dict):
                params = {k: storable(v) for k, v in params.items()}
            elif params is not None:
                params = [storable(v) for v in params]
            cur = self.con.execute(sql, params) if params is not None else self.con.execute(sql)
            self._count_write(sql, cur)
            return cur
        except duckdb.Error as exc:
            raise _wrap(exc, self.path, sql.strip().splitlines()[0][:80]) from None

    def _count_write(self, sql: str, cur: duckdb.DuckDBPyConnection) -> None:
        if _WRITE.match(sql) and not self._bookkeeping and "RETURNING" not in sql.upper():
            row = cur.fetchone()  # DuckDB answers a write with the number of rows it changed
            changed = int(row[0]) if row else 0
            self.changes += changed
            if changed and not self._copy_marked:  # inside a transaction: before it commits
                self._mark_copy_due()

    def _mark_copy_due(self) -> None:
        """Make the copy-due mark beside the database (copy_due_path), durably: the folder is synced so that the mark
        outlives a power cut as the committed write does. Best effort: a folder that takes no new file fails the
        write itself soon enough."""
        mark = copy_due_path(self.path)
        try:
            if not mark.exists():
                mark.touch()
                if os.name != "nt":
                    fd = os.open(mark.parent, os.O_RDONLY)
                    try:
                        os.fsync(fd)
                    finally:
                        os.close(fd)
        except OSError as exc:
            _log.warning("%s: cannot record that the read copy is behind the database (%s); if this run fails to "
                         "publish it, the next run that changes something does", mark, exc.strerror or exc)
            return
        self._copy_marked = True

    @contextmanager
    def bookkeeping(self) -> Iterator[None]:
        """Writes that record the run itself (runs, fetch log, when a feed was last tried): not counted in
        `changes`, so a run that wrote nothing else does not publish a new read copy."""
        self._bookkeeping += 1
        try:
            yield
        finally:
            self._bookkeeping -= 1

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.execute(sql, params).fetchall()

    def query_dicts(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[dict[str, Any]]:
        cur = self.execute(sql, params)
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        row = self.execute(sql, params).fetchone()
        return row[0] if row else None

    def query_arrays(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> dict[str, Any]:
        """The result as one numpy array per column (no Python object per row: for large numeric results)."""
        return dict(self.execute(sql, params).fetchnumpy())

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing. Nested, it joins the transaction already open (the outer one commits)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        changes = self.changes
        self.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield
        except BaseException:
            with suppress(duckdb.Error):
                self.con.execute("ROLLBACK")
            self.changes = changes
            raise
        else:
            self.execute("COMMIT")
        finally:
            self._depth = 0

    # -- schema ----------------------------------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Apply migrations not yet recorded, each in its own transaction. Returns the versions applied."""
        self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
        )
        done = {row[0] for row in self.query("SELECT version FROM schema_migrations")}
        applied = []
        for version, name, sql in _migrations():
            if version in done:
                continue
            with self.transaction():
                for statement in _split_sql(sql):
                    self.execute(statement)
                self.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, _now()])
            applied.append(version)
        return applied

    def schema_version(self) -> int:
        return int(self.scalar("SELECT coalesce(max(version), 0) FROM schema_migrations") or 0)

    # -- generic batch writes ----------------------------------------------------------------------------
    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
                    on_conflict: str = "") -> int:
        """Insert many rows in one statement, never row by row.

        The columns go to DuckDB as a dict of numpy object arrays, which it scans natively (each column's type read
        from its values, then cast to the table's): about 5x faster than passing Python lists to `unnest($n)`
        (250k sentence rows: 1.8 s -> 0.3 s), with no extra package. DuckDB finds the dict by its variable name
        in this function's frame (a replacement scan); `register` would refuse while an earlier result of the
        connection is unread."""
        if not rows:
            return 0
        cols = list(zip(*rows, strict=True))
        _newswatch_rows = {c: _object_array(values) for c, values in zip(columns, cols, strict=True)}  # noqa: F841
        names = ", ".join(columns)
        sql = f"INSERT INTO {table} ({names}) SELECT {names} FROM _newswatch_rows {on_conflict}"
        if self._snapshot is not None:  # executed here, not through execute(): the replacement scan needs this frame
            self._snapshot.note(sql)
        try:
            self._count_write(sql, self.con.execute(sql))
        except duckdb.Error as exc:
            raise _wrap(exc, self.path, sql[:80]) from None
        return len(rows)

    def update_rows(self, table: str, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
                    only_changed: bool = False) -> int:
        """Update many rows in one statement: each row is (key value, *new values of `columns`), matched on `key`.
        With `only_changed`, a row whose columns already hold those values is left alone (and not counted).

        One statement instead of one per row: the 40 feeds' states of a run took 67 ms as 80 UPDATEs and take
        a few as one per kind of change (docs/performance.md, "The fixed cost of a small run"). The values reach
        DuckDB as in `insert_rows`. Returns the rows changed. ValueError for a key given twice, or among `columns`."""
        if key in columns:
            raise ValueError(f"update_rows: the key {key!r} is also among the columns to set")
        if not rows:
            return 0
        if len({row[0] for row in rows}) < len(rows):  # DuckDB would pick one of a key's rows, and count both
            raise ValueError(f"update_rows: a {key!r} appears in more than one row")
        names = [key, *columns]
        cols = list(zip(*rows, strict=True))
        _newswatch_rows = {c: _object_array(values) for c, values in zip(names, cols, strict=True)}  # noqa: F841
        sql = (f"UPDATE {table} SET {', '.join(f'{c} = v.{c}' for c in columns)} FROM _newswatch_rows v "
               f"WHERE {table}.{key} = v.{key}")
        if only_changed:
            sql += (f" AND ({', '.join(f'{table}.{c}' for c in columns)}) IS DISTINCT FROM "
                    f"({', '.join(f'v.{c}' for c in columns)})")
        if self._snapshot is not None:  # executed here, not through execute(): the replacement scan needs this frame
            self._snapshot.note(sql)
        before = self.changes
        try:
            cur = self.con.execute(sql)
            if self._bookkeeping:
                row = cur.fetchone()
                return int(row[0]) if row else 0
            self._count_write(sql, cur)
        except duckdb.Error as exc:
            raise _wrap(exc, self.path, sql[:80]) from None
        return self.changes - before

    def set_meta(self, values: dict[str, str]) -> None:
        self.insert_rows("meta", ["key", "value"], list(values.items()),
                         on_conflict="ON CONFLICT (key) DO UPDATE SET value = excluded.value "
                                     "WHERE meta.value IS DISTINCT FROM excluded.value")

    def get_meta(self, key: str) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", [key])
        return str(value) if value is not None else None

    # -- publishing a copy for SQL clients ---------------------------------------------------------------
    def defer_copy(self) -> None:
        """Record that the clients' copy is behind this database and a later publish_copy is due. Kept in the
        database, so a process killed before it publishes leaves the next run to do it (`copy_due`).

        The checkpoint that closing the connection would make is left to that publish too (it checkpoints first):
        until then the run's writes stay in the write-ahead log, which the next open reads back. In a large store
        that checkpoint is seconds of CPU however little the run wrote (docs/performance.md)."""
        with self.bookkeeping():
            self.set_meta({COPY_DUE: "1"})
        if not self.read_only:
            self.con.execute("PRAGMA disable_checkpoint_on_shutdown")

    @contextmanager
    def checkpoints_held(self, up_to: str = HELD_CHECKPOINT_THRESHOLD) -> Iterator[None]:
        """Fewer automatic checkpoints while a run writes many batches: the threshold is raised to `up_to` and put
        back afterwards (on error too). Each checkpoint rewrites the tables' changed parts and indexes, so a long
        run into a young store paid several; its writes are just as durable in the write-ahead log meanwhile, and
        `up_to` bounds how much a reopen after a crash reads back. Does nothing while a snapshot already holds
        checkpoints off, or on a read-only connection."""
        if self.read_only or self._snapshot is not None:
            yield
            return
        before = str(self.scalar("SELECT current_setting('checkpoint_threshold')"))
        self.execute(f"SET checkpoint_threshold = '{_sql_str(up_to)}'")
        try:
            yield
        finally:
            if self._snapshot is None:  # a snapshot started meanwhile puts the threshold back when it ends
                with suppress(duckdb.Error):
                    self.con.execute(f"SET checkpoint_threshold = '{_sql_str(before)}'")

    @contextmanager
    def one_thread(self) -> Iterator[None]:
        """DuckDB works with one thread, and goes back to its setting afterwards (on error too). The setting is the
        database instance's, so every connection of this process to this file reads it meanwhile (a run has one):
        while a run stores batches its scoring processes keep every core busy, and a second DuckDB thread costs CPU
        there without making the inserts faster: replaying the full bench's first-run inserts (20 batches, every
        content table) took 1.63-1.84 s of CPU with one thread against 1.85-1.92 s with two, and no more time
        (docs/performance.md). The rows and their order are the same (tests/unit/test_fast_paths.py)."""
        before = str(self.scalar("SELECT current_setting('threads')"))
        self.execute("SET threads = 1")
        try:
            yield
        finally:
            with suppress(duckdb.Error):
                self.con.execute(f"SET threads = {int(before)}")

    @contextmanager
    def checkpoint_meanwhile(self) -> Iterator[None]:
        """Checkpoint the database on a thread of its own while the block runs; the block's end waits for it.

        For a caller about to publish the clients' copy (`publish_copy` checkpoints first) with Python work to do
        before that (the ingest's stories): DuckDB's checkpoint runs in C++ without Python's lock, so it takes a core
        the Python work leaves idle, and the publish then checkpoints only what the block wrote. It runs on a second
        connection to the same database. The block's reads go on meanwhile; a write waits for the checkpoint to end
        (one that committed first is folded in, a commit made during it goes to DuckDB's log, `<file>.wal` or, while
        the checkpoint runs, `<file>.wal.checkpoint`). The block must not checkpoint itself (DuckDB refuses a second
        checkpoint while one runs): no `publish_copy` or `start_snapshot` inside it.

        A write transaction of the block's that updates rows keeps the checkpoint from starting (DuckDB refuses it
        then): it is tried again every CHECKPOINT_RETRY_SECONDS until it starts or the block ends, and a block that
        ends first leaves it to the publish. A checkpoint that fails (a full disk) invalidates the database in
        DuckDB: the block's next statement fails with the cause, and a block that completed raises it as a
        StorageError at its end. The thread is always waited for, on an interrupt too, so the connection is never
        closed under it. Does nothing on a read-only connection or while a snapshot holds checkpoints off."""
        if self.read_only or self._snapshot is not None:
            yield
            return
        try:
            cursor = self.con.cursor()
        except duckdb.Error as exc:
            raise _wrap(exc, self.path, "CHECKPOINT") from None
        failed: list[BaseException] = []
        ended = threading.Event()

        def work() -> None:
            while True:
                try:
                    cursor.execute("CHECKPOINT")
                    return
                except duckdb.TransactionException as exc:
                    # DuckDB refuses to start a checkpoint while a write transaction that updated rows or the
                    # catalog is open (the block's own, begun first: a bench's rerun marked its stories done as the
                    # thread started). Nothing was written: try again once it ends, until the block ends; the
                    # publish after the block checkpoints what is left then, as it did before.
                    if _OTHER_WRITERS not in str(exc):
                        failed.append(exc)
                        return
                    if ended.wait(CHECKPOINT_RETRY_SECONDS):
                        return
                except BaseException as exc:  # handed to the caller's thread below
                    failed.append(exc)
                    return

        thread = threading.Thread(target=work, name="newswatch-checkpoint", daemon=True)
        try:
            thread.start()  # inside: an interrupt right after it still ends the thread's retries and waits for it
            yield
        finally:
            ended.set()
            _join_always(thread)
            with suppress(duckdb.Error):
                cursor.close()
        if failed:
            error = failed[0]
            raise (_wrap(error, self.path, "CHECKPOINT") if isinstance(error, duckdb.Error) else error) from None

    @property
    def copy_due(self) -> bool:
        """Whether a run deferred the clients' copy, or changed the database and did not publish (it failed or was
        killed first), and no publish_copy has made the copy since."""
        return self.get_meta(COPY_DUE) is not None or copy_due_path(self.path).exists()

    def start_snapshot(self, dest: Path, tables: Iterable[str]) -> bool:
        """Start the next `publish_copy(dest)` now: checkpoint, then byte-copy the file on a thread while the caller
        goes on reading and writing. `publish_copy` then only brings `tables` (small ones the caller writes, such as
        the digest's) up to date in that copy before renaming it into place, instead of copying every table after
        the run's work. If anything else was written meanwhile, or the copy failed, `publish_copy` makes a whole
        copy as before: the published file is the same either way.

        Returns False (and does nothing) when the file is not in the clients' storage format, a transaction is open,
        this connection is read-only, or the copy's folder cannot be made (publish_copy then says so). Automatic checkpoints are held off until the copy is published or dropped,
        so the file does not change under the copying thread (writes meanwhile stay in the write-ahead log)."""
        if self.read_only or self._depth or self._snapshot is not None:
            return False
        if not self._storage_version().startswith(STORAGE_COMPATIBILITY):
            return False
        dest = Path(dest)
        _not_the_database(dest, self.path)
        try:
            _copy_folder(dest)
        except StorageError:  # publish_copy says so, once the caller's work is stored
            return False
        threshold = str(self.scalar("SELECT current_setting('checkpoint_threshold')"))
        self.execute("CHECKPOINT")
        self.execute("SET checkpoint_threshold = '1TB'")
        self._snapshot = _Snapshot(self.path, dest, _temp_name(dest), frozenset(tables), threshold)
        return True

    def publish_copy(self, dest: Path) -> Path:
        """Write a consistent snapshot to `dest` atomically (temp file, then rename).

        Readers that hold the old file keep their open handle on the old inode; the next open sees the new file.
        After `start_snapshot(dest, ...)`, the copy started then is brought up to date and used when it can be.
        """
        dest = Path(dest)
        _not_the_database(dest, self.path)
        _copy_folder(dest)
        if self.copy_due:  # this copy is the one deferred: cleared first, so the copy does not carry the mark
            with self.bookkeeping():
                self.execute("DELETE FROM meta WHERE key = ?", [COPY_DUE])
        snapshot, self._snapshot = self._snapshot, None
        ready = self._finish_snapshot(snapshot, dest) if snapshot is not None else None
        tmp = ready or _temp_name(dest)
        stamp = int(time.time() * 1000)
        for pattern in (f".{dest.name}.*.tmp", f".{dest.name}.*.tmp.wal"):  # a run killed while copying
            for leftover in dest.parent.glob(pattern):
                if leftover != ready:
                    leftover.unlink(missing_ok=True)
        for pattern in (f".{dest.name}.*.old", f".{dest.name}.*.client.wal"):  # a crash's, or still being removed
            for replaced in dest.parent.glob(pattern):
                _discard_later(replaced)
        if ready is None:
            self.execute("CHECKPOINT")
        try:
            if ready is not None:
                self.last_publish = "snapshot"  # brought up to date by _finish_snapshot
            elif self._storage_version().startswith(STORAGE_COMPATIBILITY):
                # Checkpointed and already in the clients' format: a byte copy is a consistent snapshot and costs
                # disk bandwidth, where COPY FROM DATABASE re-encodes every table (minutes at a million articles).
                copy_held_file(self.path, tmp)
                self.last_publish = "bytes"
            else:
                self.last_publish = "export"
                alias = quote_identifier("publish_" + format(abs(hash(tmp)) % 10**8, "d"))
                self.execute(f"ATTACH '{_sql_str(tmp)}' AS {alias} (STORAGE_VERSION '{STORAGE_COMPATIBILITY}')")
                try:
                    self.execute(f"COPY FROM DATABASE {quote_identifier(self._catalog())} TO {alias}")
                finally:
                    self.execute(f"DETACH {alias}")
            _read_only_file(tmp)
            old = _keep_old(dest, dest.with_name(f".{dest.name}.{stamp}.old"))
            _drop_client_wal(dest, stamp)
            tmp.replace(dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        with suppress(OSError):  # the copy is in place: it holds every change so far (a later one marks again)
            copy_due_path(self.path).unlink(missing_ok=True)
        self._copy_marked = False
        if old is not None:
            _discard_later(old)
        return dest

    def _finish_snapshot(self, snapshot: _Snapshot, dest: Path) -> Path | None:
        """The snapshot's copy with the tables written since it started brought up to date, ready to rename into
        place; None (its file removed) when it cannot stand for a whole copy."""
        try:
            copied = snapshot.wait()
            usable = (copied and snapshot.dest == dest and snapshot.unknown is None
                      and snapshot.written <= snapshot.tables)
            if not usable:
                snapshot.discard()
                return None
            tmp = snapshot.tmp
            alias = quote_identifier("snapshot_" + format(abs(hash(tmp)) % 10**8, "d"))
            main = quote_identifier(self._catalog())
            self.execute(f"ATTACH '{_sql_str(tmp)}' AS {alias}")
            try:
                with self.bookkeeping(), self.transaction():
                    for table in sorted(snapshot.written):
                        name = quote_identifier(table)
                        self.execute(f"DELETE FROM {alias}.{name}")
                        self.execute(f"INSERT INTO {alias}.{name} SELECT * FROM {main}.{name}")
                self.execute(f"CHECKPOINT {alias}")
            finally:
                self.execute(f"DETACH {alias}")
            if wal_path(tmp).exists():  # never expected after CHECKPOINT and DETACH
                snapshot.discard()
                return None
            return tmp
        except BaseException:
            snapshot.discard()
            raise
        finally:
            with suppress(duckdb.Error):
                self.con.execute(f"SET checkpoint_threshold = '{_sql_str(snapshot.threshold)}'")

    def _catalog(self) -> str:
        return str(self.scalar("SELECT current_database()"))

    def _storage_version(self) -> str:
        """The file's storage format, e.g. 'v1.5.0+' ('' when DuckDB does not say)."""
        value = self.scalar("SELECT tags['storage_version'] FROM duckdb_databases() "
                            "WHERE database_name = current_database()")
        if isinstance(value, list):  # older DuckDB returned map lookups as lists
            value = value[0] if value else None
        return str(value or "")


def copy_is_recent(path: Path, minutes: int, now: float | None = None) -> bool:
    """Whether the clients' copy at `path` was written less than `minutes` ago (never when `minutes` is 0, the
    copy is missing, or its time stamp lies in the future, as after a clock change)."""
    if minutes <= 0:
        return False
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except FileNotFoundError:
        return False
    return 0 <= age < minutes * 60


_COPY_IN_CHILD = "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])"


def copy_held_file(source: Path, dest: Path) -> None:
    """Byte-copy a database file this process holds open, without giving up DuckDB's lock on it.

    On POSIX systems DuckDB locks the file with a record lock (fcntl), and the kernel drops a process's record locks
    on a file when that process closes any descriptor of it: a copy read from this process (shutil.copyfile opens and
    closes the file) let another process open the database while this one still wrote to it. A child process's
    descriptors are its own, so the copy is read there. Windows locks belong to the handle that took them, so there
    the copy is read in place. Raises StorageError naming the cause (a full disk, say) when the copy fails."""
    if os.name == "nt":  # pragma: no cover - not run here
        try:
            shutil.copyfile(source, dest)
        except OSError as exc:
            raise StorageError(f"{dest}: cannot write the copy for SQL clients: {exc.strerror or exc}") from None
        return
    done = subprocess.run([sys.executable or "python3", "-I", "-S", "-c", _COPY_IN_CHILD, str(source), str(dest)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        cause = lines[-1] if lines else f"the copying process ended with {done.returncode}"
        raise StorageError(f"{dest}: cannot write the copy for SQL clients: {cause}")


def _join_always(thread: threading.Thread) -> None:
    """Wait for the thread to end; an interrupt meanwhile (Ctrl-C, a termination signal) is raised once it has."""
    interrupted: BaseException | None = None
    while thread.is_alive():
        try:
            thread.join()
        except BaseException as exc:  # keep waiting: the thread uses this process's connection
            interrupted = interrupted or exc
    if interrupted is not None:
        raise interrupted


def _temp_name(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.{time.time_ns()}.tmp")


class _Snapshot:
    """A byte copy of a checkpointed database file, made on a thread, and what was written to the database since."""

    def __init__(self, source: Path, dest: Path, tmp: Path, tables: frozenset[str], threshold: str) -> None:
        self.dest, self.tmp, self.tables, self.threshold = dest, tmp, tables, threshold
        self.written: set[str] = set()
        self.unknown: str | None = None  # the first statement whose writes cannot be told
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._copy, args=(source,), name=f"snapshot {dest.name}", daemon=True)
        self._thread.start()

    def _copy(self, source: Path) -> None:
        try:
            copy_held_file(source, self.tmp)
        except BaseException as exc:  # reported by wait(); publish_copy then makes a whole copy
            self._error = exc

    def note(self, sql: str) -> None:
        """Record what `sql` writes, before it runs."""
        target = _TARGET.match(sql)
        if ";" in sql.strip().rstrip(";"):  # several statements: not read here
            self.unknown = self.unknown or sql.strip()[:80]
        elif target:
            self.written.add(target.group(2).lower())
        elif not _NO_WRITE.match(sql) and (sql.lstrip()[:4].upper() != "WITH" or _WRITE_WORD.search(sql)):
            self.unknown = self.unknown or sql.strip()[:80]

    def wait(self) -> bool:
        """Wait for the copy; True when it completed."""
        self._thread.join()
        return self._error is None

    def discard(self) -> None:
        self._thread.join()
        self.tmp.unlink(missing_ok=True)
        wal_path(self.tmp).unlink(missing_ok=True)  # the ATTACH that brings the copy up to date may leave one


def _copy_folder(dest: Path) -> None:
    """Make the read copy's folder; a StorageError naming it when it cannot be made (a file in its place, a folder
    that takes no new entry), as for a copy that cannot be written: the digest is then stored and mailed first."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"{dest.parent}: cannot make the folder of the copy for SQL clients "
                           f"({exc.strerror or exc})") from None


def _not_the_database(dest: Path, database: Path) -> None:
    """The read copy must be another file than the database (the config checks it too): publishing over the working
    file would make it read-only, and probing the copy's lock would give up DuckDB's own lock on it."""
    try:
        same = dest.resolve() == database.resolve() or (dest.exists() and os.path.samefile(dest, database))
    except OSError:
        same = False
    if same:
        raise StorageError(f"{dest}: the read copy for SQL clients cannot be the database itself")


def _read_only_file(path: Path) -> None:
    """Make the copy read-only on disk (its write bits cleared on POSIX systems; who may read it stays as the umask
    made it), so a client that opens it read-write, as some SQL tools do by default, is refused at once instead of
    writing a log beside it. Windows is left alone: there a read-only file cannot be replaced by the next copy."""
    if os.name != "nt":
        with suppress(OSError):
            path.chmod(path.stat().st_mode & ~0o222 & 0o7777)


def _held_for_writing(path: Path) -> bool:
    """Whether a process holds DuckDB's write lock on `path` (a client that opened the copy read-write: DuckDB
    takes an exclusive POSIX record lock, read-only openers a shared one). Asked with a shared lock of our own,
    taken without waiting and let go at once; this process holds no lock on the copy, so closing loses none."""
    if os.name == "nt":  # pragma: no cover - not run here
        return False
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _drop_client_wal(dest: Path, stamp: int) -> None:
    """Remove a write-ahead log beside the clients' copy before the new copy takes its place.

    newswatch never writes to the copy, so such a log is a client's that opened the copy read-write and wrote to it.
    Left beside the new copy it belongs to another file with the same identity: DuckDB then refuses to open the new
    copy ("WAL checkpoint iteration does not match") for every client, or replays the stale log into it. A client
    that still holds the copy open read-write (only root gets past the copy's file mode) writes its log by name
    again when it next writes, beside the new copy; that cannot be prevented from here, so it is logged, and the
    next copy after the client has gone is clean."""
    if _held_for_writing(dest):
        _log.warning("%s: a client holds the read copy open read-write; when it writes again, other clients may "
                     "fail to open the new copy until it closes: open the copy read-only (docs/deploy.md, "
                     "Troubleshooting)", dest)
    wal = wal_path(dest)
    if not wal.exists():
        return
    aside = dest.with_name(f".{dest.name}.{stamp}.client.wal")
    try:
        wal.replace(aside)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StorageError(f"{wal}: a client wrote to the read copy (it must be opened read-only), and its log "
                           f"cannot be moved out of the way of the new copy: {exc.strerror or exc}") from None
    _log.warning("%s: removed the write-ahead log a client left beside the read copy (it opened the copy "
                 "read-write and wrote to it; open it read-only: docs/deploy.md)", wal)
    _discard_later(aside)


def _keep_old(dest: Path, old: Path) -> Path | None:
    """A second name for the copy about to be replaced, so the rename does not free it on this thread.

    Freeing a file's blocks and cached pages takes seconds at a few GB (about 2 s for 4 GB here: docs/performance.md)
    and nothing waits for it: readers that hold the old copy keep their own handle either way. None when there is
    no copy yet or the file system has no hard links (the rename then frees it, as before)."""
    try:
        old.hardlink_to(dest)
    except FileNotFoundError:
        return None
    except OSError:
        old.unlink(missing_ok=True)
        return None
    return old


_DISCARDING: set[Path] = set()  # replaced copies a thread of this process is removing
_DISCARDING_LOCK = threading.Lock()


def _discard_later(old: Path) -> None:
    """Remove a replaced copy on a thread of its own (not a daemon: the process waits for it before exiting), once
    per file however often it is asked for; one a crash left behind is handed here by the next publish_copy."""
    with _DISCARDING_LOCK:
        if old in _DISCARDING:
            return
        _DISCARDING.add(old)

    def discard() -> None:
        try:
            with suppress(OSError):  # what cannot be removed now is tried again by the next publish_copy
                old.unlink(missing_ok=True)
        finally:
            with _DISCARDING_LOCK:
                _DISCARDING.discard(old)

    threading.Thread(target=discard, name=f"discard {old.name}").start()


def local_day_sql(column: str = "a.published_at", tz_param: str = "$tz") -> str:
    """SQL for the local calendar day of a UTC timestamp column in the time zone bound to `tz_param`.

    The Python side of the same rule is newswatch.report.days (day bounds); tests check they agree.
    """
    return f"CAST(timezone({tz_param}, {column}) AS DATE)"


def quote_identifier(name: str) -> str:
    """A catalog, table or column name as a quoted SQL identifier ("newswatch-prod" is not a bare name)."""
    return '"' + name.replace('"', '""') + '"'


def _sql_str(path: Path | str) -> str:
    return str(path).replace("'", "''")


def _split_sql(sql: str) -> list[str]:
    """Split a migration file into statements (no semicolons inside our string literals)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _now() -> datetime:
    return datetime.now(UTC)


def to_json(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def chunked(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# Half a UTF-16 pair: Python strings may hold one (a JSON escape, a file name that is not UTF-8), DuckDB refuses it
# and the refusal aborts the whole transaction.
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(value: Any) -> Any:
    """A string with each lone surrogate as U+FFFD (the replacement character); any other value as it is."""
    if isinstance(value, str) and _SURROGATE.search(value):
        return _SURROGATE.sub("\ufffd", value)
    return value


def _encodable(values: Sequence[Any]) -> bool:
    """Whether every string among `values` encodes as UTF-8 (checked in one pass in C over their join)."""
    try:
        "".join(values).encode("utf-8")
    except TypeError:  # not all strings (numbers, None, ...): join the strings alone
        try:
            "".join(v for v in values if type(v) is str).encode("utf-8")
        except UnicodeEncodeError:
            return False
    except UnicodeEncodeError:
        return False
    return True


def _object_array(values: Sequence[Any]) -> Any:
    """One column as a 1-d numpy array of Python objects (np.array would nest tuples or lists as dimensions);
    lone surrogates in its strings become U+FFFD."""
    out = np.empty(len(values), dtype=object)
    out[:] = values if _encodable(values) else [storable(v) for v in values]
    return out
