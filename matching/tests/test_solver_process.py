"""A large run solves its parts in a child process (OR-Tools holds the interpreter): the same
pairs as solving in the run's own process, and a child that dies or never starts costs the
run nothing but time."""

import io
import subprocess
import sys
import threading
import types

import numpy as np
import pytest

from matching import engine, solver_process
from matching.engine import Member, Rules, propose
from matching.solver_process import SolverProcess


def _instance(seed, n_e=60, n_m=25):
    rng = np.random.default_rng(seed)
    pairs = np.unique(rng.integers(0, n_e * n_m, 600))
    ei, mj = pairs // n_m, pairs % n_m
    units = rng.integers(0, 40 * engine.SCALE, len(ei))
    capacity = rng.integers(0, 4, n_m)
    priority = rng.random(n_e) < 0.1
    return n_e, n_m, capacity, ei, mj, units, priority


@pytest.mark.parametrize("policy", engine.POLICIES)
def test_the_child_solves_as_this_process_does(policy):
    child = SolverProcess()
    try:
        for seed in range(4):
            args = _instance(seed)
            got = child.call(engine._solve_ortools, *args, policy)
            np.testing.assert_array_equal(got, engine._solve_ortools(*args, policy))
            # And with the prices of the pairs, as the run asks for them.
            chosen, prices = child.call(engine._solved, *args, policy)
            np.testing.assert_array_equal(chosen, got)
            for x, y in zip(prices, engine._part_prices(*args[:6], got, args[6], policy), strict=True):
                np.testing.assert_array_equal(x, y)
        assert not child.broken and child.proc.poll() is None
    finally:
        child.close()
    assert child.proc.poll() == 0  # it ended when its input closed


def test_a_child_that_dies_leaves_the_work_to_this_process():
    child = SolverProcess()
    args = _instance(1)
    want = engine._solve_ortools(*args, "best_total")
    child.proc.kill()
    child.proc.wait()
    np.testing.assert_array_equal(child.call(engine._solve_ortools, *args, "best_total"), want)
    assert child.broken
    np.testing.assert_array_equal(child.call(engine._solve_ortools, *args, "best_total"), want)  # every call after
    child.close()


def test_a_child_that_cannot_start_leaves_the_work_to_this_process(monkeypatch):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    child = SolverProcess()
    args = _instance(2)
    assert child.broken and child.proc is None
    got = child.call(engine._solve_ortools, *args, "most_matched")
    np.testing.assert_array_equal(got, engine._solve_ortools(*args, "most_matched"))
    child.close()


def _answer(monkeypatch, name, args):
    """What main() (the child's loop) answers to one call."""
    request = io.BytesIO()
    solver_process._send(request, (name, args))
    request.seek(0)
    answer = io.BytesIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(request))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(answer))
    solver_process.main()
    answer.seek(0)
    return answer


def test_a_part_the_child_cannot_solve_is_an_error_as_in_this_process(monkeypatch):
    """The child answers the solver's RuntimeError as an error: the parent raises it, as
    _solve_ortools does in this process, and the engine falls back to SciPy."""

    def fails(*args):
        raise RuntimeError("min cost flow ended with 3")

    monkeypatch.setattr(engine, "_solve_ortools", fails)
    answer = _answer(monkeypatch, "_solve_ortools", _instance(3) + ("best_total",))
    assert solver_process._receive(io.BytesIO(answer.getvalue())) == (False, "min cost flow ended with 3")
    # The parent reads that answer (a stand-in for the child's pipes) as the error.
    pipes = types.SimpleNamespace(stdin=io.BytesIO(), stdout=answer, wait=lambda timeout=None: 0)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pipes)
    child = SolverProcess()
    with pytest.raises(RuntimeError, match="min cost flow ended with 3"):
        child.call(fails, *_instance(3), "best_total")
    assert not child.broken  # the child is fine: the part is what failed
    child.close()


def test_a_child_runs_the_engine_functions_it_is_meant_to_and_nothing_else(monkeypatch):
    answer = _answer(monkeypatch, "propose", ([], []))
    ok, message = solver_process._receive(answer)
    assert not ok and "propose may not be called" in message


def test_the_children_of_a_run_take_the_calls_of_several_threads_side_by_side():
    with solver_process.SolverProcesses() as helpers:
        helpers.start(2)
        helpers.start(2)  # started once
        assert len(helpers.children) == 2
        args = [_instance(seed) + ("best_total",) for seed in range(6)]
        got = list(engine._side_by_side(lambda a: helpers.call(engine._solve_ortools, *a), args, 3))
        for a, g in zip(args, got, strict=True):
            np.testing.assert_array_equal(g, engine._solve_ortools(*a))
        assert not any(child.broken for child in helpers.children)
    assert all(child.proc.poll() == 0 for child in helpers.children)


def _pool(seed):
    rng = np.random.default_rng(seed)

    def person(k, capacity):
        return Member(
            id=k,
            user_id=k,
            association_id=int(rng.integers(1, 4)),
            region_id=1,
            topics=tuple(rng.choice([f"t{t}" for t in range(8)], int(rng.integers(1, 4)), replace=False)),
            years=int(rng.integers(0, 25)),
            capacity=capacity,
            priority=bool(rng.random() < 0.05),
        )

    return [person(k, 1) for k in range(1, 151)], [person(1000 + k, int(rng.integers(0, 3))) for k in range(60)]


@pytest.mark.parametrize("policy", engine.POLICIES)
def test_a_run_with_children_gives_what_a_run_without_them_gives(policy, monkeypatch):
    """The solves and the "why not?" searches in two children: the same pairs, scores, reasons
    and lines as in the run's own process."""
    es, ms = _pool(5)
    rules = Rules(scope="association", policy=policy)
    monkeypatch.setattr(engine, "PART_WORKERS", 2)
    calls = []
    real_call = solver_process.SolverProcess.call

    def call(self, fn, *args):
        calls.append(fn.__name__)
        return real_call(self, fn, *args)

    monkeypatch.setattr(solver_process.SolverProcess, "call", call)

    def run(threshold):
        monkeypatch.setattr(engine, "SOLVER_PROCESS_PAIRS", threshold)
        return propose(es, ms, rules=rules, candidates_per_mentee=3, why_not=True, keep_candidates=True)

    alone, with_children = run(1 << 62), run(0)
    assert not alone.stats["solver_process"] and with_children.stats["solver_process"]
    assert alone.proposals == with_children.proposals and alone.unmatched == with_children.unmatched
    assert alone.total_score == with_children.total_score and alone.proposals
    assert any(p.why_not for p in alone.proposals)
    assert {"_solved", "_forcing_prices"} <= set(calls)
    assert alone.stats["solver_process_peak_mb"] is None
    assert 10 < with_children.stats["solver_process_peak_mb"] < 1000  # the child's own, read from /proc


@pytest.mark.parametrize("children", [True, False])
def test_a_part_s_why_not_search_starts_once_it_is_finished_in_a_child_else_after_every_part(children, monkeypatch):
    """With children, a part's search goes to them as soon as the part is finished, while the
    others still solve: the third part starts solving only once a search has started (here,
    waiting up to 5 s for one). Without, SciPy would hold the interpreter the parts' threads
    need: every search starts after the last part is finished."""
    es, ms = _pool(5)
    monkeypatch.setattr(engine, "PART_WORKERS", 2)
    monkeypatch.setattr(engine, "SOLVER_PROCESS_PAIRS", 0 if children else 1 << 62)
    events, searching = [], threading.Event()
    run_part, finish_part, search = engine._run_part, engine._finish_part, engine._search

    def solved(enc, p_idx, **kw):
        if len([e for e in events if e[0] == "runs"]) == 2:  # the third part
            events.append(("a search had started", searching.wait(5 if children else 0.2)))
        events.append(("runs", p_idx))
        return run_part(enc, p_idx, **kw)

    def finished(*args, **kw):
        end = finish_part(*args, **kw)
        events.append(("finished", args[4]))
        return end

    def searched(*args):
        searching.set()
        events.append(("searches", args[3][0]))
        return search(*args)

    monkeypatch.setattr(engine, "_run_part", solved)
    monkeypatch.setattr(engine, "_finish_part", finished)
    monkeypatch.setattr(engine, "_search", searched)
    result = propose(es, ms, rules=Rules(scope="association"), candidates_per_mentee=3, why_not=True)
    assert result.stats["solver_process"] == children and result.stats["parts"] == 3
    kinds = [kind for kind, _ in events]
    assert kinds.count("runs") == kinds.count("finished") == kinds.count("searches") == 3
    last_finished = max(k for k, kind in enumerate(kinds) if kind == "finished")
    first_search = kinds.index("searches")
    if children:
        assert ("a search had started", True) in events and first_search < last_finished
    else:
        assert ("a search had started", False) in events and first_search > last_finished


def test_a_run_of_one_part_does_its_work_in_its_own_process(monkeypatch):
    """Nothing would run beside its solves: children would only add their start."""
    es, ms = _pool(6)
    monkeypatch.setattr(engine, "PART_WORKERS", 2)
    monkeypatch.setattr(engine, "SOLVER_PROCESS_PAIRS", 0)
    monkeypatch.setattr(solver_process, "SolverProcess", None)  # starting one would fail the test
    result = propose(es, ms, rules=Rules(scope="region"), candidates_per_mentee=3, why_not=True)
    assert result.stats["parts"] == 1 and not result.stats["solver_process"] and result.proposals


def test_the_children_a_run_wants_are_read_off_its_parts_before_they_are_encoded(monkeypatch):
    """One per thread for the parts that have mentees and a mentor with a place, when there are
    two such parts or more and enough pairs in them: an association whose mentors have no place
    left, or that has no mentees, does not count; region scope makes one part of them all."""
    monkeypatch.setattr(engine, "PART_WORKERS", 4)

    def person(k, association, capacity=1):
        return Member(id=k, user_id=k, association_id=association, region_id=1, capacity=capacity)

    es = [person(k, 1 + k % 3) for k in range(30)]  # 10 mentees in each of associations 1-3
    ms = [person(100 + k, 1 + k % 4, capacity=0 if k % 4 == 2 else 1) for k in range(20)]  # 3: no places
    monkeypatch.setattr(engine, "SOLVER_PROCESS_PAIRS", 100)  # associations 1 and 2: 10 x 5 pairs each
    assert engine._children_wanted(es, ms, Rules(scope="association")) == 2
    monkeypatch.setattr(engine, "SOLVER_PROCESS_PAIRS", 101)
    assert engine._children_wanted(es, ms, Rules(scope="association")) == 0
    monkeypatch.setattr(engine, "SOLVER_PROCESS_PAIRS", 1)
    assert engine._children_wanted(es, ms, Rules(scope="region")) == 0
    only_one = [e for e in es if e.association_id == 1]
    assert engine._children_wanted(only_one, ms, Rules(scope="association")) == 0
    monkeypatch.setattr(engine, "PART_WORKERS", 1)
    assert engine._children_wanted(es, ms, Rules(scope="association")) == 0


def test_a_runs_children_start_while_it_encodes_the_second_once_the_members_are_profiled(monkeypatch):
    """The first child before the encoding, the second half-way through it (once the members
    are profiled, before their matrices are built): both import the solver on a core the
    encoding leaves idle, not while the parts are scored."""
    es, ms = _pool(7)
    monkeypatch.setattr(engine, "PART_WORKERS", 2)
    monkeypatch.setattr(engine, "SOLVER_PROCESS_PAIRS", 0)
    events = []
    real_start, real_build = solver_process.SolverProcesses.start, engine._Encoded._build_matrices

    def start(self, n):
        events.append(("children", n, len(self.children)))
        real_start(self, n)

    def build(self):
        events.append(("matrices", len(self.pe), len(self.pm)))
        real_build(self)

    monkeypatch.setattr(solver_process.SolverProcesses, "start", start)
    monkeypatch.setattr(engine._Encoded, "_build_matrices", build)
    result = propose(es, ms, rules=Rules(scope="association"), candidates_per_mentee=3)
    assert result.stats["solver_process"]
    assert events[:3] == [("children", 1, 0), ("children", 2, 1), ("matrices", len(es), len(ms))]
