"""The candidate graph read off samples is the one partitioning every row and column gives."""

from dataclasses import replace

import numpy as np
import pytest

from matching import engine
from matching.engine import Member, Rules


def _partitioned(s, k, k2):
    """The reference: each row partitioned in full."""
    n_m = s.shape[1]
    kth = np.partition(s, n_m - k, axis=1)[:, n_m - k]
    kth2 = np.maximum(np.partition(s, n_m - k2, axis=1)[:, n_m - k2], 0)
    return kth, kth2, np.flatnonzero(s >= kth2[:, None])


@pytest.mark.parametrize("seed", range(8))
def test_each_rows_bests_read_off_groups_of_columns_are_those_of_the_whole_row(seed):
    """Scores on a coarse grid (many ties), forbidden pairs, rows with fewer eligible mentors
    than the reserve holds, rows whose best pairs are all in one group of columns, and rows
    with many eligible pairs in fewer groups than the reserve holds (the floor is 0): the k-th
    and k2-th best and the pairs above, as in full."""
    rng = np.random.default_rng(seed)
    k, k2, groups = 20, 60, engine.ROW_GROUPS
    s = (rng.integers(0, 400, (300, 8 * groups + 37)) / 8).astype(np.float32)
    s[rng.random(s.shape) < 0.3] = -np.inf
    s[:10, 25:] = -np.inf  # ten rows with 25 eligible mentors at most
    s[10:20] = 5.0  # everyone alike
    s[20:30, ::groups] = 100.0  # the best of each row in one group
    s[30:40, np.arange(s.shape[1]) % groups >= 10] = -np.inf  # ten groups with eligible pairs
    got, want = engine._row_bests(s, k, k2), _partitioned(s, k, k2)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)


def _pool(seed):
    """400 mentees and 150 mentors with 0 to 3 places in one association, answers from few values."""
    rng = np.random.default_rng(seed)
    topics = [f"t{k}" for k in range(10)]

    def person(k, capacity):
        return Member(
            id=k,
            user_id=k,
            association_id=1,
            region_id=1,
            topics=tuple(rng.choice(topics, int(rng.integers(1, 4)), replace=False)),
            years=int(rng.integers(0, 12)),
            languages=("en",) if rng.random() < 0.8 else ("fr",),
            employer=f"e{int(rng.integers(0, 30))}",
            capacity=capacity,
            waiting_since=float(rng.integers(0, 50)),
        )

    return [person(k, 1) for k in range(1, 401)], [person(1000 + k, int(rng.integers(0, 4))) for k in range(150)]


_best_per_col, _raise_floor = engine._best_per_col, engine._raise_floor


def _candidates(es, ms, workers=1):
    enc = engine._Encoded(es, ms, Rules(scope="association"), engine._criteria(None, ()))
    (part,) = enc.parts
    rows, cols, values, _ = engine._part_candidates(enc, part, 5, engine.MENTOR_CANDIDATES, 15, workers)
    graph = sorted(zip(rows.tolist(), cols.tolist(), np.asarray(values).tolist(), strict=True))
    reserve = sorted(zip(*(x.tolist() for x in part.reserve), strict=True))
    return set(graph), reserve, enc.kth_units.tolist(), enc.reserve_kth.tolist()


@pytest.mark.parametrize("seed", range(5))
def test_floors_give_the_graph_and_reserve_of_scoring_every_pair(seed, monkeypatch):
    """Each row's floor read off groups of its columns (as few as its reserve allows) against
    every row partitioned whole: the same graph (each mentee's best five, the low-coverage mentors'
    best eight by score then wait), the same reserve and the same k-th bests."""
    es, ms = _pool(seed)
    monkeypatch.setattr(engine, "ROW_GROUPS", 10**6)  # too few columns to group
    whole = _candidates(es, ms)
    monkeypatch.setattr(engine, "ROW_GROUPS", 2)  # as many groups as the reserve allows
    sampled = _candidates(es, ms)
    assert sampled == whole
    assert len(whole[0]) > 5 * len(es)  # the mentors' own picks are in it


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("workers", [1, 2])
def test_a_mentors_floor_raised_chunk_by_chunk_gives_the_graph_of_one_chunk(seed, workers, monkeypatch):
    """The mentors' picks are cut to each one's best as the chunks are scored, and each mentor's
    floor rises to the last of them: in chunks of 16 mentees (on one thread or two), the graph,
    reserve and k-th bests of a floor that never rises, with fewer picks to cut."""
    es, ms = _pool(seed)
    # Five mentors at the employer of the first 200 mentees but three: fewer picks than they
    # keep until the later chunks. Every mentor's picks are in the graph.
    ms = [replace(m, employer="late" if k < 5 else m.employer) for k, m in enumerate(ms)]
    es = [replace(m, employer="late" if k < 200 and k % 67 else m.employer) for k, m in enumerate(es)]
    monkeypatch.setattr(engine, "COVERAGE_FLOOR", 10**6)
    monkeypatch.setattr(engine, "CHUNK_PAIRS", 16 * len(ms))
    cut = []
    monkeypatch.setattr(engine, "_best_per_col", lambda *a: cut.append(len(a[2])) or _best_per_col(*a))
    monkeypatch.setattr(engine, "_raise_floor", lambda *a: None)
    fixed, fixed_cut = _candidates(es, ms, workers), list(cut)
    monkeypatch.setattr(engine, "_raise_floor", _raise_floor)
    cut.clear()
    assert _candidates(es, ms, workers) == fixed
    assert len(fixed_cut) > 3
    if workers == 1:  # (on two threads, small chunks may all be scored before the first cut)
        assert sum(cut) < sum(fixed_cut) / 2


@pytest.mark.parametrize("seed", range(5))
def test_a_mentors_picks_are_their_best_mentees_then_who_waited_longest(seed):
    """Of pairs with scores on a coarse grid (many ties), each mentor keeps their best three:
    the highest scores, and of equal scores the mentees who have waited longest."""
    rng = np.random.default_rng(seed)
    es, ms = _pool(seed)
    enc = engine._Encoded(es, ms, Rules(scope="association"), engine._criteria(None, ()))
    (part,) = enc.parts
    rows, cols = rng.integers(0, len(es), 3000), rng.integers(0, 40, 3000)
    _, first = np.unique(rows * 40 + cols, return_index=True)
    rows, cols, units = rows[first], cols[first], rng.integers(0, 5, len(first)) * engine.SCALE
    got = engine._best_per_col(enc, part, rows, cols, units, 3)
    picked = {(int(r), int(c)) for r, c in zip(got[0], got[1], strict=True)}
    for c in range(40):
        mine = sorted(
            ((-int(u), int(enc.seniority[r]), int(r)) for r, cc, u in zip(rows, cols, units, strict=True) if cc == c)
        )
        assert {(r, c) for *_, r in mine[:3]} == {pair for pair in picked if pair[1] == c}


def _bellman_ford(n, tails, heads, costs, start):
    """The reference: every arc relaxed in every round, one arc at a time."""
    dist = np.array(start, np.int64)
    for _ in range(n + 1):
        changed = False
        for t, h, c in zip(tails, heads, costs, strict=True):
            if dist[t] + c < dist[h]:
                dist[h], changed = dist[t] + c, True
        if not changed:
            return dist
    return None


@pytest.mark.parametrize("seed", range(12))
def test_potentials_reading_only_the_arcs_of_lowered_nodes_are_bellman_fords(seed):
    """Negative arcs without a negative cycle (costs from a hidden potential, plus noise that only
    raises them), from zero and from a given start: the same distances; with a cycle: None."""
    rng = np.random.default_rng(seed)
    n, m = 60, 400
    tails, heads = rng.integers(0, n, m), rng.integers(0, n, m)
    hidden = rng.integers(-50, 50, n)
    costs = hidden[heads] - hidden[tails] + rng.integers(0, 5, m)  # reduced costs >= 0: no negative cycle
    for start in (np.zeros(n, np.int64), rng.integers(-80, 80, n)):
        got = engine._potentials(n, tails, heads, costs, start if start.any() else None)
        assert got.tolist() == _bellman_ford(n, tails, heads, costs, start).tolist()
        assert (costs + got[tails] - got[heads] >= 0).all()
    cycle = np.concatenate([costs, [-1000]]), np.concatenate([tails, [heads[0]]]), np.concatenate([heads, [tails[0]]])
    assert engine._potentials(n, cycle[1], cycle[2], cycle[0]) is None
