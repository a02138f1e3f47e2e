"""A synthetic news workload for the benchmark: feeds (RSS 2.0 with content:encoded) and inbox JSONL files.

SAMPLE DATA, generated from this module's own vocabulary and templates: no corpus text, no quotes of real people
(people in the text are invented; countries and organisations appear only as places and parties to events).
Deterministic for a given seed. Never writes outside the folder it is given.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

# -- vocabulary (invented for the benchmark) ------------------------------------------------------------------
PLACES = [
    "India",
    "Pakistan",
    "New Delhi",
    "Islamabad",
    "Kashmir",
    "the United States",
    "Washington",
    "China",
    "Bangladesh",
    "the Punjab border",
    "Lahore",
    "Mumbai",
    "Karachi",
    "the Line of Control",
    "Geneva",
    "the harbour district",
    "the northern valley",
    "the river towns",
    "the capital",
    "the coastal provinces",
]
ORGS = [
    "the United Nations",
    "the IMF",
    "the World Bank",
    "the State Department",
    "the army",
    "the central bank",
    "the foreign ministry",
    "the election commission",
    "the port authority",
    "the farmers' union",
    "the chamber of commerce",
    "the opposition alliance",
    "the ruling coalition",
    "the supreme court",
]
PEOPLE = [
    "Minister Arlo Venn",
    "Governor Tamsin Ouri",
    "Senator Petra Quell",
    "General Idris Malvane",
    "Commissioner Juno Strade",
    "Ambassador Cyril Ondaatje-Fell",
    "Mayor Halim Brusk",
    "Dr. Noor Kestrel",
    "Judge Wren Albary",
    "Chairwoman Lise Dorrow",
    "Colonel Bram Easterly",
    "Spokesman Teodor Vaile",
]
SUBJECTS = PLACES + ORGS + PEOPLE
POSITIVE_VERBS = [
    "welcomed",
    "praised",
    "supported",
    "celebrated",
    "backed",
    "endorsed",
    "applauded",
    "strengthened",
    "improved",
    "secured",
    "agreed on",
    "hoped for",
]
NEGATIVE_VERBS = [
    "condemned",
    "criticised",
    "rejected",
    "attacked",
    "blamed",
    "threatened",
    "warned against",
    "denounced",
    "opposed",
    "feared",
    "disputed",
    "mocked",
]
NEUTRAL_VERBS = [
    "discussed",
    "reviewed",
    "announced",
    "described",
    "reported",
    "examined",
    "listed",
    "scheduled",
    "outlined",
    "noted",
    "recorded",
    "considered",
]
OBJECTS = [
    "the ceasefire plan",
    "the new trade agreement",
    "the budget proposal",
    "the border talks",
    "the water-sharing treaty",
    "the drone strikes",
    "the flood relief effort",
    "the election results",
    "the fuel price increase",
    "the security review",
    "the vaccination drive",
    "the rail corridor",
    "the inflation figures",
    "the peace initiative",
    "the missile tests",
    "the refugee convoy",
    "the bank merger",
    "the school reforms",
    "the airport expansion",
    "the harvest forecast",
]
QUALIFIERS = [
    "after a long night of negotiations",
    "in a statement on Tuesday",
    "despite growing pressure",
    "amid fears of a wider conflict",
    "with cautious optimism",
    "as markets fell sharply",
    "following a deadly attack",
    "after weeks of tension",
    "in a rare show of unity",
    "to the surprise of analysts",
    "while protesters gathered outside",
    "ahead of the summit",
    "as the death toll rose",
    "with strong public support",
    "under heavy criticism",
    "in a brief press conference",
    "amid a severe economic crisis",
    "after a successful harvest",
]
ADVERBS = ["", "", "", "sharply ", "quietly ", "strongly ", "repeatedly ", "openly ", "firmly ", "again "]
TAILS = [
    "",
    "",
    "",
    " The decision is expected to affect millions of people.",
    " Officials said the situation remained tense but stable.",
    " Critics called the move reckless and dangerous.",
    " Supporters said it was a great victory for ordinary families.",
    " Analysts warned that the risks were serious.",
]
SECTIONS = ["world", "politics", "business", "region", "security", "economy"]


def _sentence(rng: random.Random) -> str:
    mood = rng.random()
    verbs = POSITIVE_VERBS if mood < 0.35 else NEGATIVE_VERBS if mood < 0.7 else NEUTRAL_VERBS
    subject = rng.choice(SUBJECTS)
    text = (
        f"{subject[0].upper()}{subject[1:]} {rng.choice(ADVERBS)}{rng.choice(verbs)} {rng.choice(OBJECTS)} "
        f"{rng.choice(QUALIFIERS)}, and {rng.choice(SUBJECTS)} {rng.choice(NEUTRAL_VERBS)} "
        f"{rng.choice(OBJECTS)}."
    )
    return text + rng.choice(TAILS)


def _paragraphs(rng: random.Random, sentences: int) -> list[str]:
    out, left = [], sentences
    while left > 0:
        n = min(left, rng.randint(2, 4))
        out.append(" ".join(_sentence(rng) for _ in range(n)))
        left -= n
    return out


@dataclass
class Item:
    """One generated article as a feed or file carries it."""

    key: str
    title: str
    url: str
    published: datetime
    paragraphs: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class Workload:
    """Feeds (name -> RSS bytes), inbox files (name -> JSONL text) and the distinct articles behind them."""

    feeds: dict[str, bytes] = field(default_factory=dict)
    inbox: dict[str, str] = field(default_factory=dict)
    articles: list[Item] = field(default_factory=list)
    entries: int = 0  # items across all feeds and files, duplicates included
    first_day: datetime = datetime(2025, 4, 1, tzinfo=UTC)
    days: int = 1

    @property
    def last_day(self) -> datetime:
        return self.first_day + timedelta(days=self.days - 1)


def _item(
    rng: random.Random, outlet: str, n: int, start: datetime, days: int, sentences: tuple[int, int]
) -> Item:
    published = start + timedelta(seconds=rng.randrange(days * 86400))
    first = _sentence(rng)
    title = first.split(",")[0][:110]
    key = hashlib.sha1(f"{outlet}/{n}/{rng.random()}".encode()).hexdigest()[:12]
    url = f"https://{outlet}.sample.invalid/{rng.choice(SECTIONS)}/{published:%Y/%m/%d}/{key}"
    return Item(key, title, url, published, _paragraphs(rng, rng.randint(*sentences)))


def _rss(name: str, items: list[tuple[Item, str]]) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
        f"<title>{escape(name)} (sample)</title><link>https://{name}.sample.invalid/</link>",
        "<description>Synthetic benchmark feed (sample data)</description><language>en</language>",
    ]
    for item, url in items:
        body = "".join(f"<p>{escape(p)}</p>" for p in item.paragraphs)
        parts.append(
            f"<item><title>{escape(item.title)}</title><link>{escape(url)}</link>"
            f'<guid isPermaLink="true">{escape(url)}</guid><pubDate>{format_datetime(item.published)}</pubDate>'
            f"<description>{escape(item.paragraphs[0][:300])}</description>"
            f"<content:encoded>{escape(body)}</content:encoded></item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def generate(
    feeds: int,
    items_per_feed: int,
    days: int,
    *,
    inbox_files: int = 0,
    items_per_file: int = 50,
    duplicate_share: float = 0.15,
    sentences: tuple[int, int] = (10, 22),
    seed: int = 7,
    first_day: datetime | None = None,
    prefix: str = "bench",
) -> Workload:
    """Feeds of items spread over `days`; about duplicate_share of each feed's items are copies of wire stories
    (same text, another URL: folded by content hash) or the same URL carried by two feeds (folded by id)."""
    rng = random.Random(seed)
    start = first_day or datetime(2025, 4, 1, tzinfo=UTC)
    wl = Workload(first_day=start, days=days)
    wire: list[Item] = [
        _item(rng, f"{prefix}-wire", i, start, days, sentences)
        for i in range(max(1, int(items_per_feed * duplicate_share * 4)))
    ]
    wl.articles.extend(wire)
    used_wire: set[str] = set()
    for f in range(feeds):
        name = f"{prefix}-feed-{f:04d}"
        items: list[tuple[Item, str]] = []
        for n in range(items_per_feed):
            if rng.random() < duplicate_share:
                w = rng.choice(wire)
                used_wire.add(w.key)
                # Half the copies keep the wire's URL (same article id), half carry the outlet's own URL.
                items.append(
                    (w, w.url if rng.random() < 0.5 else f"https://{name}.sample.invalid/wire/{w.key}")
                )
            else:
                item = _item(rng, name, n, start, days, sentences)
                wl.articles.append(item)
                items.append((item, item.url))
        wl.feeds[name] = _rss(name, items)
        wl.entries += len(items)
    for i in range(inbox_files):
        lines = []
        for n in range(items_per_file):
            item = _item(rng, f"{prefix}-inbox", i * items_per_file + n, start, days, sentences)
            wl.articles.append(item)
            lines.append(
                json.dumps(
                    {
                        "title": item.title,
                        "text": item.text,
                        "url": item.url,
                        "published": item.published.isoformat(),
                        "language": "en",
                        "outlet": "Bench Newsletter (sample)",
                    }
                )
            )
        wl.inbox[f"{prefix}-{i:04d}.jsonl"] = "\n".join(lines) + "\n"
        wl.entries += len(lines)
    unused = {w.key for w in wire} - used_wire
    wl.articles = [a for a in wl.articles if a.key not in unused]  # wire stories no feed carried
    return wl


def write_inbox(wl: Workload, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in wl.inbox.items():
        (folder / name).write_text(text, encoding="utf-8")
