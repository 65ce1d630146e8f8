"""Near-duplicate detection: MinHash LSH (datasketch) over word shingles of the normalised text.

Syndicated wire copies and lightly edited re-publications share most of their word
5-grams. Each text's MinHash is looked up in an LSH index of the texts kept so far;
a candidate counts only if the estimated Jaccard similarity reaches the threshold
(LSH alone lets some lower pairs through), so precision does not rest on banding luck.
Shingles are hashed from the words' CRC-32s, and the signatures computed, with numpy over
a whole text at once instead of datasketch's SHA-1 and ``update_batch`` per shingle (ten
times faster); datasketch's MinHashLSH does the banding and the candidate lookup.

Exact duplicates (identical normalised text) are found earlier, on the catalogue's
text hashes, without reading any text.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np

from morgue.corpus.records import Piece, members, parse
from morgue.corpus.rows import normalise

SHINGLE = 5
NUM_PERM = 128
THRESHOLD = 0.7


_WORDS: dict[str, int] = {}  # word -> CRC-32: news vocabulary repeats, so most words are hashed once
_MAX_WORDS = 1 << 21
_MIX = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1], dtype=np.uint64)


def shingles(text: str, size: int = SHINGLE) -> np.ndarray:
    """32-bit hashes of the word ``size``-grams of the normalised text (unique), as an array."""
    words = normalise(text).split()
    if not words:
        return np.empty(0, dtype=np.uint64)
    if len(_WORDS) > _MAX_WORDS:
        _WORDS.clear()
    ids = list(map(_WORDS.get, words))  # a C loop; the few new words are hashed below
    if None in ids:
        for i, h in enumerate(ids):
            if h is None:
                ids[i] = _WORDS[words[i]] = zlib.crc32(words[i].encode())
    arr = np.array(ids, dtype=np.uint64)
    n = max(len(arr) - size + 1, 1)
    mixed = np.zeros(n, dtype=np.uint64)
    for k in range(min(size, len(arr))):  # a position-weighted sum of the words' hashes, wrapping at 2**64
        mixed += arr[k:k + n] * _MIX[k % len(_MIX)]
    return np.unique((mixed ^ (mixed >> np.uint64(32))) & np.uint64(0xFFFFFFFF))


@dataclass(frozen=True)
class Duplicate:
    of: object  # the key the caller gave the kept text
    similarity: float  # estimated Jaccard similarity of their shingles


class NearDuplicates:
    """Keeps the first of each group of near-identical texts, in the order their signatures are checked."""

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM):
        if not 0 < threshold <= 1:
            raise ValueError(f"invalid near-duplicate threshold {threshold}: expected 0 < t <= 1")
        from datasketch import MinHash, MinHashLSH  # here: importing it costs 50 MB, needed only now

        self._minhash = MinHash
        self.threshold = threshold
        self.num_perm = num_perm
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._template = MinHash(num_perm=num_perm)
        self.dtype = self._template.hashvalues.dtype
        rng = np.random.default_rng(1)  # fixed: the same signatures in every process and run
        self._a = rng.integers(1, 1 << 32, num_perm, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
        self._b = rng.integers(0, 1 << 32, num_perm, dtype=np.uint64).astype(np.uint32)
        self.kept: dict[int, tuple[object, np.ndarray]] = {}

    def signature(self, text: str) -> np.ndarray | None:
        """The MinHash values of ``text`` (None for a text without words).

        Computed here with numpy over all shingles at once (datasketch's ``update_batch``
        calls a Python function per shingle); datasketch's LSH only ever sees the values.
        """
        hashes = shingles(text)
        if not len(hashes):
            return None
        h = hashes.astype(np.uint32)
        # murmur3's finaliser, then one affine map mod 2**32 per permutation: datasketch's own
        # "affine32" scheme, over all shingles at once
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
        return (h[:, None] * self._a + self._b).min(axis=0).astype(self.dtype)

    def check(self, key: object, signature: np.ndarray | None) -> Duplicate | None:
        """The kept text the one with ``signature`` nearly duplicates, or None (and it is kept under ``key``)."""
        if signature is None:
            return None
        t = self._template
        m = self._minhash(num_perm=self.num_perm, hashvalues=signature, permutations=t.permutations, scheme=t.scheme)
        best: Duplicate | None = None
        for n in self.lsh.query(m):
            other_key, values = self.kept[n]
            similarity = float(np.count_nonzero(values == signature)) / self.num_perm
            if similarity >= self.threshold and (best is None or similarity > best.similarity):
                best = Duplicate(other_key, similarity)
        if best is None:
            n = len(self.kept)
            self.kept[n] = (key, signature)
            self.lsh.insert(n, m, check_duplication=False)
        return best


@cache
def _signer(threshold: float) -> NearDuplicates:
    return NearDuplicates(threshold)


def piece_signatures(piece: Piece, threshold: float) -> list[tuple[int, np.ndarray | None]]:
    """(offset, MinHash values or None) of each wanted record of ``piece``: what a worker process runs."""
    signer = _signer(threshold)
    found, _ = members(piece)
    out = []
    for m in found:
        try:
            text = parse(m).get("text")
        except (ValueError, TypeError):
            continue
        out.append((m.offset, signer.signature(text if isinstance(text, str) else "")))
    return out
