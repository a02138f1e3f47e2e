"""Actors: the registry, finding mentions in an article, actor-level tone, and candidate names.

One module each; this package re-exports what the rest of newswatch uses.
"""

from newswatch.analysis.actors.candidates import find_candidates, promote_candidate
from newswatch.analysis.actors.matching import match_actors
from newswatch.analysis.actors.registry import KINDS, Actor, ActorKind, ActorRegistry, Ambiguity, Label, Role
from newswatch.analysis.actors.tone import (
    NEUTRAL_BAND,
    NEWS_NEUTRAL,
    WINDOW,
    MentionScorer,
    default_scorer,
    finish_actor_tones,
    label_compound,
    prepare_actor_tones,
    score_actor_tones,
    target_compound,
    target_tone,
)

__all__ = [
    "KINDS", "NEUTRAL_BAND", "NEWS_NEUTRAL", "WINDOW", "Actor", "ActorKind", "ActorRegistry", "Ambiguity", "Label",
    "MentionScorer", "Role", "default_scorer", "find_candidates", "finish_actor_tones", "label_compound",
    "match_actors", "prepare_actor_tones", "promote_candidate", "score_actor_tones", "target_compound",
    "target_tone",
]
