"""Actor matching against labelled sentences: precision and recall of the actor ids found per case, and of
the mentions against the named-entity spans of a public news set (`--ner`).

Reads files and computes figures; never writes anything.
"""

from __future__ import annotations

import csv
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from newswatch.analysis.actors import ActorRegistry, match_actors
from newswatch.analysis.actors.matching import surface_key
from newswatch.errors import EvalError
from newswatch.evaluation.common import HOLDOUTS, _lines, split_of
from newswatch.text.sentences import split_sentences


def read_actor_cases(path: Path) -> list[dict[str, Any]]:
    """Cases of the actor test set: {id, date, title, text, expected: [actor ids]}; checked field by field."""
    cases = []
    for number, record in _lines(path):
        where = f"{path}:{number}"
        text = record.get("text", "")
        title = record.get("title", "")
        expected = record.get("expected")
        if not isinstance(text, str) or not isinstance(title, str) or not (text or title):
            raise EvalError(f"{where}: expected a non-empty string 'text' (and optional 'title')")
        if not isinstance(expected, list) or not all(isinstance(e, str) for e in expected):
            raise EvalError(f"{where}: expected 'expected' to be a list of actor ids")
        try:
            when = date.fromisoformat(str(record.get("date")))
        except ValueError:
            raise EvalError(f"{where}: expected 'date' as YYYY-MM-DD, got {record.get('date')!r}") from None
        cases.append(
            {
                "id": record.get("id", f"line {number}"),
                "line": number,
                "date": when,
                "title": title,
                "text": text,
                "expected": expected,
            }
        )
    if not cases:
        raise EvalError(f"{path}: no cases found")
    return cases


def evaluate_actors(path: Path, registry: ActorRegistry) -> dict[str, Any]:
    """Precision / recall / F1 of match_actors over the set of actor ids per case (micro-averaged)."""
    cases = read_actor_cases(path)
    tp = fp = fn = 0
    errors = []
    for case in cases:
        unknown = [a for a in case["expected"] if a not in registry]
        if unknown:
            raise EvalError(f"{path}:{case['line']}: expected actor {unknown[0]!r} is not in the registry")
        spans = split_sentences(case["text"])
        found = {m.actor_id for m in match_actors(registry, case["title"], case["text"], spans, case["date"])}
        expected = set(case["expected"])
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
        if found != expected:
            errors.append(
                {"id": case["id"], "missed": sorted(expected - found), "extra": sorted(found - expected)}
            )
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "file": str(path),
        "cases": len(cases),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "errors": errors,
    }


def format_actor_table(result: dict[str, Any]) -> str:
    """Plain-text summary of evaluate_actors, then every case that went wrong."""
    lines = [
        f"{result['file']} ({result['cases']} cases)",
        f"precision {result['precision']:.3f}  recall {result['recall']:.3f}  F1 {result['f1']:.3f}  "
        f"(tp {result['tp']}, fp {result['fp']}, fn {result['fn']})",
    ]
    for err in result["errors"]:
        lines.append(f"  {err['id']}: missed {err['missed'] or '-'}; extra {err['extra'] or '-'}")
    return "\n".join(lines)


# --- against named-entity spans (newswatch eval actors --ner PATH) -----------------------------------------

# Kinds of span that are cases when their whole text is a registry surface: GMB's geo/gpe/org/per, and their
# counterparts in the CoNLL-2003 (LOC, ORG, PER, and MISC, where it tags nationalities: "German") and OntoNotes
# (GPE, LOC, NORP for nationalities, ORG, PERSON) tag sets. Tag names are read lower-case, long forms shortened.
NER_KINDS = frozenset({"geo", "gpe", "org", "per", "loc", "misc", "norp"})
_KIND_NAMES = {"person": "per", "organization": "org", "organisation": "org", "location": "loc"}
_GMB_HEADER = ["Sentence #", "Word", "POS", "Tag"]
_SPAN_PREFIXES = {"B": "begin", "S": "begin", "U": "begin", "I": "inside", "E": "inside", "L": "inside"}
NER_DATE = date(2008, 1, 1)  # the news of the GMB set is from about 2004-2010; only role titles read it
_NO_SPACE_BEFORE = frozenset(
    {".", ",", ";", ":", "?", "!", "%", ")", "]", "...", "'s", "’s", "'", "n't", "'ll", "'re", "'ve", "'m", "'d"}
)
_NO_SPACE_AFTER = frozenset({"(", "[", "$"})
_SCORED_VIA = frozenset({"name", "alias", "demonym", "possessive"})


@dataclass(frozen=True, slots=True)
class NerSpan:
    start: int
    end: int
    kind: str  # lower case: geo, gpe, org, per, tim, ... (GMB); loc, misc (CoNLL); norp, date, ... (OntoNotes)


@dataclass(frozen=True, slots=True)
class NerSentence:
    id: str  # "Sentence: 12"
    text: str  # the tokens joined (see detokenize)
    spans: tuple[NerSpan, ...]


def detokenize(tokens: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join tokens into text as a news writer would, with each token's (start, end) offsets.

    One space between tokens, none before closing punctuation and clitics (". , ; : ? ! % ) ] 's n't"), none
    after "( [ $"; straight double quotes alternate opening (no space after) and closing (no space before).
    """
    text = ""
    offsets = []
    open_quote = False
    previous = ""
    for token in tokens:
        space = bool(text)
        if token in _NO_SPACE_BEFORE or previous in _NO_SPACE_AFTER or (previous == '"' and open_quote):
            space = False
        if token == '"':
            space = space and not open_quote
            open_quote = not open_quote
        text += " " if space else ""
        offsets.append((len(text), len(text) + len(token)))
        text += token
        previous = token
    return text, offsets


def read_ner_sentences(path: Path, holdout: str = "all") -> list[NerSentence]:
    """Sentences of a named-entity file, in the chosen half. Two layouts, told apart by the first line:

    - GMB's CSV: the header "Sentence #,Word,POS,Tag", a row per token, "Sentence: N" on each sentence's first;
    - CoNLL's columns (CoNLL-2003, OntoNotes exports, most NER sets): a line per token, the word first and the tag
      last, separated by spaces or tabs, a blank line between sentences, "-DOCSTART-" lines skipped. Sentences are
      named "Sentence: N" in file order.

    Tags may be BIO/IOB2, IOB1 (a span opens on I-), BIOES/BILOU, or bare kinds (IO: like neighbours join)."""
    if holdout not in HOLDOUTS:
        raise EvalError(f"holdout must be one of {', '.join(HOLDOUTS)}, got {holdout!r}")
    path = Path(path)
    try:
        rows = _read_rows(path, "utf-8")
    except UnicodeDecodeError:
        # The GMB set as published (Kaggle's ner_dataset.csv) is Windows-1252, not UTF-8: read it so.
        try:
            rows = _read_rows(path, "cp1252")
        except UnicodeDecodeError as exc:
            raise EvalError(f"{path}: neither UTF-8 nor Windows-1252 text: {exc}") from None
    except OSError as exc:
        raise EvalError(f"{path}: cannot read: {exc}") from None
    sentences = []
    for sid, tokens in rows:
        if holdout != "all" and split_of(sid) != holdout:
            continue
        text, offsets = detokenize([w for w, _ in tokens])
        spans = tuple(NerSpan(offsets[i][0], offsets[j - 1][1], kind) for i, j, kind in _tag_spans([t for _, t in tokens]))
        sentences.append(NerSentence(sid, text, spans))
    if not sentences:
        raise EvalError(f"{path}: no sentences found (holdout {holdout!r})")
    return sentences


Rows = list[tuple[str, list[tuple[str, str]]]]


def _read_rows(path: Path, encoding: str) -> Rows:
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline()
        handle.seek(0)
        gmb = first.startswith("Sentence #") or first.startswith("\ufeffSentence #")
        return _gmb_rows(path, handle) if gmb else _conll_rows(path, handle)


def _gmb_rows(path: Path, handle: Any) -> Rows:
    rows: Rows = []
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None or [h.strip().lstrip("\ufeff") for h in header[:4]] != _GMB_HEADER:
        raise EvalError(f"{path}:1: expected the header 'Sentence #,Word,POS,Tag', got {header!r}")
    for number, row in enumerate(reader, start=2):
        if len(row) < 4:
            raise EvalError(f"{path}:{number}: expected 4 columns, got {len(row)}")
        if row[0].strip():
            rows.append((row[0].strip(), []))
        elif not rows:
            raise EvalError(f"{path}:{number}: a token before the first 'Sentence: N'")
        rows[-1][1].append((row[1], row[3].strip()))
    return rows


def _conll_rows(path: Path, handle: Any) -> Rows:
    rows: Rows = []
    current: list[tuple[str, str]] = []
    for number, line in enumerate(handle, start=1):
        fields = line.split()
        if not fields or fields[0] == "-DOCSTART-":
            if current:
                rows.append((f"Sentence: {len(rows) + 1}", current))
                current = []
            continue
        if len(fields) < 2:
            raise EvalError(f"{path}:{number}: expected the word first and the tag last (CoNLL columns), or GMB's "
                            f"header 'Sentence #,Word,POS,Tag'; got {line.strip()[:60]!r}")
        tag = fields[-1]
        if tag != "O" and not re.fullmatch(r"(?:[BIESLU]-)?[A-Za-z][\w$]*(?:-[A-Za-z]\w*)?", tag):
            raise EvalError(f"{path}:{number}: {tag!r} in the last column is not a tag (O, B-ORG, I-PER, GPE, ...)")
        current.append((fields[0], tag))
    if current:
        rows.append((f"Sentence: {len(rows) + 1}", current))
    return rows


def _tag_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first token, past the last token, kind) of each tagged span. B-/S-/U- open a span; I-/E-/L- continue the
    span of the same kind before them or open one (IOB1); a bare kind continues a like neighbour (IO)."""
    spans: list[tuple[int, int, str]] = []
    open_kind = ""
    for i, tag in enumerate(tags):
        if tag in ("O", ""):
            open_kind = ""
            continue
        prefix, dash, kind = tag.partition("-")
        role = _SPAN_PREFIXES.get(prefix) if dash and len(prefix) == 1 else None
        if role is None:  # a bare kind
            role, kind = "inside", tag
        kind = kind.lower()
        kind = _KIND_NAMES.get(kind, kind)
        if role == "inside" and open_kind == kind:
            start = spans[-1][0]
            spans[-1] = (start, i + 1, kind)
        else:
            spans.append((i, i + 1, kind))
        open_kind = "" if prefix in ("E", "L", "S", "U") else kind
    return spans


def _gold_mentions(sentence: NerSentence, keys: dict[str, set[str]]) -> dict[tuple[int, int], set[str]]:
    """Whole geo/gpe/org/per spans whose text is a registry name, alias or demonym, with those actors."""
    gold = {}
    for span in sentence.spans:
        actors = keys.get(surface_key(sentence.text[span.start : span.end]))
        if span.kind in NER_KINDS and actors:
            gold[(span.start, span.end)] = actors
    return gold


def _predicted(registry: ActorRegistry, text: str, method: str) -> dict[tuple[int, int], set[str]]:
    """(start, end) -> actor ids of the name, alias, demonym and possessive mentions; without a possessive 's."""
    mentions = match_actors(registry, "", text, [(0, len(text))], NER_DATE, longer_names=method == "rule")
    found: dict[tuple[int, int], set[str]] = {}
    for m in mentions:
        if m.via not in _SCORED_VIA:
            continue
        end = m.end - 2 if m.via == "possessive" and text[m.end - 2 : m.end] in ("'s", "’s") else m.end
        if method == "capitals" and _next_to_capitals(text, m.start, end):
            continue
        found.setdefault((m.start, end), set()).add(m.actor_id)
    return found


def _next_to_capitals(text: str, start: int, end: int) -> bool:
    """The naive baseline: any capitalised word right after, or right before (not first in the sentence)."""
    if re.match(r"[ \t]+[A-Z]", text[end:]):
        return True
    before = re.search(r"(\S+)[ \t]+$", text[:start])
    return bool(before and before.start() > 0 and before.group(1)[:1].isupper())


def _fp_kind(sentence: NerSentence, start: int, end: int) -> str:
    """Why a predicted span is not a gold mention: inside a longer span (and how), another kind, or outside."""
    for span in sentence.spans:
        if span.start <= start and end <= span.end and (span.start, span.end) != (start, end):
            extra = sentence.text[span.start : start] + " " + sentence.text[end : span.end]
            words = re.findall(r"[^\W\d_][\w'’.-]*", extra)
            if re.search(r"(?:^|\s)(?:and|&)(?:\s|$)|,", extra):
                return "inside a list span"  # "India and Pakistan" tagged as one span
            if words and all(w[0].islower() for w in words):
                return "inside, lower-case words"  # "southern Afghanistan"
            return "inside a longer name"
        if (span.start, span.end) == (start, end):
            return f"whole {span.kind} span"  # wrong actor, or a tim/art/... span
    return "outside any span"  # "U.S.-led", an untagged demonym: not a case


METHODS = {
    "rule": "surfaces, longer-name rule (match_actors)",
    "plain": "plain surface matching (longer_names=False)",
    "capitals": "plain, minus any surface next to a capitalised word",
}


def evaluate_actor_spans(path: Path, registry: ActorRegistry) -> dict[str, Any]:
    """Precision and recall of actor mentions against whole named-entity spans, per half and method.

    Cases (the issue's definition): a whole geo/gpe/org/per span whose text is a registry name, alias or
    demonym is a mention of that actor; a predicted mention strictly inside a longer gold span, or equal to a
    span of another kind or of another actor, is a false one. `precision` and `recall` count those cases;
    `mention_precision` also counts mentions outside every span ("U.S.-led") as false. Role titles and
    surnames are not names in the NER sense and are not scored. Sentences are split into a dev half (where
    the rule's word lists were chosen) and a held-out half by a hash of their id (`common.split_of`).
    """
    keys: dict[str, set[str]] = {}
    for actor in registry.actors:
        for surface, _via in actor.surfaces():
            keys.setdefault(surface_key(surface), set()).add(actor.id)
    every = read_ner_sentences(path)
    halves: dict[str, Any] = {}
    for half in ("dev", "heldout"):
        sentences = [s for s in every if split_of(s.id) == half]
        if not sentences:
            continue
        methods = {}
        for method, label in METHODS.items():
            tp = gold_n = 0
            fp: Counter[str] = Counter()
            examples: dict[str, Counter[str]] = {}
            missed: Counter[str] = Counter()
            started = time.perf_counter()
            for sentence in sentences:
                gold = _gold_mentions(sentence, keys)
                found = _predicted(registry, sentence.text, method)
                gold_n += sum(len(ids) for ids in gold.values())
                for (start, end), ids in found.items():
                    for actor_id in ids:
                        if actor_id in gold.get((start, end), ()):
                            tp += 1
                            continue
                        kind = _fp_kind(sentence, start, end)
                        fp[kind] += 1
                        examples.setdefault(kind, Counter())[sentence.text[start:end]] += 1
                for (start, end), ids in gold.items():
                    missed[sentence.text[start:end]] += len(ids - found.get((start, end), set()))
            seconds = time.perf_counter() - started
            case_fp = sum(n for kind, n in fp.items() if kind != "outside any span")
            methods[label] = {
                "tp": tp,
                "fp": case_fp,
                "fn": gold_n - tp,
                "outside": fp["outside any span"],
                "precision": tp / (tp + case_fp) if tp + case_fp else 1.0,
                "recall": tp / gold_n if gold_n else 1.0,
                "mention_precision": tp / (tp + sum(fp.values())) if tp + sum(fp.values()) else 1.0,
                "false_by_kind": dict(fp.most_common()),
                "false_examples": {k: dict(c.most_common(8)) for k, c in examples.items()},
                "missed_examples": dict((+missed).most_common(8)),
                "sentences_per_second": len(sentences) / seconds if seconds else 0.0,
            }
        halves[half] = {"sentences": len(sentences), "methods": methods}
    return {"file": str(path), "date": NER_DATE.isoformat(), "halves": halves}


def format_actor_span_table(result: dict[str, Any]) -> str:
    """Plain-text summary of evaluate_actor_spans: per half, each method's figures and its false mentions."""
    lines = [f"{result['file']}: actor mentions vs whole geo/gpe/org/per spans (cases), per half"]
    for half, body in result["halves"].items():
        lines.append(f"{half} ({body['sentences']} sentences)")
        for label, m in body["methods"].items():
            lines.append(
                f"  {label:52} precision {m['precision']:.3f}  recall {m['recall']:.3f}  "
                f"(tp {m['tp']}, fp {m['fp']}, fn {m['fn']}; with {m['outside']} outside any span: "
                f"precision {m['mention_precision']:.3f})  {m['sentences_per_second']:,.0f} sentences/s"
            )
        rule = body["methods"][METHODS["rule"]]
        for kind, n in rule["false_by_kind"].items():
            shown = ", ".join(f"{t} {c}" for t, c in rule["false_examples"][kind].items())
            lines.append(f"    false, {kind}: {n} ({shown})")
        lines.append("    missed: " + ", ".join(f"{t} {c}" for t, c in rule["missed_examples"].items()))
    return "\n".join(lines)


# --- role titles in real articles (newswatch eval actors --roles PATH) ---------------------------------------

ROLE_METHODS = (("newswatch", True), ("by date alone (the rule before)", False))
_ROLE_CONTEXT = 90  # characters of text shown each side of a role mention


def evaluate_roles(path: Path, registry: ActorRegistry, as_of: date | None = None) -> dict[str, Any]:
    """The role-title mentions found in real text, by newswatch and by the date alone, each with the text around it so
    a reader can judge whose title it is. `path` is event-labelled articles (JSONL as for `eval stories`: id, date,
    title, text), each read on its own date or on `as_of`, or a NER file (as for `--ner`), whose sentences are read
    one by one and need `as_of`. Undated articles are read on `as_of`, else left out. Role titles are not named
    entities, so no public set labels them: the list is the evidence."""
    from newswatch.evaluation.events import read_events

    docs: list[tuple[str, date | None, str, str]]
    if path.suffix.lower() in (".jsonl", ".json"):
        docs = [(a.id, a.published_at.date() if a.published_at else None, a.title, a.text) for a in read_events(path)]
    else:
        docs = [(s.id, None, "", s.text) for s in read_ner_sentences(path)]
    dated = [d for d in docs if d[1] is not None or as_of is not None]
    if not dated:
        raise EvalError(f"{path}: no article has a date; give --as-of DATE to read them all on one day")
    methods: dict[str, Any] = {}
    for name, title_context in ROLE_METHODS:
        found: list[dict[str, Any]] = []
        for doc_id, doc_date, title, text in dated:
            when = as_of or doc_date
            assert when is not None
            spans = split_sentences(text)
            for m in match_actors(registry, title, text, spans, when, title_context=title_context):
                if m.via != "role":
                    continue
                body = title if m.sentence_index == -1 else text
                context = " ".join(body[max(0, m.start - _ROLE_CONTEXT) : m.end + _ROLE_CONTEXT].split())
                found.append({"article": doc_id, "date": when.isoformat(), "actor": m.actor_id,
                              "title": m.surface, "context": context})
        counts = Counter(f"{f['actor']} ({surface_key(f['title'])})" for f in found)
        methods[name] = {"mentions": len(found), "by_actor": dict(counts.most_common()), "found": found}
    return {"file": str(path), "as_of": as_of.isoformat() if as_of else None, "articles": len(dated),
            "unit": "articles" if path.suffix.lower() in (".jsonl", ".json") else "sentences",
            "left_out_undated": len(docs) - len(dated), "methods": methods}


def format_role_table(result: dict[str, Any]) -> str:
    """Plain-text summary of evaluate_roles: mentions per method and actor, then newswatch's with their context."""
    read = f"all read as of {result['as_of']}" if result["as_of"] else "each read on its own date"
    lines = [f"{result['file']}: {result['articles']} {result.get('unit', 'articles')}, {read}"
             + (f" ({result['left_out_undated']} undated left out)" if result["left_out_undated"] else "")]
    for name, figures in result["methods"].items():
        per_actor = ", ".join(f"{k} {v}" for k, v in figures["by_actor"].items()) or "-"
        lines.append(f"  {name}: {figures['mentions']} role mentions: {per_actor}")
    lines.append("newswatch's role mentions (judge each: is it the registry's holder?):")
    for f in result["methods"]["newswatch"]["found"]:
        lines.append(f"  {f['article']} {f['date']} {f['actor']} <- {f['title']!r}: ...{f['context']}...")
    return "\n".join(lines)
