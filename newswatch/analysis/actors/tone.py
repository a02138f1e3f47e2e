"""Actor-level tone: the tone of the sentences around each mention of an actor.

Pure computation on strings; never reads files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

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
    """Label of the tone toward the mention at sentence[start:end] (the method the pipeline uses)."""
    return label_compound(target_compound(sentence, start, end))


def score_actor_tones(
    mentions: Sequence[Mention], sentences: Sequence[Sentence], text: str
) -> list[ActorTone]:
    """Actor-level tone: mean of target_compound over the text sentences that mention the actor.

    In a sentence with several mentions of one actor, the first mention stands for it. Headline mentions count in
    `mentions` but not in tone, since their offsets point into the title.
    """
    by_index = {s.index: s for s in sentences}
    counts: Counter[str] = Counter()
    first: dict[str, dict[int, Mention]] = {}
    for m in mentions:
        counts[m.actor_id] += 1
        if m.sentence_index >= 0 and m.sentence_index in by_index:
            first.setdefault(m.actor_id, {}).setdefault(m.sentence_index, m)
    tones = []
    for actor_id in counts:
        per_sentence = first.get(actor_id, {})
        values = []
        for index, m in per_sentence.items():
            s = by_index[index]
            values.append(target_compound(text[s.start : s.end], m.start - s.start, m.end - s.start))
        compound = sum(values) / len(values) if values else 0.0
        tones.append(
            ActorTone(
                actor_id=actor_id,
                mentions=counts[actor_id],
                sentences=len(values),
                compound=compound,
                label=label_compound(compound),
            )
        )
    return tones
