"""A run's parts go side by side on threads, and a solve is spared when new prices prove it
unneeded: neither may change a single word of what the committee reads."""

import collections
import time
from dataclasses import replace

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from matching import engine
from matching.engine import Member, Rules, propose, verify


def _pool(seed, associations=5):
    """250 mentees and 100 mentors with 0 to 4 places in a few associations (parts of uneven
    size), some with priority, some who named someone and some who avoid someone."""
    rng = np.random.default_rng(seed)
    topics = [f"t{k}" for k in range(9)]
    share = np.arange(1, associations + 1) / sum(range(associations + 1))

    def person(k, capacity):
        return Member(
            id=k,
            user_id=k,
            association_id=int(rng.choice(associations, p=share)),
            region_id=1,
            topics=tuple(rng.choice(topics, int(rng.integers(1, 4)), replace=False)),
            years=int(rng.integers(0, 25)),
            languages=("en",) if rng.random() < 0.85 else ("fr",),
            employer=f"e{int(rng.integers(0, 20))}",
            capacity=capacity,
            priority=bool(rng.random() < 0.05),
            waiting_since=float(rng.integers(0, 40)),
        )

    es = [person(k, 1) for k in range(1, 251)]
    ms = [person(1000 + k, int(rng.integers(0, 5))) for k in range(100)]
    es[0] = replace(es[0], ranked=(ms[3].user_id,))
    es[1] = replace(es[1], avoid=(ms[4].user_id,))
    return es, ms


def _read(result):
    """Everything a run gives the committee, times and thread counts aside."""
    stats = {k: v for k, v in result.stats.items() if not k.endswith("_seconds") and k != "part_workers"}
    return result.proposals, result.unmatched, result.total_score, stats, result.candidates


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("scope", ["association", "region"])
def test_parts_side_by_side_give_what_one_part_at_a_time_gives(seed, scope, monkeypatch):
    """Three threads (whatever the machine's cores) against one: the same pairs, scores,
    reasons, "why not?" and candidate graph. Region scope: one part, whose chunks of mentees
    (five each here) are scored and priced side by side instead."""
    es, ms = _pool(seed)
    rules = Rules(scope=scope)
    monkeypatch.setattr(engine, "CHUNK_PAIRS", 500)

    def run(workers):
        monkeypatch.setattr(engine, "PART_WORKERS", workers)
        return propose(es, ms, rules=rules, candidates_per_mentee=3, why_not=True, keep_candidates=True)

    alone, side_by_side = run(1), run(3)
    assert side_by_side.stats["part_workers"] == (3 if scope == "association" else 1)
    assert alone.stats["part_workers"] == 1
    a, b = _read(alone), _read(side_by_side)
    assert a[:4] == b[:4]
    for x, y in zip(a[4], b[4], strict=True):
        np.testing.assert_array_equal(x, y)
    assert any(p.why_not for p in alone.proposals) and alone.unmatched


def test_a_part_that_fails_fails_the_run(monkeypatch):
    """An error in one thread's part reaches the caller (the run is marked failed), not lost."""
    es, ms = _pool(0)
    monkeypatch.setattr(engine, "PART_WORKERS", 3)

    def broken(*args):
        raise ValueError("a part broke")

    monkeypatch.setattr(engine, "_priced_out", broken)
    with pytest.raises(ValueError, match="a part broke"):
        propose(es, ms, rules=Rules(scope="association"))


def test_the_wide_part_is_scored_before_the_others_start(monkeypatch):
    """A part with more pairs than all the others together is scored first, on every thread,
    and the others wait until it is: its solves, the run's longest chain, start sooner."""
    es, ms = _pool(1, associations=2)  # a third and two thirds of the members: 1/9 and 4/9 of the pairs
    wide = collections.Counter(e.association_id for e in es).most_common(1)[0][0]
    monkeypatch.setattr(engine, "PART_WORKERS", 2)
    seen, real = [], engine._part_candidates

    def scored(enc, part, *args):
        seen.append(("starts", part.key))
        if part.key == wide:
            time.sleep(0.3)  # long enough for the other thread to start, were it free to
        out = real(enc, part, *args)
        seen.append(("ends", part.key))
        return out

    monkeypatch.setattr(engine, "_part_candidates", scored)
    result = propose(es, ms, rules=Rules(scope="association"))
    assert seen[:2] == [("starts", wide), ("ends", wide)]
    assert len(seen) == 4 and result.stats["part_workers"] == 2


def _optimum(es, ms, rules):
    """Every pair scored, every place a column, a 'nobody' column per mentee, priority first."""
    s = engine.score_matrix(es, ms, rules=rules)
    seats = np.repeat(np.arange(len(ms)), [m.capacity for m in ms])
    priority = np.array([e.priority for e in es])
    weight = np.zeros((len(es), len(seats) + len(es)))
    weight[:, : len(seats)] = np.where(np.isfinite(s[:, seats]), s[:, seats] + 1e5 * priority[:, None], -1e9)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    real = cols < len(seats)
    return s[rows[real], seats[cols[real]]].sum()


USUAL_ROUNDS = engine.CHECK_ROUNDS


@pytest.mark.parametrize("rounds", [1, 3, USUAL_ROUNDS])
def test_a_solve_is_spared_only_when_new_prices_prove_the_solution(rounds, monkeypatch):
    """Every pricing round checked (however many pairs it brought in) with one, three or the
    usual number of Bellman-Ford rounds: each run the optimum of every pair (ratio 1 to 1e-9),
    and the pairs the same as when every round is solved again. With the usual number some
    solves are spared (else this would prove nothing); with one, none can be."""
    spared = 0
    for seed in range(6):
        es, ms = _pool(seed, associations=2)
        rules = Rules(scope="association")
        monkeypatch.setattr(engine, "CHECK_PAIRS", -1)  # never checked: every round solved
        solved = propose(es, ms, rules=rules, candidates_per_mentee=2)
        monkeypatch.setattr(engine, "CHECK_PAIRS", 10**9)
        monkeypatch.setattr(engine, "CHECK_ROUNDS", rounds)
        checked = propose(es, ms, rules=rules, candidates_per_mentee=2)
        assert verify(checked, es, ms, rules=rules) == []
        assert abs(checked.total_score / _optimum(es, ms, rules) - 1) < 1e-9
        assert checked.total_score == solved.total_score
        assert solved.stats["solves_spared"] == 0
        spared += checked.stats["solves_spared"]
    if rounds == 1:
        assert spared == 0  # one round settles nothing: every check fails
    elif rounds == USUAL_ROUNDS:  # (engine.CHECK_ROUNDS is ``rounds`` here, patched)
        assert spared > 0


def test_bellman_ford_cut_short_gives_no_prices():
    """A chain of 40 nodes whose last distance settles in round 40: with fewer rounds allowed,
    None (the caller solves again); with enough, the distances."""
    n = 40
    tails, heads = np.arange(n - 1), np.arange(1, n)
    costs = np.full(n - 1, -1)
    assert engine._potentials(n, tails, heads, costs, max_rounds=n - 2) is None
    assert engine._potentials(n, tails, heads, costs, max_rounds=n + 1).tolist() == (-np.arange(n)).tolist()


USUAL_NEAR = engine.NEAR


@pytest.mark.parametrize("near", [-(10**12), 0, USUAL_NEAR])
@pytest.mark.parametrize("policy", ["best_total", "most_matched"])
def test_a_part_solved_again_on_its_near_pairs_first_is_still_the_optimum(near, policy, monkeypatch):
    """Every round after the first solved on the pairs near improving the last solution first
    (_solve_near): with none of them (the solution's own pairs alone: the proof must bring in
    the rest), with those at the last prices exactly, and with the usual margin. Each run has
    the total of a run that solves the whole graph every round, and the optimum of every pair
    (ratio 1 to 1e-9); with no near pairs, the solver ran more often than there were rounds."""
    solve, calls = engine._solve_ortools, []
    monkeypatch.setattr(engine, "_solve_ortools", lambda *args: calls.append(len(args[3])) or solve(*args))
    monkeypatch.setattr(engine, "CHECK_PAIRS", -1)  # every round solved
    monkeypatch.setattr(engine, "NEAR", near)

    def run(es, ms, rules, near_share):
        monkeypatch.setattr(engine, "NEAR_SHARE", near_share)
        calls.clear()
        return propose(es, ms, rules=rules, candidates_per_mentee=2)

    solved_more = 0
    for seed in range(6):
        es, ms = _pool(seed, associations=2)
        rules = Rules(scope="association", policy=policy)
        whole = run(es, ms, rules, 10**9)  # the whole graph every round
        assert len(calls) == whole.stats["solves"]
        near_first = run(es, ms, rules, 1)  # the near pairs first, however many came in
        assert verify(near_first, es, ms, rules=rules) == []
        assert near_first.total_score == whole.total_score
        assert near_first.stats["matched"] == whole.stats["matched"]
        if policy == "best_total":
            assert abs(near_first.total_score / _optimum(es, ms, rules) - 1) < 1e-9
        assert near_first.stats["solves"] > near_first.stats["parts_solved"]  # rounds were solved again
        solved_more += len(calls) > near_first.stats["solves"]
    if near < 0:
        assert solved_more
