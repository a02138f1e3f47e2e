"""The near-duplicate rule written out pair by pair: the reference both the behaviour tests and the fast-path
tests compare `newswatch.text.dedup.find_near_duplicates` with."""

from __future__ import annotations

from newswatch.text.dedup import hamming


def near_duplicates_one_by_one(new: list[tuple[str, int]], existing: list[tuple[str, int]],
                               max_distance: int) -> dict[str, str]:
    """The rule as the docstring states it, pair by pair: the closest earlier candidate (stored ones in order,
    then earlier new ones), then the earliest; never fingerprint 0 or the item's own id; chains to the original."""
    mask = 2**64 - 1
    candidates = [(i, v & mask) for i, v in existing if v & mask]
    found: dict[str, str] = {}
    for article_id, value in new:
        value &= mask
        if not value:
            continue
        matches = [(hamming(value, other), pos) for pos, (other_id, other) in enumerate(candidates)
                   if other_id != article_id and hamming(value, other) <= max_distance]
        if matches:
            original = candidates[min(matches)[1]][0]
            found[article_id] = found.get(original, original)
        candidates.append((article_id, value))
    return found
