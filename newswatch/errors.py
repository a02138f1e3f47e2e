"""The one error root of newswatch. Only the CLI turns these into messages and exit codes.

    NewswatchError
    ├── ConfigError        a config file is missing, malformed, or has a bad key or value
    ├── StorageError       DuckDB failed (wraps duckdb.Error; raised only by storage/)
    │   └── DatabaseLocked another process holds the database file
    ├── SourceError        a feed or inbox file could not be read (recorded, never fatal to a run)
    │   ├── FetchError     HTTP-level failure; carries a kind from fetch.ERROR_KINDS
    │   └── ParseError     the bytes are not a readable feed / article
    ├── MailError          SMTP delivery failed; names the server and the cause
    └── EvalError          an evaluation input file is unreadable
"""

from __future__ import annotations


class NewswatchError(Exception):
    """Root of every error newswatch raises on purpose."""


class ConfigError(NewswatchError):
    def __init__(self, path: object, key: str | None, problem: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {problem}")


class StorageError(NewswatchError):
    pass


class DatabaseLocked(StorageError):
    pass


class SourceError(NewswatchError):
    def __init__(self, source: str, kind: str, message: str) -> None:
        self.source = source
        self.kind = kind
        self.message = message
        super().__init__(f"{source}: {kind}: {message}")


class FetchError(SourceError):
    def __init__(self, source: str, kind: str, message: str, *, retry_after: float | None = None,
                 http_status: int | None = None) -> None:
        super().__init__(source, kind, message)
        self.retry_after = retry_after
        self.http_status = http_status


class ParseError(SourceError):
    pass


class MailError(NewswatchError):
    pass


class EvalError(NewswatchError):
    pass
