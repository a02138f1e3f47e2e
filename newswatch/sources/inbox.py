"""Read articles dropped as files into the inbox folders: text, Markdown, HTML, JSON, JSON Lines, feeds.

Never fetches anything a file points to, never executes or renders it. A file that cannot be read raises
errors.SourceError naming the file and what to fix; a bad record inside a readable file is reported as a
problem and the rest of the file still counts. Formats and fields: docs/inbox.md.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newswatch.errors import SourceError
from newswatch.models import RawEntry
from newswatch.sources.feeds import implausible_date, parse_feed
from newswatch.text.normalize import canonical_url, html_to_text

log = logging.getLogger(__name__)

INBOX_SOURCE = "inbox"
TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSON_SUFFIXES = (".json", ".jsonl")
FEED_SUFFIXES = (".xml", ".rss", ".atom")
INBOX_SUFFIXES: tuple[str, ...] = TEXT_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES + FEED_SUFFIXES
# Names that mean "still being written or a leftover": a downloader's or editor's temporary file.
PARTIAL_SUFFIXES: tuple[str, ...] = (
    ".part",
    ".partial",
    ".tmp",
    ".temp",
    ".crdownload",
    ".download",
    ".swp",
    ".swx",
    "~",
)
MAX_FILE_BYTES = 50 * 1024 * 1024
FRONT_MATTER_KEYS = ("title", "url", "outlet", "published", "language", "guid", "author")
JSON_FIELDS = (
    "title",
    "text",
    "content",
    "summary",
    "url",
    "published",
    "outlet",
    "language",
    "guid",
    "author",
)


# Markdown marks that would otherwise reach the text: images and links keep their words, emphasis and
# heading/quote markers go. Lists, paragraphs and everything else stay as written.
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_MD_LINE_MARK = re.compile(r"^(\s{0,3}#{1,6}\s+|\s{0,3}>\s?)", re.MULTILINE)


def markdown_to_text(value: str) -> str:
    """Plain text of simple Markdown: links and images keep their words; emphasis, headings, quotes unmarked."""
    value = _MD_IMAGE.sub(r"\1", value)
    value = _MD_LINK.sub(r"\1", value)
    value = _MD_EMPHASIS.sub(r"\2", value)
    return _MD_LINE_MARK.sub("", value)


@dataclass(slots=True)
class InboxRead:
    """What one inbox file yielded, and what in it could not be read (each problem names the file)."""

    path: Path
    entries: list[RawEntry]
    problems: list[str] = field(default_factory=list)
    encoding: str = "utf-8"


def _is_partial(name: str) -> bool:
    lower = name.lower()
    return lower.startswith((".", "~$", ".#")) or lower.endswith(PARTIAL_SUFFIXES)


def path_key(path: Path) -> str:
    """A file's resolved path as newswatch stores and recognises it (`inbox_file.path`, an article's origin, a seed
    file): a name that is not UTF-8 keeps its bytes as \\xNN escapes, where str() would hold lone surrogates that
    no database takes."""
    return os.fsencode(path.resolve()).decode("utf-8", "backslashreplace")


def scan_inbox(paths: list[Path], problems: list[SourceError] | None = None) -> list[Path]:
    """Inbox files under `paths` (files or folders, searched recursively), sorted and without duplicates.

    Skips hidden files and folders, files still being written (*.part, *.tmp, ...), other suffixes, and
    paths that do not exist (an inbox folder nobody has dropped anything into yet). Reported in `problems`, when
    given, and skipped: a folder that cannot be listed (`folder_unreadable`: its files would otherwise go unread
    without a word) and a symbolic link to a file outside every inbox path (`outside_inbox`: whoever may drop files
    into the inbox could have any file the run may read, such as its mail password's environment file, stored as an
    article and shown to every SQL client).
    """
    found: set[Path] = set()
    roots = [Path(root).expanduser() for root in paths]
    inside = [_resolved(root) for root in roots]
    for root in roots:
        if root.is_file():
            if root.suffix.lower() in INBOX_SUFFIXES and not _is_partial(root.name):
                found.add(root)
            continue
        if not root.is_dir():
            continue

        def unreadable(exc: OSError, root: Path = root) -> None:
            folder = Path(exc.filename) if exc.filename else root
            if problems is not None:
                problems.append(SourceError(str(folder), "folder_unreadable",
                                            f"{folder}: cannot list this inbox folder ({exc.strerror or exc}); the "
                                            "files in it are read once it can be listed"))

        for folder, subfolders, names in os.walk(root, onerror=unreadable):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
            for name in names:
                candidate = Path(folder) / name
                if _is_partial(name) or candidate.suffix.lower() not in INBOX_SUFFIXES or not candidate.is_file():
                    continue
                if candidate.is_symlink():  # os.walk never enters a linked folder: a link is a file's only way out
                    target = _resolved(candidate)
                    if not any(target == base or base in target.parents for base in inside):
                        if problems is not None:
                            problems.append(SourceError(
                                str(candidate), "outside_inbox",
                                f"{candidate}: a link to {target}, outside the inbox folders; not read (copy the file "
                                "into the inbox instead)"))
                        continue
                found.add(candidate)
    return sorted(found)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: nothing it names is read anyway
        return path.absolute()


# Failures that are not the file's content: the next run reads the file again even if it has not changed.
RETRY_KINDS = frozenset({"file_not_found", "file_unreadable"})


def _western(text: str) -> bool:
    """Letters mostly ASCII, the rest sparse (accents of French, German, Spanish...): text that Windows-1252 read
    right. Cyrillic or Greek bytes read as Windows-1252 come out as whole words of accented letters."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(1 for c in letters if ord(c) > 127) < 0.3 * len(letters)


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Bytes of a text file -> (text, encoding used). UTF-8 first (a stray byte or two replaced), then
    Windows-1252 when it reads as Western text, then charset detection, then Windows-1252 whatever it gives.

    Detection alone guesses short Western files wrong (Windows-1250 or a DOS code page for Windows-1252, a
    Japanese code page for UTF-8 with one stray byte), which garbles every accented letter."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise SourceError(
            str(path),
            "binary",
            f"{path}: looks like a binary file (NUL bytes); "
            "save it as UTF-8 text or remove it from the inbox",
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    mostly = data.decode("utf-8-sig", errors="replace")
    if mostly.count("\ufffd") <= max(1, len(mostly) // 500):  # UTF-8 with a stray byte: keep the rest as written
        return mostly, "utf-8 (undecodable bytes replaced)"
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = ""
    if _western(western):
        return western, "cp1252"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
    except Exception:  # noqa: BLE001 - detection is a nicety; cp1252 below always works
        best = None
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", errors="replace"), "cp1252"


_DATE_ONLY = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")  # 2025-05-10, or the basic form 20250510


def parse_published(value: Any, where: str, now: datetime | None = None) -> datetime:
    """An ISO 8601 date or date-time -> aware UTC datetime (naive is UTC). A date alone is noon UTC, so that it
    falls on that date in the digest's time zone wherever it is from UTC-11 to UTC+11 (midnight UTC would be the
    day before anywhere west of UTC). ValueError, naming `where`, for what is not a date, no UTC time, or a date
    the feeds' rule refuses (feeds.implausible_date: days in the future, or before 1990)."""
    if isinstance(value, datetime):
        when = value
    else:
        text = str(value).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"{where}: published {value!r} is not an ISO 8601 date such as "
                "2025-05-10 or 2025-05-10T08:30:00Z"
            ) from None
        if _DATE_ONLY.match(text):
            when = when.replace(hour=12)
    try:
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except (OverflowError, ValueError):  # 0001-01-01T00:00+01:00 has no UTC time
        raise ValueError(f"{where}: published {value!r} is out of range") from None
    why = implausible_date(when, now or datetime.now(UTC))
    if why:
        raise ValueError(f"{where}: published {value!r} is {why}")
    return when


def _front_matter(lines: list[str], path: Path, problems: list[str]) -> tuple[dict[str, str], list[str]]:
    """A leading block of `key: value` lines between two `---` lines, and the lines after it."""
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() == "---":
            break
    else:
        problems.append(f"{path}: front matter opened with '---' but never closed; read as plain text")
        return {}, lines
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or key not in FRONT_MATTER_KEYS:
            problems.append(
                f"{path}:{number}: front matter line {line.strip()[:80]!r} ignored; expected "
                f"'key: value' with key one of {', '.join(FRONT_MATTER_KEYS)}"
            )
            continue
        meta[key] = value.strip().strip("\"'")
    return meta, lines[end + 1 :]


def _entry_from_fields(
    record: dict[str, Any],
    *,
    outlet: str,
    path: Path,
    where: str,
    problems: list[str],
    body: str | None = None,
    plain: bool = False,
) -> RawEntry:
    published = None
    if record.get("published"):
        try:
            published = parse_published(record["published"], where)
        except ValueError as exc:
            problems.append(f"{exc}; first-seen time used instead")
    text = body if body is not None else str(record.get("text") or record.get("content") or "")

    def opt(key: str) -> str | None:
        value = record.get(key)
        return str(value).strip() or None if value not in (None, "") else None

    return RawEntry(
        source=INBOX_SOURCE,
        outlet=opt("outlet") or outlet,
        title=str(record.get("title") or "").strip(),
        summary=str(record.get("summary") or ""),
        content=text,
        link=opt("url"),
        guid=opt("guid"),
        published=published,
        language=(opt("language") or "").lower() or None,
        author=opt("author"),
        origin=str(path),
        text_source="file",
        plain=plain,
    )


def _read_text(text: str, path: Path, outlet: str, problems: list[str]) -> list[RawEntry]:
    meta, lines = _front_matter(text.split("\n"), path, problems)
    rest = [line.rstrip("\r") for line in lines]
    title = meta.get("title", "")
    if not title:
        while rest and not rest[0].strip():
            rest.pop(0)
        if not rest:
            raise SourceError(
                str(path),
                "empty",
                f"{path}: no headline: the first non-empty line is the headline, the lines after it the body",
            )
        title = rest.pop(0).strip()
    body = "\n".join(rest).strip()
    if path.suffix.lower() == ".md":
        title = markdown_to_text(title).strip()
        body = markdown_to_text(body)
    record: dict[str, Any] = _checked_url(dict(meta), str(path), problems)
    record["title"] = title
    return [
        _entry_from_fields(record, outlet=outlet, path=path, where=str(path), problems=problems, body=body,
                           plain=True)
    ]


def _read_html(text: str, path: Path, outlet: str, problems: list[str]) -> list[RawEntry]:
    import trafilatura  # heavy import; only needed when the inbox holds HTML

    document = None
    try:
        document = trafilatura.bare_extraction(
            text,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            # The extensive date search scans every string on the page: seconds per page for little gain.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # noqa: BLE001 - trafilatura failing is one file's problem
        problems.append(
            f"{path}: main-text extraction failed ({type(exc).__name__}: {exc}); used the whole page text"
        )
    body = (getattr(document, "text", None) or "").strip() if document is not None else ""
    title = (getattr(document, "title", None) or "").strip() if document is not None else ""
    url = (getattr(document, "url", None) or "").strip() if document is not None else ""
    date = (getattr(document, "date", None) or "") if document is not None else ""
    language = (getattr(document, "language", None) or "") if document is not None else ""
    if not title:
        title = _html_title(text)
    if not body:
        body = html_to_text(text)
    if not title:
        title = next((line for line in body.split("\n") if line.strip()), "")
    if not title and not body:
        raise SourceError(str(path), "empty", f"{path}: the HTML page has no title and no text")
    record: dict[str, Any] = {"title": title, "url": url or None, "language": language or None}
    if date:
        record["published"] = date
    return [
        _entry_from_fields(record, outlet=outlet, path=path, where=str(path), problems=problems, body=body)
    ]


def _html_title(text: str) -> str:
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(text)
    except Exception:  # noqa: BLE001 - an unparsable page simply has no title
        return ""
    found = tree.findtext(".//title")
    return " ".join(found.split()) if found else ""


def _read_records(
    records: list[tuple[str, Any]], path: Path, outlet: str, problems: list[str]
) -> list[RawEntry]:
    entries: list[RawEntry] = []
    for where, record in records:
        if not isinstance(record, dict):
            problems.append(f"{where}: expected a JSON object with a title, got {type(record).__name__}")
            continue
        title = record.get("title")
        if title is not None and not isinstance(title, str):
            problems.append(f"{where}: 'title' is a JSON {_json_type(title)}, not a string; every record needs a "
                            "headline")
            continue
        if not isinstance(title, str) or not title.strip():
            problems.append(f"{where}: 'title' is missing or empty; every record needs a headline")
            continue
        # A list or an object where a string belongs would be stored as its Python spelling ("['a', 'b']"):
        # reported and left out. Numbers are read as their digits (a numeric guid).
        odd = [k for k in JSON_FIELDS if isinstance(record.get(k), list | dict | bool)]
        if odd:
            problems.append(f"{where}: " + ", ".join(f"'{k}' is a JSON {_json_type(record[k])}" for k in odd)
                            + ", not a string: left out")
            record = {k: v for k, v in record.items() if k not in odd}
        record = _checked_url(record, where, problems)
        unknown = sorted(set(record) - set(JSON_FIELDS))
        if unknown:
            problems.append(
                f"{where}: unknown field(s) {', '.join(map(repr, unknown))} ignored; "
                f"known: {', '.join(JSON_FIELDS)}"
            )
        entries.append(_entry_from_fields(record, outlet=outlet, path=path, where=where, problems=problems))
    return entries


def _checked_url(record: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """The record without its url when that is no http(s) URL, reported: the article is then keyed by its guid or
    its text, as one without a url (a dropped url was silent before)."""
    url = record.get("url")
    if url is None or (isinstance(url, str) and (not url.strip() or canonical_url(url) is not None)):
        return record
    # A number ("url": 42) is no URL either: read as its digits, it was dropped later without a word.
    problems.append(f"{where}: 'url' {_short(str(url))!r} is not an http(s) URL: left out")
    return {k: v for k, v in record.items() if k != "url"}


def _short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[:limit] + "..."


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return {list: "list", dict: "object", int: "number", float: "number"}.get(type(value), type(value).__name__)


def _read_json(text: str, path: Path, outlet: str, problems: list[str]) -> list[RawEntry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            str(path),
            "bad_json",
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); expected one object or a list of objects",
        ) from None
    except RecursionError:
        raise SourceError(str(path), "bad_json", f"{path}: JSON nested too deeply to read") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise SourceError(str(path), "empty", f"{path}: an empty list: no records")
    records = [
        (f"{path}[{i}]" if isinstance(data, list) else str(path), item) for i, item in enumerate(items)
    ]
    entries = _read_records(records, path, outlet, problems)
    if not entries and problems:
        raise SourceError(str(path), "bad_json", "; ".join(problems[:5]))
    return entries


def _read_jsonl(text: str, path: Path, outlet: str, problems: list[str]) -> list[RawEntry]:
    records: list[tuple[str, Any]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            records.append((f"{path}:{number}", json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(
                f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno}); line skipped"
            )
        except RecursionError:
            problems.append(f"{path}:{number}: JSON nested too deeply to read; line skipped")
    entries = _read_records(records, path, outlet, problems)
    if not entries and problems:
        raise SourceError(str(path), "bad_json", f"{path}: no readable line; " + "; ".join(problems[:5]))
    return entries


def read_inbox_file_with_problems(path: Path, outlet: str) -> InboxRead:
    """Read one inbox file. Raises SourceError when nothing in it is readable; smaller problems
    (a bad JSON line, an unreadable date, a guessed encoding) come back in InboxRead.problems."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in INBOX_SUFFIXES:
        raise SourceError(
            str(path),
            "unsupported",
            f"{path}: unsupported file type {suffix or '(none)'!r}; use one of {', '.join(INBOX_SUFFIXES)}",
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise SourceError(str(path), "file_not_found", f"{path}: no such file") from None
    except OSError as exc:
        raise SourceError(
            str(path), "file_unreadable", f"{path}: cannot read ({exc.strerror or exc})"
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(str(path), "too_large", f"{path}: over {MAX_FILE_BYTES} bytes; split it")
    if not data.strip():
        raise SourceError(str(path), "empty", f"{path}: the file is empty")
    problems: list[str] = []
    if suffix in FEED_SUFFIXES:
        parsed = parse_feed(data, source=INBOX_SOURCE, outlet=outlet, url=str(path))
        if parsed.warning:
            problems.append(parsed.warning)
        return InboxRead(path=path, entries=parsed.entries, problems=problems, encoding=parsed.encoding or "")
    text, encoding = decode_text(data, path)
    if encoding.startswith("utf-8 ("):
        problems.append(f"{path}: {text.count(chr(0xFFFD))} byte(s) not UTF-8, replaced by \ufffd; the rest read as "
                        "UTF-8. Save it as UTF-8 to be sure")
    elif encoding not in ("utf-8", "utf-16"):
        problems.append(f"{path}: not UTF-8; decoded as {encoding} (guessed). Save it as UTF-8 to be sure")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if suffix in TEXT_SUFFIXES:
        entries = _read_text(text, path, outlet, problems)
    elif suffix in HTML_SUFFIXES:
        entries = _read_html(text, path, outlet, problems)
    elif suffix == ".json":
        entries = _read_json(text, path, outlet, problems)
    else:
        entries = _read_jsonl(text, path, outlet, problems)
    return InboxRead(path=path, entries=entries, problems=problems, encoding=encoding)


def read_inbox_file(path: Path, outlet: str) -> list[RawEntry]:
    """Entries of one inbox file; problems that did not stop the read are logged as warnings.
    Use read_inbox_file_with_problems to record them."""
    result = read_inbox_file_with_problems(path, outlet)
    for problem in result.problems:
        log.warning("%s", problem)
    return result.entries
