"""The solves and "why not?" searches of a large run, in child processes of their own.

OR-Tools holds the interpreter while it solves, and so does SciPy's Dijkstra for "why not?": at
100,000 x 40,000 that is several seconds in which the run's other threads wait. Child processes
do that work instead, on the other cores, while those threads go on: a thread that asked waits
on a pipe, which lets go of the interpreter. Only large runs with several parts start them (see
engine._propose): a child costs a few tenths of a second to start, and one part alone has
nothing to overlap. A solve's prices are worked out there too (engine._solved): Bellman-Ford is
hundreds of small NumPy steps, and in the run's process each waits for the interpreter.

A child reads (the name of an engine function, its arguments) pickled from its stdin and writes
the result to its stdout, for as many calls as it is sent, until its stdin closes. Nothing here
knows of Django: the child imports the engine alone. The pipes join our own processes only.

    python -m matching.solver_process
"""

import contextlib
import os
import pickle
import queue
import subprocess
import sys
from pathlib import Path

# What a child may be asked to run: engine functions of plain arrays, with no state of their own.
FUNCTIONS = frozenset({"_solved", "_solve_ortools", "_forcing_prices"})


def _send(stream, message) -> None:
    data = pickle.dumps(message, protocol=5)
    stream.write(len(data).to_bytes(8, "little"))
    stream.write(data)
    stream.flush()


def _receive(stream):
    size = int.from_bytes(_read(stream, 8), "little")
    return pickle.loads(_read(stream, size))  # noqa: S301 (our own child, on our own pipe)


def _read(stream, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) != n:
        raise EOFError("the other side closed the pipe")
    return data


class SolverProcess:
    """A child process that runs engine functions, one call at a time. Once it has failed to
    start or has stopped, ``call`` runs the function in this process instead; an error the
    function raised in the child (RuntimeError: a part OR-Tools could not solve) is raised here,
    as it would have been in this process."""

    def __init__(self):
        root = Path(__file__).resolve().parent.parent
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
        self.broken = False
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

    def call(self, fn, *args):
        """fn(*args), in the child; fn is one of the engine's FUNCTIONS."""
        if not self.broken:
            try:
                _send(self.proc.stdin, (fn.__name__, args))
                ok, value = _receive(self.proc.stdout)
            except (OSError, EOFError, ValueError, pickle.UnpicklingError):
                self.broken = True
                self.close()
            else:
                if not ok:
                    raise RuntimeError(value)
                return value
        return fn(*args)

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


class SolverProcesses:
    """Child processes for one run, started on demand and ended with the block: ``call`` runs a
    function in whichever is free (a thread waits for one), so several threads' calls run side
    by side, one per child."""

    def __init__(self):
        self.children = []
        self.free = queue.Queue()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for child in self.children:  # all told first: they end side by side
            if child.proc is not None:
                with contextlib.suppress(OSError, ValueError):
                    child.proc.stdin.close()
        for child in self.children:
            child.close()

    def start(self, n: int) -> None:
        while len(self.children) < n:
            self.children.append(SolverProcess())
            self.free.put(self.children[-1])

    def peak_mb(self) -> float | None:
        """The largest peak memory (VmHWM) of the children so far, in MB, where /proc tells it
        (Linux), else None. (Not the kernel's ru_maxrss for children: it also counts the pages
        of this process the child shared between its start and exec.)"""
        peaks = []
        for child in self.children:
            try:
                status = Path(f"/proc/{child.proc.pid}/status").read_text()
            except (AttributeError, OSError):
                continue
            peaks += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")]
        return round(max(peaks), 1) if peaks else None

    def call(self, fn, *args):
        child = self.free.get()
        try:
            return child.call(fn, *args)
        finally:
            self.free.put(child)


def main() -> None:
    from matching import engine

    # What the calls will need, imported while the run is still encoding or scoring.
    engine._solver()
    import scipy.sparse.csgraph  # noqa: F401

    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            name, args = _receive(source)
        except EOFError:
            return
        if name not in FUNCTIONS:
            _send(sink, (False, f"{name} may not be called in a child"))
            continue
        try:
            _send(sink, (True, getattr(engine, name)(*args)))
        except RuntimeError as error:
            _send(sink, (False, str(error)))


if __name__ == "__main__":
    main()
