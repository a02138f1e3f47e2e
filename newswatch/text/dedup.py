"""Near-duplicate detection: 64-bit simhash fingerprints of word 3-shingles, compared by Hamming distance.

Pure computation on strings and integers; never reads files or the database (storage keeps the fingerprints).

Method. The text is lowercased and split into word tokens; every run of three consecutive words (a 3-shingle) is
hashed to 64 bits: each word by blake2b (8-byte digest, so the result does not depend on PYTHONHASHSEED or the
platform), the three word hashes combined by position through splitmix64's mixer (vectorised with numpy). Each of
the 64 bit positions is voted on by every distinct shingle (+count when its hash has the bit set, -count
otherwise); the fingerprint has a bit set where the vote is positive. Texts that share most of
their shingles get fingerprints a few bits apart; unrelated texts differ in about 32 bits.

Short texts. A text of fewer than `MIN_WORDS` words has too few shingles for its fingerprint to mean anything
(two different three-line briefs can land within 3 bits by chance), so `simhash` returns 0 for it, and 0 means
"no fingerprint": `find_near_duplicates` never pairs it. Exact copies of short texts are still caught upstream by
the article's content hash.

Lookup. Both lookups split each fingerprint into `max_distance + 1` bands; by the pigeonhole principle two
fingerprints within `max_distance` bits agree exactly on at least one band, so only items sharing a band are
compared. `find_near_duplicates` finds those pairs with numpy (a sort per band) and compares every pair as arrays
(XOR, then a bit count) when too many share bands; `BandIndex` (for the stories' copies) files them in dicts.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections import Counter, defaultdict

import numpy as np

MIN_WORDS = 20
SHINGLE = 3
_BITS = 64
_MASK = (1 << _BITS) - 1
# A word is letters and digits plus the combining marks that Python's \w leaves out (Devanagari and other
# Indic vowel signs, Arabic and Hebrew points, accents), so "भारत" stays one word.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    "\u0900-\u0963\u0966-\u0dff\u0e00-\u0eff\u1ab0-\u1aff\u1dc0-\u1dff\u200c\u200d\u20d0-\u20ff\ufe20-\ufe2f"
)
_WORD = re.compile(rf"[\w{_MARKS}]+")  # one character class: an alternation was twice as slow
# Scripts written without spaces between words: Chinese characters (and Japanese kanji) and kana.
_UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


# Fast path of split_words and split_terms. In ASCII, `_WORD` matches exactly the letters and digits (\w is
# [A-Za-z0-9_] there, "_" is made a separator, and every mark is outside ASCII), so the words of an ASCII text are
# its runs of letters and digits: every other ASCII character becomes a space and str.split cuts there, in C, a
# third of the regex's time. News text outside ASCII is mostly typographic punctuation; when those are its only
# characters outside ASCII (none of them a word character or mark) they are separators too, and the text is
# read as ASCII with each of them a "?". Any other character outside ASCII takes the regex.
# Same words as the regex: tests/unit/test_fast_paths.py::test_split_words_and_terms_equal_the_regex.
_ASCII_SEPARATORS = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})
_PUNCTUATION_SEPARATORS = "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026"  # no-break space, dashes, quotes, •, …
_OTHER_THAN_ASCII = re.compile(f"[^\\x00-\\x7f{_PUNCTUATION_SEPARATORS}]")


def _plain_words(text: str) -> list[str] | None:
    """The words of `text` by the fast path above, or None when it holds a character that needs the regex."""
    if not text.isascii():
        if _OTHER_THAN_ASCII.search(text):
            return None
        text = text.encode("ascii", "replace").decode("ascii")
    return text.translate(_ASCII_SEPARATORS).split()


def split_words(text: str) -> list[str]:
    """The words of `text`, case kept: letters, digits and combining marks; underscores separate words."""
    words = _plain_words(text)
    return _WORD.findall(text.replace("_", " ")) if words is None else words


def split_terms(text: str) -> list[str]:
    """split_words, with each Chinese character and kana a word of its own: the words keyword rules read (term
    weights drop one-character terms, so such text carries no weight in similarity).

    Chinese puts no space between words, so a sentence was one word from one punctuation mark to the next and a
    rule "巴基斯坦" never matched inside it; as characters, the rule is the phrase of its four. Fingerprints keep
    split_words: a stored article's fingerprint must stay what a new copy of it is given."""
    words = _plain_words(text)  # no Chinese character or kana when it gives words
    if words is not None:
        return words
    text = text.replace("_", " ")
    if not text.isascii() and _UNSPACED.search(text):
        text = _UNSPACED.sub(r" \g<0> ", text)
    return _WORD.findall(text)


def shingles(text: str, size: int = SHINGLE) -> Counter[str]:
    """Word n-grams of the lowercased text, with their counts (the whole text when it has fewer words)."""
    words = split_words(text.lower())
    if len(words) < size:
        return Counter([" ".join(words)]) if words else Counter()
    return Counter(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def _word_hash(word: str) -> bytes:
    """The word's 8-byte blake2b digest."""
    return hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()


class _WordHashes(dict[str, bytes]):
    """_word_hash per word, kept: news vocabulary repeats, and blake2b per word dominated the cost. A plain dict read
    with `map(table.__getitem__, words)` (a miss computes the digest in __missing__) costs half of an lru_cache's
    call per word; emptied when it holds `limit` words, so it stays bounded. A table only ever holds each word's own
    digest, so what it returns is _word_hash's whatever it held (tests/unit/test_fast_paths.py)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __missing__(self, word: str) -> bytes:
        if len(self) >= self.limit:
            self.clear()
        digest = self[word] = _word_hash(word)
        return digest


_WORD_HASHES = _WordHashes(1 << 16)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over all 64 output bits (uint64 arithmetic wraps)."""
    z = z ^ (z >> np.uint64(30))
    z = z * np.uint64(0xBF58476D1CE4E5B9)
    z = z ^ (z >> np.uint64(27))
    z = z * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _rotl(z: np.ndarray, r: int) -> np.ndarray:
    return (z << np.uint64(r)) | (z >> np.uint64(_BITS - r))


def simhash(text: str, min_words: int = MIN_WORDS) -> int:
    """The 64-bit unsigned simhash of `text`, or 0 when it has fewer than `min_words` words."""
    words = split_words(text.lower())
    if len(words) < max(min_words, 1):
        return 0
    # Each word is hashed with blake2b (kept in _WORD_HASHES: `map` reads the table from C, cheaper than numbering the
    # distinct words first); a shingle's hash mixes its words' hashes by position, which equals hashing the shingle for
    # our purpose and runs vectorised.
    tok = np.frombuffer(b"".join(map(_WORD_HASHES.__getitem__, words)), dtype=">u8").astype(np.uint64)
    n = len(tok) - SHINGLE + 1
    if n < 1:
        grams = tok
    else:
        grams = tok[:n].copy()
        for k in range(1, SHINGLE):
            grams = _mix(grams ^ _rotl(tok[k : k + n], 17 * k))
    # Each distinct shingle votes with its count, which is every shingle voting once: no need to count them first.
    bits = np.unpackbits(grams.astype(">u8").view(np.uint8)).reshape(len(grams), _BITS)
    votes = 2 * bits.sum(axis=0, dtype=np.int64) - len(grams)
    return int.from_bytes(np.packbits(votes > 0).tobytes(), "big")


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints."""
    return ((a ^ b) & _MASK).bit_count()


def _bands(max_distance: int) -> list[tuple[int, int]]:
    """(shift, mask) pairs cutting 64 bits into max_distance + 1 contiguous bands."""
    n = min(max_distance + 1, _BITS)
    width, extra = divmod(_BITS, n)
    out: list[tuple[int, int]] = []
    shift = 0
    for i in range(n):
        w = width + (1 if i < extra else 0)
        out.append((shift, (1 << w) - 1))
        shift += w
    return out


class BandIndex:
    """Fingerprints filed under their bands, for "which stored fingerprints are within `max_distance` bits of
    this one?" without comparing against all of them: two 64-bit values that differ in at most d bits agree
    exactly on at least one of d + 1 bands (pigeonhole), so only the values sharing a band are compared."""

    def __init__(self, max_distance: int) -> None:
        if max_distance < 0:
            raise ValueError(f"max_distance must be >= 0, got {max_distance}")
        self.max_distance = max_distance
        self._bands = _bands(max_distance)
        self._tables: list[dict[int, list[tuple[int, int]]]] = [defaultdict(list) for _ in self._bands]

    def add(self, key: int, value: int) -> None:
        """File `value` (a non-zero fingerprint) under `key`; a key may hold several values."""
        value &= _MASK
        for table, (shift, mask) in zip(self._tables, self._bands, strict=True):
            table[(value >> shift) & mask].append((key, value))

    def near(self, value: int) -> dict[int, int]:
        """The keys holding a value within max_distance bits of `value`, each with its smallest distance."""
        value &= _MASK
        out: dict[int, int] = {}
        for table, (shift, mask) in zip(self._tables, self._bands, strict=True):
            for key, other in table.get((value >> shift) & mask, ()):
                d = hamming(value, other)
                if d <= self.max_distance and d < out.get(key, d + 1):
                    out[key] = d
        return out

    def first_near(self, value: int, keys: set[int] | frozenset[int]) -> int | None:
        """The smallest of `keys` holding a value within max_distance bits of `value` (None if none does):
        `min(self.near(value).keys() & keys, default=None)` without the distances, and with the bit count made
        only for values filed under one of `keys` (the stories' index keeps the members of closed stories too)."""
        value &= _MASK
        limit = self.max_distance
        best: int | None = None
        for table, (shift, mask) in zip(self._tables, self._bands, strict=True):
            for key, other in table.get((value >> shift) & mask, ()):
                # Stored values are masked too, so this bit count is hamming(value, other).
                if key in keys and (best is None or key < best) and (value ^ other).bit_count() <= limit:
                    best = key
        return best


def find_near_duplicates(
    new: list[tuple[str, int]],
    existing: list[tuple[str, int]],
    max_distance: int = 3,
) -> dict[str, str]:
    """Map each new article_id to the earlier article_id it near-duplicates (Hamming distance <= max_distance).

    `existing` holds fingerprints already stored; `new` is in arrival order, and a new item may duplicate an
    earlier new one. The answer is always the group's original: when B copies A and A itself copies X, B maps
    to X, so folding needs one lookup. Among several matches the closest wins, then the earliest (`existing` in
    its order, then `new`). Fingerprint 0 (too short to fingerprint) never matches, and an item never matches a
    stored copy of its own id.

    The pairs within max_distance are found by bands (`_closest_by_bands`: only pairs agreeing on a band are
    compared) when they are few, else by comparing every new fingerprint with every candidate
    (`_closest_all_pairs`); both give each item its closest earlier candidate of another id.
    """
    if not 0 <= max_distance < _BITS:  # at 64 every pair would match; beyond, "no candidate" would too
        raise ValueError(f"max_distance must be 0..{_BITS - 1}, got {max_distance}")
    new_ids, new_values = _nonzero(new)
    if not new_ids:
        return {}
    stored_ids, stored_values = _nonzero(existing)
    ids = stored_ids + new_ids  # by position: stored ones in their order, then the new ones
    values = np.concatenate((stored_values, new_values))
    best = _closest_by_bands(values, len(stored_ids), ids, max_distance)
    best_d, best_pos = best if best is not None else _closest_all_pairs(values, len(stored_ids), ids)
    found: dict[str, str] = {}
    for article_id, d, pos in zip(new_ids, best_d, best_pos, strict=True):
        if d > max_distance:
            continue
        original = ids[pos]
        found[article_id] = found.get(original, original)
    return found


def _nonzero(pairs: list[tuple[str, int]]) -> tuple[list[str], np.ndarray]:
    """The ids and fingerprints of the pairs whose fingerprint is not 0, each fingerprint as `value & _MASK`.

    numpy reads the values as uint64 at once: for values in 0..2**64-1 (simhash's, the UBIGINT column's) that is
    the value itself; any other (a negative BIGINT reading of one above 2**63) raises OverflowError, and then
    every value is masked first. numpy 1 warns (DeprecationWarning) and wraps a negative value instead: the warning
    is taken as that error, so the project's warnings-as-errors tests and numpy 1 agree too."""
    ids = [article_id for article_id, _ in pairs]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            values = np.fromiter([value for _, value in pairs], dtype=np.uint64, count=len(pairs))
    except (OverflowError, DeprecationWarning):
        values = np.fromiter([value & _MASK for _, value in pairs], dtype=np.uint64, count=len(pairs))
    if values.all():
        return ids, values
    keep = np.flatnonzero(values)
    return [ids[i] for i in keep.tolist()], values[keep]


_ROWS, _BLOCK = 512, 2048  # new x candidate fingerprints compared at a time: 8 MB of XORs, 1 MB of distances
_BAND_PAIRS = 1 << 18  # at most this many band-sharing pairs (about 10 MB of positions, XORs and distances)
_BAND_PAIR_COST = 16  # a band-sharing pair costs about this many all-pairs comparisons (numpy, measured)
_BAND_MAX_DISTANCE = 7  # beyond it bands are narrower than 8 bits: most pairs share one, all pairs is as quick
_BYTE_BITS = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def _closest_all_pairs(values: np.ndarray, n: int, ids: list[str]) -> tuple[list[int], list[int]]:
    """Per new fingerprint (values[n:]), the (distance, position) of its closest earlier candidate with another id,
    the earliest on a tie ((65, 0) when there is none), comparing it with every earlier candidate.

    As arrays, XOR and a bit count per pair, in blocks of at most _ROWS x _BLOCK pairs, 8 MB, whatever the batch
    size: a batch of 500 against a week of stored articles is a few million pairs, milliseconds in numpy, and it
    does not slow down when many fingerprints share bands."""
    m = len(values) - n
    best_d = np.full(m, _BITS + 1, dtype=np.int64)
    best_pos = np.zeros(m, dtype=np.int64)
    for r0 in range(0, m, _ROWS):
        rows = values[n + r0 : n + r0 + _ROWS]
        own = n + r0 + np.arange(len(rows))  # each row's own position: only candidates before it count
        for c0 in range(0, int(own[-1]), _BLOCK):
            block = values[c0 : min(c0 + _BLOCK, int(own[-1]))]
            dist = _popcount(rows[:, None] ^ block[None, :])
            if c0 + len(block) > own[0]:
                dist[c0 + np.arange(len(block))[None, :] >= own[:, None]] = _BITS + 1
            _keep_best(dist, c0, best_d[r0 : r0 + len(rows)], best_pos[r0 : r0 + len(rows)])
    out_d, out_pos = best_d.tolist(), best_pos.tolist()
    candidates: list[tuple[str, int]] = []
    for j in range(m):
        if ids[out_pos[j]] == ids[n + j]:  # its own stored copy or an earlier entry of the same id
            candidates = candidates or list(zip(ids, values.tolist(), strict=True))
            out_d[j], out_pos[j] = _best_other(ids[n + j], candidates[n + j][1], candidates[: n + j])
    return out_d, out_pos


def _closest_by_bands(values: np.ndarray, n: int, ids: list[str], max_distance: int) -> tuple[list[int], list[int]] | None:
    """What _closest_all_pairs gives wherever the distance is <= max_distance (elsewhere (65, 0)), comparing only
    the pairs that agree exactly on one of the max_distance + 1 bands (`_bands`); None when those are too many.

    Equal answers. Two fingerprints within max_distance bits differ in at most max_distance of the bands, so they
    agree on at least one (pigeonhole): every pair that can be an answer is compared, and its exact distance
    decides as before; a pair sharing several bands is compared more than once, which changes no minimum. Per
    band, a stable argsort of the band's values puts each group of equal values in position order, so a new
    fingerprint's earlier candidates in its group are the group's entries before its own. The closest pair of
    another id, then the earliest position, is the smallest (distance, position), as _keep_best keeps it.

    Bounded. The pairs are counted first; when there are more than _BAND_PAIRS, or than all pairs would cost
    (many fingerprints sharing bands), None, and the caller compares all pairs."""
    if max_distance > _BAND_MAX_DISTANCE:
        return None
    size, m = len(values), len(values) - n
    groups = []  # per band: positions sorted by the band's value, then each new item's group start and count
    total = 0
    for shift, mask in _bands(max_distance):
        keys = (values >> np.uint64(shift)) & np.uint64(mask)
        if mask <= 0xFFFF:
            keys = keys.astype(np.uint16)  # numpy's stable sort of 16-bit keys is a radix sort
        order = np.argsort(keys, kind="stable")
        where = np.empty(size, dtype=np.int64)
        where[order] = np.arange(size)
        first = np.searchsorted(keys[order], keys[n:], side="left")
        count = where[n:] - first  # the group's entries before the item itself: earlier positions
        total += int(count.sum())
        groups.append((order, first, count))
    if total > _BAND_PAIRS or total * _BAND_PAIR_COST > m * n + m * (m - 1) // 2:
        return None
    rows_list, cols_list = [], []
    for order, first, count in groups:
        rows = np.repeat(np.arange(m), count)
        starts = np.repeat(first - (np.cumsum(count) - count), count)  # so that starts + k indexes `order`
        rows_list.append(rows)
        cols_list.append(order[starts + np.arange(len(rows))])
    rows, cols = np.concatenate(rows_list), np.concatenate(cols_list)
    dist = _popcount(values[n + rows] ^ values[cols])
    near = dist <= max_distance
    rows, cols, dist = rows[near], cols[near], dist[near]
    by_row = np.lexsort((cols, dist, rows))  # each row's pairs from the closest, then the earliest
    rows, cols, dist = rows[by_row], cols[by_row], dist[by_row]
    best_d, best_pos = [_BITS + 1] * m, [0] * m
    for k in np.flatnonzero(np.diff(rows, prepend=-1)).tolist():  # where each row's pairs start
        j = int(rows[k])
        while k < len(rows) and rows[k] == j and ids[cols[k]] == ids[n + j]:  # its own id: the next pair
            k += 1
        if k < len(rows) and rows[k] == j:
            best_d[j], best_pos[j] = int(dist[k]), int(cols[k])
    return best_d, best_pos


def _popcount(x: np.ndarray) -> np.ndarray:
    """Set bits per uint64 (0..64, as uint8)."""
    if hasattr(np, "bitwise_count"):  # numpy >= 2
        return np.bitwise_count(x)
    return _popcount_bytes(x)


def _popcount_bytes(x: np.ndarray) -> np.ndarray:
    """The same for numpy before 2.0 (no bitwise_count): a table of the 256 byte values."""
    return _BYTE_BITS[x.view(np.uint8)].reshape(*x.shape, 8).sum(axis=-1, dtype=np.uint8)


def _keep_best(dist: np.ndarray, offset: int, best_d: np.ndarray, best_pos: np.ndarray) -> None:
    """Fold one block of distances (new items x candidates at positions offset...) into the running best: the
    smallest distance, then the earliest position (argmin takes the first)."""
    if dist.shape[1] == 0:
        return
    col = dist.argmin(axis=1)
    d = dist[np.arange(len(col)), col]
    better = d < best_d  # a tie keeps the earlier block's position
    best_d[better] = d[better]
    best_pos[better] = col[better] + offset


def _best_other(article_id: str, value: int, candidates: list[tuple[str, int]]) -> tuple[int, int]:
    """The best candidate whose id is not `article_id` (the rare item whose own id is stored or repeated)."""
    best = (_BITS + 1, 0)
    for pos, (other_id, other) in enumerate(candidates):
        if other_id != article_id:
            best = min(best, (hamming(value, other), pos))
    return best
