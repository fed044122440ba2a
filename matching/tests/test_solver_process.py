"""A large run solves its parts in a child process (OR-Tools holds the interpreter): the same
pairs as solving in the run's own process, and a child that dies or never starts costs the
run nothing but time."""

import io
import subprocess
import sys
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
    child = SolverProcess(engine._solve_ortools)
    try:
        for seed in range(4):
            args = _instance(seed)
            np.testing.assert_array_equal(child.solve(*args, policy), engine._solve_ortools(*args, policy))
        assert not child.broken and child.proc.poll() is None
    finally:
        child.close()
    assert child.proc.poll() == 0  # it ended when its input closed


def test_a_child_that_dies_leaves_the_solve_to_this_process():
    child = SolverProcess(engine._solve_ortools)
    args = _instance(1)
    want = engine._solve_ortools(*args, "best_total")
    child.proc.kill()
    child.proc.wait()
    np.testing.assert_array_equal(child.solve(*args, "best_total"), want)
    assert child.broken
    np.testing.assert_array_equal(child.solve(*args, "best_total"), want)  # and every solve after
    child.close()


def test_a_child_that_cannot_start_leaves_the_solve_to_this_process(monkeypatch):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    child = SolverProcess(engine._solve_ortools)
    args = _instance(2)
    assert child.broken and child.proc is None
    np.testing.assert_array_equal(child.solve(*args, "most_matched"), engine._solve_ortools(*args, "most_matched"))
    child.close()


def test_a_part_the_child_cannot_solve_is_an_error_as_in_this_process(monkeypatch):
    """The child answers status 1 when OR-Tools fails: the parent raises RuntimeError, as
    _solve_ortools does, and the engine falls back to SciPy."""

    def fails(*args):
        raise RuntimeError("min cost flow ended with 3")

    monkeypatch.setattr(engine, "_solve_ortools", fails)
    request = io.BytesIO()
    args = _instance(3)
    solver_process._send(request, np.array([args[0], args[1], 0], np.int64))
    for (_, dtype), array in zip(solver_process.ARRAYS, args[2:], strict=True):
        solver_process._send(request, np.asarray(array, dtype))
    request.seek(0)
    answer = io.BytesIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(request))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(answer))
    solver_process.main()
    answer.seek(0)
    assert solver_process._receive(answer, np.int64).tolist() == [1]
    assert len(solver_process._receive(answer, np.bool_)) == 0

    # The parent reads that answer (a stand-in for the child's pipes) as an error.
    answer.seek(0)
    pipes = types.SimpleNamespace(stdin=io.BytesIO(), stdout=answer, wait=lambda timeout=None: 0)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pipes)
    child = SolverProcess(engine._solve_ortools)
    with pytest.raises(RuntimeError):
        child.solve(*args, "best_total")
    assert not child.broken  # the child is fine: the part is what failed
    child.close()


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
def test_a_run_with_the_child_gives_what_a_run_without_it_gives(policy, monkeypatch):
    es, ms = _pool(5)
    rules = Rules(scope="association", policy=policy)
    monkeypatch.setattr(engine, "PART_WORKERS", 2)
    children = []
    monkeypatch.setattr(
        engine, "SolverProcess", lambda fallback: children.append(SolverProcess(fallback)) or children[-1]
    )

    def run(threshold):
        monkeypatch.setattr(engine, "SOLVER_PROCESS_PAIRS", threshold)
        return propose(es, ms, rules=rules, candidates_per_mentee=3, why_not=True, keep_candidates=True)

    alone, with_child = run(1 << 62), run(0)
    assert not alone.stats["solver_process"] and with_child.stats["solver_process"]
    assert alone.proposals == with_child.proposals and alone.unmatched == with_child.unmatched
    assert alone.total_score == with_child.total_score and alone.proposals
    (child,) = children
    assert not child.broken and child.proc.poll() == 0  # solved there, and ended with the run


def test_a_run_of_one_part_solves_in_its_own_process(monkeypatch):
    """Nothing would run beside its solves: a child would only add its start."""
    es, ms = _pool(6)
    monkeypatch.setattr(engine, "PART_WORKERS", 2)
    monkeypatch.setattr(engine, "SOLVER_PROCESS_PAIRS", 0)
    monkeypatch.setattr(engine, "SolverProcess", None)  # starting one would fail the test
    result = propose(es, ms, rules=Rules(scope="region"), candidates_per_mentee=3)
    assert result.stats["parts"] == 1 and not result.stats["solver_process"] and result.proposals
