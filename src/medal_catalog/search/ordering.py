"""The first rows of a sort order without sorting every candidate.

A search shows one page, yet a query on a common word has ~100k candidates: sorting them all (``np.lexsort``)
costs a few milliseconds, while selecting the few that can reach the page (``np.partition``, linear time) and
sorting only those costs a fraction of it, and gives the same rows in the same order.
"""

from __future__ import annotations

import numpy as np

#: Below this many rows a full sort is as cheap as the selection.
_SMALL = 4096


def lexsort_head(keys: tuple[np.ndarray, ...], k: int) -> np.ndarray:
    """``np.lexsort(keys)[:k]``: the positions of the first ``k`` rows, the last key sorting first.

    The same rows in the same order as the full sort provided the first key breaks every tie (as the key rank
    does) and no key holds NaN (which ``partition`` and ``<`` would place differently).
    """
    n = len(keys[0])
    if k <= 0:
        return np.zeros(0, dtype=np.intp)
    if n <= max(k, _SMALL):
        return np.lexsort(keys)[:k]
    primary = keys[-1]
    kth = np.partition(primary, k - 1)[k - 1]
    better = np.flatnonzero(primary < kth)  # all of these are within the first k
    tied = np.flatnonzero(primary == kth)
    if len(tied) > k - len(better):  # only the first of the tied rows, by the remaining keys, fill the page
        rest = k - len(better)
        # lexsort is stable: with no key left, tied rows keep their positions' order.
        tied = tied[lexsort_head(tuple(key[tied] for key in keys[:-1]), rest)] if len(keys) > 1 else tied[:rest]
    chosen = np.concatenate((better, tied))
    return chosen[np.lexsort(tuple(key[chosen] for key in keys))]
