"""Turn feed bytes into RawEntry records with feedparser.

Never hands feedparser a URL or a path (it would fetch or open it): always the bytes, wrapped in a stream.
Never expands entity declarations or resolves external entities (feedparser does neither; nothing else here
parses XML).
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

try:  # feedparser's own URL join, which `_base_changed_nothing` repeats; a feedparser without it parses with the base
    from feedparser.urls import _urljoin, make_safe_absolute_uri
except ImportError:  # pragma: no cover - feedparser 6.0.11-6.0.14 have both
    _urljoin = make_safe_absolute_uri = None

from newswatch.config import FeedSettings
from newswatch.errors import ParseError
from newswatch.models import FetchResult, RawEntry
from newswatch.text.normalize import to_text

# Dates further ahead than this are a publisher's mistake (or a trick to pin an item on top): dropped.
FUTURE_TOLERANCE = timedelta(days=2)
# Dates before this are absurd for news (epoch-zero defaults, two-digit years gone wrong).
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# A gzip-compressed document handed to parse_feed (e.g. a .xml.gz in the inbox) inflates at most to this.
MAX_INFLATED = 64 * 1024 * 1024

# When feedparser falls back to windows-1252 for bytes that do not decode as declared, and charset detection
# says the bytes are one of these, the document is transcoded to UTF-8 and parsed again. Latin-script guesses
# (cp1257, iso-8859-2, ...) are not trusted over windows-1252: detectors confuse them on short texts.
REDETECT_ENCODINGS = frozenset(
    {
        "cp1251",
        "windows-1251",
        "koi8_r",
        "koi8-r",
        "koi8_u",
        "koi8-u",
        "iso8859_5",
        "iso-8859-5",
        "mac_cyrillic",
        "cp866",
        "gb2312",
        "gbk",
        "gb18030",
        "big5",
        "big5hkscs",
        "euc_jp",
        "euc-jp",
        "shift_jis",
        "cp932",
        "euc_kr",
        "euc-kr",
        "cp949",
        "cp1255",
        "windows-1255",
        "iso8859_8",
        "cp1256",
        "windows-1256",
        "iso8859_6",
        "tis_620",
        "tis-620",
        "cp874",
        "cp1253",
        "windows-1253",
        "iso8859_7",
    }
)
# What feedparser settles on when the declared encoding and UTF-8 both fail.
_FALLBACK_ENCODINGS = ("windows-1252", "cp1252", "iso-8859-1", "iso-8859-2")
_XML_DECL_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")

# An entity declaration, quote-aware (values may contain ">"). feedparser itself re-inserts "safe" ones (plain
# text values) and its loose parser expands them: a 16 KB feed declaring a 10 KB entity used 2,000 times came
# out as 20 MB of text. So every declaration is removed before feedparser sees the document.
_ENTITY_DECL = re.compile(rb"""<!ENTITY(?:[^>"']|"[^"]*"|'[^']*')*>""")
_DOCTYPE = re.compile(rb"""<!DOCTYPE(?:[^\[>"']|"[^"]*"|'[^']*')*(?:\[(?:[^\]"']|"[^"]*"|'[^']*')*\])?\s*>""")
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_WIDE_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)

# Response headers feedparser may use: the body is already decoded, so encoding/length headers would mislead it.
_PASSED_HEADERS = ("content-type", "content-location", "content-language")


@dataclass(slots=True)
class ParsedFeed:
    entries: list[RawEntry]
    warning: str | None = None
    title: str | None = None
    # feedparser's name for the format (rss20, atom10, rss10, ...); "" when it found none.
    version: str = ""
    encoding: str | None = None
    skipped: list[str] = field(default_factory=list)


def _inflate(body: bytes, source: str) -> bytes:
    """A gzip file's content, every member of it (RFC 1952 allows several, one after another); trailing bytes
    that start no member are ignored, as gzip's own reader does."""
    parts: list[bytes] = []
    produced = 0
    while body[:2] == b"\x1f\x8b":
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out = decoder.decompress(body, MAX_INFLATED + 1 - produced)
        except zlib.error as exc:
            raise ParseError(source, "malformed", f"gzip data is corrupt ({exc})") from None
        parts.append(out)
        produced += len(out)
        if produced > MAX_INFLATED:
            raise ParseError(source, "decompression_bomb", f"gzip data inflates past {MAX_INFLATED} bytes")
        if not decoder.eof:
            break  # cut short: what there is
        body = decoder.unused_data
    return b"".join(parts)


def _narrow(body: bytes) -> bytes:
    """A UTF-16/32 document that declares entities, as UTF-8 (so the declarations can be found); else as is."""
    for bom, codec in _WIDE_BOMS:
        if body.startswith(bom):
            if "<!ENTITY".encode(codec) not in body:
                return body
            try:
                text = body.decode(codec).lstrip("\ufeff")
            except UnicodeDecodeError:
                return body
            return _XML_DECL_ENCODING.sub(rb"\1\2utf-8\2", text.encode("utf-8"), count=1)
    return body


def strip_entity_declarations(body: bytes) -> tuple[bytes, int]:
    """Remove every <!ENTITY ...> from the document type declaration; references then stay literal text."""
    body = _narrow(body)
    start = body.find(b"<!DOCTYPE")
    if start < 0 or b"<!ENTITY" not in body:
        return body, 0
    first_element = _ELEMENT_START.search(body, 0, start)
    if first_element is not None:
        return body, 0  # a DOCTYPE after the root element is just text
    match = _DOCTYPE.match(body, start)
    end = match.end() if match else len(body)
    doctype, count = _ENTITY_DECL.subn(b"", body[start:end])
    return body[:start] + doctype + body[end:], count


def _redetect(body: bytes) -> tuple[bytes, str] | None:
    """UTF-8 bytes of a document in a non-Latin legacy encoding it failed to declare correctly."""
    try:
        body.decode("utf-8")
        return None  # valid UTF-8: feedparser's choice stands
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(body[:500_000]).best()
    if best is None or not best.encoding or best.encoding.lower() not in REDETECT_ENCODINGS:
        return None
    try:
        text = body.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    fixed = _XML_DECL_ENCODING.sub(rb"\1\2utf-8\2", text.encode("utf-8"), count=1)
    return fixed, best.encoding


_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_ROOT = re.compile(rb"<([A-Za-z_][\w:.-]*)")
_FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})


def _root_name(body: bytes) -> str | None:
    """Local name of the document's first element (comments and the DOCTYPE skipped), lower-cased."""
    head = _COMMENT.sub(b"", body[:65536])
    doctype = _DOCTYPE.search(head)
    match = _ROOT.search(head, doctype.end() if doctype else 0)
    if match is None:
        return None
    return match.group(1).decode("ascii", "replace").rsplit(":", 1)[-1].lower()


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:4096].lstrip().lower()
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return False
    if "html" in content_type.lower():
        return True
    return head.startswith(b"<!doctype html") or b"<html" in head


def implausible_date(when: datetime, now: datetime) -> str | None:
    """Why a publication date cannot be right (further ahead than FUTURE_TOLERANCE, or before EARLIEST), else
    None: the one rule for feeds and inbox files."""
    if when > now + FUTURE_TOLERANCE:
        return "in the future"
    if when < EARLIEST:
        return f"before {EARLIEST.year}"
    return None


def _struct_to_utc(value: Any, now: datetime) -> datetime | None:
    """feedparser's UTC struct_time -> aware datetime; None when missing or absurd."""
    if not value:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in value[:6])
        when = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return None if implausible_date(when, now) else when


# Longer than any written date ("Wednesday, 10 September 2025 23:59:59.999999 GMT+05:30" is 55): such text is left to
# feedparser alone.
MAX_DATE_CHARS = 100
# A time of day in a written date: "10:00", or an ISO 8601 hour ("2025-05-10T10Z").
_HAS_TIME = re.compile(r"\d:\d|[Tt]\d\d")


# An ISO 8601 date and time, with an offset or none (UTC): "2025-05-10T23:40:00+0530", "2025-05-10 23:40:00 +05:30".
# The spaces after the offset are matched only after an offset: two runs of spaces around an optional offset made a
# long run of spaces cost quadratic time (a pubDate of 64,000 spaces took 11 s to refuse).
_ISO_DATE_TIME = re.compile(
    r"^\s*(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}(?::\d{2})?)(?:[.,]\d+)?\s*(?:([Zz]|[+-]\d{2}(?::?\d{2})?)\s*)?$")


def _iso_date_time(match: re.Match[str]) -> datetime | None:
    """The UTC time of such a date, None when Python cannot read it (plausible or not: the caller checks)."""
    zone = (match.group(3) or "Z").upper()
    if zone != "Z":
        digits = zone[1:].replace(":", "")
        zone = f"{zone[0]}{digits[:2]}:{digits[2:] or '00'}"
    try:
        when = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}{zone.replace('Z', '+00:00')}")
        return when.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


# An RFC 822 date and time with its offset after GMT or UTC: "Sat, 10 May 2025 23:30:00 GMT+5:30", "... UTC-08:00".
_GMT_OFFSET = re.compile(r"^(.*\d:\d\d(?::\d\d)?)\s*(?:GMT|UTC|UT)\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$", re.IGNORECASE)


def _gmt_offset_date(match: re.Match[str]) -> datetime | None:
    """The UTC time of such a date, None when it is not one (plausible or not: the caller checks)."""
    hours, minutes = int(match.group(3)), int(match.group(4) or 0)
    if hours > 14 or minutes > 59:
        return None
    east = hours * 60 + minutes
    return _at_offset(match.group(1), east if match.group(2) == "+" else -east)


def _at_offset(written: str, minutes: int) -> datetime | None:
    """The UTC time of a date and time written without a zone (RFC 822, or ISO 8601) in a zone `minutes` east of
    UTC; None when it is not such a date, or has no UTC time (9999-12-31 23:59 eight hours west)."""
    try:
        when = parsedate_to_datetime(f"{written} +0000")
    except (TypeError, ValueError, IndexError, OverflowError):
        try:  # "2025-05-10 14:30:00", "2025-05-10T14:30"
            when = datetime.fromisoformat(written)
        except ValueError:
            return None
        if when.tzinfo is not None:
            return None
        when = when.replace(tzinfo=UTC)
    if when.tzinfo is None:  # email.utils read a zone of its own in `written` ("09:00:00 +02:00 GMT+2")
        return None
    try:
        return when - timedelta(minutes=minutes)
    except OverflowError:
        return None


# Time-zone abbreviations written after a date's time that feedparser does not know: it reads every one of them as
# UTC without a word. "Sat, 10 May 2025 02:30:00 IST" (21:00 UTC on 9 May) was stored at 02:30 UTC: five and a half
# hours late, on the next day in UTC, and in India on the next day for every item after 18:30 IST. Minutes east of
# UTC. Only abbreviations with one reading in news feeds, or one far more common than the others, and one offset
# since 1990 (the earliest date kept): IST is India's (+05:30; Ireland's summer time and Israel's standard time are
# also written IST, but their outlets' feeds write offsets) and GST the Gulf's (+04:00). Not here: BST (British summer
# time or Bangladesh), MSK (+04:00 all year from 2011 to 2014), and those feedparser already reads (GMT, UT, EST/EDT,
# CST/CDT, MST/MDT, PST/PDT, AST/ADT, MET/MEST, military letters). docs/schema.md names them.
ZONE_ABBREVIATIONS: dict[str, int] = {
    # South and Central Asia, the Gulf
    "IST": 330, "PKT": 300, "NPT": 345, "SLST": 330, "AFT": 270, "IRST": 210, "GST": 240,
    # East and Southeast Asia, Oceania
    "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "MYT": 480, "PHT": 480, "WIB": 420, "ICT": 420,
    "AEST": 600, "AEDT": 660, "ACST": 570, "ACDT": 630, "AWST": 480, "NZST": 720, "NZDT": 780,
    # Europe (German too), Africa
    "WET": 0, "WEST": 60, "CET": 60, "CEST": 120, "MEZ": 60, "MESZ": 120, "EET": 120, "EEST": 180,
    "WAT": 60, "CAT": 120, "SAST": 120, "EAT": 180,
    # the Americas, beyond feedparser's own
    "HST": -600, "AKST": -540, "AKDT": -480, "BRT": -180, "ART": -180,
}
_FRACTION = re.compile(r"[.,]\d+$")
# An RFC 822 or ISO 8601 date and time followed by such an abbreviation: "Sat, 10 May 2025 14:30:00 IST",
# "2025-05-10 14:30 PKT".
_NAMED_ZONE = re.compile(r"^(.*\d:\d\d(?::\d\d)?(?:[.,]\d+)?)\s*([A-Za-z]{3,4})\s*$")
# The same as Java's Date.toString() and Unix `date` write it, the abbreviation before the year: "Sat May 10
# 14:30:00 IST 2025".
_UNIX_DATE = re.compile(
    r"^[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d\d:\d\d(?::\d\d)?)\s+([A-Za-z]{3,4})\s+(\d{4})$")
# A written offset at the end of what comes before the abbreviation ("09:00:00 +05:30 IST"): the offset decides,
# read by the other patterns or feedparser, not the abbreviation.
_WRITTEN_OFFSET = re.compile(r"(?:[+-]\d{1,2}(?::?\d\d)?|\b(?:GMT|UTC|UT|Z))\s*$", re.IGNORECASE)


def _named_zone_date(written: str, zone: str) -> datetime | None:
    """The UTC time of a date and time (`written`, RFC 822 or ISO 8601) in the zone of a ZONE_ABBREVIATIONS
    abbreviation (`zone`); None when the abbreviation is not one of them, an offset is written too, or the rest is
    not a date Python can hold in UTC (plausible or not: the caller checks)."""
    minutes = ZONE_ABBREVIATIONS.get(zone.upper())
    written = _FRACTION.sub("", written.strip())  # email.utils reads no fraction of a second
    if minutes is None or _WRITTEN_OFFSET.search(written):
        return None
    return _at_offset(written, minutes)


def _feed_date(parsed: Any, written: Any, now: datetime) -> datetime | None:
    """A date feedparser read (`parsed`) from the feed's text (`written`). An ISO 8601 date and time is read here:
    feedparser takes an offset written without a colon as its hours and a misread minute ("+0530" as +05:00,
    "+0545" as +05:05), which moves items near midnight to another day in India, Nepal, Iran, Newfoundland. A date
    without a time ("Sat, 10 May 2025", "2025-05-10"), which feedparser reads as midnight UTC (the day before in
    every time zone west of UTC), is noon UTC, as in the inbox (newswatch.sources.inbox.parse_published). An offset
    written after GMT or UTC ("GMT+5:30", "UTC+05:30", "GMT-8") is read here too: feedparser reads the first as 53
    hours (the item two days early), the second as UTC and the third not at all. A time-zone abbreviation feedparser
    does not know but ZONE_ABBREVIATIONS does ("IST", "PKT", "CET"), after the time or, as Java and Unix `date` write
    it, before the year, is read here; feedparser reads it as UTC."""
    # Only a string the length of a date goes through the patterns (a feed's text is anyone's: a pubDate of 100,000
    # spaces is not a date, and no pattern should have to prove it). One Python does not read ("T24:00:00", the end
    # of the day) is left to feedparser, which does.
    own = written.strip() if isinstance(written, str) and len(written) <= MAX_DATE_CHARS else None
    if own and (iso := _ISO_DATE_TIME.match(own)) and (read := _iso_date_time(iso)):
        return None if implausible_date(read, now) else read
    if own and (gmt := _GMT_OFFSET.match(own)) and (read := _gmt_offset_date(gmt)):
        return None if implausible_date(read, now) else read
    if own and (named := _NAMED_ZONE.match(own)) and (read := _named_zone_date(named.group(1), named.group(2))):
        return None if implausible_date(read, now) else read
    if own and (unix := _UNIX_DATE.match(own)) and (
            read := _named_zone_date(f"{unix.group(2)} {unix.group(1)} {unix.group(5)} {unix.group(3)}", unix.group(4))):
        return None if implausible_date(read, now) else read
    when = _struct_to_utc(parsed, now)
    if when is None or not isinstance(written, str) or _HAS_TIME.search(written):
        return when
    when = when.replace(hour=12, minute=0, second=0)
    return None if implausible_date(when, now) else when


# Month names and abbreviations of the languages whose feeds most often write RFC 822 dates in their own words
# ("Seg, 24 Set 2018 19:42:40 -0300", "mer, 16 nov 2022 00:38:15 +0100"), which feedparser does not read: Portuguese,
# Spanish, Italian, French, German and Dutch. Keys are lower case without a final dot; no key means two months.
_MONTHS = {
    **dict.fromkeys(("jan", "janeiro", "ene", "enero", "gen", "gennaio", "janv", "janvier", "januar", "januari"), "Jan"),
    **dict.fromkeys(("fev", "fevereiro", "feb", "febrero", "febbraio", "févr", "fevr", "février", "februar",
                     "februari"), "Feb"),
    **dict.fromkeys(("mar", "março", "marco", "marzo", "mars", "mär", "mrz", "märz", "maart", "mrt"), "Mar"),
    **dict.fromkeys(("abr", "abril", "apr", "aprile", "avr", "avril"), "Apr"),
    **dict.fromkeys(("mai", "maio", "may", "mayo", "mag", "maggio", "mei"), "May"),
    **dict.fromkeys(("jun", "junho", "junio", "giu", "giugno", "juin", "juni"), "Jun"),
    **dict.fromkeys(("jul", "julho", "julio", "lug", "luglio", "juil", "juillet", "juli"), "Jul"),
    **dict.fromkeys(("ago", "agosto", "août", "aout", "aug", "augusti", "augustus"), "Aug"),
    **dict.fromkeys(("set", "setembro", "sep", "sept", "septiembre", "settembre", "septembre", "september"), "Sep"),
    **dict.fromkeys(("out", "outubro", "oct", "octubre", "ott", "ottobre", "octobre", "okt", "oktober"), "Oct"),
    **dict.fromkeys(("nov", "novembro", "noviembre", "novembre", "november"), "Nov"),
    **dict.fromkeys(("dez", "dezembro", "dic", "diciembre", "dicembre", "déc", "dec", "décembre", "dezember",
                     "december"), "Dec"),
}
_LOCAL_DATE = re.compile(r"^\s*(?:[^\W\d_]{2,10}\.?,\s*)?(\d{1,2})\.?\s+([^\W\d_]{3,10})\.?\s+(\d{4})(\s.*)?$")


_COLON_OFFSET = re.compile(r"([+-]\d\d):(\d\d)\s*$")


_ZONE_AT_END = re.compile(r"(?<=\s)([A-Za-z]{3,4})\s*$")


def _zone_as_offset(match: re.Match[str]) -> str:
    """A ZONE_ABBREVIATIONS abbreviation as an RFC 822 offset ("CET" -> "+0100"); any other text as it was."""
    minutes = ZONE_ABBREVIATIONS.get(match.group(1).upper())
    if minutes is None:
        return match.group(0)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def localized_date(value: Any, now: datetime) -> datetime | None:
    """An RFC 822 date written with another language's day and month names, which feedparser leaves unread: the
    day name dropped, the month read from `_MONTHS`, the rest (time, zone) as RFC 822. A review found every item of
    two real feeds (Portuguese, Italian) dated at the time of the run instead. A date without a time is noon UTC,
    as in the inbox. None when it is not such a date."""
    if not isinstance(value, str):
        return None
    m = _LOCAL_DATE.match(value)
    month = _MONTHS.get(m.group(2).lower()) if m else None
    if m is None or month is None:
        return None
    rest = _COLON_OFFSET.sub(r"\1\2", m.group(4) or " 12:00:00 +0000")  # "-03:00": email.utils reads "-0300"
    rest = _ZONE_AT_END.sub(_zone_as_offset, rest)  # "19:42:40 CET": email.utils reads an unknown zone as UTC
    try:
        when = parsedate_to_datetime(f"{m.group(1)} {month} {m.group(3)}{rest}")
        when = (when if when.tzinfo is not None else when.replace(tzinfo=UTC)).astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):  # one odd date must not fail the feed
        return None
    return None if implausible_date(when, now) else when


def _language(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip().replace("_", "-").lower()
    return value[:35] or None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _resolve(link: str, base: str) -> str:
    link = link.strip()
    if not link:
        return ""
    if urlsplit(base).scheme.lower() in ("http", "https") and not urlsplit(link).scheme:
        return urljoin(base, link)
    return link


def _entry(
    item: Any, feed_language: str | None, *, source: str, outlet: str, url: str, base: str, now: datetime
) -> RawEntry:
    contents = [c.get("value", "") for c in item.get("content", []) or [] if isinstance(c, dict)]
    content = max((c for c in contents if isinstance(c, str)), key=len, default="")
    content_language = next(
        (
            _language(c.get("language"))
            for c in item.get("content", []) or []
            if isinstance(c, dict) and _language(c.get("language"))
        ),
        None,
    )
    # A feed redirector's item names the publisher's own address beside its tracking link (FeedBurner's and
    # Pheedo's origLink): that one is the article's URL (its id, its page, the analyst's link).
    link = _text(item.get("feedburner_origlink")) or _text(item.get("pheedo_origlink")) or _text(item.get("link"))
    if not link:
        # An Atom entry may have links but none marked rel="alternate"; take the first one.
        for candidate in item.get("links", []) or []:
            href = _text(candidate.get("href")) if isinstance(candidate, dict) else ""
            if href:
                link = href
                break
    # dict.get: feedparser's own get() maps a missing updated_parsed to published_parsed with a warning.
    published = (_feed_date(dict.get(item, "published_parsed"), dict.get(item, "published"), now)
                 or _feed_date(dict.get(item, "updated_parsed"), dict.get(item, "updated"), now)
                 or localized_date(dict.get(item, "published"), now)
                 or localized_date(dict.get(item, "updated"), now))
    guid = _text(item.get("id")).strip() or None
    return RawEntry(
        source=source,
        outlet=outlet,
        title=_text(item.get("title")),
        summary=_text(item.get("summary")),
        content=content,
        link=_resolve(link, base) or None,
        guid=guid,
        published=published,
        language=_language(item.get("language")) or content_language or feed_language,
        author=_text(item.get("author")).strip() or None,
        origin=url,
        text_source="feed",
    )


# A character reference to a UTF-16 surrogate (&#xD800;, &#55296;): feedparser's loose parser makes it a character
# that no encoder takes and fails on the whole document.
_SURROGATE_REF = re.compile(rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}(?![0-9a-fA-F])|0*(\d{5})(?!\d))")


def _no_surrogate_refs(body: bytes) -> bytes:
    """The document with every character reference to a surrogate made U+FFFD's (the replacement character)."""
    if b"&#" not in body:
        return body

    def fix(match: re.Match[bytes]) -> bytes:
        number = match.group(1)
        if number is not None and not 0xD800 <= int(number) <= 0xDFFF:
            return match.group(0)
        return b"&#xFFFD"

    return _SURROGATE_REF.sub(fix, body)


def feedparse_document(body: bytes, headers: dict[str, str]) -> Any:
    """feedparser's parse of one document (feeds and search results), without its HTML sanitiser and its URI
    resolution inside HTML, from a stream (a str or bytes argument is a URL or a file name to feedparser).

    Every text value becomes plain text in `normalize.to_text`, which drops scripts, styles and every tag, and
    entry links are resolved by `_resolve`: feedparser's own pass over each value's HTML was thrown away and
    cost about half of its parse (bench/analysis_cost.py's figures in docs/performance.md).
    """
    return feedparser.parse(io.BytesIO(_no_surrogate_refs(body)), response_headers=headers, sanitize_html=False,
                            resolve_relative_uris=False)


# Where parse_feed's parse can leave feedparser without a base URI (`_feedparse_with_base`): the document names no
# base in an attribute (xml:base, base: feedparser reads attribute names in lower case, so the bytes are searched
# lowered) and declares no default attributes (`names_a_base`), and its bytes read ASCII as ASCII (every encoding
# here does), so that the search of the bytes is a search of the text.
_BASE_ATTRIBUTE = re.compile(rb"base\s*=")
_ASCII_READ_AS_ASCII = re.compile(r"utf-8|us-ascii|iso-8859-\d+|windows-125\d|cp125\d|koi8-[ru]|gb18030|gbk|gb2312|big5|"
                                  r"euc-jp|euc-kr")
# A guid or link element whose text does not open with http(s):// (an id such as "4956764", a relative link), or a
# link's relative href: the base would likely change it, so the document is parsed with its base at once rather
# than twice. A guess for speed only (`_base_changed_nothing` decides); each pattern opens with a literal, which re
# finds fast.
_LIKELY_RESOLVED = (re.compile(rb"<guid\b[^>]*>\s*+(?!https?://|<)"), re.compile(rb"<link\b[^>]*>\s*+(?!https?://|<)"),
                    re.compile(rb"<link\b[^>]*\bhref\s*=\s*[\"'](?!https?:)"))
_STRICT_PARSE_NOTES = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)


def names_a_base(lowered: bytes) -> bool:
    """Whether a document (its bytes lowered) may set a base of its own: a base attribute or an attribute list."""
    return _BASE_ATTRIBUTE.search(lowered) is not None or b"<!attlist" in lowered


def _base_changed_nothing(parsed: Any, base: str) -> bool:
    """Whether feedparser, given `base` (the Content-Location), would have returned the same link, id and link
    hrefs of the feed and of every entry as it did without a base (`parsed`): the only values parse_feed reads that
    feedparser resolves against its base (`resolve_relative_uris=False` leaves the HTML values alone).

    With a base, feedparser joins every start tag's base with itself, and resolves a link, a permalink id or a link's
    href `v` as `_urljoin(base, v)`; without one, as `_urljoin("", v)`, which only takes extra slashes after
    "scheme://" away (a step `_urljoin` repeats to no effect). After that the strict parser (not bozo, or bozo only
    for the content type or the encoding's name; the loose one decodes entities after resolving) changes an ASCII
    value only by an entry link's "&amp;" fix (the ISO-8859-1 round trip and cp1252 map touch other characters, and a
    value that came out ASCII went in ASCII), so when every such value read is ASCII and its own `_urljoin(base, v)`
    (`_unresolved`), the base would have given the same values. The base joined with itself must stay the same too (a
    base such as "https://host/a?" loses its "?"), so that every element sees the one base."""
    if parsed.get("bozo") and not isinstance(parsed.get("bozo_exception"), _STRICT_PARSE_NOTES):
        return False
    if not _ASCII_READ_AS_ASCII.fullmatch(str(parsed.get("encoding", "")).lower()):
        return False
    joined = make_safe_absolute_uri(base, base) or base  # the root element's base
    if (make_safe_absolute_uri(joined, joined) or joined) != joined:
        return False
    for item in [parsed.get("feed", {}) or {}, *(parsed.get("entries", []) or [])]:
        hrefs = [dict.get(link, "href") for link in dict.get(item, "links", None) or [] if isinstance(link, dict)]
        # A set: the link is most often a href, and the id too. An empty value counts: feedparser resolves an empty
        # href to the base itself.
        values = {value for value in (dict.get(item, "link"), dict.get(item, "id"), *hrefs) if isinstance(value, str)}
        if not all(_unresolved(value, joined) for value in values):
            return False
    return True


def _unresolved(value: str, base: str) -> bool:
    """Whether feedparser's resolution of `value` against `base` is `value` itself, and `value` is what it read
    (see `_base_changed_nothing`). An entry's link went through feedparser's "&amp;" and "&name;" fix after its
    resolution; a link with "&" is taken only when it has a host and no "&" in its path: the fix touches neither the
    scheme, host, "?" nor "#", so the link as read had the same parts, and the join (whose only change to such a URL
    is dropping an empty ";", "?" or "#", none here or the join would have changed `value`) left it as it was."""
    if not value.isascii() or _urljoin(base, value) != value:
        return False
    if "&" not in value:
        return True
    parts = urlsplit(value)
    return bool(parts.netloc) and "&" not in parts.path


def _feedparse_with_base(body: bytes, headers: dict[str, str]) -> Any:
    """feedparse_document(body, headers), without the Content-Location when it could change nothing read here.

    feedparser joins its base URI with every start tag's (for xml:base), a URL join per element that was 10-20% of
    its parse; the entries' links are resolved against the feed's URL by `_resolve` anyway. A document with no base
    attribute is parsed without the base first, and parsed again with it unless `_base_changed_nothing` (relative
    links and ids, odd URLs, a broken document). Same result: tests/unit/test_fast_paths.py compares both parses."""
    base = headers.get("content-location", "")
    lowered = body.lower() if base else b""
    if not base or _urljoin is None or names_a_base(lowered) or any(pattern.search(lowered) for pattern in _LIKELY_RESOLVED):
        return feedparse_document(body, headers)
    parsed = feedparse_document(body, {k: v for k, v in headers.items() if k != "content-location"})
    return parsed if _base_changed_nothing(parsed, base) else feedparse_document(body, headers)


def parse_feed(
    body: bytes,
    *,
    source: str,
    outlet: str,
    url: str,
    headers: dict[str, str] | None = None,
    language: str | None = None,
) -> ParsedFeed:
    """Parse one feed document from bytes.

    Raises ParseError(source, kind, message) with kind empty, not_a_feed, malformed, bad_encoding or
    decompression_bomb when there is nothing readable. A broken document that still yields entries
    returns them with `warning` set.
    """
    if body[:2] == b"\x1f\x8b":
        body = _inflate(body, source)
    if not body.strip():
        raise ParseError(source, "empty", f"{url}: the document is empty")
    passed = {k.lower(): v for k, v in (headers or {}).items() if k.lower() in _PASSED_HEADERS}
    if "content-location" not in passed and urlsplit(url).scheme.lower() in ("http", "https"):
        passed["content-location"] = url  # base for feedparser's relative-URI resolution
    # Without a type feedparser flags every document; a local file or a typeless reply is taken as XML.
    served_type = passed.get("content-type", "")
    if not served_type or ("charset" not in served_type.lower() and served_type.lower().startswith("text/")):
        # feedparser follows RFC 3023 (text/* without charset means US-ASCII) and flags every UTF-8 feed
        # served that way; RFC 7303 lets the XML declaration decide, which is what application/xml does.
        passed["content-type"] = "application/xml"
    body, entities_removed = strip_entity_declarations(body)
    # A stream, never bytes/str: feedparser treats a str/bytes argument as a URL or a filename to open.
    parsed = _feedparse_with_base(body, passed)
    redetected = None
    fell_back = str(parsed.get("encoding", "")).lower() in _FALLBACK_ENCODINGS
    if parsed.get("bozo") and (
        fell_back or isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride)
    ):
        redetected = _redetect(body)
        if redetected is not None:
            retry_headers = dict(passed, **{"content-type": "application/xml; charset=utf-8"})
            parsed = feedparse_document(redetected[0], retry_headers)
    now = datetime.now(UTC)
    problem = parsed.get("bozo_exception")
    # A feed served as text/html or text/plain is common and harmless once it parsed as XML.
    bozo = bool(parsed.get("bozo")) and not isinstance(problem, feedparser.NonXMLContentType)
    problem_text = f"{type(problem).__name__}: {problem}" if problem is not None else ""
    version = parsed.get("version") or ""
    feed_meta = parsed.get("feed", {}) or {}
    title = _text(feed_meta.get("title")).strip() or None
    items = parsed.get("entries", []) or []
    if not items:
        if _looks_like_html(body, served_type) and (bozo or not version):
            raise ParseError(source, "not_a_feed", f"{url}: got an HTML page, not an RSS/Atom feed")
        if not version and not body.lstrip()[:1] == b"<":
            raise ParseError(source, "not_a_feed", f"{url}: not XML at all, so not an RSS/Atom feed")
        if isinstance(problem, feedparser.CharacterEncodingUnknown):
            raise ParseError(source, "bad_encoding", f"{url}: cannot decode the document ({problem_text})")
        root = _root_name(body)
        if not version and root is not None and root not in _FEED_ROOTS:
            raise ParseError(source, "not_a_feed", f"{url}: an XML document with root <{root}>, not RSS/Atom")
        if bozo:
            raise ParseError(
                source,
                "malformed",
                f"{url}: not well-formed and no readable entries ({problem_text or 'unknown problem'})",
            )
        if not version:
            raise ParseError(source, "not_a_feed", f"{url}: no RSS, Atom or RDF structure found")
    feed_language = _language(feed_meta.get("language")) or _language(language)
    # Relative item links resolve against the feed's URL; a feed read from disk has none, so its own
    # <link> (the site) stands in.
    base = url
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        site = _text(feed_meta.get("link")).strip()
        base = site if urlsplit(site).scheme.lower() in ("http", "https") else url
    entries: list[RawEntry] = []
    skipped: list[str] = []
    for position, item in enumerate(items):
        entry = _entry(item, feed_language, source=source, outlet=outlet, url=url, base=base, now=now)
        if not (entry.link or to_text(entry.title) or to_text(entry.summary) or to_text(entry.content)):
            skipped.append(f"entry {position + 1}: no title, no visible text and no link")
            continue
        entries.append(entry)
    if bozo and items and not entries:  # cut off inside its first item: nothing readable, as broken as no items
        raise ParseError(source, "malformed",
                         f"{url}: not well-formed and no readable entries ({problem_text or 'unknown problem'})")
    warning = None
    if redetected is not None:
        note = f"{url}: bytes did not match the declared encoding; decoded as {redetected[1]} (detected)"
        warning = note if not bozo else f"{note}; {problem_text}"
    elif bozo:
        warning = f"{url}: feed is not well-formed; read {len(entries)} entries anyway ({problem_text})"
    if entities_removed:
        note = f"{entities_removed} entity declarations removed (entities are never expanded)"
        warning = f"{warning}; {note}" if warning else f"{url}: {note}"
    if skipped:
        note = f"{len(skipped)} empty entries skipped"
        warning = f"{warning}; {note}" if warning else f"{url}: {note}"
    return ParsedFeed(
        entries=entries,
        warning=warning,
        title=title,
        version=version,
        encoding=parsed.get("encoding"),
        skipped=skipped,
    )


def parse_fetch_result(result: FetchResult, feed: FeedSettings) -> ParsedFeed:
    """parse_feed for a successful fetch_feed result: the feed's name as source, its outlet and language,
    the response headers, and links resolved against the URL the body finally came from (after redirects)."""
    if result.status != "ok" or result.body is None:
        raise ValueError(f"{result.feed}: parse_fetch_result needs an ok FetchResult, got {result.status}")
    return parse_feed(
        result.body,
        source=feed.name,
        outlet=feed.outlet_name,
        url=result.final_url or result.url,
        headers=result.headers,
        language=feed.language,
    )
