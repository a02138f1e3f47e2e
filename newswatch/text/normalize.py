"""Turn RawEntry records into Articles: plain text, canonical URLs, stable ids and content hashes.

Pure functions, no I/O. HTML is read with the stdlib parser (never regex) and never fetched or rendered.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import re
import unicodedata
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from newswatch.models import Article, RawEntry, TextSource
from newswatch.text.language import stored_language

MAX_TITLE = 1000
MAX_TEXT = 200_000
MAX_SUMMARY = 20_000
MAX_GUID = 2000
MAX_INPUT = 10 * MAX_TEXT  # characters of a raw field read at all

# Query parameters that only track the reader. Matched case-insensitively; the prefixes end in "_".
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ocid",
        "cmpid",
        "cmp",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "smid",
        "smtyp",
        "_ga",
        "_gl",
        "ito",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "mkt_tok",
        "spm",
        "sr_share",
        "__twitter_impression",
        # campaign tags news sites put on feed links: WebTrends, the New York Times' feeds, AT Internet, Yahoo
        "wt.mc_id",
        "wt_mc",
        "wt.mc_ev",
        "emc",
        "partner",
        "xtor",
        "ncid",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "soc_src",
        "soc_trk",
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "at_", "pk_", "mtm_", "hsa_", "vero_")
_DEFAULT_PORTS = {"http": 80, "https": 443}

_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "listing",
        "main",
        "nav",
        "ol",
        "p",
        "plaintext",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
        "xmp",
    }
)
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "applet"}
)
_VOID_TAGS = frozenset(
    {
        "br",
        "hr",
        "img",
        "input",
        "meta",
        "link",
        "area",
        "base",
        "col",
        "embed",
        "source",
        "track",
        "wbr",
        "param",
    }
)
# Runs of spaces become one space. Both patterns skip a lone " " (replacing it by itself is most of the
# matches in running text): the same output in half the time (tests/unit/test_normalize.py). Each of these patterns
# (and _ANY_SPACE below) opens with one character class, so that re skips from whitespace to whitespace in C instead
# of trying the pattern at every character; the rest is the plain pattern, lookbehinds reading that first
# character. As written before: _SPACES (?: [^\S\n]|[^\S\n ])[^\S\n]*, _NEWLINES \s*\n\s* (a whitespace run holding
# a line break), _ANY_SPACE (?: \s|[^\S ])\s*; the same matches in 10-25% less time each.
_SPACES = re.compile(r"[^\S\n](?:(?<= )[^\S\n]|(?<! ))[^\S\n]*")
_NEWLINES = re.compile(r"\s(?:(?<=\n)|[^\S\n]*\n)\s*")
# C0/C1 controls and other invisible format characters that break text processing; \n and \t stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff\ufffe\uffff]")
# A value is read as HTML only when it holds a real HTML tag or comment: plain text such as "a<b" or
# "Name <name@example.org>" must keep its characters and line breaks. Every element of HTML, obsolete ones
# included: feeds are parsed without feedparser's sanitiser (sources/feeds.py), so a value whose only markup is
# <marquee> or <applet> must still be read as HTML here.
_HTML_TAGS = (
    "a|abbr|acronym|address|applet|area|article|aside|audio|b|base|basefont|bdi|bdo|bgsound|big|blink|"
    "blockquote|body|br|button|canvas|caption|center|cite|code|col|colgroup|data|datalist|dd|del|details|dfn|"
    "dialog|dir|div|dl|dt|em|embed|fieldset|figcaption|figure|font|footer|form|frame|frameset|h[1-6]|head|"
    "header|hgroup|hr|html|i|iframe|ilayer|img|input|ins|isindex|kbd|keygen|label|layer|legend|li|link|listing|"
    "main|map|mark|marquee|math|menu|meta|meter|nav|nobr|noembed|noframes|noscript|object|ol|optgroup|option|"
    "output|p|param|picture|plaintext|pre|progress|q|rp|rt|ruby|s|samp|script|search|section|select|slot|small|"
    "source|span|strike|strong|style|sub|summary|sup|svg|table|tbody|td|template|textarea|tfoot|th|thead|time|"
    "title|tr|track|tt|u|ul|var|video|wbr|xmp"
)
_TAG = re.compile(rf"<!--|<!doctype\s|</?(?:{_HTML_TAGS})(?=[\s/>])", re.IGNORECASE)
# Marks a block boundary while parsing; source newlines inside HTML text are plain whitespace.
_BREAK = "\ue000"
_ANY_SPACE = re.compile(r"\s(?:(?<= )\s|(?<! ))\s*")  # \s+ but a lone " " (see _SPACES)


_WORD = re.compile(r"\w+")
# Link lines feeds end or pad items with: "Continue reading...", "Read full article >>" (a block that is one link,
# at the end of the text), and "Related: <another article's headline>" (a link after one of LINK_LINE_LABELS and a
# colon, anywhere; "Update: <a>...</a>" is content and stays). They are navigation, not the article: a review found one
# in 86 of 262 real feed items, some carrying another article's headline and actors into the text. A link of more
# words than LINK_LINE_WORDS is kept (running text), and so is a link-only block inside the text (a list of links).
LINK_LINE_LABELS = frozenset({"related", "see also", "also read", "read also", "read more", "more", "recommended",
                              "more on this story", "more on this", "watch", "listen", "read"})
LINK_LINE_WORDS = 20


class _TextExtractor(HTMLParser):
    """Collects text, dropping scripts/styles and link lines, turning block elements into line breaks."""

    def __init__(self, drop_link_lines: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.drop_link_lines = drop_link_lines
        self.parts: list[str] = []
        self.skipping: list[str] = []  # open elements whose content is dropped
        self.pre = 0
        self.links = 0  # <a> elements open
        self.block = 0  # where the current block's parts begin
        self.link_words = 0  # the current block's words inside links
        self.label: list[str] = []  # the current block's text outside links
        self.link_lines: list[tuple[int, int, bool]] = []  # (start, end, labelled) of each link line's parts

    def _end_block(self) -> None:
        if self.drop_link_lines and 0 < self.link_words <= LINK_LINE_WORDS:  # most blocks have no link
            label = "".join(self.label)
            other_words = len(_WORD.findall(label))
            labelled = label.strip().lower().rstrip(":").strip() in LINK_LINE_LABELS and label.strip().endswith(":")
            if labelled or other_words == 0:
                self.link_lines.append((self.block, len(self.parts), labelled))
        self.parts.append(_BREAK)
        self.block = len(self.parts)
        self.link_words = 0
        self.label = []
        self.links = 0  # a link left open does not run on into the next block

    def text_parts(self) -> list[str]:
        """The parts without the link lines: labelled ones anywhere, unlabelled ones at the end of the text (nothing
        visible after them but other dropped link lines). Linear in the parts however many link lines there are."""
        if not self.link_lines:
            return self.parts
        n = len(self.parts)
        next_content = [n] * (n + 1)  # next_content[i]: the first part at or after i with visible text
        for i in range(n - 1, -1, -1):
            part = self.parts[i]
            next_content[i] = i if part != _BREAK and part.strip() else next_content[i + 1]
        keep = [True] * n
        tail = n  # nothing visible from here on is kept
        for start, end, labelled in reversed(self.link_lines):
            trailing = next_content[end] >= tail
            if labelled or trailing:
                keep[start:end] = [False] * (end - start)
                if trailing:
                    tail = start
        return [part for part, kept in zip(self.parts, keep, strict=True) if kept]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.skipping.clear()  # a <head> left open must not swallow the page
        if tag in _SKIP_TAGS and tag not in _VOID_TAGS:
            self.skipping.append(tag)
        elif tag == "br":
            self.parts.append(_BREAK)
        elif tag in _BLOCK_TAGS:
            self._end_block()
            self.pre += tag == "pre"
        elif tag == "a":
            self.links += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":  # a line break inside a paragraph: not the end of a block (a link may go on after it)
            self.parts.append(_BREAK)
        elif tag in _BLOCK_TAGS:
            self._end_block()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipping:
            del self.skipping[len(self.skipping) - 1 - self.skipping[::-1].index(tag) :]
        elif tag in _BLOCK_TAGS:
            self._end_block()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag == "a":
            self.links = max(0, self.links - 1)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            data = data.replace(_BREAK, "")
            if self.links:
                self.link_words += len(_WORD.findall(data))
            else:
                self.label.append(data)
            # Inside <pre> line breaks are content; elsewhere they are just whitespace.
            self.parts.append(data.replace("\n", _BREAK) if self.pre else data)

    def close(self) -> None:
        super().close()
        self._end_block()


def clean_text(value: str) -> str:
    """Drop control characters (keeping newlines and tabs), collapse spaces, keep one newline per break."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = _CONTROL.sub("", value)
    if _collapses(value, line_breaks=False):
        value = _SPACES.sub(" ", value)
    if "\n" in value:  # every match of _NEWLINES holds a line break
        value = _NEWLINES.sub("\n", value)
    return value.strip()


# Whitespace other than " " (and other than " " and "\n"), as re's \s reads it: in ASCII these characters, elsewhere
# the patterns.
_ASCII_OTHER_SPACES = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"
_OTHER_SPACE = {True: re.compile(r"[^\S ]"), False: re.compile(r"[^\S\n ]")}


def _collapses(value: str, line_breaks: bool) -> bool:
    """Whether `_ANY_SPACE.sub(" ", value)` (line_breaks) or `_SPACES.sub(" ", value)` (not) can change `value`.

    Both patterns match every run of whitespace (but line breaks, for _SPACES) except a lone " ", and put a " " in its
    place: the value stays the same exactly when it has no "  " and no whitespace character other than " " (and
    "\n"). Most values (every title, most summaries and texts) have neither; looking for two spaces and, when nothing
    outside ASCII but the parser's block marks, for each of the few other whitespace characters is a few scans in C,
    where the patterns try a match at every space of the text (tests/unit/test_fast_paths.py compares them)."""
    if "  " in value:
        return True
    if value.isascii() or value.replace(_BREAK, "").isascii():  # no whitespace outside ASCII
        return any(ch in value for ch in _ASCII_OTHER_SPACES) or (line_breaks and "\n" in value)
    return _OTHER_SPACE[line_breaks].search(value) is not None


def html_to_text(value: str) -> str:
    """Plain text of an HTML fragment or page: tags, scripts, styles and link lines (`LINK_LINE_WORDS`) gone,
    entities unescaped, whitespace collapsed, one newline between paragraphs and other blocks."""
    if not value:
        return ""
    text = _html_text(value, drop_link_lines=True)
    # Nothing but link lines (a description that is one linked sentence): that link is the text.
    return text if text or "<a" not in value.lower() else _html_text(value, drop_link_lines=False)


def _html_text(value: str, drop_link_lines: bool) -> str:
    parser = _TextExtractor(drop_link_lines)
    try:
        parser.feed(value)
        parser.close()
    except AssertionError:  # the stdlib parser gives up on a few malformed declarations
        return clean_text(html.unescape(value))
    flat = "".join(parser.text_parts())
    if _collapses(flat, line_breaks=True):
        flat = _ANY_SPACE.sub(" ", flat)
    return clean_text(flat.replace(_BREAK, "\n"))


def to_text(value: str) -> str:
    """Plain text of a value that may or may not be HTML (feeds deliver both)."""
    if not value:
        return ""
    # Text is capped at MAX_TEXT anyway; markup rarely outweighs text ten to one, so the rest is never read.
    value = value[:MAX_INPUT]
    if _TAG.search(value):
        return html_to_text(value)
    if "&" in value:
        value = html.unescape(value)
    return clean_text(value)


def canonical_url(url: str | None, base: str | None = None) -> str | None:
    """The URL articles are keyed by: http(s) only, lower-case scheme and host, no default port, no user
    info, no fragment, no tracking parameters, remaining parameters sorted. None for anything else."""
    if not url or not url.strip():
        return None
    url = url.strip()
    try:
        if base:
            url = urljoin(base.strip(), url)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        host = parts.hostname.lower().rstrip(".")
        port = parts.port
    except ValueError:  # bad port, bad IPv6 literal
        return None
    if any(ch.isspace() for ch in host) or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    # Parameters are kept exactly as written (no decoding or re-encoding), only filtered and sorted.
    params = [p for p in parts.query.replace(";", "&").split("&") if p]
    kept = sorted(p for p in params if not _is_tracking(unquote_plus(p.split("=", 1)[0])))
    query = "&".join(kept)
    return urlunsplit((scheme, netloc, path, query, ""))


def _is_tracking(key: str) -> bool:
    key = key.strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _fold(value: str) -> str:
    return " ".join(value.split()).casefold()


def content_hash(title: str, text: str) -> str:
    """sha1 hex of the casefolded, whitespace-collapsed title and text."""
    return hashlib.sha1(f"{_fold(title)}\n{_fold(text)}".encode()).hexdigest()


def article_id_for(url: str | None, guid: str | None, source: str, content_hash: str) -> str:
    """A stable 16-hex-char id: from the canonical URL if any, else source + guid, else the content hash."""
    return _article_id(canonical_url(url), guid, source, content_hash)


def _article_id(canonical: str | None, guid: str | None, source: str, content_hash: str) -> str:
    """article_id_for's key from the URL's canonical form (canonical_url(url), already computed)."""
    if canonical:
        key = f"url\x00{canonical}"
    elif guid and guid.strip():
        key = f"guid\x00{source}\x00{guid.strip()}"
    else:
        key = f"hash\x00{content_hash}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# A lone UTF-16 surrogate ("\ud800") can come from a JSON escape, a feed's character reference or a file name
# that is not UTF-8 (os.fsdecode); no UTF-8 encoder takes it, so one such character failed the whole run.
_SURROGATE = re.compile("[\ud800-\udfff]")
_RAW_TEXT_FIELDS = ("outlet", "title", "summary", "content", "link", "guid", "language", "author", "origin")


def without_surrogates(raw: RawEntry) -> RawEntry:
    """The entry with every lone surrogate in its text fields replaced by U+FFFD (itself when there is none)."""
    # A surrogate is outside ASCII: an ASCII value (most fields of most entries) is not searched.
    changed: dict[str, Any] = {name: _SURROGATE.sub("\ufffd", value) for name in _RAW_TEXT_FIELDS
                               if isinstance(value := getattr(raw, name), str) and not value.isascii()
                               and _SURROGATE.search(value)}
    return dataclasses.replace(raw, **changed) if changed else raw


def normalize_entry(raw: RawEntry, first_seen: datetime) -> Article:
    """One RawEntry -> one Article. Text is the best of content, summary and title as plain text."""
    raw = without_surrogates(raw)
    title = clean_text((raw.title if raw.plain else to_text(raw.title)).replace("\n", " "))[:MAX_TITLE]
    if raw.plain:  # a text file: "use the <main> element" is text, not a tag
        content = clean_text(raw.content[:MAX_INPUT])
    elif raw.text_source in ("file", "page"):
        # Files carry plain text (entities and all) unless they hold real HTML: keep the characters as written.
        value = raw.content[:MAX_INPUT]
        content = to_text(value) if _TAG.search(value) else clean_text(value)
    else:
        content = to_text(raw.content)
    summary = to_text(raw.summary)
    source: TextSource
    if content and len(content) >= len(summary):
        text = content
        source = raw.text_source if raw.text_source in ("file", "page") else "feed"
    elif summary:
        text = summary
        source = "file" if raw.text_source == "file" else "summary"
    else:
        text = title
        source = "none"
    text = text[:MAX_TEXT]
    first_seen = _as_utc(first_seen)
    published = _as_utc(raw.published) if raw.published is not None else None
    url = canonical_url(raw.link)
    guid = clean_text(raw.guid)[:MAX_GUID] or None if raw.guid else None
    digest = content_hash(title, text)
    return Article(
        # The id is keyed by canonical_url(url) as article_id_for computes it. canonical_url gives most of its own
        # outputs back unchanged, not all (a garbled URL can lose a trailing space, or its host, the second time), so
        # it is computed again unless the link was canonical as written.
        article_id=_article_id(url if url is None or url == raw.link else canonical_url(url), guid, raw.source, digest),
        source=raw.source,
        outlet=raw.outlet,
        url=url,
        guid=guid,
        title=title,
        summary=summary[:MAX_SUMMARY],
        text=text,
        text_source=source,
        published_at=published or first_seen,
        published_estimated=published is None,
        first_seen_at=first_seen,
        language=stored_language(raw.language),
        content_hash=digest,
        origin=raw.origin,
    )
