"""The 64-bit key of a UID in the public-index lookup, without numpy: a harvest's reader processes compute it for
every file they read (issue 29), and a re-harvest that reads nothing must not pay for importing numpy."""

from __future__ import annotations

_MASK = (1 << 64) - 1
_PRIME = (0x100000001B3 * 0x9E3779B1 | 1) & _MASK  # an odd 64-bit multiplier (FNV prime times the golden ratio)
_SEED = 0xCBF29CE484222325


def _finish(h: int) -> int:
    """splitmix64's finaliser: every input bit reaches every output bit."""
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _MASK
    return h ^ (h >> 31)


def uid_hash(uid: str) -> int:
    """The 64-bit key of a UID in the lookup: its bytes read as little-endian 64-bit words, each mixed in by
    xor-multiply, then finalised; the same on every machine. index._hashes computes it for a whole column."""
    data = uid.strip().encode("ascii", "replace")
    h = _SEED ^ len(data)
    padded = data + b"\0" * (-len(data) % 8)
    for i in range(0, len(padded), 8):
        h = ((h ^ int.from_bytes(padded[i : i + 8], "little")) * _PRIME) & _MASK
    return _finish(h) or 1  # 0 marks "no UID" in the arrays
