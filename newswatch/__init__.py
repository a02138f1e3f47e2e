"""newswatch: news monitoring with tone per sentence and per actor, stored in DuckDB."""

__version__ = "0.1.0"
