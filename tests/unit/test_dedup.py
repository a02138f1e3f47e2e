"""Simhash fingerprints and near-duplicate lookup."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from newswatch.text.dedup import MIN_WORDS, find_near_duplicates, hamming, simhash
from tests.support.near_duplicates import near_duplicates_one_by_one

STORY = (
    "India said it struck nine sites in Pakistan and Pakistan-administered Kashmir early on Wednesday. "
    "The Indian government said the targets were linked to militant groups, including sites in Bahawalpur "
    "and Muridke. Pakistan said civilians were killed in the strikes and called them an act of war. "
    "The strikes were the deepest inside Pakistan in decades, analysts said."
)
OTHER = (
    "The Lakeport council voted to build protected cycle lanes on two main roads in the town centre. "
    "Councillors said the lanes would make the school run safer, while some shop owners worried about "
    "the loss of parking spaces. Work is expected to start in the autumn and take about six months."
)


def test_fingerprints_stay_what_stored_articles_were_given() -> None:
    """Stored articles keep the fingerprint they were given, and new ones are compared with them: a change in how
    it is computed must not change a value. Pinned from the code of 2026-12-04 (before its vote counting changed)."""
    assert simhash(STORY) == 0x11C2168CE0B6486B
    assert simhash(OTHER) == 0xB7B9C5ECC3780D37
    assert simhash("talks and more talks " * 10) == 0x09A56460845523D4  # repeated shingles vote by their count


def test_simhash_is_deterministic_64_bit_unsigned() -> None:
    value = simhash(STORY)
    assert value == simhash(STORY)
    assert 0 < value < 2**64


def test_simhash_ignores_case_and_punctuation() -> None:
    assert simhash(STORY) == simhash(STORY.upper().replace(",", "").replace(".", " ."))


SEED = Path(__file__).resolve().parents[2] / "samples" / "inbox" / "seed-000_362e12533a4fbe53.txt"


def test_one_word_edits_of_a_long_article_stay_within_a_few_bits() -> None:
    text = SEED.read_text(encoding="utf-8")
    edits = [
        ("seems timely", "seems late"),
        ("clear", "plain"),
        ("Kashmir", "Jammu"),
        ("fairness", "justice"),
        ("dangerous", "risky"),
    ]
    distances = [hamming(simhash(text), simhash(text.replace(old, new, 1))) for old, new in edits]
    # Unrelated texts sit about 32 bits apart; a one-word edit of ~340 words moves only a few.
    assert max(distances) <= 5
    assert sum(distances) / len(distances) <= 3
    close = text.replace("fairness", "justice", 1)
    assert find_near_duplicates([("copy", simhash(close))], [("seed", simhash(text))]) == {"copy": "seed"}


def test_different_texts_are_far_apart() -> None:
    assert hamming(simhash(STORY), simhash(OTHER)) > 10


def test_short_text_has_no_fingerprint() -> None:
    assert simhash("India and Pakistan agree to ceasefire") == 0
    assert simhash(" ".join(["word"] * (MIN_WORDS - 1))) == 0
    assert simhash(" ".join(f"w{i}" for i in range(MIN_WORDS))) != 0


def test_hamming_counts_differing_bits() -> None:
    assert hamming(0, 0) == 0
    assert hamming(0b1011, 0b0001) == 2
    assert hamming(2**64 - 1, 0) == 64


def test_find_near_duplicates_against_existing_and_within_new() -> None:
    a, b = simhash(STORY), simhash(OTHER)
    new = [("n1", a ^ 0b101), ("n2", b), ("n3", a ^ (1 << 63)), ("n4", b ^ (0b111 << 40))]
    found = find_near_duplicates(new, [("old", a)], max_distance=3)
    assert found == {"n1": "old", "n3": "old", "n4": "n2"}


def test_chain_resolves_to_the_original() -> None:
    base = simhash(STORY)
    step1 = base ^ 0b111  # 3 bits from base
    step2 = step1 ^ (0b111 << 20)  # 3 bits from step1, 6 from base
    found = find_near_duplicates([("b", step1), ("c", step2)], [("a", base)], max_distance=3)
    assert found == {"b": "a", "c": "a"}


def test_closest_match_wins() -> None:
    base = simhash(STORY)
    found = find_near_duplicates([("x", base ^ 1)], [("far", base ^ 0b1110), ("near", base)], max_distance=3)
    assert found == {"x": "near"}


def test_zero_fingerprint_never_matches() -> None:
    assert find_near_duplicates([("x", 0), ("y", 0)], [("z", 0)]) == {}


def test_same_id_is_not_its_own_duplicate() -> None:
    value = simhash(STORY)
    assert find_near_duplicates([("a", value)], [("a", value)]) == {}


def test_banding_finds_every_pair_within_distance() -> None:
    rng = random.Random(7)
    existing = [(f"e{i}", rng.getrandbits(64) or 1) for i in range(300)]
    new: list[tuple[str, int]] = []
    expected: dict[str, str] = {}
    for i in range(100):
        article_id, value = existing[rng.randrange(len(existing))]
        flips = rng.sample(range(64), rng.randint(0, 4))
        for bit in flips:
            value ^= 1 << bit
        new.append((f"n{i}", value))
        if len(flips) <= 4:
            expected[f"n{i}"] = article_id
    found = find_near_duplicates(new, existing, max_distance=4)
    # Random 64-bit values are ~32 bits apart, so only the planted copies match.
    assert {k: v for k, v in found.items() if v.startswith("e")} == expected




@pytest.mark.parametrize("seed", range(6))
def test_near_duplicates_follow_the_rule_pair_by_pair(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fingerprints crowded around a few values (so that distances tie and chains form), zeros, signed stored
    values, an id stored already and an id repeated in the batch, compared in blocks of a few rows and columns."""
    import newswatch.text.dedup as dedup

    monkeypatch.setattr(dedup, "_BLOCK", 7)
    monkeypatch.setattr(dedup, "_ROWS", 5)
    rng = random.Random(seed)
    centres = [rng.getrandbits(64) for _ in range(4)]

    def near() -> int:
        value = rng.choice(centres)
        for bit in rng.sample(range(64), rng.randint(0, 6)):
            value ^= 1 << bit
        return value

    existing = [(f"e{i}", near() if rng.random() < 0.8 else 0) for i in range(40)]
    existing = [(i, v - (1 << 64) if v >= 1 << 63 and rng.random() < 0.5 else v) for i, v in existing]
    new = [(f"n{j}", near() if rng.random() < 0.9 else 0) for j in range(30)]
    new += [("e3", near()), ("n5", near())]
    rng.shuffle(new)
    for distance in (0, 3, 5):
        assert find_near_duplicates(new, existing, distance) == near_duplicates_one_by_one(new, existing,
                                                                                             distance)


def test_bit_counts_agree_with_and_without_numpy_2() -> None:
    import numpy as np

    from newswatch.text.dedup import _popcount, _popcount_bytes

    rng = random.Random(11)
    values = np.array([0, 1, 2**64 - 1, 2**63] + [rng.getrandbits(64) for _ in range(200)], dtype=np.uint64)
    grid = values[:, None] ^ values[None, :5]
    expected = [[int(v).bit_count() for v in row] for row in grid]
    assert _popcount_bytes(grid).tolist() == expected
    assert _popcount(grid).tolist() == expected


def test_negative_distance_is_rejected() -> None:
    with pytest.raises(ValueError, match="max_distance"):
        find_near_duplicates([], [], max_distance=-1)


@pytest.mark.parametrize("max_distance", [64, 65, 70])
def test_a_distance_every_pair_would_pass_is_rejected(max_distance: int) -> None:
    """At 64 every two fingerprints would be near copies, and beyond it "no earlier candidate" (distance 65) would
    pass too, mapping an item to an unrelated one or to itself."""
    with pytest.raises(ValueError, match="max_distance"):
        find_near_duplicates([("a16", 5), ("b", 7)], [], max_distance=max_distance)


def test_negative_stored_values_are_read_as_their_unsigned_64_bits_without_a_warning() -> None:
    """A BIGINT reading of a fingerprint above 2**63 is negative: it is masked to its 64 bits, with numpy 2's
    OverflowError or numpy 1's DeprecationWarning taken the same way (the tests run with warnings as errors)."""
    import warnings

    value = (1 << 63) + 5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = find_near_duplicates([("a", value)], [("b", value - (1 << 64))])
    assert found == {"a": "b"}


def test_signed_64_bit_storage_round_trips() -> None:
    # A BIGINT column hands back fingerprints above 2**63 as negative numbers; they must still compare.
    value = simhash(STORY) | (1 << 63)
    signed = value - (1 << 64)
    assert signed < 0
    assert hamming(signed, value) == 0
    assert find_near_duplicates([("new", value ^ 1)], [("old", signed)]) == {"new": "old"}


def test_band_index_finds_exactly_the_keys_within_the_distance() -> None:
    # Checked against comparing with every stored value: a random set, and values 0..4 bits from the query.
    import random

    from newswatch.text.dedup import BandIndex, hamming

    rng = random.Random(7)
    query = rng.getrandbits(64)
    stored = [rng.getrandbits(64) for _ in range(300)]
    for flips in range(5):
        value = query
        for bit in rng.sample(range(64), flips):
            value ^= 1 << bit
        stored.append(value)
    index = BandIndex(3)
    for key, value in enumerate(stored):
        index.add(key // 2, value)  # two values per key
    expected: dict[int, int] = {}
    for key, value in enumerate(stored):
        if hamming(query, value) <= 3:
            expected[key // 2] = min(hamming(query, value), expected.get(key // 2, 64))
    assert index.near(query) == expected
    assert len(expected) >= 2  # the values 0..3 bits away (4 bits away is not)
