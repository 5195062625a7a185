"""The BM25 scoring loop, compiled by numba: accumulate the query terms' postings into a dense
score buffer (and, with coverage, the query weight each document holds into a second one), then
keep the best ``k`` of the touched documents that pass the filters with a small heap. Scores are
computed from the postings' term frequencies and the documents' lengths with the current
document frequencies and average length, so an index that was updated incrementally scores
exactly like a fresh build of the same documents."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _worse(s1, i1, s2, i2):
    # a result is worse when its score is lower, or equal with a larger document id
    return s1 < s2 or (s1 == s2 and i1 > i2)


@njit(cache=True, inline="always")
def _swap(hs, hi, hslot, a, b):
    """Swap heap entries a and b in the three parallel arrays, which must move together."""
    hs[a], hs[b] = hs[b], hs[a]
    hi[a], hi[b] = hi[b], hi[a]
    hslot[a], hslot[b] = hslot[b], hslot[a]


@njit(cache=True, inline="always")
def _put(hs, hi, hslot, pos, s, i, d):
    hs[pos] = s
    hi[pos] = i
    hslot[pos] = d


@njit(cache=True)
def _sift_down(hs, hi, hslot, n, pos):
    while True:
        left = 2 * pos + 1
        if left >= n:
            return
        child = left
        right = left + 1
        if right < n and _worse(hs[right], hi[right], hs[left], hi[left]):
            child = right
        if _worse(hs[child], hi[child], hs[pos], hi[pos]):
            _swap(hs, hi, hslot, pos, child)
            pos = child
        else:
            return


@njit(cache=True)
def _sift_up(hs, hi, hslot, pos):
    while pos > 0:
        parent = (pos - 1) // 2
        if _worse(hs[pos], hi[pos], hs[parent], hi[parent]):
            _swap(hs, hi, hslot, pos, parent)
            pos = parent
        else:
            return


@njit(cache=True)
def _offer(hs, hi, hslot, n, k, s, i, d):
    """Offer (score s, id i, slot d) to the heap of the best k; returns the new size."""
    if n < k:
        _put(hs, hi, hslot, n, s, i, d)
        _sift_up(hs, hi, hslot, n)
        return n + 1
    if _worse(hs[0], hi[0], s, i):
        _put(hs, hi, hslot, 0, s, i, d)
        _sift_down(hs, hi, hslot, n, 0)
    return n


@njit(cache=True, inline="always")
def _passes(d, ok, codes, allowed, active):
    if not ok[d]:
        return False
    for a in range(active.shape[0]):
        if active[a] and not allowed[a, codes[d, a]]:
            return False
    return True


LUT_TF, LUT_DL = 8, 256  # postings with tf < 8 and length < 256 read their tf part from a table


@njit(cache=True, inline="always")
def _part(tf, dl, c1, c2):
    return np.float32(tf / (tf + c1 + c2 * dl))


BLOCK = 256


@njit(cache=True)
def _add_dense(lo, hi, m_docs, m_code, m_tf, m_dl, lut, w, c1, c2, acc, cover):
    for p in range(lo, hi):
        code = m_code[p]
        part = lut[code] if code != 0xFFFF else _part(m_tf[p], m_dl[p], c1, c2)
        d = np.uint32(m_docs[p])  # unsigned: no negative-index wrap check
        acc[d, 0] += w * part
        if cover:
            acc[d, 1] += w


@njit(cache=True)
def _add_sparse(lo, hi, m_docs, m_code, m_tf, m_dl, lut, w, c1, c2, acc, touched, n_touched, cover):
    for p in range(lo, hi):
        d = m_docs[p]
        code = m_code[p]
        part = lut[code] if code != 0xFFFF else _part(m_tf[p], m_dl[p], c1, c2)
        if acc[d, 0] == 0.0:
            touched[n_touched] = d
            n_touched += 1
        acc[d, 0] += w * part
        if cover:
            acc[d, 1] += w
    return n_touched


TILE = 65536  # slots a tile of the dense accumulation: 512 KB of accumulators, held in the core's cache


@njit(cache=True, inline="always")
def _first_at_least(docs, lo, hi, d):
    """The first position in ``docs[lo:hi]`` (ascending) holding ``d`` or more (``hi``: none)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if docs[mid] < d:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _add_tiled(q_lo, q_hi, qterms, qidf, m_indptr, n_main_terms, m_docs, m_code, m_tf, m_dl, lut, c1, c2, acc, cover,
               d_indptr, d_docs, d_tf, d_dl, tile):
    """The query's own terms ``q_lo``–``q_hi`` added densely one tile of slots at a time: every
    term's postings in the tile (each term's are in slot order), then the next tile. Term after
    term over the whole buffer swept the 8 bytes a slot of all the slots from memory once a term;
    a tile stays in the core's cache while all the terms visit it. Each slot still receives its
    terms in query order (main postings, then delta ones), so the sums are the same bits."""
    n = q_hi - q_lo
    cur = np.zeros(n, np.int64)
    end = np.zeros(n, np.int64)
    for j in range(n):
        t = qterms[q_lo + j]
        if t < n_main_terms:
            cur[j] = m_indptr[t]
            end[j] = m_indptr[t + 1]
    for start in range(0, acc.shape[0], tile):
        stop = start + tile
        for j in range(n):
            qi = q_lo + j
            w = np.float32(qidf[qi])
            upto = _first_at_least(m_docs, cur[j], end[j], stop)
            _add_dense(cur[j], upto, m_docs, m_code, m_tf, m_dl, lut, w, c1, c2, acc, cover)
            cur[j] = upto
            for p in range(d_indptr[qi], d_indptr[qi + 1]):
                d = d_docs[p]
                if start <= d < stop:
                    acc[d, 0] += w * _part(d_tf[p], d_dl[p], c1, c2)
                    if cover:
                        acc[d, 1] += w


@njit(cache=True, inline="always")
def _in_sorted(docs, lo, hi, d):
    """Whether slot ``d`` is among ``docs[lo:hi]`` (ascending)."""
    at = _first_at_least(docs, lo, hi, d)
    return at < hi and docs[at] == d


@njit(cache=True)
def _held_by_source(d, mask, qterms, qmask, n_exact, m_indptr, m_docs, n_main_terms, d_indptr, d_docs):
    """Whether the document at slot ``d`` holds one of the query's own terms whose synonym-group
    bits meet ``mask`` (binary search in the term's main postings, a scan of its few delta ones)."""
    for j in range(n_exact):
        if qmask[j] & mask:
            t = qterms[j]
            if t < n_main_terms and _in_sorted(m_docs, m_indptr[t], m_indptr[t + 1], d):
                return True
            for p in range(d_indptr[j], d_indptr[j + 1]):
                if d_docs[p] == d:
                    return True
    return False


@njit(cache=True)
def _add_expansion(lo, hi, m_docs, m_code, m_tf, m_dl, lut, w, c1, c2, acc, touched, n_touched, cover,
                   dense, hits, mask, qterms, qmask, n_exact, m_indptr, n_main_terms, d_indptr, d_docs):
    """An expansion term of a synonym group: a document holding one of the group's own query terms
    (scored by the plain paths) or already scored by an earlier expansion term of the group is
    skipped, so the concept counts once. The expansion's postings (at most 1% of the documents)
    are walked in slot order beside a galloping cursor in each source term's main postings, so a
    common source term costs a few reads per expansion posting, not a pass over its postings."""
    cursors = np.empty(n_exact, np.int64)
    for j in range(n_exact):
        t = qterms[j]
        cursors[j] = m_indptr[t] if t < n_main_terms else 0
    for p in range(lo, hi):
        d = m_docs[p]
        if hits[d] & mask:
            continue
        hits[d] |= mask
        held = False
        for j in range(n_exact):
            if not (qmask[j] & mask):
                continue
            t = qterms[j]
            if t < n_main_terms:
                end = m_indptr[t + 1]
                cur = cursors[j]
                if cur < end and m_docs[cur] < d:
                    # gallop to a bound, then binary search for the first posting ≥ d
                    step = 1
                    while cur + step < end and m_docs[cur + step] < d:
                        cur += step
                        step *= 2
                    cur = _first_at_least(m_docs, cur + 1, min(cur + step, end), d)
                    cursors[j] = cur
                if cur < end and m_docs[cur] == d:
                    held = True
                    break
            for q in range(d_indptr[j], d_indptr[j + 1]):
                if d_docs[q] == d:
                    held = True
                    break
            if held:
                break
        if held:
            continue
        code = m_code[p]
        part = lut[code] if code != 0xFFFF else _part(m_tf[p], m_dl[p], c1, c2)
        if not dense and acc[d, 0] == 0.0:
            touched[n_touched] = d
            n_touched += 1
        acc[d, 0] += w * part
        if cover:
            acc[d, 1] += w
    return n_touched


@njit(cache=True)
def _clear_hits(lo, hi, m_docs, hits):
    for p in range(lo, hi):
        hits[m_docs[p]] = 0


@njit(cache=True, inline="always")
def _covered(s, covered, inv_total, cov_exp):
    """The BM25 score times the share of the query's weight the document holds, to ``cov_exp``
    (float32 throughout: the dense and the sparse paths give the same bits)."""
    share = min(np.float32(covered) * inv_total, np.float32(1.0))
    if cov_exp != 1.0:
        share = np.float32(share ** cov_exp)
    return np.float32(s) * share


@njit(cache=True)
def _block_max(acc, n_slots, cover, inv_total, cov_exp, maxima):
    """The largest final score (``_final``) of each block of ``BLOCK`` slots, in one contiguous
    pass over the accumulators, which it leaves as they are. The common cases (no coverage
    factor, or its exponent 1) are loops without branches that the compiler vectorises."""
    if not cover:
        _block_max_plain(acc, n_slots, maxima)
    elif cov_exp == 1.0:
        _block_max_linear(acc, n_slots, np.float32(inv_total), maxima)
    else:
        for blk in range(maxima.shape[0]):
            m = np.float32(0.0)
            for d in range(blk * BLOCK, min(n_slots, (blk + 1) * BLOCK)):
                m = max(m, _final(acc, d, cover, inv_total, cov_exp))
            maxima[blk] = m


@njit(cache=True, fastmath=True)
def _block_max_plain(acc, n_slots, maxima):
    for blk in range(maxima.shape[0]):
        m = np.float32(0.0)
        for d in range(blk * BLOCK, min(n_slots, (blk + 1) * BLOCK)):
            m = max(m, acc[d, 0])
        maxima[blk] = m


@njit(cache=True, fastmath=True)
def _block_max_linear(acc, n_slots, inv_total, maxima):
    # the same two exact operations as ``_covered`` (a minimum and a product), so the same bits
    one = np.float32(1.0)
    for blk in range(maxima.shape[0]):
        m = np.float32(0.0)
        for d in range(blk * BLOCK, min(n_slots, (blk + 1) * BLOCK)):
            m = max(m, acc[d, 0] * min(acc[d, 1] * inv_total, one))
        maxima[blk] = m


@njit(cache=True, inline="always")
def _final(acc, d, cover, inv_total, cov_exp):
    """Slot ``d``'s final score: its BM25 score with the coverage factor (every posting adds to
    both, so a slot without coverage has no score either)."""
    s = acc[d, 0]
    if cover and s != 0.0:
        return _covered(s, acc[d, 1], inv_total, cov_exp)
    return s


@njit(cache=True)
def _zero(acc, n_slots):
    """``acc[:n_slots] = 0`` as one flat loop (the buffer is C-contiguous)."""
    flat = acc.reshape(acc.shape[0] * acc.shape[1])
    for i in range(n_slots * acc.shape[1]):
        flat[i] = 0.0


@njit(cache=True)
def plan(qterms, qidf, n_exact, m_indptr, d_indptr, n_slots):
    """(dense, inv_total) of a query: whether its postings are many enough (more than an eighth of
    the slots) to accumulate densely, and 1 / the weight of its own terms (of all its terms when
    its own weigh nothing), the coverage factor's denominator."""
    n_main_terms = m_indptr.shape[0] - 1
    total = d_indptr[qterms.shape[0]] - d_indptr[0]
    for qi in range(qterms.shape[0]):
        t = qterms[qi]
        if t < n_main_terms:
            total += m_indptr[t + 1] - m_indptr[t]
    weight = 0.0
    for qi in range(min(n_exact, qterms.shape[0])):
        weight += qidf[qi]
    if weight <= 0.0:
        for qi in range(qterms.shape[0]):
            weight += qidf[qi]
    return total > n_slots // 8, np.float32(1.0 / weight) if weight > 0.0 else np.float32(0.0)


@njit(cache=True)
def accumulate(qterms, qidf, n_exact, qmask, first, m_indptr, m_docs, m_code, m_tf, m_dl, d_indptr, d_docs, d_tf,
               d_dl, avgdl, k1, b, cover, dense, acc, touched, n_touched, hits):
    """Add the postings of the query's terms from ``first`` on into the scores ``acc[:, 0]`` (and,
    with ``cover``, their weights into ``acc[:, 1]``: side by side, so that a posting touches one
    cache line, not two); a sparse accumulation lists the slots it touches
    first in ``touched`` after the ``n_touched`` already there. Returns the new ``n_touched``. The
    synonym-group bits in ``hits`` are zero again on return."""
    n_main_terms = m_indptr.shape[0] - 1
    c1 = k1 * (1.0 - b)
    c2 = k1 * b / avgdl
    lut = np.empty(LUT_TF * LUT_DL, np.float32)
    for tf in range(LUT_TF):
        for dl in range(LUT_DL):
            lut[tf * LUT_DL + dl] = _part(np.float32(tf), np.float32(dl), c1, c2)
    n_own = min(n_exact, qterms.shape[0])
    start = first
    if dense and first < n_own:
        _add_tiled(first, n_own, qterms, qidf, m_indptr, n_main_terms, m_docs, m_code, m_tf, m_dl, lut, c1, c2, acc,
                   cover, d_indptr, d_docs, d_tf, d_dl, TILE)
        start = n_own
    for qi in range(start, qterms.shape[0]):
        t = qterms[qi]
        w = np.float32(qidf[qi])
        mask = qmask[qi]
        if mask != 0 and qi >= n_own:
            # an expansion term of a synonym group; the query's own terms take the plain paths
            if t < n_main_terms:
                n_touched = _add_expansion(m_indptr[t], m_indptr[t + 1], m_docs, m_code, m_tf, m_dl, lut, w, c1,
                                           c2, acc, touched, n_touched, cover, dense, hits, mask, qterms,
                                           qmask, n_own, m_indptr, n_main_terms, d_indptr, d_docs)
            for p in range(d_indptr[qi], d_indptr[qi + 1]):
                d = d_docs[p]
                if hits[d] & mask:
                    continue
                hits[d] |= mask
                if _held_by_source(d, mask, qterms, qmask, n_own, m_indptr, m_docs, n_main_terms, d_indptr, d_docs):
                    continue
                if not dense and acc[d, 0] == 0.0:
                    touched[n_touched] = d
                    n_touched += 1
                acc[d, 0] += w * _part(d_tf[p], d_dl[p], c1, c2)
                if cover:
                    acc[d, 1] += w
            continue
        if t < n_main_terms:
            if dense:
                _add_dense(m_indptr[t], m_indptr[t + 1], m_docs, m_code, m_tf, m_dl, lut, w, c1, c2, acc, cover)
            else:
                n_touched = _add_sparse(m_indptr[t], m_indptr[t + 1], m_docs, m_code, m_tf, m_dl, lut, w, c1, c2,
                                        acc, touched, n_touched, cover)
        for p in range(d_indptr[qi], d_indptr[qi + 1]):
            d = d_docs[p]
            if not dense and acc[d, 0] == 0.0:
                touched[n_touched] = d
                n_touched += 1
            acc[d, 0] += w * _part(d_tf[p], d_dl[p], c1, c2)
            if cover:
                acc[d, 1] += w
    for qi in range(max(first, n_own), qterms.shape[0]):
        if qmask[qi] != 0:
            t = qterms[qi]
            if t < n_main_terms:
                _clear_hits(m_indptr[t], m_indptr[t + 1], m_docs, hits)
            _clear_hits(d_indptr[qi], d_indptr[qi + 1], d_docs, hits)
    return n_touched


@njit(cache=True)
def select(n_slots, dense, cover, inv_total, cov_exp, acc, touched, n_touched, ok, codes, allowed, active,
           ids, k, out_slots, out_scores, keep):
    """The best ``k`` accumulated documents that pass the filters, best first, into
    ``out_slots``/``out_scores``; returns their count. The buffers are zero again on return, or,
    with ``keep``, left as they are so that more terms can still be added (a first look)."""
    hs = np.empty(k, np.float64)
    hi = np.empty(k, np.int64)
    hslot = np.empty(k, np.int64)
    n = 0
    if dense:
        # the maximum final score of each block of slots (one contiguous pass), then only the
        # blocks whose maximum can still enter the heap are read; finally the buffer is reset at
        # once, unless a first look leaves it for the terms still to come.
        n_blocks = (n_slots + BLOCK - 1) // BLOCK
        maxima = np.empty(n_blocks, np.float32)
        _block_max(acc, n_slots, cover, inv_total, cov_exp, maxima)
        for blk in range(n_blocks):
            if maxima[blk] == 0.0 or (n == k and maxima[blk] < hs[0]):
                continue
            for d in range(blk * BLOCK, min(n_slots, (blk + 1) * BLOCK)):
                s = _final(acc, d, cover, inv_total, cov_exp)
                if n < k:
                    if s > 0.0 and _passes(d, ok, codes, allowed, active):
                        n = _offer(hs, hi, hslot, n, k, s, ids[d], d)
                elif s >= hs[0] and _passes(d, ok, codes, allowed, active):
                    n = _offer(hs, hi, hslot, n, k, s, ids[d], d)
        if not keep:
            _zero(acc, n_slots)
    else:
        for j in range(n_touched):
            d = touched[j]
            s = acc[d, 0]
            if cover:
                s = _covered(s, acc[d, 1], inv_total, cov_exp)
            if not keep:
                acc[d, 0] = 0.0
                acc[d, 1] = 0.0
            if n == k and s < hs[0]:
                continue
            if _passes(d, ok, codes, allowed, active):
                n = _offer(hs, hi, hslot, n, k, s, ids[d], d)
    # pop the heap: worst first, written from the end
    m = n
    while m > 0:
        out_slots[m - 1] = hslot[0]
        out_scores[m - 1] = hs[0]
        m -= 1
        hs[0] = hs[m]
        hi[0] = hi[m]
        hslot[0] = hslot[m]
        _sift_down(hs, hi, hslot, m, 0)
    return n


@njit(cache=True)
def topk_one(qterms, qidf, n_exact, qmask, m_indptr, m_docs, m_code, m_tf, m_dl, d_indptr, d_docs, d_tf, d_dl, avgdl,
             k1, b, cov_exp, ok, codes, allowed, active, ids, acc, touched, hits, k, out_slots, out_scores):
    """One query. ``qterms``/``qidf``: the query's term ids and their weights, the first
    ``n_exact`` its own terms and the others expansion terms (the coverage factor's share is of
    the own terms' weight, so an expansion never lowers it; all terms when the own terms weigh
    nothing); ``qmask`` each term's synonym-group bits (0: none; see ``_add_expansion``, ``hits``
    the per-slot bits, zero on entry and on return); main postings in CSR
    (``m_indptr`` over term ids) of (slot, tf, document length), the common (tf, length) pairs
    also packed in ``m_code`` (tf << 8 | length, 0xFFFF otherwise) so that the BM25 tf part is
    read from a table computed for this query's average length; the query's delta postings in a
    CSR over the query's terms (``d_indptr``); ``ok``: live (and published) documents;
    ``codes[slot, a]`` the filter codes, ``allowed[a, code]`` the accepted codes of each
    ``active`` filter; ``cov_exp`` the exponent of the coverage factor (0: none). Writes the
    results best first into ``out_slots``/``out_scores`` and returns their count. ``acc`` (the
    scores and the coverage side by side) must be zero on entry and is zero again on return.

    With few postings the touched slots are listed and only they are visited; with many (more
    than an eighth of the slots) the scores are accumulated densely and scanned once."""
    n_slots = ok.shape[0]
    dense, inv_total = plan(qterms, qidf, n_exact, m_indptr, d_indptr, n_slots)
    cover = cov_exp != 0.0
    n_touched = accumulate(qterms, qidf, n_exact, qmask, 0, m_indptr, m_docs, m_code, m_tf, m_dl, d_indptr, d_docs,
                           d_tf, d_dl, avgdl, k1, b, cover, dense, acc, touched, 0, hits)
    return select(n_slots, dense, cover, inv_total, cov_exp, acc, touched, n_touched, ok, codes, allowed,
                  active, ids, k, out_slots, out_scores, False)


@njit(cache=True)
def topk_many(q_indptr, qterms, qidf, q_exact, qmask, m_indptr, m_docs, m_code, m_tf, m_dl, dq_indptr, d_indptr, d_docs,
              d_tf, d_dl, avgdl, k1, b, cov_exp, ok, codes, allowed, active, ids, acc, touched, hits, k,
              out_slots, out_scores, out_n):
    """Many queries in one call (the batch push): query ``q`` has terms
    ``qterms[q_indptr[q]:q_indptr[q + 1]]``, the first ``q_exact[q]`` its own, and its delta CSR starts at ``dq_indptr[q]`` in
    ``d_indptr``; results go to row ``q`` of ``out_slots``/``out_scores``."""
    for q in range(q_indptr.shape[0] - 1):
        lo = q_indptr[q]
        hi_ = q_indptr[q + 1]
        dlo = dq_indptr[q]
        out_n[q] = topk_one(qterms[lo:hi_], qidf[lo:hi_], q_exact[q], qmask[lo:hi_], m_indptr, m_docs, m_code, m_tf,
                            m_dl, d_indptr[dlo:dlo + (hi_ - lo) + 1], d_docs, d_tf, d_dl, avgdl, k1, b, cov_exp, ok,
                            codes, allowed, active, ids, acc, touched, hits, k, out_slots[q],
                            out_scores[q])
