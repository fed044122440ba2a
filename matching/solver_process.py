"""OR-Tools' solves of a large run, in a child process of their own.

OR-Tools holds the interpreter while it solves: at 100,000 x 40,000 that is 6 to 7 seconds in
which the threads scoring and pricing the other parts of the run wait. A child process solves
instead, on another core, while they go on: the thread that asked waits on a pipe, which lets
go of the interpreter. Only large runs with several parts start one (see engine._propose): a
child costs a few tenths of a second to start, and a single part has nothing to overlap.

The child reads (n_e, n_m, policy) and the part's arrays from its stdin and writes the chosen
mask to its stdout, for as many solves as it is sent, until its stdin closes. Nothing here
knows of Django: the child imports the engine alone.

    python -m matching.solver_process
"""

import contextlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

POLICIES = ("best_total", "most_matched")
# What each solve sends: the header, then these arrays in order (their dtypes fixed here).
ARRAYS = (("capacity", np.int64), ("ei", np.int64), ("mj", np.int64), ("units", np.int64), ("priority", np.bool_))


def _send(stream, array: np.ndarray) -> None:
    data = np.ascontiguousarray(array).tobytes()
    stream.write(len(data).to_bytes(8, "little"))
    stream.write(data)


def _receive(stream, dtype) -> np.ndarray:
    size = int.from_bytes(_read(stream, 8), "little")
    return np.frombuffer(_read(stream, size), dtype)


def _read(stream, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) != n:
        raise EOFError("the other side closed the pipe")
    return data


class SolverProcess:
    """A child process that solves parts as engine._solve_ortools does, one at a time (a lock:
    the parts' threads share it). ``fallback`` (engine._solve_ortools) solves in this process
    instead once the child has failed to start or stopped; a part it could not solve raises
    RuntimeError, as the solver itself does."""

    def __init__(self, fallback):
        self.fallback, self.broken = fallback, False
        root = Path(__file__).resolve().parent.parent
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
        self.lock = threading.Lock()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "matching.solver_process"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=root,
                env=env,
            )
        except OSError:
            self.proc, self.broken = None, True

    def solve(self, n_e, n_m, capacity, ei, mj, units, priority, policy) -> np.ndarray:
        with self.lock:
            if self.broken:
                return self.fallback(n_e, n_m, capacity, ei, mj, units, priority, policy)
            try:
                stream = self.proc.stdin
                _send(stream, np.array([n_e, n_m, POLICIES.index(policy)], np.int64))
                for (_, dtype), array in zip(ARRAYS, (capacity, ei, mj, units, priority), strict=True):
                    _send(stream, np.asarray(array, dtype))
                stream.flush()
                status = _receive(self.proc.stdout, np.int64)
                chosen = _receive(self.proc.stdout, np.bool_)
            except (OSError, EOFError, ValueError):
                self.broken = True
                self.close()
                return self.fallback(n_e, n_m, capacity, ei, mj, units, priority, policy)
        if status.tolist() != [0] or len(chosen) != len(ei):
            raise RuntimeError("the solver process could not solve the part")
        return chosen

    def close(self) -> None:
        """Ends the child (its stdin closed, it returns), killed if it does not within 5 s."""
        if self.proc is None:
            return
        with contextlib.suppress(OSError, ValueError):
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with contextlib.suppress(OSError, ValueError):
            self.proc.stdout.close()


def main() -> None:
    from matching.engine import _solve_ortools

    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            n_e, n_m, policy = _receive(source, np.int64).tolist()
            arrays = [_receive(source, dtype) for _, dtype in ARRAYS]
        except EOFError:
            return
        try:
            chosen, status = _solve_ortools(n_e, n_m, *arrays, POLICIES[policy]), 0
        except RuntimeError:
            chosen, status = np.zeros(0, bool), 1
        _send(sink, np.array([status], np.int64))
        _send(sink, chosen)
        sink.flush()


if __name__ == "__main__":
    main()
