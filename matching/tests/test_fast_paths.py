"""The shortcuts the engine takes to score and price fewer numbers must give the very numbers
the plain way gives: they change the time of a run, never a pair or a score."""

from dataclasses import replace

import numpy as np
import pytest

from matching import engine
from matching.engine import Member, Rules


def _plain_above(s, row_t, col_t):
    """The test _above speeds up, in int64 over the whole block."""
    units = engine._units(s)
    return np.flatnonzero((units >= 0) & (units > row_t[:, None] - col_t[None, :]))


def _block(rng, n_r, n_c, top):
    """Scores on the fixed-point grid (as the matrix product gives them), a quarter forbidden."""
    s = (rng.integers(0, top * engine.SCALE, (n_r, n_c)) / engine.SCALE).astype(np.float32)
    s[rng.random((n_r, n_c)) < 0.25] = -np.inf
    return s


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("offset", [0, -(1 << 31) + 12345, 1 << 40])
def test_above_finds_exactly_the_pairs_the_int64_test_finds(seed, offset):
    """Scores up to 120 points; thresholds around them, some exactly at a pair's units (which
    must not pass) or one below (which must), with prices sharing a common part far beyond
    float32 (as under most_matched)."""
    rng = np.random.default_rng(seed)
    s = _block(rng, 40, 300, 120)
    units = engine._units(s)
    col_t = rng.integers(-8 * engine.SCALE, 8 * engine.SCALE, 300) + offset
    row_t = rng.integers(0, 120 * engine.SCALE, 40) + offset
    # Ties to the unit: for some pairs the threshold is exactly their units, or one below.
    r, c = rng.integers(0, 40, 30), rng.integers(0, 300, 30)
    ok = units[r, c] >= 0
    row_t[r[ok]] = units[r[ok], c[ok]] + col_t[c[ok]] - rng.integers(0, 2, ok.sum())
    at, got = engine._above(s, row_t, col_t)
    want = _plain_above(s, row_t, col_t)
    np.testing.assert_array_equal(at, want)
    np.testing.assert_array_equal(got, units.reshape(-1)[want])
    assert 0 < len(want) < s.size


def test_above_tests_in_float32_when_prices_share_a_large_common_part(monkeypatch):
    """Under most_matched every price carries the same large number: only the few pairs near
    their threshold are converted to units, not the whole block."""
    rng = np.random.default_rng(7)
    s = _block(rng, 40, 300, 120)
    seen = []
    plain_units = engine._units
    monkeypatch.setattr(engine, "_units", lambda x: seen.append(x.size) or plain_units(x))
    common = -(1 << 41)
    row_t = rng.integers(100 * engine.SCALE, 120 * engine.SCALE, 40) + common
    col_t = rng.integers(-2 * engine.SCALE, 2 * engine.SCALE, 300) + common
    at, _ = engine._above(s, row_t, col_t)
    monkeypatch.setattr(engine, "_units", plain_units)
    np.testing.assert_array_equal(at, _plain_above(s, row_t, col_t))
    assert len(at) and seen == [seen[0]] and seen[0] < s.size // 10


@pytest.mark.parametrize("seed", range(3))
def test_above_near_the_float32_limit_and_beyond_it(seed):
    """Thresholds spread over 2^14 points (the float32 test's edge) and over far more (the test
    in units alone): the same pairs either way."""
    rng = np.random.default_rng(seed)
    s = _block(rng, 30, 200, 100)
    units = engine._units(s)
    for spread in (1 << 29, 1 << 30, 1 << 45):
        col_t = rng.integers(-spread, spread, 200)
        row_t = np.zeros(30, np.int64)
        r, c = rng.integers(0, 30, 30), rng.integers(0, 200, 30)
        ok = units[r, c] >= 0
        row_t[r[ok]] = units[r[ok], c[ok]] + col_t[c[ok]] - rng.integers(0, 2, ok.sum())
        at, _ = engine._above(s, row_t, col_t)
        np.testing.assert_array_equal(at, _plain_above(s, row_t, col_t))


def _region_pool(seed):
    rng = np.random.default_rng(seed)
    topics = [f"t{k}" for k in range(12)]

    def person(k, capacity):
        return Member(
            id=k,
            user_id=k,
            association_id=int(rng.integers(1, 5)),
            region_id=1,
            topics=tuple(rng.choice(topics, int(rng.integers(1, 4)), replace=False)),
            years=int(rng.integers(0, 25)),
            languages=("en",),
            employer=f"e{int(rng.integers(0, 30))}",
            capacity=capacity,
        )

    return [person(k, 1) for k in range(1, 121)], [person(1000 + k, 2) for k in range(60)]


@pytest.mark.parametrize("seed", range(3))
def test_region_scores_leave_out_the_local_association_and_nothing_else(seed):
    """In region scope the mentees of one association are scored without their own
    association's mentors (-inf, forbidden): every other pair as the full product gives it,
    for blocks of rows within one association, across two, and against some mentors only."""
    es, ms = _region_pool(seed)
    enc = engine._Encoded(es, ms, Rules(scope="region"), engine._criteria(None, ()))
    (part,) = enc.parts
    full = enc.A[part.e0 : part.e1] @ enc.B[part.m0 : part.m1].T
    ea, ma = enc.e_assoc[part.e0 : part.e1], enc.m_assoc[part.m0 : part.m1]
    local = ea[:, None] == ma[None, :]
    eligible = enc.eligible(part, np.arange(part.e1 - part.e0))
    assert local.any() and (eligible & ~local).any()
    one = np.flatnonzero(ea == ea[len(ea) // 2])  # one association's mentees
    cols = np.sort(np.random.default_rng(seed).choice(len(ma), 25, replace=False))
    for rows, c in ((one, None), (one[:3], None), (np.arange(len(ea)), None), (one, cols), (one[::2], cols)):
        got = enc.score_rows(part, rows, skip_full=False, cols=c)
        c = np.arange(len(ma)) if c is None else c
        want = np.where(eligible[np.ix_(rows, c)], full[np.ix_(rows, c)], -np.inf)
        np.testing.assert_array_equal(got, want)
        assert np.isneginf(got[local[np.ix_(rows, c)]]).all()


@pytest.mark.parametrize("seed", range(8))
def test_gather_finds_each_rows_columns_among_those_asked_for(seed):
    """_gather (a row's same-employer mentors, its avoided people) against a plain search: each
    row's columns, those among ``cols`` as positions in it, whether cols holds few or all of
    them, the last of them or none; columns beyond the last of cols are not in it."""
    rng = np.random.default_rng(seed)
    n_rows, n_cols = 30, 200
    lists = [np.sort(rng.choice(n_cols, int(rng.integers(0, 12)), replace=False)) for _ in range(n_rows)]
    pc = np.concatenate(lists).astype(np.int64)
    hi = np.cumsum([len(x) for x in lists])
    lo = hi - [len(x) for x in lists]
    rows = np.sort(rng.choice(n_rows, 12, replace=False))
    pos, got = engine._Encoded._gather(pc, lo[rows], hi[rows])
    assert [(int(p), int(c)) for p, c in zip(pos, got, strict=True)] == [
        (k, int(c)) for k, r in enumerate(rows) for c in lists[r]
    ]
    for cols in (
        np.sort(rng.choice(n_cols, 25, replace=False)),
        np.sort(rng.choice(n_cols // 4, 10, replace=False)),  # many columns beyond the last
        np.arange(n_cols),
        np.array([n_cols - 1]),
        np.zeros(0, np.int64),
    ):
        pos, at = engine._Encoded._gather(pc, lo[rows], hi[rows], cols)
        want = [(k, int(np.searchsorted(cols, c))) for k, r in enumerate(rows) for c in lists[r] if c in cols]
        assert [(int(p), int(a)) for p, a in zip(pos, at, strict=True)] == want


@pytest.mark.parametrize("seed", range(6))
def test_pairs_asked_for_and_ruled_out_are_every_such_pair(seed):
    """_build_pairs looks names up all at once: the pairs it finds are those a plain double loop
    over both sides finds, with people who applied twice on one side, who are on both sides,
    who name or avoid several people (some not in the pool), and pairs ruled out four ways."""
    rng = np.random.default_rng(seed)
    users = list(range(1, 40))

    def person(k, user):
        return Member(
            id=k,
            user_id=user,
            association_id=1,
            region_id=1,
            ranked=tuple(int(u) for u in rng.choice(60, int(rng.integers(0, 3)), replace=False)),
            avoid=frozenset(int(u) for u in rng.choice(60, int(rng.integers(0, 2)), replace=False)),
        )

    es = [person(k, int(rng.choice(users))) for k in range(50)]
    ms = [person(100 + k, int(rng.choice(users))) for k in range(30)]
    ruled = [frozenset((int(a), int(b)) for a, b in rng.integers(1, 45, (5, 2))) for _ in range(4)]
    rules = Rules(scope="association", forbidden=ruled[0], rejected=ruled[1], declined=ruled[2], silent=ruled[3])
    enc = engine._Encoded(es, ms, rules, engine._criteria(None, ()))
    E, M = enc.mentees, enc.mentors
    want_pref = {
        (i, j) for i, e in enumerate(E) for j, m in enumerate(M) if m.user_id in e.ranked or e.user_id in m.ranked
    }
    out = frozenset().union(*ruled)
    want_ban = {
        (i, j)
        for i, e in enumerate(E)
        for j, m in enumerate(M)
        if e.user_id == m.user_id or m.user_id in e.avoid or e.user_id in m.avoid or (e.user_id, m.user_id) in out
    }
    assert want_pref and want_ban  # (else this would prove little)
    assert {tuple(p) for p in enc.pref_pairs.tolist()} == want_pref
    assert {tuple(p) for p in enc.ban_pairs.tolist()} == want_ban


@pytest.mark.parametrize("seed", range(6))
def test_run_starts_are_where_np_unique_finds_each_value_first(seed):
    rng = np.random.default_rng(seed)
    for n in (0, 1, 2, 50, 400):
        values = np.sort(rng.integers(0, max(1, n // 3), n))
        _, want = np.unique(values, return_index=True)
        np.testing.assert_array_equal(engine._run_starts(values), want)


@pytest.mark.parametrize("seed", range(8))
def test_merged_pairs_are_those_of_one_sort_of_both_the_graphs_units_first(seed):
    """The graph's pairs with more put in their places: each pair once, sorted, the graph's own
    units where a pair is in both (the first of more's where it repeats there), as np.unique over
    the two gives them; more may be empty, or fall before the first pair or after the last."""
    rng = np.random.default_rng(seed)
    n_cols = int(rng.integers(1, 12))
    keys = np.unique(rng.integers(0, 30 * n_cols, int(rng.integers(0, 80))))
    graph = keys // n_cols, keys % n_cols, rng.integers(0, 100, len(keys))
    n_more = int(rng.integers(0, 40))
    more_keys = rng.integers(0, 32 * n_cols, n_more)  # some beyond the graph's last mentee
    if len(keys) and n_more:
        more_keys[: n_more // 3] = rng.choice(keys, n_more // 3)  # some already in the graph
    more = more_keys // n_cols, more_keys % n_cols, rng.integers(100, 200, n_more)
    got = engine._merged(graph, more, n_cols)
    all_keys = np.r_[keys, more_keys]
    want_keys, first = np.unique(all_keys, return_index=True)
    np.testing.assert_array_equal(got[0], want_keys // n_cols)
    np.testing.assert_array_equal(got[1], want_keys % n_cols)
    np.testing.assert_array_equal(got[2], np.r_[graph[2], more[2]][first])


def _settling(seed):
    """An encoded pool of four associations, a candidate graph within each (scores on a coarse
    grid: ties everywhere) and a matching of some of it that respects the places."""
    rng = np.random.default_rng(seed)

    def person(k, capacity):
        return Member(
            id=k,
            user_id=k,
            association_id=int(rng.integers(1, 5)),
            region_id=1,
            topics=(("x", "y", "z")[int(rng.integers(0, 3))],),
            languages=("en",),
            capacity=capacity,
            priority=bool(rng.random() < 0.1),
            waiting_since=float(rng.integers(0, 5)),
        )

    es = [person(k, 1) for k in range(1, 121)]
    ms = [person(1000 + k, int(rng.integers(1, 3))) for k in range(50)]
    enc = engine._Encoded(es, ms, Rules(scope="association"), engine._criteria(None, ()))
    edges = []
    for part in enc.parts:
        for i in range(part.e0, part.e1):
            if part.m1 > part.m0:
                for j in rng.choice(np.arange(part.m0, part.m1), min(5, part.m1 - part.m0), replace=False):
                    edges.append((i, int(j), int(rng.integers(3, 6)) * engine.SCALE))
    ee, em, eu = (np.array(x, np.int64) for x in zip(*sorted(edges), strict=True))
    match_of = np.full(len(es), -1, np.int64)
    match_units = np.zeros(len(es), np.int64)
    load = np.zeros(len(ms), np.int64)
    for k in rng.permutation(len(ee)):
        i, j = ee[k], em[k]
        if match_of[i] < 0 and load[j] < enc.capacity[j] and rng.random() < 0.8:
            match_of[i], match_units[i] = j, eu[k]
            load[j] += 1
    return enc, ee, em, eu, match_of, match_units


@pytest.mark.parametrize("places", [True, False])
@pytest.mark.parametrize("seed", range(5))
def test_ties_settle_part_by_part_as_in_the_whole_run(seed, places):
    """A move never leaves its part: settling each part on its own, in its own numbering, makes
    the very moves settling the whole run at once makes."""
    enc, ee, em, eu, match_of, match_units = _settling(seed)
    assert len(enc.parts) > 1
    whole_of, whole_units = match_of.copy(), match_units.copy()
    whole = engine._Ties(enc.seniority, enc.priority, engine._twins(enc), len(enc.mentors), enc.pair_units)
    moves = engine._settle_ties(whole, ee, em, eu, whole_of, whole_units, places=places)
    part_of, part_units = match_of.copy(), match_units.copy()
    by_part = sum(engine._settle_part(enc, ee, em, eu, part_of, part_units, part, places=places) for part in enc.parts)
    assert moves == by_part > 0
    np.testing.assert_array_equal(part_of, whole_of)
    np.testing.assert_array_equal(part_units, whole_units)
    assert (whole_of != match_of).any()


def _ruled_pool(seed, scope):
    """Four associations in one region, shared employers, people avoided and pairs ruled out
    (some both), and a mentor who is also a mentee."""
    rng = np.random.default_rng(seed)

    def person(k, capacity, user):
        return Member(
            id=k,
            user_id=user,
            association_id=int(rng.integers(1, 5)),
            region_id=1,
            topics=("x",),
            languages=("en",),
            employer=f"e{int(rng.integers(0, 8))}" if rng.random() < 0.8 else "",
            capacity=capacity,
        )

    ms = [person(1000 + k, int(rng.integers(0, 3)), 1000 + k) for k in range(70)]
    es = [person(k, 1, k) for k in range(1, 151)] + [person(151, 1, ms[0].user_id)]
    es = [
        replace(e, avoid=frozenset(int(u) for u in rng.choice([m.user_id for m in ms], 2))) if k % 7 == 0 else e
        for k, e in enumerate(es)
    ]
    forbidden = {(e.user_id, ms[int(rng.integers(0, 70))].user_id) for e in es[::5]}
    forbidden |= {(e.user_id, min(e.avoid)) for e in es[::14] if e.avoid}  # avoided and ruled out
    return es, ms, Rules(scope=scope, forbidden=frozenset(forbidden))


@pytest.mark.parametrize("scope", ["association", "region"])
@pytest.mark.parametrize("seed", range(4))
def test_eligible_mentors_counted_from_the_rules_are_those_of_every_pair(seed, scope):
    """count_eligible, from the lists of pairs ruled out and the blocks of one association,
    counts what eligible gives pair by pair: a pair ruled out twice (an avoided colleague,
    someone at their own association) counted once; for every row, and for rows picked here and
    there."""
    es, ms, rules = _ruled_pool(seed, scope)
    enc = engine._Encoded(es, ms, rules, engine._criteria(None, ()))
    for part in enc.parts:
        every = np.arange(part.e1 - part.e0)
        picked = np.sort(np.random.default_rng(seed).choice(every, max(1, len(every) // 3), replace=False))
        assert not enc.eligible(part, every).all()
        for rows in (every, picked, every[:1]):
            eligible = enc.eligible(part, rows)
            np.testing.assert_array_equal(enc.count_eligible(part, rows), eligible.sum(1))


@pytest.mark.parametrize("scope", ["association", "region"])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("small_block", [0, 1 << 30])
def test_the_rules_against_some_mentors_only_are_those_of_every_pair(seed, scope, small_block, monkeypatch):
    """The pricing scores rows against some of the part's mentors: the pairs the rules forbid
    there are those they forbid in the whole row (colleagues, one's own association, the lists),
    whether the block reads each row's colleagues among those mentors or compares codes."""
    monkeypatch.setattr(engine, "SMALL_BLOCK", small_block)
    es, ms, rules = _ruled_pool(seed, scope)
    enc = engine._Encoded(es, ms, rules, engine._criteria(None, ()))
    rng = np.random.default_rng(seed)
    for part in enc.parts:
        every, n_m = np.arange(part.e1 - part.e0), part.m1 - part.m0
        whole = enc.eligible(part, every)
        picked = np.sort(rng.choice(every, max(1, len(every) // 3), replace=False))
        some = np.sort(rng.choice(n_m, max(1, n_m // 4), replace=False))
        for rows, cols in ((every, some), (picked, some), (picked, np.arange(n_m)), (every[:1], some[:1])):
            got = enc.eligible(part, rows, cols)
            np.testing.assert_array_equal(got, whole[np.ix_(rows, cols)])
        assert not whole[np.ix_(every, some)].all()


@pytest.mark.parametrize("seed", range(6))
def test_most_improving_keeps_each_rows_best_gains_in_the_pairs_order(seed):
    """Each row's per_row pairs of the largest units - (price_row - price_col), the earlier col
    on a tie, kept in their (row, col) order; rows with fewer keep them all."""
    rng = np.random.default_rng(seed)
    n_r, n_c = 30, 40
    keys = np.unique(rng.integers(0, n_r * n_c, 500))
    rows, cols = keys // n_c, keys % n_c
    units = rng.integers(0, 8, len(keys)) * engine.SCALE  # ties
    prices = rng.integers(0, 3, n_r) * engine.SCALE, rng.integers(-3, 0, n_c) * engine.SCALE, None
    per_row = int(rng.integers(1, 6))
    got = engine._most_improving(prices, rows, cols, units, per_row)
    gain = units - (prices[0][rows] - prices[1][cols])
    want = []
    for r in np.unique(rows):
        at = np.flatnonzero(rows == r)
        want += sorted(sorted(at, key=lambda k: (-gain[k], cols[k]))[:per_row])
    for a, b in zip(got, (rows[want], cols[want], units[want]), strict=True):
        np.testing.assert_array_equal(a, b)
