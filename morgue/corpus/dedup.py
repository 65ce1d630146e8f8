"""Near-duplicate detection: MinHash LSH (datasketch) over word shingles of the normalised text.

Syndicated wire copies and lightly edited re-publications share most of their word
5-grams. Each text's MinHash is looked up in an LSH index of the texts kept so far;
a candidate counts only if the estimated Jaccard similarity reaches the threshold
(LSH alone lets some lower pairs through), so precision does not rest on banding luck.
Shingles are hashed with CRC-32 (in C) instead of datasketch's default SHA-1 per
shingle: six times faster, and 32 bits is what datasketch's default scheme keeps.

Exact duplicates (identical normalised text) are found earlier, on the catalogue's
text hashes, without reading any text.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from morgue.corpus.rows import normalise

SHINGLE = 5
NUM_PERM = 128
THRESHOLD = 0.7


def _identity(value: int) -> int:
    return value


def shingles(text: str, size: int = SHINGLE) -> set[int]:
    words = normalise(text).split()
    if len(words) <= size:
        return {zlib.crc32(" ".join(words).encode())} if words else set()
    return {zlib.crc32(" ".join(words[i:i + size]).encode()) for i in range(len(words) - size + 1)}


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
        self.kept: dict[int, tuple[object, np.ndarray]] = {}

    def signature(self, text: str) -> np.ndarray | None:
        """The MinHash values of ``text`` (None for a text without words)."""
        hashes = shingles(text)
        if not hashes:
            return None
        t = self._template
        m = self._minhash(num_perm=self.num_perm, hashfunc=_identity, permutations=t.permutations, scheme=t.scheme)
        m.update_batch(hashes)
        return m.hashvalues

    def check(self, key: object, signature: np.ndarray | None) -> Duplicate | None:
        """The kept text the one with ``signature`` nearly duplicates, or None (and it is kept under ``key``)."""
        if signature is None:
            return None
        m = self._minhash(num_perm=self.num_perm, hashvalues=signature, scheme=self._template.scheme)
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
