"""Actor-level tone: the tone of the sentences around each mention of an actor.

Pure computation on strings; never reads files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

from newswatch.analysis.actors.registry import Label
from newswatch.analysis.tone import normalize_valence, token_valences
from newswatch.models import ActorTone, Mention, Sentence

# Tuned on the dev half of NewsMTSC devtest_mt only (docs/methods.md, "Evaluation").
NEUTRAL_BAND = 0.1  # |compound| below this is neutral
WINDOW = 8  # words either side of the mention whose valence counts
# Words VADER scores as positive that, in political news, mostly name institutions ("special counsel",
# "national security", "intelligence committee", "the party", "Justice Department", "health care", "United").
NEWS_NEUTRAL = frozenset({"special", "security", "intelligence", "party", "justice", "care", "united"})
_TARGET = "qqnewswatchtargetqq"


def target_compound(sentence: str, start: int, end: int) -> float:
    """Tone toward the mention at sentence[start:end], -1..1.

    VADER's word valences over the whole sentence (so its negation, booster and "but" rules still see context),
    with the mention itself replaced by a placeholder, then only the words within WINDOW words of the mention
    are summed and normalised as VADER does. Words in NEWS_NEUTRAL count zero.
    """
    words, valences = token_valences(sentence[:start] + " " + _TARGET + " " + sentence[end:])
    at = next((i for i, w in enumerate(words) if _TARGET in w.lower()), None)
    total = 0.0
    for i, (word, value) in enumerate(zip(words, valences, strict=True)):
        if value == 0.0 or word.lower() in NEWS_NEUTRAL:
            continue
        if at is None or abs(i - at) <= WINDOW:
            total += value
    return normalize_valence(total)


def label_compound(compound: float, band: float = NEUTRAL_BAND) -> Label:
    """negative / neutral / positive with a neutral band of +-band."""
    if compound >= band:
        return "positive"
    if compound <= -band:
        return "negative"
    return "neutral"


def target_tone(sentence: str, start: int, end: int) -> Label:
    """Label of the tone toward the mention at sentence[start:end] by the VADER window (the earlier method)."""
    return label_compound(target_compound(sentence, start, end))


class MentionScorer(Protocol):
    """Tone toward mentions: a label and a score in -1..1 for each (sentence, start, end).

    `prepare` reads one article's mention sentences (while their VADER passes are cached); `score_prepared` scores
    several prepared articles at once, each mention as `score_mentions` would.
    """

    method: str
    version: str

    def score_mentions(self, items: Sequence[tuple[str, int, int]]) -> list[tuple[Label, float]]: ...

    def prepare(self, items: Sequence[tuple[str, int, int]]) -> Any: ...

    def score_prepared(self, parts: Sequence[Any]) -> list[list[tuple[Label, float]]]: ...


class WindowScorer:
    """The earlier method as a MentionScorer: VADER word valences within WINDOW words of the mention."""

    method = "vader-window"
    version = "1"

    def score_mentions(self, items: Sequence[tuple[str, int, int]]) -> list[tuple[Label, float]]:
        out: list[tuple[Label, float]] = []
        for sentence, start, end in items:
            compound = target_compound(sentence, start, end)
            out.append((label_compound(compound), compound))
        return out

    def prepare(self, items: Sequence[tuple[str, int, int]]) -> list[tuple[Label, float]]:
        return self.score_mentions(items)  # nothing to share between articles

    def score_prepared(self, parts: Sequence[list[tuple[Label, float]]]) -> list[list[tuple[Label, float]]]:
        return list(parts)


def score_actor_tones(
    mentions: Sequence[Mention], sentences: Sequence[Sentence], text: str, scorer: MentionScorer | None = None
) -> list[ActorTone]:
    """Actor-level tone from the tone toward each of its mentions in the text (default: the trained model).

    Every text mention gets its own score (Mention.tone). An actor's tone is the mean score of the sentences that
    mention it (the first mention in a sentence stands for the sentence) and its label the most frequent of their
    labels (a tie goes to the mean score's side, neutral when it is within NEUTRAL_BAND). Headline mentions count
    in `mentions` but not in tone, since their offsets point into the title.

    The pipeline does the same in two steps, to score many articles' mentions at once: `prepare_actor_tones` per
    article, the scorer's `score_prepared` per batch, `finish_actor_tones` per article.
    """
    if scorer is None:
        scorer = default_scorer()
    results = scorer.score_mentions(_items(_scored(mentions, sentences), text))
    return finish_actor_tones(mentions, sentences, scorer, results)


def default_scorer() -> MentionScorer:
    """The trained model shipped with newswatch."""
    from newswatch.analysis.actors.model import shipped_model

    return shipped_model()


def _scored(mentions: Sequence[Mention], sentences: Sequence[Sentence]) -> list[tuple[Mention, Sentence]]:
    """The mentions whose tone is scored (those in a sentence of the text), with their sentence."""
    by_index = {s.index: s for s in sentences}
    return [(m, by_index[m.sentence_index]) for m in mentions if m.sentence_index >= 0 and m.sentence_index in by_index]


def prepare_actor_tones(mentions: Sequence[Mention], sentences: Sequence[Sentence], text: str,
                        scorer: MentionScorer) -> Any:
    """The scorer's `prepare` of the text's scored mentions (`score_prepared` scores them with other articles')."""
    return scorer.prepare(_items(_scored(mentions, sentences), text))


def _items(scored: list[tuple[Mention, Sentence]], text: str) -> list[tuple[str, int, int]]:
    """(sentence, start, end) of each scored mention, its offsets in the sentence: what a MentionScorer reads."""
    return [(text[s.start : s.end], m.start - s.start, m.end - s.start) for m, s in scored]


def finish_actor_tones(mentions: Sequence[Mention], sentences: Sequence[Sentence], scorer: MentionScorer,
                       results: Sequence[tuple[Label, float]]) -> list[ActorTone]:
    """Each scored mention's tone set from `results` (the scorer's, in `prepare_actor_tones`' order), and the
    actors' tones (`score_actor_tones`)."""
    scored = [m for m, _ in _scored(mentions, sentences)]
    for m, (_, value) in zip(scored, results, strict=True):
        m.tone = value
    counts: Counter[str] = Counter(m.actor_id for m in mentions)
    first: dict[str, dict[int, tuple[Label, float]]] = {}
    for m, result in zip(scored, results, strict=True):
        first.setdefault(m.actor_id, {}).setdefault(m.sentence_index, result)
    tones = []
    for actor_id in counts:
        per_sentence = list(first.get(actor_id, {}).values())
        compound = sum(v for _, v in per_sentence) / len(per_sentence) if per_sentence else 0.0
        votes = Counter(label for label, _ in per_sentence).most_common()
        if votes and (len(votes) == 1 or votes[0][1] > votes[1][1]):
            label = votes[0][0]
        else:
            label = label_compound(compound)
        tones.append(ActorTone(actor_id=actor_id, mentions=counts[actor_id], sentences=len(per_sentence),
                               compound=compound, label=label, method=scorer.method,
                               model_version=scorer.version))
    return tones
