"""Near-duplicate stories (the same news from several outlets): SimHash over character shingles.

Each text gets a 64-bit SimHash of its 4-character shingles (punctuation and spaces dropped, so
re-punctuated copies agree). Two items within a Hamming distance of ``MAX_DISTANCE`` (3) share at
least one of the four 16-bit bands (pigeonhole), so the candidates of an item are the rows equal
on a band — four indexed look-ups, never a comparison of every pair.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

MAX_DISTANCE = 3
SHINGLE = 4
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
_MASK = (1 << 64) - 1


def content_hash(text: str) -> str:
    return hashlib.sha256(_DROP.sub("", text).encode("utf-8")).hexdigest()


def simhash(text: str) -> int:
    """The signed 64-bit SimHash (a database BigInteger) of ``text``'s distinct shingles."""
    clean = _DROP.sub("", text)
    shingles = {clean[i:i + SHINGLE] for i in range(max(len(clean) - SHINGLE + 1, 1))}
    digests = b"".join(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(-1, 8), axis=1)  # (n, 64), MSB first
    ones = bits.sum(axis=0, dtype=np.int64)
    value = 0
    for bit in (2 * ones > len(shingles)).tolist():
        value = value << 1 | int(bit)
    return value - (1 << 64) if value >= 1 << 63 else value


def bands(value: int) -> tuple[int, int, int, int]:
    unsigned = value & _MASK
    return tuple((unsigned >> (16 * i)) & 0xFFFF for i in range(4))


def distance(a: int, b: int) -> int:
    return ((a & _MASK) ^ (b & _MASK)).bit_count()
