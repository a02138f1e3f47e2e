"""The evidence behind each flag: the stored rows that made it, ranked by how much each one moved the figure.

Pure functions on the digest's window rows, so the same stored rows always give the same evidence (a backfill
and a resend agree). What "contributed" means, per flag (docs/email.md, "Evidence"):
- a volume spike (drop): the day's count minus its baseline splits exactly over stories (a stored story, else
  the article alone): each story's articles on the day minus its own mean over the observed days before. New
  stories (nothing in the window before) are told apart from continuing ones; outlets split the same way.
- a tone shift of a topic: the day's mean minus the baseline is the sum over the n scored articles of
  (tone - baseline) / n, and an article's tone is the mean of its k sentences, so a sentence moved it by
  (compound - baseline) / (n k). Articles rank by their share, and each is shown by its sentence that moved it most.
- a tone shift toward an actor: the same split over the actor's n articles and, within one, over the k sentences
  that mention the actor, each scored by its per-mention tone when one is stored, else by the sentence's tone.
  Sentences rank by their share; the mention is marked.
- a name new in the window: the first articles (by publication time) that carry it.
Quotes are the articles' own words: a sentence (or the headline), cut to about QUOTE_CAP characters around the
mention with an ellipsis, never rephrased. Cleaning (controls, bidi overrides) happens here; escaping at render.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from newswatch.models import EvidenceRow
from newswatch.report import measures

MAX_LINES = 3      # evidence lines shown under a flag
MAX_ROWS = 10      # evidence rows kept per flag and kind (table evidence)
QUOTE_CAP = 200    # characters of a quote, around the mention

_CONTROL = re.compile(r"[\u0000-\u001f\u007f-\u009f]")
_SPACE = re.compile(r"\s+")


def inert(text: str) -> str:
    """No control, bidi-override or zero-width characters; runs of white space as one space (ends kept)."""
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _SPACE.sub(" ", _CONTROL.sub(" ", text))


def make_quote(text: str, start: int = 0, end: int = 0, cap: int = QUOTE_CAP) -> dict[str, str]:
    """text as a quote {before, mark, after}: text[start:end] is the mark (empty: none), at most about `cap`
    characters around it; cut ends get an ellipsis and lose their partial word."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    end = max(start, end)
    before, mark, after = inert(text[:start]), inert(text[start:end]), inert(text[end:])
    before = before.lstrip()
    if not mark:
        after = (before + after).strip()
        before = ""
    else:
        after = after.rstrip()
    if len(mark) > cap:
        mark = mark[: cap - 1].rstrip() + "…"
    room = max(cap - len(mark), 0)
    if len(before) + len(after) > room:
        left = min(len(before), max(room // 3, room - len(after)))
        right = room - left
        if left < len(before):
            cut = before[len(before) - left:]
            space = cut.find(" ")
            before = "…" + (cut[space + 1:] if 0 <= space < len(cut) - 1 else cut)
        if right < len(after):
            cut = after[:right]
            space = cut.rfind(" ")
            after = (cut[:space] if space > 0 else cut).rstrip() + "…"
    return {"before": before, "mark": mark, "after": after}


def show_distinct(candidates: Sequence[dict[str, Any]]) -> None:
    """Mark the lines to show: the first MAX_LINES candidates in rank order with distinct quotes (a sentence
    syndicated into several articles is shown once, with how many more of the ranked rows carry it)."""
    shown: dict[str, dict[str, Any]] = {}
    for line in candidates:
        q = line["quote"] or {}
        key = (q.get("before", "") + q.get("mark", "") + q.get("after", "")).casefold()
        if key in shown:
            shown[key]["repeats"] += 1
        elif len(shown) < MAX_LINES:
            line["show"] = True
            shown[key] = line


def _line(kind: str, rank: int, *, article: dict[str, Any] | None = None,
          quote: dict[str, str] | None = None, quote_is: str = "sentence", **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": kind, "rank": rank, "show": False, "repeats": 0, "article_id": None, "sentence_index": None, "story_id": None,
        "outlet": None, "contribution": None, "tone": None, "articles": None, "baseline": None,
        "mark_start": None, "mark_end": None, "note": None, "quote": quote, "quote_is": quote_is, "url": None,
    }
    if article is not None:
        out.update(article_id=article["article_id"], outlet=article["outlet"], url=article.get("url"))
        if quote is None:
            out["quote"], out["quote_is"] = make_quote(article.get("title") or ""), "headline"
    out.update(fields)
    return out


@dataclass(frozen=True)
class _Story:
    """A stored story (or an article on its own) in the window: its articles on the day and before."""

    key: str                         # story_id, or "article:" + article_id
    today: list[dict[str, Any]]
    earlier: list[dict[str, Any]]
    base: float                      # its mean per observed day among the 7 before
    began_before: bool = False       # the stored story has an article before the day (of any topic, or a copy)

    @property
    def contribution(self) -> float:
        return len(self.today) - self.base

    @property
    def new(self) -> bool:
        return not self.earlier and not self.began_before


# -- volume -----------------------------------------------------------------------------------------------
def volume_evidence(rows: Sequence[dict[str, Any]], day: date, observed: Collection[date], flag: str,
                    began_before: Collection[str] = ()) -> tuple[str, list[dict[str, Any]]]:
    """(summary, evidence lines) for a spike or drop of one topic's count on `day`.

    `rows`: the topic's window rows (article_id, day, outlet, title, url, published_at, story_id).
    `began_before`: the stored stories with an article before `day` that the topic's rows may not hold (another
    topic's report, a syndicated copy): such a story is continuing, as the `stories` view's first_day says, though
    the topic had nothing of it before (its mean before is then 0)."""
    sign = 1 if flag == "spike" else -1
    before = measures.observed_trailing_days(day, 7, observed)
    before_set = set(before)
    n_before = len(before) or 1
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["day"] <= day:
            groups[r.get("story_id") or f"article:{r['article_id']}"].append(r)
    stories = []
    for key, members in groups.items():
        today = sorted((r for r in members if r["day"] == day), key=lambda r: (r["published_at"], r["article_id"]))
        earlier = sorted((r for r in members if r["day"] < day), key=lambda r: (r["published_at"], r["article_id"]))
        base = sum(1 for r in earlier if r["day"] in before_set) / n_before
        stories.append(_Story(key, today, earlier, base, key in began_before))
    on_day = [s for s in stories if s.today]
    new = [s for s in on_day if s.new]
    summary = (f"{_n(len(new), 'new story', 'new stories')} ({_n(sum(len(s.today) for s in new), 'article')}), "
               f"{len(on_day) - len(new)} continuing "
               f"({_n(sum(len(s.today) for s in on_day if not s.new), 'article')})")
    ranked = sorted((s for s in stories if sign * s.contribution > 0),
                    key=lambda s: (-sign * s.contribution, -len(s.today), (s.today or s.earlier)[0]["published_at"],
                                   s.key))
    lines = []
    for rank, s in enumerate(ranked[:MAX_ROWS], 1):
        rep = s.today[0] if s.today else s.earlier[-1]
        story_outlets = Counter(r["outlet"] for r in s.today)
        note = (f"{'new story' if s.new else 'continuing story'}: {_n(len(s.today), 'article')} on the day"
                + (f" from {len(story_outlets)} outlets" if len(story_outlets) > 1 else "")
                + ("" if s.new else f", {measures_fmt(s.base)} a day before"))
        lines.append(_line("story", rank, article=rep, quote_is="headline",
                           story_id=None if s.key.startswith("article:") else s.key,
                           contribution=s.contribution, articles=len(s.today), baseline=s.base, note=note))
    by_outlet_today = Counter(r["outlet"] for r in rows if r["day"] == day)
    by_outlet_before = Counter(r["outlet"] for r in rows if r["day"] in before_set)
    outlets = sorted(set(by_outlet_today) | set(by_outlet_before))
    moved = sorted(((o, by_outlet_today[o] - by_outlet_before[o] / n_before) for o in outlets),
                   key=lambda x: (-sign * x[1], x[0]))
    moved = [(o, c) for o, c in moved if sign * c > 0][:MAX_ROWS]
    for rank, (outlet, c) in enumerate(moved, 1):
        lines.append(_line("outlet", rank, outlet=outlet, contribution=c,
                           articles=by_outlet_today[outlet], baseline=by_outlet_before[outlet] / n_before))
    show_distinct([line for line in lines if line["kind"] == "story"])
    if moved:
        summary += "; by outlet: " + ", ".join(
            f"{o} {by_outlet_today[o]} (mean {measures_fmt(by_outlet_before[o] / n_before)})" for o, _ in moved[:3])
    return summary, lines


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def measures_fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


# -- tone -------------------------------------------------------------------------------------------------
def topic_tone_evidence(articles: Sequence[dict[str, Any]], base: float, flag: str,
                        sentences: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Evidence for a topic's tone shift: `articles` are the day's scored articles (article_id, tone, outlet,
    title, url, published_at); `sentences` maps article_id to its stored sentences (idx, text, compound)."""
    sign = 1 if flag == "warmer" else -1
    n = len(articles)
    ranked = sorted((a for a in articles if sign * (a["tone"] - base) > 0),
                    key=lambda a: (-sign * (a["tone"] - base), a["published_at"], a["article_id"]))
    lines, display = [], []
    for rank, a in enumerate(ranked[:MAX_ROWS], 1):
        contribution = (a["tone"] - base) / n
        own = sentences.get(a["article_id"], [])
        top = min(own, key=lambda s: (-sign * (s["compound"] - base), s["idx"])) if own else None
        lines.append(_line("article", rank, article=a, contribution=contribution, tone=a["tone"]))
        if top is None:
            display.append(lines[-1])
        else:
            lines.append(_line("sentence", rank, article=a,
                               quote=make_quote(top["text"]), sentence_index=top["idx"], tone=top["compound"],
                               contribution=(top["compound"] - base) / (n * len(own)),
                               note=f"article tone {a['tone']:+.2f}"))
            display.append(lines[-1])
    show_distinct(display)
    return lines


def actor_tone_evidence(articles: Sequence[dict[str, Any]], base: float, flag: str,
                        mentions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Evidence for a tone shift toward one actor: `articles` are the day's articles with the actor's tone
    (article_id, actor_tone, outlet, title, url, published_at); `mentions` its stored mentions with their
    sentences (article_id, sentence_idx, text, sentence_start, start_char, end_char, score)."""
    sign = 1 if flag == "warmer" else -1
    n = len(articles)
    by_id = {a["article_id"]: a for a in articles}
    first: dict[tuple[str, int], dict[str, Any]] = {}
    for m in sorted(mentions, key=lambda m: (m["article_id"], m["sentence_idx"], m["start_char"])):
        if m["article_id"] in by_id and m["sentence_idx"] >= 0:
            first.setdefault((m["article_id"], m["sentence_idx"]), m)
    per_article = Counter(aid for aid, _ in first)
    scored = []
    for (aid, idx), m in first.items():
        contribution = (m["score"] - base) / (n * per_article[aid])
        if sign * contribution > 0:
            scored.append((contribution, aid, idx, m))
    scored.sort(key=lambda x: (-sign * x[0], by_id[x[1]]["published_at"], x[1], x[2]))
    lines = []
    for rank, (contribution, aid, idx, m) in enumerate(scored[:MAX_ROWS], 1):
        start, end = m["start_char"] - m["sentence_start"], m["end_char"] - m["sentence_start"]
        lines.append(_line("sentence", rank, article=by_id[aid],
                           quote=make_quote(m["text"], start, end), sentence_index=idx, tone=m["score"],
                           contribution=contribution, mark_start=start, mark_end=end,
                           note=f"tone toward the actor in the article {by_id[aid]['actor_tone']:+.2f}"))
    if not lines:  # mentions only in headlines: the articles themselves
        ranked = sorted((a for a in articles if sign * (a["actor_tone"] - base) > 0),
                        key=lambda a: (-sign * (a["actor_tone"] - base), a["published_at"], a["article_id"]))
        for rank, a in enumerate(ranked[:MAX_ROWS], 1):
            lines.append(_line("article", rank, article=a, tone=a["actor_tone"],
                               contribution=(a["actor_tone"] - base) / n))
    show_distinct(lines)
    return lines


# -- new names --------------------------------------------------------------------------------------------
def first_articles(articles: Sequence[dict[str, Any]], name: str,
                   sentences: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The first articles (by publication time) that carry `name`, each quoted where the name first stands."""
    lines = []
    ordered = sorted(articles, key=lambda a: (a["published_at"], a["article_id"]))
    needle = name.casefold()
    for rank, a in enumerate(ordered[:MAX_ROWS], 1):
        found = None
        for s in sentences.get(a["article_id"], []):
            at = s["text"].casefold().find(needle)
            if at >= 0 and len(s["text"].casefold()) == len(s["text"]):
                found = (s, at)
                break
        if found is None:
            title = a.get("title") or ""
            at = title.casefold().find(needle) if len(title.casefold()) == len(title) else -1
            quote = make_quote(title, at, at + len(name)) if at >= 0 else make_quote(title)
            lines.append(_line("first_article", rank, article=a, quote=quote,
                               quote_is="headline", mark_start=at if at >= 0 else None,
                               mark_end=at + len(name) if at >= 0 else None))
            continue
        s, at = found
        lines.append(_line("first_article", rank, article=a,
                           quote=make_quote(s["text"], at, at + len(name)), sentence_index=s["idx"],
                           tone=s.get("compound"), mark_start=at, mark_end=at + len(name)))
    show_distinct(lines)
    return lines


def first_mentions(articles: Sequence[dict[str, Any]], mentions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first articles that mention an actor new in the window, each quoted at its first mention."""
    lines = []
    ordered = sorted(articles, key=lambda a: (a["published_at"], a["article_id"]))
    for rank, a in enumerate(ordered[:MAX_ROWS], 1):
        own = sorted((m for m in mentions if m["article_id"] == a["article_id"] and m["sentence_idx"] >= 0),
                     key=lambda m: (m["sentence_idx"], m["start_char"]))
        if not own:
            lines.append(_line("first_article", rank, article=a))
            continue
        m = own[0]
        start, end = m["start_char"] - m["sentence_start"], m["end_char"] - m["sentence_start"]
        lines.append(_line("first_article", rank, article=a,
                           quote=make_quote(m["text"], start, end), sentence_index=m["sentence_idx"],
                           tone=m["score"], mark_start=start, mark_end=end))
    show_distinct(lines)
    return lines


# -- rows for the table -----------------------------------------------------------------------------------
def evidence_rows(data: dict[str, Any]) -> list[EvidenceRow]:
    """The rows of table evidence for a built digest (data from report.digest.build_digest)."""
    day = date.fromisoformat(data["date"])
    out = []
    for no, f in enumerate(data.get("flags", []), 1):
        for e in f["evidence"]:
            out.append(EvidenceRow(
                digest_date=day, flag_no=no, topic=f["topic"], flag=f["flag"], subject=f["subject"], kind=e["kind"],
                rank=e["rank"], article_id=e["article_id"], sentence_index=e["sentence_index"],
                story_id=e["story_id"], outlet=e["outlet"], contribution=e["contribution"], tone=e["tone"],
                articles=e["articles"], baseline=e["baseline"], mark_start=e["mark_start"], mark_end=e["mark_end"],
                note=e["note"]))
    return out
