"""The matching engine: who should mentor whom, and why.

Plain Python and NumPy; nothing here knows about Django (matching/services.py builds the pool
from the database and saves what comes out).

How a run works, for the next person reading this:

1. **Encode.** Each criterion becomes a small matrix per side, so that the whole score of every
   (mentee, mentor) pair is ONE matrix product ``A @ B.T``. Topics are 0/1 columns weighted by
   1/(number of the mentee's topics). Every other criterion goes through a lookup table: the
   mentor side is a one-hot of the mentor's *distinct* value (there are few: 8 mode sets, 16
   availability sets, ~40 distinct years...), and the mentee side holds the similarity to each
   of those values. A criterion with too many distinct mentor values is computed pair by pair
   on the chunk instead (still vectorised).
2. **Fixed-point scores.** Every per-criterion contribution is rounded to a multiple of
   1/65536 of a point. Sums of such numbers below 256 are exact in float32, so the matrix
   product is exact, the solver's integer costs are exactly ``score * 65536``, and
   ``score_pair`` (plain Python) gives bit-for-bit the same score. The rounding moves a score by
   less than a thousandth of a point.
3. **Parts.** The scope rule splits the pool into independent parts (one local association, or
   one region). Each part is scored in chunks of mentees; hard constraints are applied as -inf
   (group blocks, employers by code, and sparse lists for same person, dissolved and avoided
   pairs).
   Each mentee keeps its best ``candidates_per_mentee`` eligible mentors (20: the pricing below
   brings in any other pair that counts, and a smaller graph solves faster: at 20,000 x 8,000
   the solve took half the time it took with 60, the pairs the same) plus every pair someone
   asked for; then mentors that few mentees picked get their own best few mentees, so nobody
   is left out of the candidate graph just because they are nobody's top choice.
4. **Solve.** Exact max-weight b-matching of the candidate graph per part, as a min-cost flow
   (OR-Tools). Priority mentees and the "most_matched" policy are exact flow requirements
   (a max-flow first gives the best reachable counts), not big-M bonuses, so the integer costs
   stay small. SciPy's sparse assignment on expanded mentor seats is the fallback.
   **Then priced, to be the optimum of the whole part.** The solution's duals (node prices from
   Bellman-Ford on its residual network, see _part_prices) bound what any pair left out of the
   graph could add; the few pairs that could improve the run (scored again, see _priced_out)
   join the graph and the part is solved again, until none can (when only a few pairs joined,
   Bellman-Ford from the last prices often proves the solution still optimal, and the solve is
   spared; when a few hundred joined, the part is solved first on the pairs near improving the
   last solution, then proven on the whole graph, see _solve_near). The result is the optimum
   of every eligible pair, proven, not the optimum of the graph. Parts share nothing: they are
   scored and solved side by side on the machine's cores.
5. **Finish.** Unmatched mentees who still have an eligible mentor with a free seat (after the
   pricing, only where the pair adds no points) are given the best such seat. Each unmatched
   mentee gets a reason, each pair a breakdown and one plain sentence. Ties are settled (who
   waited longest wins), the unmatched explained and the breakdowns written part by part, each
   part as soon as it is solved, on its thread, while larger parts still solve: nothing there
   crosses from one part to another. Its "why not?" search runs meanwhile in a child process
   (for a large run; a small one searches once every part is finished).
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import functools
import gc
import itertools
import math
import operator
import os
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import threadpoolctl
from cleanco import basename

from matching.solver_process import SolverProcesses

# --- The public vocabulary ---------------------------------------------------------------------

DEFAULT_WEIGHTS = {
    "topics": 4.0,
    "modes": 1.0,
    "availability": 1.0,
    "frequency": 0.5,
    "languages": 2.0,
    "experience": 1.0,
    "preference": 3.0,
}

# The words (criteria's names, the breakdown's details, the sentence, the reasons) are made when
# they are read, in the reader's language, by matching/words.py: the engine gives keys, stored
# values and numbers only.
FREQUENCIES = ("weekly", "fortnightly", "monthly", "quarterly")
SCOPES = ("association", "region")
POLICIES = ("best_total", "most_matched")
QUESTION_KINDS = ("single", "multiple", "scale", "text")
REASONS = ("no_eligible_mentor", "capacity_exhausted", "lower_total")

# Scores are fixed-point numbers: multiples of 1/SCALE of a point (see the module docstring).
SCALE = 65536
# Years are clipped here so that experience always fits a lookup table.
MAX_YEARS = 60
# A criterion whose mentors have more distinct values than this is computed pair by pair.
TABLE_MAX = 64
# Each mentor keeps at least this many of its best mentees in the candidate graph.
MENTOR_CANDIDATES = 8
COVERAGE_FLOOR = 16
# Rows of a chunk are chosen so that a chunk holds about this many pairs (float32: 4 bytes each).
# (4 million: the product of 250 rows runs 10% faster than of 125, and the chunk's other passes
# lose nothing to it, at 16,565 mentors.)
CHUNK_PAIRS = 1 << 22
# Each mentee's best RESERVE x candidates_per_mentee pairs are kept for the pricing rounds (see
# _priced_out), which would otherwise score much of the part again in every round.
RESERVE = 3
# The pricing's margin, in units (see _priced_out).
SLACK = 2 * SCALE
# When the pricing brings in at most CHECK_PAIRS pairs, Bellman-Ford has CHECK_ROUNDS rounds to
# prove the solution still optimal with them before the part is solved again (see _run_part).
CHECK_PAIRS = 8
CHECK_ROUNDS = 150
# A part solved again is solved first on the pairs within NEAR units of improving the last
# solution (with the pairs it holds and those just brought in), then proven on all (see _solve_near).
NEAR = 2 * SCALE
NEAR_SHARE = 64  # when the pairs brought in are at most a NEAR_SHARE-th of the graph
# A pricing round scores the few pairs of a row that could qualify with those of this many rows
# like it (see _priced_out).
PARTIAL_ROWS = 256
# Blocks of at most this many pairs compare codes for the rules (see _Encoded._forbid).
SMALL_BLOCK = 1 << 16
# A pricing round that finds more pairs than half this many per mentee of the part brings in
# each mentee's this many most improving (see _most_improving). Pools whose scores spread (a
# program's questions) find a few per mentee; coarse ones (no questions) found 800 per mentee at
# 50,000 x 20,000 in region scope: 14 million pairs, 47 s and 4 GB, now 20 s.
PRICED_PER_MENTEE = 16
# Parts are scored and solved side by side on this many threads (see _propose).
PART_WORKERS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


@dataclass(frozen=True)
class Member:
    """One application: a mentee or a mentor."""

    id: int
    user_id: int
    association_id: int
    region_id: int
    employer: str = ""
    topics: tuple = ()
    modes: tuple = ()
    availability: tuple = ()
    frequency: str = ""
    hours: int | None = None
    languages: tuple = ()
    years: int | None = 0  # None: not said
    answers: Mapping = field(default_factory=dict, hash=False)
    capacity: int = 1
    ranked: tuple = ()  # user ids of the partners they asked for (of the other side, in the pool)
    avoid: frozenset = frozenset()
    priority: bool = False
    # Ties go to who has waited longest, then to the earliest application: the smaller the
    # number (a timestamp), the longer they have waited; then the smaller id.
    waiting_since: float = 0.0


@dataclass(frozen=True)
class QuestionSpec:
    id: str
    kind: str  # "single" | "multiple" | "scale" | "text" (text is never scored)
    weight: float
    text: str = ""  # the question as the questionnaire asks it, for the breakdown


@dataclass(frozen=True)
class Rules:
    scope: str  # "association" or "region"
    allow_same_employer: bool = False
    forbidden: frozenset = frozenset()  # (mentee user_id, mentor user_id) pairs dissolved before
    rejected: frozenset = frozenset()  # (mentee user_id, mentor user_id) pairs the committee rejected
    declined: frozenset = frozenset()  # (mentee user_id, mentor user_id) pairs the mentor declined
    silent: frozenset = frozenset()  # pairs the mentor let expire since the last run
    policy: str = "best_total"  # or "most_matched"


@dataclass
class WhyNot:
    """Why a mentee did not get the mentor who fits them best (of those the rules allow).

    ``taken_by``: the mentee application ids holding that mentor's places in this run (the one
    who would have to move first comes first); empty when the mentor had no free place before
    the run. ``cost``: how many points the total would lose if the pair were forced (None when
    it was not worked out, or the pair can't be forced without leaving a priority mentee out)."""

    mentor_id: int
    score: float
    taken_by: tuple = ()
    cost: float | None = None
    full_before: bool = False
    # The cost holds on the whole problem (the part's graph held every eligible pair), not only
    # on the pairs the run weighed.
    exact: bool = False
    # A tie (cost 0) where everyone holding the mentor's places has waited longer.
    waited_longer: bool = False
    # False: the cost was not worked out (a part with more mentors asked for than are priced).
    priced: bool = True


@dataclass
class Proposal:
    mentee_id: int
    mentor_id: int
    score: float  # 0-100: 100 is the best fit the weights allow for this pair
    # One row per criterion, strengths first (see _Breakdown): key, points, max, blank, facts (and
    # label: a program question's own text).
    breakdown: list[dict]
    # What the one sentence says, from the same rows: {"strengths": [keys], "weakest": key or None}.
    summary: dict
    priority: bool = False
    why_not: WhyNot | None = None


@dataclass
class Unmatched:
    mentee_id: int
    reason: str  # one of REASONS
    eligible_mentors: int = 0  # mentors the rules allow for this mentee (full or not)
    scope: str = "association"  # the rules' scope, for the words
    mentors_in_part: int = 0  # mentors in the mentee's association or region (full or not)
    priority: bool = False
    why_not: WhyNot | None = None


@dataclass
class Result:
    proposals: list[Proposal]
    unmatched: list[Unmatched]
    total_score: float
    stats: dict
    # Only with propose(keep_candidates=True): the candidate graph as arrays of
    # (mentee application id, mentor application id, score). For benchmarks and debugging.
    candidates: tuple | None = field(default=None, repr=False)


# --- Similarities ------------------------------------------------------------------------------
# Each similarity exists twice: vectorised for the whole pool, and in plain Python for one pair
# (score_pair, the breakdowns). Both do the very same IEEE double operations in the same order,
# so they agree to the last bit; the tests hold them to that.


# An empty answer earns nothing, on either side: two blank questionnaires have nothing in common.


def _share(inter, n_mentee, n_mentor):
    """Share of the mentee's wishes the mentor meets; 0 when either side said nothing."""
    return np.where((n_mentee > 0) & (n_mentor > 0), inter / np.maximum(n_mentee, 1), 0.0)


def _share1(inter, n_mentee, n_mentor):
    return inter / n_mentee if n_mentee > 0 and n_mentor > 0 else 0.0


def _any_shared(inter, n_mentee, n_mentor):
    """1 if they have any value in common; 0 when either side said nothing."""
    return np.where((n_mentee > 0) & (n_mentor > 0), (inter > 0) * 1.0, 0.0)


def _any_shared1(inter, n_mentee, n_mentor):
    return (1.0 if inter > 0 else 0.0) if n_mentee > 0 and n_mentor > 0 else 0.0


def _jaccard(inter, n_mentee, n_mentor):
    """Multiple-choice answers: common choices over all choices; a missing answer scores 0."""
    return np.where((n_mentee > 0) & (n_mentor > 0), inter / np.maximum(n_mentee + n_mentor - inter, 1), 0.0)


def _jaccard1(inter, n_mentee, n_mentor):
    return inter / (n_mentee + n_mentor - inter) if n_mentee > 0 and n_mentor > 0 else 0.0


def _equal(a, b):
    """Single-choice codes, -1 = no answer (scores 0)."""
    return ((a == b) & (a >= 0)) * 1.0


def _equal1(a, b):
    return 1.0 if a is not None and a == b else 0.0  # here the answers themselves, None = missing


def _scale(a, b):
    """Answers on a 1-5 scale, 0 = no answer (scores 0)."""
    return np.where((a > 0) & (b > 0), 1.0 - np.abs(a - b) / 4.0, 0.0)


def _scale1(a, b):
    return 1.0 - abs(a - b) / 4.0 if a > 0 and b > 0 else 0.0


def _frequency(a, b):
    """Ranks 0 (weekly) to 3 (quarterly); -1 = not said, which earns nothing."""
    return np.where((a >= 0) & (b >= 0), 1.0 - np.abs(a - b) / 3.0, 0.0)


def _frequency1(a, b):
    return 1.0 - abs(a - b) / 3.0 if a >= 0 and b >= 0 else 0.0


def _experience(mentee_years, mentor_years):
    """How well the gap in years suits mentoring: 0 if the mentor has fewer years than the
    mentee, weak below 3 years more, ideal from 5 to 20 years more, gently lower beyond.
    -1 = not said, which earns nothing."""
    gap = mentor_years - mentee_years
    return np.select(
        [(mentee_years < 0) | (mentor_years < 0) | (gap < 0), gap < 3, gap < 5, gap <= 20],
        [0.0, 0.1 + 0.1 * gap, 0.6 + 0.2 * (gap - 3), 1.0],
        np.maximum(0.5, 1.0 - 0.025 * (gap - 20)),
    )


def _experience1(mentee_years, mentor_years):
    gap = mentor_years - mentee_years
    if mentee_years < 0 or mentor_years < 0 or gap < 0:
        return 0.0
    if gap < 3:
        return 0.1 + 0.1 * gap
    if gap < 5:
        return 0.6 + 0.2 * (gap - 3)
    return 1.0 if gap <= 20 else max(0.5, 1.0 - 0.025 * (gap - 20))


def _q(x):
    """Round a contribution (in points) to the fixed-point grid."""
    return np.rint(x * SCALE) / SCALE


def _q1(x):
    return round(x * SCALE) / SCALE  # round() halves to even, like np.rint


_VECTOR = {"share": _share, "any": _any_shared, "jaccard": _jaccard}
_SCALAR = {
    "share": _share1,
    "any": _any_shared1,
    "jaccard": _jaccard1,
    "equal": _equal1,
    "scale": _scale1,
    "frequency": _frequency1,
    "experience": _experience1,
}


# --- Criteria and member profiles ---------------------------------------------------------------


@dataclass(frozen=True)
class _Criterion:
    """One criterion and the points it gives for a similarity of 1.

    100 is the best fit the weights allow, pair by pair: "asked for each other by name" counts
    only for pairs where someone named a partner. So each criterion has two units: ``unit``
    where the preference applies (all weights add up to 100) and ``unit_np`` where it does not
    (the other weights alone add up to 100)."""

    key: str  # "topics", "modes", ... or "question:<id>"
    kind: str  # topics | share | any | jaccard | equal | scale | frequency | experience | preference
    unit: float
    unit_np: float
    label: str = ""  # a program question's own text ("" for the criteria: their words are in words.py)
    question: str | None = None  # the question id, for program questions

    def unit_for(self, applies: bool) -> float:
        return self.unit if applies else self.unit_np

    @functools.cached_property
    def top(self) -> float:
        """The points for a similarity of 1, on the fixed-point grid, where the preference applies."""
        return _q1(self.unit)

    @functools.cached_property
    def top_np(self) -> float:
        return _q1(self.unit_np)


_TAG_CRITERIA = (("modes", "share"), ("availability", "share"), ("languages", "any"))


def _criteria(weights: Mapping | None, questions: Sequence[QuestionSpec]) -> list[_Criterion]:
    merged = dict(DEFAULT_WEIGHTS)
    for key, value in (weights or {}).items():
        if key not in DEFAULT_WEIGHTS:
            raise ValueError(f"Unknown matching criterion {key!r}; expected one of {', '.join(DEFAULT_WEIGHTS)}.")
        merged[key] = float(value)
    scored_questions = {}
    for q in questions:
        if q.kind not in QUESTION_KINDS:
            raise ValueError(f"Question {q.id!r} has an unknown kind {q.kind!r}.")
        if q.kind != "text" and float(q.weight) > 0:
            scored_questions[f"question:{q.id}"] = q
    raw = [(key, float(w)) for key, w in merged.items()] + [
        (key, float(q.weight)) for key, q in scored_questions.items()
    ]
    if any(not math.isfinite(w) or w < 0 for _, w in raw):
        raise ValueError("Matching weights must be numbers from 0 up.")
    total = sum(w for _, w in raw)
    total_np = total - merged["preference"]
    kinds = {"topics": "topics", "frequency": "frequency", "experience": "experience", "preference": "preference"}
    kinds.update(dict(_TAG_CRITERIA))
    out = []
    for key, w in raw:
        if w <= 0 or total <= 0:
            continue
        unit = w * 100.0 / total
        unit_np = 0.0 if key == "preference" or total_np <= 0 else w * 100.0 / total_np
        if key in scored_questions:
            q = scored_questions[key]
            kind = {"single": "equal", "multiple": "jaccard", "scale": "scale"}[q.kind]
            out.append(_Criterion(key, kind, unit, unit_np, " ".join(str(q.text).split()), str(q.id)))
        else:
            out.append(_Criterion(key, kinds[key], unit, unit_np))
    return out


@functools.lru_cache(maxsize=1 << 16)
def _norm(value) -> str:
    return str(value).strip().casefold()


@functools.lru_cache(maxsize=1 << 16)
def _tagset_cached(values: tuple) -> frozenset:
    tags = frozenset(map(_norm, values))
    return tags - {""} if "" in tags else tags


def _tagset(values) -> frozenset:
    """A member's tags (topics, modes, ...) as a set of normalised strings."""
    if values is None:
        return frozenset()
    if isinstance(values, str | int):
        values = (values,)
    try:
        return _tagset_cached(tuple(values))
    except TypeError:  # an unhashable item: skip the cache
        return frozenset(n for n in (_norm(str(v)) for v in values) if n)


def _answer_key(value):
    """A single-choice answer as a comparable key; None when unanswered."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(_tagset(tuple(value)))
        return None if not items else "|".join(items)
    return _norm(value) or None


def _scale_value(value) -> int:
    """1..5, or 0 when unanswered or not a number."""
    if isinstance(value, bool):
        return 0
    try:
        number = int(float(value))
    except (TypeError, ValueError, OverflowError):
        return 0
    return min(5, max(1, number))


def _frequency_rank(value) -> int:
    key = _norm(value or "")
    return FREQUENCIES.index(key) if key in FREQUENCIES else -1


@dataclass(slots=True)  # not frozen: a frozen dataclass is slow to build, and there are many
class _Profile:
    """What the score reads from a member, normalised once."""

    topics: frozenset
    modes: frozenset
    availability: frozenset
    languages: frozenset
    frequency: int
    years: int
    values: dict  # criterion key -> the value its similarity reads


def _profile(member: Member, criteria: Sequence[_Criterion]) -> _Profile:
    """(The reference: _profiler makes the same profiles faster, for a whole pool.)"""
    modes, availability, languages = _tagset(member.modes), _tagset(member.availability), _tagset(member.languages)
    frequency = _frequency_rank(member.frequency)
    years = -1 if member.years is None else min(MAX_YEARS, max(0, int(member.years)))
    values = {"modes": modes, "availability": availability, "languages": languages}
    values.update(frequency=frequency, experience=years)
    answers = member.answers or {}
    for c in criteria:
        if c.question is not None:
            raw = answers.get(c.question)
            if raw is None and c.question.isdigit():
                raw = answers.get(int(c.question))
            if c.kind == "jaccard":
                values[c.key] = _tagset(raw)
            elif c.kind == "equal":
                values[c.key] = _answer_key(raw)
            else:
                values[c.key] = _scale_value(raw)
    return _Profile(_tagset(member.topics), modes, availability, languages, frequency, years, values)


def _profiler(criteria: Sequence[_Criterion]) -> Callable[[Member], _Profile]:
    """_profile for many members: the same profiles, with the criteria read once and the common
    answers (tuples of tags, strings, small numbers) taking a short way to the same caches."""
    questions = [
        (c.key, c.kind, c.question, int(c.question) if c.question.isdigit() else None)
        for c in criteria
        if c.question is not None
    ]
    tags = _tagset_cached

    def tagset(values):
        if values.__class__ is tuple:
            try:
                return tags(values)
            except TypeError:
                pass
        return _tagset(values)

    def profile(member: Member) -> _Profile:
        modes, availability = tagset(member.modes), tagset(member.availability)
        languages = tagset(member.languages)
        frequency = _frequency_rank(member.frequency)
        years = member.years
        years = -1 if years is None else min(MAX_YEARS, max(0, int(years)))
        values = {
            "modes": modes,
            "availability": availability,
            "languages": languages,
            "frequency": frequency,
            "experience": years,
        }
        if questions:
            answers = member.answers or {}
            for key, kind, question, number in questions:
                raw = answers.get(question)
                if raw is None and number is not None:
                    raw = answers.get(number)
                if kind == "jaccard":
                    values[key] = tagset(raw)
                elif kind == "equal":
                    values[key] = (_norm(raw) or None) if raw.__class__ is str else _answer_key(raw)
                elif raw.__class__ is int and -(1 << 53) < raw < 1 << 53:
                    values[key] = min(5, max(1, raw))  # int(float(raw)) is raw itself
                else:
                    values[key] = _scale_value(raw)
        return _Profile(tagset(member.topics), modes, availability, languages, frequency, years, values)

    return profile


def _prefers(mentee: Member, mentor: Member) -> bool:
    return mentor.user_id in (mentee.ranked or ()) or mentee.user_id in (mentor.ranked or ())


def _preference_applies(mentee: Member, mentor: Member) -> bool:
    """Whether "asked for each other by name" counts for this pair: when either named anyone."""
    return bool(mentee.ranked) or bool(mentor.ranked)


# --- Hard constraints, one pair at a time ------------------------------------------------------


def _employer_key(member: Member) -> str:
    return employer_key(member.employer or "")


# Common abbreviations in employers' names, read as the word (the staff's merge list does the rest).
ABBREVIATIONS = {
    "ins": "insurance",
    "assn": "association",
    "assoc": "association",
    "intl": "international",
    "natl": "national",
}


def _name_words(name: str) -> list[str]:
    name = unicodedata.normalize("NFKD", name.replace("&", " and "))
    words = "".join(c if c.isalnum() else " " for c in name if not unicodedata.combining(c)).casefold().split()
    while words and words[-1] == "and":  # "Smith and Co." loses its "Co." to basename
        words.pop()
    return words


@functools.lru_cache(maxsize=65536)
def employer_key(name: str) -> str:
    """One spelling for one employer, so that the same-employer rule sees "Acme Insurance",
    "ACME Ins. Inc." and "Acme Insurance Company, Inc." as the same: legal suffixes (Inc, LLC,
    Ltd, Corp, Co, GmbH, SA, ... in many countries, as cleanco knows them) dropped one after the
    other until none is left (never the last word), "&" read as "and", common abbreviations
    (ABBREVIATIONS) read as the word, accents, case, punctuation and a leading "The" ignored.
    An empty name, or a suffix alone, stays empty (nobody's colleague)."""
    words = _name_words(basename(" ".join(name.split())))
    while words:
        shorter = _name_words(basename(" ".join(words)))
        if not shorter or len(shorter) >= len(words):
            break
        words = shorter
    if words[:1] == ["the"] and len(words) > 1:
        words = words[1:]
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def _check_rules(rules: Rules) -> None:
    if rules.scope not in SCOPES:
        raise ValueError(f"Unknown scope {rules.scope!r}; expected 'association' or 'region'.")
    if rules.policy not in POLICIES:
        raise ValueError(f"Unknown policy {rules.policy!r}; expected 'best_total' or 'most_matched'.")


# The rules a pair breaks, by key: these English words are the engine's (verify(), the tests); the
# committee reads them in its own language from matching/words.py (PROBLEM_WORDS, the same keys).
PROBLEM_TEXTS = {
    "different_associations": (
        "They belong to different local associations; this program pairs members of the same one."
    ),
    "different_regions": "They are in different regions; this program pairs people within one region.",
    "same_association": (
        "They belong to the same local association; this program pairs people from different associations."
    ),
    "same_person": "This is the same person on both sides.",
    "same_employer": "Both work for {employer}; this program keeps colleagues apart.",
    "dissolved_before": "They were partners before and that partnership was dissolved.",
    "rejected_before": "The committee rejected this pair before.",
    "declined_before": "The mentor declined this pair before.",
    "silent_before": "The mentor did not answer in time when last asked about this pair.",
    "mentee_avoids": "The mentee asked not to be paired with this mentor.",
    "mentor_avoids": "The mentor asked not to be paired with this mentee.",
    "mentor_full": "The mentor has no free place.",
}


def problem_text(problem: dict) -> str:
    """One problem of pair_problem_keys, in the engine's English words."""
    return PROBLEM_TEXTS[problem["key"]].format(**{k: v for k, v in problem.items() if k != "key"})


def pair_problems(mentee: Member, mentor: Member, *, rules: Rules) -> list[str]:
    """The program rules a hand-made pair would break, in plain words ([] when none)."""
    return [problem_text(problem) for problem in pair_problem_keys(mentee, mentor, rules=rules)]


def pair_problem_keys(mentee: Member, mentor: Member, *, rules: Rules) -> list[dict]:
    """pair_problems as keys and their values ({"key": "same_employer", "employer": "Acme"})."""
    _check_rules(rules)
    problems = _rule_problem_keys(mentee, mentor, rules)
    if mentor.capacity <= 0:
        problems.append({"key": "mentor_full"})
    return problems


def _rule_problems(mentee: Member, mentor: Member, rules: Rules) -> list[str]:
    """The pair-level hard constraints (everything but capacity), in the engine's words."""
    return [problem_text(problem) for problem in _rule_problem_keys(mentee, mentor, rules)]


def _rule_problem_keys(mentee: Member, mentor: Member, rules: Rules) -> list[dict]:
    problems = []
    if rules.scope == "association" and mentee.association_id != mentor.association_id:
        problems.append({"key": "different_associations"})
    if rules.scope == "region":
        if mentee.region_id != mentor.region_id:
            problems.append({"key": "different_regions"})
        elif mentee.association_id == mentor.association_id:
            problems.append({"key": "same_association"})
    if mentee.user_id == mentor.user_id:
        problems.append({"key": "same_person"})
    employer = _employer_key(mentee)
    if not rules.allow_same_employer and employer and employer == _employer_key(mentor):
        problems.append({"key": "same_employer", "employer": " ".join(mentee.employer.split())})
    pair = (mentee.user_id, mentor.user_id)
    for key, pairs in (
        ("dissolved_before", rules.forbidden),
        ("rejected_before", rules.rejected),
        ("declined_before", rules.declined),
        ("silent_before", rules.silent),
    ):
        if pair in pairs:
            problems.append({"key": key})
    if mentor.user_id in (mentee.avoid or ()):
        problems.append({"key": "mentee_avoids"})
    if mentee.user_id in (mentor.avoid or ()):
        problems.append({"key": "mentor_avoids"})
    return problems


# --- Scoring one pair, with words ---------------------------------------------------------------


def _in_order(original: Iterable, keep: frozenset) -> list[str]:
    """The shared values in the member's own order and spelling, without repeats."""
    out, seen = [], set()
    for value in original or ():
        key = _norm(value)
        if key in keep and key not in seen:
            seen.add(key)
            out.append(str(value).strip().replace("_", " "))
    return out


def _blank(empty_mentee: bool, empty_mentor: bool) -> str:
    return "both" if empty_mentee and empty_mentor else "mentee" if empty_mentee else "mentor" if empty_mentor else ""


def _preference_facts(mentee: Member, mentor: Member) -> dict:
    """Who asked for whom: "each_other", "by_mentee", "by_mentor", "mentee_elsewhere" or "mentor_elsewhere"."""
    if _prefers(mentee, mentor):
        by_mentee, by_mentor = mentor.user_id in (mentee.ranked or ()), mentee.user_id in (mentor.ranked or ())
        asked = "each_other" if by_mentee and by_mentor else "by_mentee" if by_mentee else "by_mentor"
    else:
        asked = "mentee_elsewhere" if mentee.ranked else "mentor_elsewhere"
    return {"kind": "preference", "asked": asked}


def _facts(key: str, kind: str, order: tuple | None, a, b) -> tuple[dict, str]:
    """(what the pair has in common, as stored values and numbers, who left the answer blank: "",
    "mentee", "mentor" or "both"), from the two answers alone (``order``: the mentee's own order
    and spelling, for goal areas and languages). matching/words.py makes the words from them in
    the reader's language; "kind" tells it which words."""
    facts = {"kind": kind}
    if kind == "topics":
        blank = _blank(not a, not b)
        if not blank:
            facts.update(shared=_in_order(order, a & b), of=len(a))
        return facts, blank
    if key in ("modes", "availability", "languages") or kind == "jaccard":
        blank = _blank(not a, not b)
        if blank:
            return facts, blank
        if key == "languages":
            facts["shared"] = _in_order(order, a & b)
        else:
            facts["shared"] = sorted(a & b)  # stored values (modes and times: their keys)
            if kind == "jaccard":
                facts["of"] = len(a | b)
        return facts, ""
    if kind == "frequency":
        blank = _blank(a < 0, b < 0)
        if not blank:
            facts.update(mentee=FREQUENCIES[a], mentor=FREQUENCIES[b])
        return facts, blank
    if kind == "experience":
        blank = _blank(a < 0, b < 0)
        if not blank:
            facts.update(mentee=a, mentor=b)
        return facts, blank
    if kind == "equal":
        blank = _blank(a is None, b is None)
        if not blank:
            facts["same"] = a == b
        return facts, blank
    # A 1-5 scale; 0 = no answer.
    blank = _blank(a <= 0, b <= 0)
    if not blank:
        facts.update(mentee=a, mentor=b)
    return facts, blank


class _Breakdown:
    """The score of a pair, criterion by criterion, strengths first: by the share of each
    criterion's points earned, highest first; for equal shares, the one losing fewer points first
    (so of two full criteria the heavier leads, of two empty ones the heavier is the weakest
    point, last). "Asked for each other by name" is left out where nobody named anyone. The
    points add up to the score exactly: they are the very fixed-point numbers the matrix product
    adds up. One per run: a row depends on the two answers alone, and pools repeat answers a lot,
    so each distinct row is made once (rows are shared: read them, never change them)."""

    def __init__(self, criteria):
        self.criteria = list(enumerate(criteria))
        self.cache = {}
        # Each criterion once: (position, criterion, how its answers are read: "preference",
        # "topics", "languages" (with the mentee's own order) or "value", the profile's key).
        self.plan = [(position, c, _read_as(c), c.key) for position, c in self.criteria]

    def __call__(self, mentee: Member, mentor: Member, pe: _Profile, pm: _Profile) -> list[dict]:
        applies = bool(mentee.ranked) or bool(mentor.ranked)  # _preference_applies
        cache = self.cache
        ve, vm = pe.values, pm.values
        keyed = []
        for position, c, how, key in self.plan:
            if how == "value":
                order, a, b = None, ve[key], vm[key]
            elif how == "topics":
                order, a, b = mentee.topics, pe.topics, pm.topics
            elif how == "languages":
                order, a, b = mentee.languages, ve[key], vm[key]
            else:
                if applies:
                    by_mentee = mentor.user_id in (mentee.ranked or ())
                    by_mentor = mentee.user_id in (mentor.ranked or ())
                    cache_key = (position, by_mentee, by_mentor, bool(mentee.ranked))
                    found = cache.get(cache_key)
                    if found is None:
                        found = cache[cache_key] = _preference_row(c, position, mentee, mentor)
                    keyed.append(found)
                continue
            cache_key = (position, applies, order, a, b)
            found = cache.get(cache_key)
            if found is None:
                found = cache[cache_key] = _row(c, applies, position, tuple(order or ()) if order else None, a, b)
            keyed.append(found)
        keyed.sort()  # by the sort keys alone: each holds its criterion's position, never equal
        return [row for _, row in keyed]

    def many(self, mentees, mentors, pes, pms, common: frozenset = frozenset()) -> tuple[list, list]:
        """The breakdowns of many pairs (mentees[k], mentors[k]) and what their sentences say:
        the very rows __call__ makes and the summaries _explain makes, one pair at a time. Each
        side's answers are coded once per criterion, each distinct (applies, mentee's answer,
        mentor's answer) row is looked up once, and the rows are put in order with numpy."""
        n = len(mentees)
        if not n or not self.plan:
            lists = [self(e, m, a, b) for e, m, a, b in zip(mentees, mentors, pes, pms, strict=True)]
            return lists, [_explain(rows, common) for rows in lists]
        cache = self.cache
        ranked = operator.attrgetter("ranked")
        applies = np.fromiter(map(bool, map(ranked, mentees)), bool, n)
        applies |= np.fromiter(map(bool, map(ranked, mentors)), bool, n)
        values_e, values_m = [p.values for p in pes], [p.values for p in pms]
        table, at = [(_LAST, None)], {}  # entry 0: "asked for each other" where it does not apply
        cols = np.zeros((n, len(self.plan)), np.int64)
        for col, (position, c, how, key) in enumerate(self.plan):
            if how == "preference":
                codes = {}
                for k in np.flatnonzero(applies).tolist():
                    e, m = mentees[k], mentors[k]
                    ask = (position, m.user_id in (e.ranked or ()), e.user_id in (m.ranked or ()), bool(e.ranked))
                    code = codes.get(ask)
                    if code is None:
                        found = cache.get(ask)
                        if found is None:
                            found = cache[ask] = _preference_row(c, position, e, m)
                        code = codes[ask] = at.setdefault(id(found), len(table))
                        if code == len(table):
                            table.append(found)
                    cols[k, col] = code
                continue
            if how == "topics":
                topics = operator.attrgetter("topics")
                side_e = list(zip(map(topics, mentees), map(topics, pes), strict=True))
                side_m = list(map(topics, pms))
            else:
                read = operator.itemgetter(key)
                side_e, side_m = list(map(read, values_e)), list(map(read, values_m))
                if how == "languages":
                    side_e = list(zip(map(operator.attrgetter("languages"), mentees), side_e, strict=True))
            # Each answer's code: where it first appears (a loop in C: these are 80,000 pairs).
            ce = np.fromiter(map({}.setdefault, side_e, itertools.count()), np.int64, n)
            cm = np.fromiter(map({}.setdefault, side_m, itertools.count()), np.int64, n)
            combos, inverse = np.unique((ce * n + cm) * 2 + applies, return_inverse=True)
            codes = np.empty(len(combos), np.int64)
            for u, combo in enumerate(combos.tolist()):
                order, a = side_e[combo // 2 // n] if how != "value" else (None, side_e[combo // 2 // n])
                b, yes = side_m[combo // 2 % n], combo % 2 == 1
                cache_key = (position, yes, order, a, b)
                found = cache.get(cache_key)
                if found is None:
                    found = cache[cache_key] = _row(c, yes, position, tuple(order or ()) if order else None, a, b)
                code = codes[u] = at.setdefault(id(found), len(table))
                if code == len(table):
                    table.append(found)
            cols[:, col] = codes[inverse.reshape(-1)]
        # In order: strengths first, as the sort keys say (never equal: each holds its position).
        keys = np.array([k for k, _ in table], np.float64).T
        cols = np.take_along_axis(cols, np.lexsort(tuple(keys[::-1, cols])), 1)
        rows = np.empty(len(table), object)
        rows[:] = [row for _, row in table]
        lists = rows[cols].tolist()
        # "Asked for each other by name" (entry 0, put last) where nobody named anyone.
        absent = ~applies if any(how == "preference" for _, _, how, _ in self.plan) else np.zeros(n, bool)
        for k in np.flatnonzero(absent).tolist():
            lists[k].pop()
        # What the sentence says (_explain): up to three strengths, then the weakest point.
        strong = np.array([row is not None and _strength(row, common) for _, row in table])
        short = np.array([row is not None and row["points"] < row["max"] for _, row in table])
        names = np.array([None if row is None else row["key"] for _, row in table], object)
        is_strong = strong[cols]
        top3 = is_strong & (np.cumsum(is_strong, 1) <= 3)
        last = np.where(absent, cols.shape[1] - 2, cols.shape[1] - 1)
        last_col = cols[np.arange(n), last]
        weakest = np.where(short[last_col] & ~top3[np.arange(n), last], names[last_col], None).tolist()
        picked = iter(names[cols[top3]].tolist())
        counts = top3.sum(1).tolist()
        summaries = [
            {"strengths": list(itertools.islice(picked, count)), "weakest": w}
            for count, w in zip(counts, weakest, strict=True)
        ]
        return lists, summaries


_LAST = (math.inf, math.inf, math.inf, math.inf)


def _strength(row: dict, common: frozenset) -> bool:
    """Whether _explain counts the row as a strength (if among the first three)."""
    if not (row["max"] and row["points"] >= STRONG * row["max"]):
        return False
    if row["key"] != "languages" or not common:
        return True
    return any(_norm(lang) not in common for lang in row["facts"].get("shared", ()))


def _read_as(c: _Criterion) -> str:
    if c.kind in ("preference", "topics"):
        return c.kind
    return "languages" if c.key == "languages" else "value"


def _preference_row(c: _Criterion, position: int, mentee: Member, mentor: Member) -> tuple[tuple, dict]:
    """(sort key, row) of "asked for each other by name", where it applies."""
    got = c.top if _prefers(mentee, mentor) else 0.0
    row = {"key": c.key, "points": got, "max": c.top, "blank": "", "facts": _preference_facts(mentee, mentor)}
    return _sort_key(got, c.top, position), row


def _sort_key(got, top, position):
    """Strengths first: the share of the criterion's points earned, then fewer points lost, then
    the heavier criterion, then the criteria's own order."""
    return -(got / top if top else 0.0), top - got, -top, position


def _row(c: _Criterion, applies: bool, position: int, order, a, b) -> tuple[tuple, dict]:
    """(sort key, row) of one criterion from the two answers.
    The points are computed exactly as _Encoded._blocks computes them (bit for bit)."""
    unit = c.unit_for(applies)
    top = c.top if applies else c.top_np
    if c.kind == "topics":
        # Per topic, exactly as the matrix product adds it up; all of them shared is full marks.
        got = len(a & b) * _q1(unit / len(a)) if a else 0.0
        top = len(a) * _q1(unit / len(a)) if a else top
    elif c.kind in _VECTOR:
        got = _q1(unit * _SCALAR[c.kind](len(a & b), len(a), len(b)))
    else:
        got = _q1(unit * _SCALAR[c.kind](a, b))
    facts, blank = _facts(c.key, c.kind, order, a, b)
    row = {"key": c.key, "points": got, "max": top, "blank": blank, "facts": facts}
    if c.question is not None:
        row["label"] = c.label  # the question as the program asks it, in its own words
    return _sort_key(got, top, position), row


STRONG = 0.75  # a criterion is a strength from three quarters of its points


def _explain(rows: Sequence[dict], common: frozenset = frozenset()) -> dict:
    """What the one sentence says, from the breakdown's own rows, so that the two always agree:
    up to three strengths, then the weakest point, by their rows' keys (matching/words.py makes
    the sentence). ``common``: languages nearly everyone in the pool speaks, not worth calling a
    strength ("both speak English" tells the committee nothing)."""

    def notable(r):
        if r["key"] != "languages" or not common:
            return True
        return any(_norm(lang) not in common for lang in r["facts"].get("shared", ()))

    strengths = [r for r in rows if r["max"] and r["points"] >= STRONG * r["max"] and notable(r)][:3]
    weakest = rows[-1] if rows and rows[-1]["points"] < rows[-1]["max"] and rows[-1] not in strengths else None
    return {"strengths": [r["key"] for r in strengths], "weakest": None if weakest is None else weakest["key"]}


def shown_score(score) -> int:
    """The score as the pages show it: in whole points, rounded down (99.7 is not the best fit;
    only the best fit shows 100), so that the breakdown can show each criterion's points lost.
    The tolerance covers the fixed-point scores' rounding (under 2e-4 in all)."""
    return math.floor(float(score) + 1e-3)


def whole_points(rows: Sequence[dict], total: int) -> list[tuple[int, int]]:
    """(points, out of) per row in whole numbers, for the page. The points add up to ``total``
    (the score as shown, rounded up or down) and the maxima to 100; each row's points and the
    points it lost are their exact values rounded up or down (largest remainders), and a
    criterion shows full marks exactly when it earned them, wherever the totals allow."""
    earned = [r["points"] for r in rows]
    lost = [max(0.0, r["max"] - r["points"]) for r in rows]
    got = _apportion(earned, total, [math.floor(v) for v in earned], [math.ceil(v) for v in earned])
    short = round(sum(r["max"] for r in rows)) - total
    # A row that lost anything shows at least one point lost; one that lost nothing, none.
    low = [max(math.floor(v), 1) if v > 0 else 0 for v in lost]
    missed = _apportion(lost, short, low, [max(math.ceil(v), 1) if v > 0 else 0 for v in lost])
    return [(g, g + m) for g, m in zip(got, missed, strict=True)]


def _apportion(values: Sequence[float], total: int, low: Sequence[int], high: Sequence[int]) -> list[int]:
    """Whole numbers adding up to ``total``, each between its ``low`` and ``high`` where that is
    possible (Hamilton's method: the largest remainders get the extra ones), else as close as
    can be: bounds are widened (never below 0, never above 0 for a value of 0) only if needed."""
    order = sorted(range(len(values)), key=lambda k: (-(values[k] - math.floor(values[k])), k))
    if sum(low) > total:
        low = [min(lo, math.floor(v)) for lo, v in zip(low, values, strict=True)]
    if sum(high) < total:
        high = [hi if v == 0 else total for hi, v in zip(high, values, strict=True)]
    out = list(low)
    left = total - sum(out)
    while left > 0 and any(out[k] < high[k] for k in order):
        for k in order:
            if left > 0 and out[k] < high[k]:
                out[k] += 1
                left -= 1
    for k in reversed(order):
        while left < 0 and out[k] > 0 and values[k] > 0:
            out[k] -= 1
            left += 1
    return out


def score_pair(
    mentee: Member, mentor: Member, *, weights: Mapping | None = None, questions: Sequence[QuestionSpec] = ()
) -> tuple[float, list[dict], str]:
    """(score 0-100, the breakdown rows, what the one-sentence explanation says) for one pair.

    Hard constraints are not checked here: see pair_problems(). The score and the rows are
    exactly the ones propose() gives the same pair."""
    criteria = _criteria(weights, questions)
    rows = _Breakdown(criteria)(mentee, mentor, _profile(mentee, criteria), _profile(mentor, criteria))
    return sum(r["points"] for r in rows), rows, _explain(rows)


# --- Encoding the pool ---------------------------------------------------------------------------


class _Vocab(dict):
    def code(self, key) -> int:
        code = self.get(key)
        if code is None:
            code = self[key] = len(self)
        return code


def _one_hot(*sides: Sequence[frozenset]) -> list[np.ndarray]:
    """0/1 matrices (float64) of set values, one per side, over a vocabulary shared by both."""
    # Each distinct set is coded once (in order of first appearance, so the vocabulary's order
    # is that of the members' own), then every member's row is one of those.
    vocab, set_id, codes = _Vocab(), {}, []
    coords = []
    for sets in sides:
        ids = np.fromiter((set_id.setdefault(values, len(set_id)) for values in sets), np.int64, len(sets))
        for values in list(set_id)[len(codes) :]:
            codes.append([vocab.code(v) for v in sorted(values)])
        coords.append((len(sets), ids))
    lengths = np.fromiter(map(len, codes), np.int64, len(codes))
    flat = np.fromiter((c for cs in codes for c in cs), np.int64, int(lengths.sum()))
    offsets = np.cumsum(lengths) - lengths
    out = []
    for n, ids in coords:
        matrix = np.zeros((n, max(1, len(vocab))))
        if n and len(flat):
            counts = lengths[ids]
            rows = np.repeat(np.arange(n), counts)
            within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
            matrix[rows, flat[np.repeat(offsets[ids], counts) + within]] = 1.0
        out.append(matrix)
    return out


def _codes(values: Sequence) -> tuple[np.ndarray, list]:
    """(each value's code, the distinct values in order of first appearance)."""
    distinct = list(dict.fromkeys(values))
    code = {value: k for k, value in enumerate(distinct)}.__getitem__
    return np.fromiter(map(code, values), np.int64, len(values)), distinct


def _read(profiles, key: str) -> list:
    """Each profile's value of the criterion ``key``."""
    return list(map(operator.itemgetter(key), map(operator.attrgetter("values"), profiles)))


def _distinct_rows(codes: np.ndarray, named: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (code, named) of the rows, as (codes, named), and each row's place among them."""
    keys, inverse = np.unique(codes * 2 + named, return_inverse=True)
    return keys // 2, keys % 2 == 1, inverse.reshape(-1)


@dataclass
class _Part:
    key: int
    e0: int  # mentees e0:e1 (in encoded order)
    e1: int
    m0: int  # mentors m0:m1
    m1: int
    b_t: np.ndarray | None = None  # B[m0:m1].T, contiguous
    pref: tuple = ()  # (local rows, local cols, each row's first pair), sorted by row
    ban: tuple = ()
    employer: tuple = ()  # (the part's mentors by employer code, each code's first), see _build_parts
    # (rows, cols, units) of each mentee's best pairs beyond the graph, see _part_candidates:
    # all those at least as good as their reserve_size-th best, or that many of them on ties.
    reserve: tuple = ()
    reserve_size: int = 0


def _with_users(owners: np.ndarray, users: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, k) for each owners[n] and each k with ids[k] == users[n]: in the order of owners,
    then of k."""
    order = np.argsort(ids, kind="stable")
    by_id = ids[order]
    n, k = _Encoded._gather(order, np.searchsorted(by_id, users, "left"), np.searchsorted(by_id, users, "right"))
    return owners[n], k


def _column(members, attr: str) -> np.ndarray:
    """One integer attribute of each member, as an array."""
    return np.fromiter(map(operator.attrgetter(attr), members), np.int64, len(members))


class _Encoded:
    """Both sides of the pool as arrays, mentees and mentors sorted by part."""

    def __init__(self, mentees, mentors, rules: Rules, criteria: list[_Criterion], profiled=None):
        """``profiled()``, if given, is called once the members are profiled, half-way."""
        self.rules, self.criteria = rules, criteria
        # Sort both sides by part (then association, for the region rule's blocks); lexsort is
        # stable, as sorted() is.
        part_key = "association_id" if rules.scope == "association" else "region_id"
        e_assoc, m_assoc = _column(mentees, "association_id"), _column(mentors, "association_id")
        e_part, m_part = _column(mentees, part_key), _column(mentors, part_key)
        self.e_order, self.m_order = np.lexsort((e_assoc, e_part)), np.lexsort((m_assoc, m_part))
        self.mentees = [mentees[i] for i in self.e_order.tolist()]
        self.mentors = [mentors[i] for i in self.m_order.tolist()]
        E, M = self.mentees, self.mentors
        profile = _profiler(criteria)
        self.pe = [profile(m) for m in E]
        self.pm = [profile(m) for m in M]
        if profiled is not None:
            profiled()
        self.e_part, self.m_part = e_part[self.e_order], m_part[self.m_order]
        self.e_assoc, self.m_assoc = e_assoc[self.e_order], m_assoc[self.m_order]
        # (map in C, not a generator: a tenth of a second less at 140,000 members)
        self.capacity = np.maximum(np.fromiter(map(int, map(operator.attrgetter("capacity"), M)), np.int64, len(M)), 0)
        self.priority = np.fromiter(map(bool, map(operator.attrgetter("priority"), E)), bool, len(E))
        # Ties go to who has waited longest, then to the earliest application: 0 is the longest
        # waiting, whatever order the pool came in.
        self.seniority = np.empty(len(E), np.int64)
        waited = np.fromiter(map(operator.attrgetter("waiting_since"), E), np.float64, len(E))
        self.e_ids = _column(E, "id")
        self.seniority[np.lexsort((self.e_ids, waited))] = np.arange(len(E))
        # Each mentee's k-th best score in units, once the candidates are picked: -1 when every
        # eligible pair of theirs is in the graph.
        self.kth_units = np.full(len(E), -1, np.int64)
        # The same for the k2-th best, the reserve's (see _part_candidates and _priced_out).
        self.reserve_kth = np.full(len(E), -1, np.int64)
        self.twin_class = None  # see _twins
        # Who named anyone: for their pairs "asked for each other by name" counts (see _Criterion).
        ranked = operator.attrgetter("ranked")
        self.e_named = np.fromiter(map(bool, map(ranked, E)), bool, len(E))
        self.m_named = np.fromiter(map(bool, map(ranked, M)), bool, len(M))
        self._build_matrices()
        self._build_pairs()
        self._build_parts()

    # The score of every pair is A @ B.T (+ the few pair-by-pair criteria, + preference). Each
    # mentee's row of A is in the units of its own pairs: with the preference's share when they
    # named someone (unit), without it otherwise (unit_np). The pairs of a mentee who named nobody
    # with a mentor who did are in the first units too: score_rows computes those from A_named.
    def _build_matrices(self):
        pe, pm = self.pe, self.pm
        self.pref_points = 0.0
        for c in self.criteria:
            if c.kind == "preference":
                self.pref_points = float(_q(c.unit))
        self.b_blocks, self.pairwise = [], []
        a_blocks = self._blocks(np.arange(len(pe)), self.e_named, collect=True)
        self.A = self._stack(a_blocks, len(pe))
        self.B = self._stack(self.b_blocks, len(pm))
        # Mentees who named nobody, in the units of pairs with a mentor who named someone.
        self.unnamed = np.flatnonzero(~self.e_named)
        self.A_named = None
        if self.m_named.any() and len(self.unnamed) and self.pref_points:
            rows = self.unnamed
            self.A_named = self._stack(self._blocks(rows, np.ones(len(rows), bool), collect=False), len(rows))
            self.unnamed_pos = np.full(len(pe), -1, np.int64)
            self.unnamed_pos[rows] = np.arange(len(rows))

    def _stack(self, blocks, n):
        """The blocks side by side, as float32 (exact: the points are on the grid, below 2**7).
        A block is (its distinct rows, each member's row among them): they are read out here,
        straight into place."""
        out = np.zeros((n, max(1, sum(rows.shape[1] for rows, _ in blocks))), np.float32)
        col = 0
        for rows, index in blocks:
            out[:, col : col + rows.shape[1]] = rows.astype(np.float32)[index]
            col += rows.shape[1]
        return out

    def _blocks(self, rows, named, *, collect):
        """The A blocks of the mentees ``rows`` (``named``: in the units with the preference).
        ``collect``: also build the mentor side (B) and the pair-by-pair criteria, once.
        Pools repeat answers a lot: each block's rows are computed once per distinct (answer,
        named), then read out for every mentee (the same numbers: each cell is computed alone)."""
        pe = [self.pe[i] for i in rows]
        pm = self.pm
        a_blocks = []
        for c in self.criteria:
            if c.kind == "preference":
                continue
            if c.kind == "topics":
                topics = operator.attrgetter("topics")
                codes, sets = _codes(list(map(topics, pe)))
                code, yes, inverse = _distinct_rows(codes, named)
                unit = np.where(yes, c.unit, c.unit_np)
                # Columns: the mentors' topics (a topic no mentor knows can't add points). The
                # shared vocabulary starts with the mentors' topics; the mentees' others are cut off.
                xm, xe = _one_hot(list(map(topics, pm)), [sets[k] for k in code.tolist()])
                width = max(1, len(frozenset().union(*map(topics, pm))))
                xm, xe = xm[:, :width], xe[:, :width]
                ne = np.fromiter((len(sets[k]) for k in code.tolist()), np.float64, len(code))
                # Per topic q(unit / n): the mentee's n topics add up to ~unit when all covered.
                per_topic = np.where(ne > 0, _q(unit / np.maximum(ne, 1)), 0.0)
                a_blocks.append((xe * per_topic[:, None], inverse))
                if collect:
                    self.b_blocks.append((xm, slice(None)))
                continue
            if c.kind in _VECTOR:
                sm = _read(pm, c.key)
                fn = _VECTOR[c.kind]
                codes, distinct = _codes(sm)
                if len(distinct) <= TABLE_MAX:
                    codes_e, sets = _codes(_read(pe, c.key))
                    code, yes, inverse = _distinct_rows(codes_e, named)
                    unit = np.where(yes, c.unit, c.unit_np)[:, None]
                    xe, u = _one_hot([sets[k] for k in code.tolist()], distinct)
                    inter = xe @ u.T
                    a_blocks.append((_q(unit * fn(inter, xe.sum(1)[:, None], u.sum(1)[None, :])), inverse))
                    if collect:
                        self.b_blocks.append((np.eye(len(distinct)), codes))
                elif collect:
                    xe, xm = _one_hot(_read(self.pe, c.key), sm)
                    self.pairwise.append((c, fn, xe, xm))
                continue
            # Scalar criteria: frequency, experience, single choice (as codes, -1 = missing), scale.
            sm, se = _read(pm, c.key), _read(pe, c.key)
            if c.kind == "equal":  # codes in order of first appearance; -1: no answer
                distinct = [v for v in dict.fromkeys(sm) if v is not None]
                code = {value: k for k, value in enumerate(distinct)} | {None: -1}
                vm = np.fromiter(map(code.__getitem__, sm), np.int64, len(sm))
                # -2: an answer no mentor gave, equal to none of theirs
                ve = np.fromiter(map(code.get, se, itertools.repeat(-2)), np.int64, len(se))
            else:
                ve, vm = np.fromiter(se, np.int64, len(se)), np.fromiter(sm, np.int64, len(sm))
            fn = {"equal": _equal, "scale": _scale, "frequency": _frequency, "experience": _experience}[c.kind]
            values, codes = np.unique(vm, return_inverse=True)
            ve, yes, inverse = _distinct_rows(ve, named)
            unit = np.where(yes, c.unit, c.unit_np)[:, None]
            a_blocks.append((_q(unit * fn(ve[:, None], values[None, :])), inverse))
            if collect:
                self.b_blocks.append((np.eye(len(values)), codes.reshape(-1)))
        return a_blocks

    # Sparse pair lists: stated preferences (always candidates; a bonus when weighted) and the
    # pair-level hard constraints.
    def _build_pairs(self):
        E, M, rules = self.mentees, self.mentors, self.rules
        e_user, m_user = _column(E, "user_id"), _column(M, "user_id")

        def named(members, attr):
            """(each member's position, once per user it names in ``attr``, those users)."""
            lists = list(map(operator.attrgetter(attr), members))
            some = np.flatnonzero(np.fromiter(map(bool, lists), bool, len(lists))).tolist()
            found = [(k, u) for k in some for u in lists[k]]  # (the few who name anyone)
            return np.array(found, np.int64).reshape(-1, 2).T

        # Most members name and avoid nobody: the few names are looked up among the other
        # side's user ids, all at once; and so is each mentee's own user id (the same person).
        pref = [_with_users(*named(E, "ranked"), m_user), _with_users(*named(M, "ranked"), e_user)[::-1]]
        ban = [_with_users(np.arange(len(E)), e_user, m_user)]
        ban += [_with_users(*named(E, "avoid"), m_user), _with_users(*named(M, "avoid"), e_user)[::-1]]
        ruled = list(rules.forbidden | rules.rejected | rules.declined | rules.silent)
        if ruled:  # each pair of users: every mentee of the one with every mentor of the other
            k_e, i = _with_users(np.arange(len(ruled)), np.array([p[0] for p in ruled], np.int64), e_user)
            k_m, j = _with_users(np.arange(len(ruled)), np.array([p[1] for p in ruled], np.int64), m_user)
            lo, hi = np.searchsorted(k_m, k_e, "left"), np.searchsorted(k_m, k_e, "right")
            pos, at = _Encoded._gather(np.arange(len(k_m)), lo, hi)
            ban.append((i[pos], j[at]))
        pref_pairs = np.concatenate([np.stack(x, axis=1) for x in pref])
        ban_pairs = np.concatenate([np.stack(x, axis=1) for x in ban])
        self.pref_pairs, self.ban_pairs = pref_pairs, ban_pairs
        # Same employer: not as pairs (in region scope they ran to tens of millions, 2.7 GB at
        # 100,000 x 40,000) but as codes, each part's mentors grouped by theirs (_build_parts).
        self.e_employer = self.m_employer = None
        if not rules.allow_same_employer:
            # Each name as written once (in order of first appearance: the codes are those of
            # the members' own order), then every member's code is its name's.
            employer = operator.attrgetter("employer")
            names_e, names_m = list(map(employer, self.mentees)), list(map(employer, self.mentors))
            vocab = _Vocab()
            code_of = {
                name: vocab.code(k) if (k := employer_key(name or "")) else -1
                for name in dict.fromkeys(names_e + names_m)
            }
            ee = np.fromiter(map(code_of.__getitem__, names_e), np.int64, len(names_e))
            em = np.fromiter(map(code_of.__getitem__, names_m), np.int64, len(names_m))
            if len(vocab):
                self.e_employer, self.m_employer, self.n_employers = ee, em, len(vocab)

    def _build_parts(self):
        keys = np.unique(np.concatenate([self.e_part, self.m_part]))
        e_lo, e_hi = np.searchsorted(self.e_part, keys, "left"), np.searchsorted(self.e_part, keys, "right")
        m_lo, m_hi = np.searchsorted(self.m_part, keys, "left"), np.searchsorted(self.m_part, keys, "right")
        self.parts = [
            _Part(int(k), int(a), int(b), int(c), int(d))
            for k, a, b, c, d in zip(keys, e_lo, e_hi, m_lo, m_hi, strict=True)
        ]
        if self.m_employer is not None:
            n_codes = self.n_employers
            for part in self.parts:
                codes = self.m_employer[part.m0 : part.m1]
                by_code = np.argsort(codes, kind="stable")
                starts = np.searchsorted(codes[by_code], np.arange(n_codes + 1))
                part.employer = (by_code, starts)  # the mentors of code c: by_code[starts[c]:starts[c + 1]]
        for pairs, attr in ((self.pref_pairs, "pref"), (self.ban_pairs, "ban")):
            if not len(pairs):
                continue
            i, j = pairs[:, 0], pairs[:, 1]
            same = self.e_part[i] == self.m_part[j]
            i, j = i[same], j[same]
            # Sorted by mentee (so by part too). Repeats are harmless: a fancy-indexed `+=` or
            # `= -inf` writes each cell once.
            order = np.argsort(i, kind="stable")
            i, j = i[order], j[order]
            part_index = np.searchsorted(keys, self.e_part[i])
            bounds = np.searchsorted(part_index, np.arange(len(keys) + 1))
            for p_idx, part in enumerate(self.parts):
                a, b = bounds[p_idx], bounds[p_idx + 1]
                if b > a:
                    rows = i[a:b] - part.e0  # with each row's offset into them (_select)
                    starts = np.searchsorted(rows, np.arange(part.e1 - part.e0 + 1))
                    setattr(part, attr, (rows, j[a:b] - part.m0, starts))

    # -- Scoring a block of one part's mentees against all of its mentors.
    def score_rows(self, part: _Part, rows: np.ndarray, *, skip_full: bool, cols: np.ndarray | None = None):
        """Scores (float32, -inf where the rules forbid the pair) of the part's mentees ``rows``
        against its mentors ``cols`` (default: all). Both local to the part and sorted.
        ``skip_full``: mentors without a free place count as forbidden too."""
        if part.b_t is None:
            part.b_t = np.ascontiguousarray(self.B[part.m0 : part.m1].T)
        g = _as_slice(rows, part.e0)
        h = _as_slice(cols, part.m0) if cols is not None else slice(part.m0, part.m1)
        b_t = part.b_t if cols is None else part.b_t[:, cols]
        s = self._product(self.A[g], b_t, g, h)
        if not s.size:
            return s
        if self.A_named is not None:
            # Mentees who named nobody, with mentors who named someone: the units with the preference.
            fix_r = np.flatnonzero(~self.e_named[g])
            fix_c = np.flatnonzero(self.m_named[h])
            if len(fix_r) and len(fix_c):
                a = self.A_named[self.unnamed_pos[part.e0 + rows[fix_r]]]
                s[np.ix_(fix_r, fix_c)] = a @ b_t[:, fix_c]
        if self.pairwise:
            applies = self.e_named[g][:, None] | self.m_named[h][None, :]
        for c, fn, xe, xm in self.pairwise:
            be, bm = xe[g], xm[h]
            inter = be @ bm.T
            unit = np.where(applies, c.unit, c.unit_np)
            s += _q(unit * fn(inter, be.sum(1)[:, None], bm.sum(1)[None, :])).astype(np.float32)
        if part.pref and self.pref_points:
            r, cc = self._select(part.pref, rows, cols)
            s[r, cc] += np.float32(self.pref_points)
        self._forbid(part, rows, cols, s, skip_full)
        return s

    def _product(self, a, b_t, g, h):
        """a @ b_t, the mentees g against the mentors h. In region scope the pairs of a local
        association are forbidden: when the mentees are of one association (as a chunk of
        sorted mentees mostly is), its mentors are one block of columns, left out of the product
        (a quarter of a region's pairs at 100,000 x 40,000) and set to -inf, as _forbid would.
        The sums are the same: fixed-point numbers added exactly in any order (see _Breakdown)."""
        if self.rules.scope == "region" and a.shape[0]:
            ea, ma = self.e_assoc[g], self.m_assoc[h]
            if ea[0] == ea[-1]:
                c0, c1 = np.searchsorted(ma, ea[0], "left"), np.searchsorted(ma, ea[0], "right")
                if c1 > c0:
                    s = np.empty((a.shape[0], b_t.shape[1]), np.float32)
                    np.matmul(a, b_t[:, :c0], out=s[:, :c0])
                    np.matmul(a, b_t[:, c1:], out=s[:, c1:])
                    s[:, c0:c1] = -np.inf
                    return s
        return a @ b_t

    def eligible(self, part: _Part, rows: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
        """Whether the rules allow each pair of the part's mentees ``rows`` and mentors ``cols``
        (as in score_rows, places aside), without scoring them."""
        s = np.zeros((len(rows), part.m1 - part.m0 if cols is None else len(cols)), np.float32)
        self._forbid(part, rows, cols, s, False)
        return s == 0

    def count_eligible(self, part: _Part, rows: np.ndarray) -> np.ndarray:
        """How many of the part's mentors the rules allow for each of its mentees ``rows`` (what
        eligible(part, rows).sum(1) gives, places aside), counted without a row of every pair:
        the part's mentors, less those at the mentee's own employer and (region scope) in their
        own association, plus those at both (counted twice), less the pairs on the rules' lists
        that neither already rules out."""
        n_m = part.m1 - part.m0
        forbidden = np.zeros(len(rows), np.int64)
        region = self.rules.scope == "region"
        e_code = self.e_employer[part.e0 + rows] if part.employer else None
        if region:
            ma, ea = self.m_assoc[part.m0 : part.m1], self.e_assoc[part.e0 + rows]
            forbidden += np.searchsorted(ma, ea, "right") - np.searchsorted(ma, ea, "left")
        if part.employer:
            _, starts = part.employer
            some = e_code >= 0
            code = np.maximum(e_code, 0)
            forbidden += np.where(some, starts[code + 1] - starts[code], 0)
            if region:
                # Mentors at the mentee's employer and in their association, by (association, code).
                m_code = self.m_employer[part.m0 : part.m1]
                width = np.int64(len(starts))
                both = np.sort((ma * width + m_code)[m_code >= 0])
                key = ea * width + code
                twice = np.searchsorted(both, key, "right") - np.searchsorted(both, key, "left")
                forbidden -= np.where(some, twice, 0)
        if part.ban:
            r, c = self._select(part.ban, rows)
            new = np.ones(len(r), bool)
            if part.employer:
                m_code = self.m_employer[part.m0 + c]
                new &= ~((e_code[r] >= 0) & (m_code == e_code[r]))
            if region:
                new &= self.m_assoc[part.m0 + c] != self.e_assoc[part.e0 + rows[r]]
            keys = np.unique(r[new] * max(1, n_m) + c[new])  # a pair on two lists, once
            forbidden += np.bincount(keys // max(1, n_m), minlength=len(rows))
        return n_m - forbidden

    def _forbid(self, part: _Part, rows: np.ndarray, cols: np.ndarray | None, s: np.ndarray, skip_full: bool):
        """-inf in ``s`` (rows x cols of the part) where the rules forbid the pair."""
        g = _as_slice(rows, part.e0)
        h = _as_slice(cols, part.m0) if cols is not None else slice(part.m0, part.m1)
        if part.ban:
            r, cc = self._select(part.ban, rows, cols)
            s[r, cc] = -np.inf
        # A small block of the pricing's (see _priced_out) compares the codes of its pairs: that
        # costs less than reading each row's colleagues or each association's block.
        small = cols is not None and s.size <= SMALL_BLOCK
        if part.employer and small:
            codes = self.e_employer[g]
            s[(codes[:, None] == self.m_employer[h][None, :]) & (codes >= 0)[:, None]] = -np.inf
        elif part.employer:
            by_code, starts = part.employer
            if cols is not None:  # the colleagues among cols alone (a pricing's prefix: a quarter of them)
                m_codes = self.m_employer[h]
                by_code = np.argsort(m_codes, kind="stable")
                starts = np.searchsorted(m_codes[by_code], np.arange(self.n_employers + 1))
            codes = self.e_employer[part.e0 + rows]
            some = codes >= 0
            lo = np.where(some, starts[np.maximum(codes, 0)], 0)
            hi = np.where(some, starts[np.maximum(codes, 0) + 1], 0)
            r, cc = self._gather(by_code, lo, hi)
            s[r, cc] = -np.inf
        if self.rules.scope == "region" and small:
            s[self.e_assoc[g][:, None] == self.m_assoc[h][None, :]] = -np.inf
        elif self.rules.scope == "region":
            # Same local association is not allowed: mentees and mentors are sorted by
            # association within the part, so each association is one block.
            ea, ma = self.e_assoc[g], self.m_assoc[h]
            starts = _run_starts(ea)
            ends = np.r_[starts[1:], len(ea)]
            for a, b in zip(starts, ends, strict=True):
                c0, c1 = np.searchsorted(ma, ea[a], "left"), np.searchsorted(ma, ea[a], "right")
                s[a:b, c0:c1] = -np.inf
        if skip_full:
            full = self.capacity[h] <= 0
            if full.any():
                s[:, full] = -np.inf

    def pair_units(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        """The scores in units (-1 where the rules forbid the pair) of the pairs (mentees[k],
        mentors[k]), global indices of pairs within one part each; computed a block at a time."""
        out = np.full(len(mentees), -1, np.int64)
        part_of = np.searchsorted([p.e1 for p in self.parts], mentees, "right")
        for p_idx in np.unique(part_of):
            part = self.parts[p_idx]
            here = np.flatnonzero(part_of == p_idx)
            rows, r_at = np.unique(mentees[here] - part.e0, return_inverse=True)
            cols, c_at = np.unique(mentors[here] - part.m0, return_inverse=True)
            step = max(1, CHUNK_PAIRS // len(cols))
            for r0 in range(0, len(rows), step):
                sel = np.flatnonzero((r_at >= r0) & (r_at < r0 + step))
                s = self.score_rows(part, rows[r0 : r0 + step], skip_full=False, cols=cols)[r_at[sel] - r0, c_at[sel]]
                out[here[sel]] = _units(s)
        return out

    @staticmethod
    def _select(pairs, rows, cols=None):
        """The pairs with row in ``rows`` (and col in ``cols``), both sorted, as positions: read
        through the rows' offsets, so the cost is that of the rows' own pairs (the pricing scores
        rows scattered over a whole part)."""
        _, pc, starts = pairs
        return _Encoded._gather(pc, starts[rows], starts[rows + 1], cols)

    @staticmethod
    def _gather(pc, lo, hi, cols=None):
        """(positions, cols) of each row k's columns pc[lo[k]:hi[k]], those in ``cols`` only
        (sorted; then as positions in it) when given."""
        counts = hi - lo
        pos = np.repeat(np.arange(len(lo)), counts)
        pc = pc[np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))]
        if cols is None:
            return pos, pc
        if not len(cols):
            return pos[:0], pc[:0]
        # Each col's position in cols (-1 if not in it), read off a table: a search of each of
        # many pairs (a row's same-employer mentors) in cols took 14 steps per pair.
        last = int(cols[-1])
        place = np.full(last + 2, -1, np.int64)
        place[cols] = np.arange(len(cols))
        at = place[np.minimum(pc, last + 1)]
        hit = at >= 0
        return pos[hit], at[hit]


def _above(s: np.ndarray, row_t: np.ndarray, col_t: np.ndarray):
    """(flat positions, units) of the eligible pairs of the block ``s`` (scores, rows x cols,
    -inf where forbidden) whose units exceed row_t[r] - col_t[c] (int64 units), exactly, in a
    pass or two over the block rather than the ten of the same test in int64.

    Units = floor(s x SCALE) exceed a whole number t just when s >= (t + 1) / SCALE: tested
    first in float32 with 1/64 of a point to spare (below 2^14 points the float32 difference
    of the two rounds by less than 1/256 of a point), then exactly in units on the few pairs
    that pass. Only differences count: both sides are taken relative to the largest row
    threshold first, as prices carry a common part far beyond float32 under most_matched;
    thresholds still larger are tested in units alone."""
    ref = int(row_t.max()) if len(row_t) else 0
    row_t, col_t = row_t - ref, col_t - ref
    if max(np.abs(row_t).max(initial=0), np.abs(col_t).max(initial=0)) < 1 << 30:
        low = ((row_t + 1) / SCALE - 1 / 64).astype(np.float32)
        at = np.flatnonzero(s >= low[:, None] - (col_t / SCALE).astype(np.float32)[None, :])
    else:
        at = np.arange(s.size)
    n = s.shape[1]
    units = _units(s.reshape(-1)[at])
    keep = (units >= 0) & (units > row_t[at // n] - col_t[at % n])
    return at[keep], units[keep]


def _units(scores: np.ndarray) -> np.ndarray:
    """Scores on the grid of units (as the candidate edges hold them), -1 where forbidden."""
    return np.where(scores >= 0, (np.maximum(scores, 0).astype(np.float64) * SCALE).astype(np.int64), -1)


def _as_slice(index: np.ndarray, offset: int):
    """A view (slice) when the sorted index is a contiguous run, else the index itself."""
    if len(index) and index[-1] - index[0] + 1 == len(index):
        return slice(offset + int(index[0]), offset + int(index[-1]) + 1)
    return offset + index


# --- Solving one part ----------------------------------------------------------------------------


def _solve_ortools(n_e, n_m, capacity, ei, mj, units, priority, policy):
    """Exact max-weight b-matching as a min-cost flow. Returns a bool mask over the edges.

    Priority mentees first, then (most_matched) as many people as possible, then the total:
    max-flows give the best reachable counts, and the min-cost flow is made to carry exactly
    them. Because the mentees that can be matched together form a matroid, the most priority
    mentees and the most mentees overall can always be reached at the same time."""
    from ortools.graph.python import max_flow, min_cost_flow

    has_edge = np.zeros(n_e, bool)
    has_edge[ei] = True
    pri = np.flatnonzero(has_edge & priority)
    nor = np.flatnonzero(has_edge & ~priority)
    mentors = np.arange(n_m)
    src_p, src_n, sink = n_e + n_m, n_e + n_m + 1, n_e + n_m + 2

    def most(sources):
        # Only the sources' own pairs can carry flow (the priority mentees': a fiftieth of them).
        mine = np.zeros(n_e, bool)
        mine[sources] = True
        e, m = (ei, mj) if mine.all() else (ei[mine[ei]], mj[mine[ei]])
        flow = max_flow.SimpleMaxFlow()
        tails = np.concatenate([np.full(len(sources), src_p), e, n_e + mentors]).astype(np.int32)
        heads = np.concatenate([sources, n_e + m, np.full(n_m, sink)]).astype(np.int32)
        caps = np.concatenate([np.ones(len(sources) + len(e), np.int64), capacity]).astype(np.int64)
        flow.add_arcs_with_capacity(tails, heads, caps)
        if flow.solve(src_p, sink) != flow.OPTIMAL:
            raise RuntimeError("max flow failed")
        return flow.optimal_flow()

    n_pri = most(pri) if len(pri) else 0
    if policy == "most_matched":
        n_nor, bypass = most(np.concatenate([pri, nor])) - n_pri, 0
    else:
        n_nor, bypass = len(nor), len(nor)
    flow = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([np.full(len(pri), src_p), np.full(len(nor), src_n), ei, n_e + mentors, [src_n]])
    heads = np.concatenate([pri, nor, n_e + mj, np.full(n_m, sink), [sink]])
    caps = np.concatenate([np.ones(len(pri) + len(nor) + len(ei), np.int64), capacity, [bypass]])
    costs = np.concatenate([np.zeros(len(pri) + len(nor), np.int64), -units, np.zeros(n_m + 1, np.int64)])
    first_edge = len(pri) + len(nor)
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs.astype(np.int64)
    )
    supplies = np.zeros(n_e + n_m + 3, np.int64)
    supplies[[src_p, src_n, sink]] = [n_pri, n_nor, -(n_pri + n_nor)]
    flow.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min cost flow ended with {status}")
    return flow.flows(np.arange(first_edge, first_edge + len(ei), dtype=np.int32)) > 0


def _solve_scipy(n_e, n_m, capacity, ei, mj, units, priority, policy):
    """The same optimum with SciPy: an assignment on mentor seats expanded by capacity, plus one
    "nobody" seat per mentee. Priority and most_matched become bonuses larger than any score
    total, exact in float64 for pools far bigger than a program's."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    seats = np.minimum(capacity, np.bincount(mj, minlength=n_m))  # more seats than edges never help
    first_seat = np.cumsum(seats) - seats
    n_seats = int(seats.sum())
    w_max = float(units.max()) + 1
    bonus = (min(n_e, n_seats) + 1) * w_max
    weight = units + bonus * priority[ei] + (bonus if policy == "most_matched" else 0.0)
    top = float(weight.max()) + 1
    rep = seats[mj]
    edge_of = np.repeat(np.arange(len(ei)), rep)
    seat_cols = np.repeat(first_seat[mj], rep) + (np.arange(rep.sum()) - np.repeat(np.cumsum(rep) - rep, rep))
    rows = np.concatenate([ei[edge_of], np.arange(n_e)])
    cols = np.concatenate([seat_cols, n_seats + np.arange(n_e)])
    cost = np.concatenate([top - weight[edge_of], np.full(n_e, top)])
    graph = csr_matrix((cost, (rows, cols)), shape=(n_e, n_seats + n_e))
    r, c = min_weight_full_bipartite_matching(graph)
    real = c < n_seats
    # Edges are unique per (mentee, mentor): find each chosen seat's edge by that key.
    seat_mentor = np.repeat(np.arange(n_m), seats)
    edge_keys = ei * n_m + mj
    order = np.argsort(edge_keys)
    found = order[np.searchsorted(edge_keys[order], r[real] * n_m + seat_mentor[c[real]])]
    chosen = np.zeros(len(ei), bool)
    chosen[found] = True
    return chosen


def _solver():
    try:
        import ortools.graph.python.min_cost_flow  # noqa: F401
    except ImportError:
        return "scipy", _solve_scipy
    return "ortools", _solve_ortools


# A floor under each row's k2-th best is read from the maxima of ROW_GROUPS groups of its columns
# (see _row_bests).
ROW_GROUPS = 256
# And a floor under each mentor's MENTOR_CANDIDATES-th best from every COL_SAMPLE_STEP-th row (see
# _col_floor): a pass of its own before the chunks, a 32nd of the part's pairs.
COL_SAMPLE_STEP = 32


def _row_bests(s: np.ndarray, k: int, k2: int):
    """Each row's k-th best and k2-th best (k <= k2 < columns; -inf where a row has fewer
    eligible), the latter floored at 0, and the flat positions of the pairs at least as good
    as it, in order: what partitioning every row would give, for a fraction of the cost.

    The columns are dealt into G groups (column c into c mod G; G at least 2 x k2), and each
    row's k2-th best of the G groups' maxima is a floor: those k2 maxima are k2 of its pairs at
    or above it, so its own k2-th best is too, and every pair below it is worse. One comparison
    with the floor finds about k2 + k2 / 6 pairs (at 16,565 columns), and their k2-th best is
    the row's. Where fewer than k2 groups hold an eligible pair, the floor is 0: all of the
    row's eligible pairs."""
    n_r, n_m = s.shape
    flat = s.reshape(-1)
    groups = max(ROW_GROUPS, 2 * k2)
    if n_m < 2 * groups:  # too few columns to group: partition every row
        ranked = np.partition(s, n_m - k2, axis=1)
        kth = np.partition(ranked[:, n_m - k2 :], k2 - k, axis=1)[:, k2 - k]
        kth2 = np.maximum(ranked[:, n_m - k2], 0)
        return kth, kth2, np.flatnonzero(s >= kth2[:, None])
    # (The first n_m - n_m % groups columns: a floor under their k2-th best is one under the row's.
    # The maxima are taken across rows of groups columns, contiguous: in SIMD, a third of a
    # partition of every 16th column.)
    width = n_m // groups
    maxima = s[:, : width * groups].reshape(n_r, width, groups).max(axis=1)
    floor = np.maximum(np.partition(maxima, groups - k2, axis=1)[:, groups - k2], 0)
    found = np.flatnonzero(s >= floor[:, None])
    counts = np.bincount(found // n_m, minlength=n_r)
    row, value = found // n_m, flat[found]
    # Each row's scores, best first, as (row << 32) - the score's bits: scores are >= 0 here, and
    # the bits of a float32 >= 0 sort as it does. The values alone, not their places: a sort, not
    # an argsort, and a stable one, as the rows are in order already (twice as fast).
    ranked = np.sort((row << 32) - value.astype(np.float32).view(np.int32), kind="stable")
    starts = np.cumsum(counts) - counts

    def nth(n):
        out = np.full(n_r, -np.inf, s.dtype)
        has = np.flatnonzero(counts >= n)
        out[has] = ((has << 32) - ranked[starts[has] + n - 1]).astype(np.int32).view(np.float32)
        return out

    kth, kth2 = nth(k), np.maximum(nth(k2), 0)
    return kth, kth2, found[value >= kth2[row]]


def _part_candidates(enc: _Encoded, part: _Part, k: int, k_m: int, k2: int = 0, workers: int = 1):
    """The candidate graph of one part: (mentee rows, mentor cols, scores, pairs scored).

    Each mentee keeps its best ``k`` eligible mentors (more on ties) and every eligible pair
    someone asked for. Mentors that fewer than ``k_m`` mentees picked then get their own best
    ``k_m`` mentees, in a second, narrower pass: otherwise a mentor nobody ranks highly could sit
    idle while the optimum would use them: their picks are gathered in the same pass, above a
    floor read off every COL_SAMPLE_STEP-th mentee (as in _row_bests). The chunks of mentees are
    scored on ``workers`` threads, and what each found is put together in their order."""
    n_e, n_m = part.e1 - part.e0, part.m1 - part.m0
    k2 = max(k, k2)
    found_r, found_c, found_v, scored = [], [], [], 0
    res_r, res_c, res_u = [], [], []
    coverage = np.zeros(n_m, np.int64)
    take = min(k_m, n_e)
    floor = None
    if take:
        floor, n = _col_floor(enc, part, take)
        scored += n
    picks, n_picks = [(np.zeros(0, np.int64),) * 3], 0  # each chunk's (rows, cols, units)
    chunk = max(1, CHUNK_PAIRS // n_m)
    score_chunk = functools.partial(_chunk_candidates, enc, part, k=k, k2=k2, chunk=chunk, floor=floor)
    for keys, reserve, more_picks, size in _side_by_side(score_chunk, range(0, n_e, chunk), workers):
        picks.append(more_picks)
        n_picks += len(more_picks[0])
        if take and n_picks > 2 * take * n_m:  # many: each mentor's best take so far
            picks = [_best_per_col(enc, part, *map(np.concatenate, zip(*picks, strict=True)), take)]
            n_picks = len(picks[0][0])
            _raise_floor(floor, *picks[0][1:], take)
        if reserve:
            res_r.append(reserve[0])
            res_c.append(reserve[1])
            res_u.append(reserve[2])
        found_r.append(keys[0])
        found_c.append(keys[1])
        found_v.append(keys[2])
        coverage += np.bincount(keys[1], minlength=n_m)
        scored += size
    low = np.flatnonzero((coverage < COVERAGE_FLOOR) & (enc.capacity[part.m0 : part.m1] > 0))
    if len(low) and take:
        is_low = np.zeros(n_m, bool)
        is_low[low] = True
        picks = tuple(map(np.concatenate, zip(*picks, strict=True)))
        mine = is_low[picks[1]]
        # The sample's own pairs are at or above its take-th best: each mentor has its best take.
        picks_r, picks_c, picks_u = _best_per_col(enc, part, *(x[mine] for x in picks), take)
        found_r.append(picks_r)
        found_c.append(picks_c)
        found_v.append(picks_u.astype(np.float64) / SCALE)
    if res_r:
        part.reserve = (np.concatenate(res_r), np.concatenate(res_c), np.concatenate(res_u))
        part.reserve_size = k2
    return np.concatenate(found_r), np.concatenate(found_c), np.concatenate(found_v), scored


def _chunk_candidates(enc: _Encoded, part: _Part, r0: int, *, k: int, k2: int, chunk: int, floor):
    """One chunk of _part_candidates: the part's mentees r0 to r0 + chunk against all of its
    mentors. Returns ((rows, cols, scores) of its graph pairs, (rows, cols, units) of its reserve
    or None, (rows, cols, units) of the mentors' picks above ``floor`` (empty without one),
    pairs scored); writes the chunk's own rows of enc.kth_units and enc.reserve_kth."""
    n_e, n_m = part.e1 - part.e0, part.m1 - part.m0
    rows = np.arange(r0, min(n_e, r0 + chunk))
    s = enc.score_rows(part, rows, skip_full=True)
    flat = s.reshape(-1)
    picks, reserve = (np.zeros(0, np.int64),) * 3, None
    if floor is not None:
        at = np.flatnonzero(s >= floor[None, :])  # (np.nonzero of a 2-D mask is ten times slower)
        picks = r0 + at // n_m, at % n_m, _units(flat[at])
    if n_m > k:
        # Everything at least as good as the k-th best; eligible scores are >= 0 and
        # forbidden ones -inf, so the floor at 0 drops the forbidden ones.
        if n_m > k2:  # the k2 best of each row, and the k-th best among those
            kth, kth2, more = _row_bests(s, k, k2)
        else:
            kth = np.partition(s, n_m - k, axis=1)[:, n_m - k]
        # Any pair scoring more than this is in the graph (ties at it may not be).
        enc.kth_units[part.e0 + rows] = (np.maximum(kth, 0).astype(np.float64) * SCALE).astype(np.int64)
        # The reserve: each mentee's best k2 pairs (graph or not), kept for the pricing, which
        # then scores again only the mentees whose k2-th best could still improve the run.
        whole = True  # the reserve holds every pair at least as good as its k2-th best
        if n_m > k2:
            enc.reserve_kth[part.e0 + rows] = (kth2.astype(np.float64) * SCALE).astype(np.int64)
            if len(more) > 2 * k2 * len(rows):  # many ties: exactly k2 per mentee instead
                top = np.argpartition(s, n_m - k2, axis=1)[:, n_m - k2 :]
                more = ((rows - r0)[:, None] * n_m + top).reshape(-1)
                more = more[flat[more] >= 0]
                whole = False
        else:
            more = np.flatnonzero(s >= 0)  # every eligible pair: reserve_kth stays -1
        reserve = (r0 + more // n_m).astype(np.int32), (more % n_m).astype(np.int32), _units(flat[more])
        if whole:  # the graph's pairs are among them (kth >= kth2): no second pass over the chunk
            keys = more[flat[more] >= np.maximum(kth, 0)[more // n_m]]
        else:
            keys = np.flatnonzero(s >= np.maximum(kth, 0)[:, None])
        if len(keys) > 2 * k * len(rows):  # many ties: exactly k per mentee instead
            top = np.argpartition(s, n_m - k, axis=1)[:, n_m - k :]
            keys = ((rows - r0)[:, None] * n_m + top).reshape(-1)
            keys = keys[flat[keys] >= 0]
    else:
        keys = np.flatnonzero(s >= 0)
    if part.pref:
        pr, pc = enc._select(part.pref, rows)
        asked = pr * n_m + pc
        keys = np.concatenate([keys, asked[flat[asked] >= 0]])
    return (r0 + keys // n_m, keys % n_m, flat[keys]), reserve, picks, s.size


def _best_mentors(enc: _Encoded, part: _Part, rows: np.ndarray) -> list[tuple[int, int]]:
    """(mentor col, units) of the best mentor of each of the part's mentees ``rows`` (sorted,
    each with an eligible mentor): of those with a place before the run, else of all; the
    first of them on a tie. Read from the reserve (each mentee's best pairs, see
    _part_candidates) where it holds the answer; the other rows are scored."""
    out = [None] * len(rows)
    todo = np.arange(len(rows))
    if part.reserve and len(rows):
        res_r, res_c, res_u = part.reserve
        key = rows.astype(res_r.dtype)  # (of another dtype, all of res_r would be converted)
        lo, hi = np.searchsorted(res_r, key, "left"), np.searchsorted(res_r, key, "right")
        has = np.flatnonzero(hi > lo)
        if len(has):
            counts = (hi - lo)[has]
            seg = np.repeat(np.arange(len(has)), counts)  # each pair's row, and its place in the reserve:
            at = np.repeat(lo[has] - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
            u = res_u[at]
            top = np.maximum.reduceat(u, np.cumsum(counts) - counts)
            is_top = u == top[seg]
            ties = np.bincount(seg[is_top], minlength=len(has))
            first = np.flatnonzero(is_top)[np.unique(seg[is_top], return_index=True)[1]]  # the first col
            # A best score shared by as many pairs as the reserve holds may hide an earlier col.
            sure = ties < part.reserve_size
            for k in np.flatnonzero(sure):
                out[has[k]] = (int(res_c[at[first[k]]]), int(u[first[k]]))
            todo = np.setdiff1d(todo, has[sure])
    step = max(1, CHUNK_PAIRS // max(1, part.m1 - part.m0))
    for r0 in range(0, len(todo), step):
        block = todo[r0 : r0 + step]
        s = enc.score_rows(part, rows[block], skip_full=False)
        with_room = np.where((enc.capacity[part.m0 : part.m1] > 0)[None, :], s, -np.inf)
        for k, r in enumerate(block):
            pick = with_room[k] if np.isfinite(with_room[k]).any() else s[k]
            j = int(pick.argmax())
            out[r] = (j, int(np.float64(pick[j]) * SCALE))
    return out


def _col_floor(enc: _Encoded, part: _Part, take: int) -> tuple[np.ndarray, int]:
    """(a floor under the take-th best score of each of the part's mentors, pairs scored): the
    take-th best among every COL_SAMPLE_STEP-th mentee, with about COL_SAMPLE_STEP x take of the
    mentor's pairs above it and never fewer than take; 0 (all of their eligible pairs) when the
    part has too few mentees to sample."""
    n_e, n_m = part.e1 - part.e0, part.m1 - part.m0
    if n_e < 4 * COL_SAMPLE_STEP * take:
        return np.zeros(n_m, np.float32), 0
    best = np.full((n_m, take), -np.inf, np.float32)
    sample = np.arange(0, n_e, COL_SAMPLE_STEP)
    chunk, scored = max(1, CHUNK_PAIRS // max(1, n_m)), 0
    for r0 in range(0, len(sample), chunk):
        s_t = enc.score_rows(part, sample[r0 : r0 + chunk], skip_full=True).T
        s_t = np.concatenate([best, s_t], axis=1)  # mentors as rows: contiguous to partition
        best = np.partition(s_t, s_t.shape[1] - take, axis=1)[:, s_t.shape[1] - take :]
        scored += s_t.size - best.size
    return np.maximum(best.min(1), 0), scored


def _raise_floor(floor, cols, units, take: int) -> None:
    """Each mentor's floor (in place) up to the take-th of their best picks so far (cols, units:
    _best_per_col's, each mentor's take best in order): a mentee below it is not among their
    take best. For the chunks still to be scored: one being scored reads the old floor or the
    new, both floors."""
    counts = np.bincount(cols, minlength=len(floor))
    full = np.flatnonzero(counts >= take)
    last = np.cumsum(counts) - 1  # the last of each mentor's run
    floor[full] = np.maximum(floor[full], (units[last[full]] / SCALE).astype(np.float32))


def _best_per_col(enc: _Encoded, part: _Part, rows, cols, units, take: int):
    """Of the pairs (rows, cols, units) of a part, each mentor's best ``take``: the best scores,
    and of mentees who score the same, those who have waited longest."""
    span = int(units.max(initial=0)) + 1
    # By mentor, then score (best first), then seniority, in one int64.
    ranked = np.argsort((cols * span + span - 1 - units) * len(enc.seniority) + enc.seniority[part.e0 + rows])
    counts = np.bincount(cols)
    rank = np.arange(len(ranked)) - np.repeat(np.cumsum(counts) - counts, counts)
    first = ranked[rank < take]
    return rows[first], cols[first], units[first]


# --- The run -------------------------------------------------------------------------------------


def _common_languages(profiles: Sequence[_Profile]) -> frozenset:
    """Languages nine in ten people speak: 'both speak English' tells the committee nothing."""
    if not profiles:
        return frozenset()
    counts = {}
    for p in profiles:
        for lang in p.languages:
            counts[lang] = counts.get(lang, 0) + 1
    return frozenset(k for k, v in counts.items() if v >= 0.9 * len(profiles))


@contextlib.contextmanager
def _gc_paused():
    """A run makes ~100k short-lived objects and no reference cycles; without this the cyclic
    collector rescans the pool's Member objects dozens of times (a third of the encoding time).
    What the run keeps (its proposals, their rows and "why not?" lines: a million objects at
    100,000 x 40,000) would all be young when the collector wakes, and its first pass would read
    them all (0.3 s): they go to the oldest generation instead, read at its next full pass like
    any long-lived object (gc.freeze() then gc.unfreeze() moves them there, with no pass). Not
    when more objects are frozen than when the engine was imported (the interpreter freezes a
    few of its own): a server that froze its objects before forking would see them unfrozen."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() <= _FROZEN_AT_IMPORT:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


_FROZEN_AT_IMPORT = gc.get_freeze_count()


@dataclass
class _Ties:
    """What settling ties reads of a run: each mentee's seniority, priority and twin class (see
    _twins), the number of mentors, and pair_units(mentees, mentors) -> their pairs' units. Of
    the whole run's arrays, or of one part's in its own numbering (``of``)."""

    seniority: np.ndarray
    priority: np.ndarray
    twin: np.ndarray
    n_cols: int
    pair_units: Callable

    @classmethod
    def of(cls, enc: _Encoded, part: _Part) -> _Ties:
        e0, e1, m0 = part.e0, part.e1, part.m0
        return cls(
            enc.seniority[e0:e1],
            enc.priority[e0:e1],
            _twins(enc)[e0:e1],
            max(1, part.m1 - m0),
            lambda rows, cols: enc.pair_units(rows + e0, cols + m0),
        )


def _settle_part(enc: _Encoded, ee, em, eu, match_of, match_units, part: _Part, *, places=True) -> int:
    """_settle_ties on one part's pairs (ee sorted), in its own numbering: a move never leaves
    a part, so the parts settle side by side, each as it would in the whole run. Writes only the
    part's own rows of match_of and match_units."""
    lo, hi = np.searchsorted(ee, [part.e0, part.e1])
    if lo == hi:
        return 0
    mine = match_of[part.e0 : part.e1]
    local = np.where(mine >= 0, mine - part.m0, -1)
    units = match_units[part.e0 : part.e1]  # a view: the moves write through it
    pairs = ee[lo:hi] - part.e0, em[lo:hi] - part.m0, eu[lo:hi]
    moves = _settle_ties(_Ties.of(enc, part), *pairs, local, units, places=places)
    match_of[part.e0 : part.e1] = np.where(local >= 0, local + part.m0, -1)
    return moves


def _settle_ties(ties: _Ties, ee, em, eu, match_of, match_units, *, places=True) -> int:
    """Of the arrangements with the same total, the one where who has waited longest does best.

    The solver picks one optimum among many when scores tie. Two moves, repeated until neither
    applies, change who has which place without changing the total or the number matched:
    - a place: a waiting mentee takes the place of a matched one who waited less and scores
      exactly the same with that mentor (never a priority mentee's place for one without);
    - a swap: two matched mentees exchange mentors when the sum of their scores stays the same
      and the one who waited longer gets the mentor who fits them better.
    Each move raises the sum over matched mentees of (how long they waited, as a rank) x score,
    so the moves end. With ``places=False``, swaps alone: who is matched stays as it is.
    Returns the number of moves."""
    moves = 0
    while True:
        placed = _place_moves(ties, ee, em, eu, match_of, match_units) if places else 0
        swapped = _run_swaps(ties, ee, em, eu, match_of, match_units)
        moves += placed + swapped
        if not places or not (placed or swapped):
            return moves


def _twins(enc: _Encoded) -> np.ndarray:
    """For each mentee, a number shared with the mentees whose answers score exactly like theirs
    with every mentor (the rules aside), or -1 for a mentee who has no such twin."""
    if enc.twin_class is None:
        # Rows equal as vectors have equal hashes: each column's float32 bits times an odd random
        # number, added up modulo 2**64, column by column (no float64 copy of A to multiply: at
        # 100,000 mentees that copy took most of the time). A rare false twin costs a little scoring.
        blocks = [enc.A] + [np.asarray(xe, np.float32) for _, _, xe, _ in enc.pairwise]
        odd = np.random.default_rng(0).integers(0, 1 << 62, sum(b.shape[1] for b in blocks), np.uint64) * 2 + 1
        keys, col = enc.e_named.astype(np.uint64), 0
        for block in blocks:
            for bits in np.ascontiguousarray(block).view(np.uint32).T:
                keys += bits * odd[col]
                col += 1
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        enc.twin_class = np.where(counts[inverse] > 1, inverse, -1)
    return enc.twin_class


def _better_pairs(enc: _Encoded, mentees: np.ndarray, mentors: np.ndarray, match_units):
    """The pairs of ``mentees`` (matched) with ``mentors`` that score more than the mentee's own
    pair: (mentees, mentors, units), scored a block at a time, part by part."""
    out_e, out_m, out_u = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for part in enc.parts:
        rows = mentees[(mentees >= part.e0) & (mentees < part.e1)] - part.e0
        cols = mentors[(mentors >= part.m0) & (mentors < part.m1)] - part.m0
        if not len(rows) or not len(cols):
            continue
        step = max(1, CHUNK_PAIRS // len(cols))
        for r0 in range(0, len(rows), step):
            sub = rows[r0 : r0 + step]
            s = enc.score_rows(part, sub, skip_full=False, cols=cols)
            units = _units(s)
            at = np.flatnonzero(units > match_units[part.e0 + sub][:, None])
            out_e.append(part.e0 + sub[at // len(cols)])
            out_m.append(part.m0 + cols[at % len(cols)])
            out_u.append(units.reshape(-1)[at])
    return np.concatenate(out_e), np.concatenate(out_m), np.concatenate(out_u)


def _run_swaps(ties: _Ties, ee, em, eu, match_of, match_units) -> int:
    """Swaps until none is left (cheap to find: run out before looking for places again)."""
    moves = 0
    while swapped := _swap_moves(ties, ee, em, eu, match_of, match_units):
        moves += swapped
    return moves


def _holders(match_of, mentors):
    """For each mentor in ``mentors``: its holders, as (repeat index, holder) arrays."""
    held = np.flatnonzero(match_of >= 0)
    held = held[np.argsort(match_of[held], kind="stable")]
    lo = np.searchsorted(match_of[held], mentors, "left")
    count = np.searchsorted(match_of[held], mentors, "right") - lo
    at = np.repeat(np.arange(len(mentors)), count)
    return at, held[np.repeat(lo, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))]


def _place_moves(ties: _Ties, ee, em, eu, match_of, match_units) -> int:
    """Waiting mentees take the places of matched ones who waited less, at the same score: the
    longest waiting first, each taking the place of the newest such holder; found for all edges
    at once."""
    seniority = ties.seniority
    k = np.flatnonzero(match_of[ee] < 0)
    at, a = _holders(match_of, em[k])
    k = k[at]
    b = ee[k]
    ok = (match_units[a] == eu[k]) & (seniority[a] > seniority[b]) & ~(ties.priority[a] & ~ties.priority[b])
    k, a, b = k[ok], a[ok], b[ok]
    if not len(k):
        return 0
    placed = np.zeros(len(match_of), bool)
    moves = 0
    for x in np.lexsort((-seniority[a], seniority[b])):
        ai, bi = int(a[x]), int(b[x])
        if placed[bi] or placed[ai] or match_of[ai] != em[k[x]]:
            continue
        match_of[bi], match_units[bi] = match_of[ai], match_units[ai]
        match_of[ai], match_units[ai] = -1, 0
        placed[ai] = placed[bi] = True
        moves += 1
    return moves


def _swap_moves(ties: _Ties, ee, em, eu, match_of, match_units) -> int:
    """Matched mentees a (waited longer) and b exchange mentors when a fits b's mentor better
    and the two scores add up to the same: found for all edges at once, then applied oldest
    first, each mentee moving at most once a round."""
    seniority, n_cols = ties.seniority, ties.n_cols
    a_of = ee
    mine = match_of[a_of]
    # Edges (a, j) of a matched mentee to another mentor that fits them better than their own.
    k = np.flatnonzero((mine >= 0) & (em != mine) & (eu > match_units[a_of]))
    # ... held by someone who has waited less than a.
    newest = np.full(n_cols, -1, np.int64)
    got = np.flatnonzero(match_of >= 0)
    np.maximum.at(newest, match_of[got], seniority[got])
    k = k[newest[em[k]] > seniority[a_of[k]]]
    if not len(k):
        return 0
    at, b = _holders(match_of, em[k])
    k = k[at]
    a = a_of[k]
    older = seniority[a] < seniority[b]
    k, a, b = k[older], a[older], b[older]
    if not len(k):
        return 0
    # b's edge to a's mentor, if the graph has it (edges are sorted by (mentee, mentor)).
    keys = ee * n_cols + em
    want = b * n_cols + match_of[a]
    at = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
    has = keys[at] == want
    u_b = np.where(has, eu[at], -1)
    # Missing from the graph (the pruning kept other pairs of b): when b answered as a did,
    # the pair may well tie; score those.
    twin = ties.twin
    gap = np.flatnonzero(~has & (twin[a] >= 0) & (twin[a] == twin[b]) & (eu[k] - match_units[a] <= match_units[b]))
    if len(gap):
        u_b[gap] = ties.pair_units(b[gap], match_of[a[gap]])
        has[gap] = u_b[gap] >= 0
    even = has & (eu[k] + u_b == match_units[a] + match_units[b])
    k, a, b, u_b = k[even], a[even], b[even], u_b[even]
    moved = np.zeros(len(match_of), bool)
    moves = 0
    for x in np.lexsort((seniority[b], seniority[a])):
        ai, bi = int(a[x]), int(b[x])
        if moved[ai] or moved[bi]:
            continue
        ja, jb = int(match_of[ai]), int(match_of[bi])
        match_of[ai], match_units[ai] = jb, int(eu[k[x]])
        match_of[bi], match_units[bi] = ja, int(u_b[x])
        moved[ai] = moved[bi] = True
        moves += 1
    return moves


def _potentials(n_nodes, tails, heads, costs, start=None, max_rounds=None):
    """Node potentials d with cost + d[tail] - d[head] >= 0 on every arc (shortest distances from
    a virtual node joined to every node at cost 0, or at cost ``start``: a previous solution's
    potentials, close to the new ones, so that few rounds are needed), or None when the arcs hold
    a negative cycle. Bellman-Ford, each round one vectorised pass over the arcs leaving the nodes
    the round before lowered (all of them at first): late rounds lower a handful of nodes, and
    only their arcs are read again."""
    dist = np.zeros(n_nodes, np.int64) if start is None else start.copy()
    if not len(tails):
        return dist
    order = np.argsort(tails, kind="stable")
    o_tails, o_heads, o_costs = tails[order], heads[order], costs[order]
    first = np.searchsorted(o_tails, np.arange(n_nodes + 1))
    active = np.arange(n_nodes)
    for _ in range(n_nodes + 1 if max_rounds is None else min(n_nodes + 1, max_rounds)):
        lo, n_out = first[active], first[active + 1] - first[active]
        arcs = np.repeat(lo - np.cumsum(n_out) + n_out, n_out) + np.arange(n_out.sum())
        reach = dist[o_tails[arcs]] + o_costs[arcs]
        ahead = reach < dist[o_heads[arcs]]
        if not ahead.any():
            return dist
        to, reach = o_heads[arcs[ahead]], reach[ahead]
        np.minimum.at(dist, to, reach)
        active = np.unique(to)
    return None


def _part_prices(n_e, n_m, capacity, ei, mj, units, chosen, priority, policy, start=None, max_rounds=None, top=None):
    """Prices (potentials) proving the part's pairs the best there are on the whole part, as in
    the LP dual: (mentee prices, mentor prices), int64, such that a pair (i, j) left out of the
    candidate graph could improve the run only if it scores more than price_i - price_j.

    The run's order of aims (priority mentees first, then under most_matched as many people as
    possible, then the total) becomes one min-cost circulation with weights large enough to
    keep that order: source -> mentee (minus the weight of matching them), mentee -> mentor
    (minus the score), mentor -> sink (its places), sink -> source. The solved pairs are optimal
    on the candidate graph, so its residual network has no negative cycle and Bellman-Ford
    gives the prices (from ``start``, the previous round's, when given). Returns (mentee prices,
    mentor prices, all nodes' prices), or None if it had one (which would be a solver error).
    ``top``: the best score in units of a larger graph these pairs are part of (default theirs),
    for weights that keep the order of aims there too."""
    top = int(units.max(initial=0)) if top is None else top
    bound = n_e * (top + 1) + 1  # more than any total of scores
    per_match = bound if policy == "most_matched" else 0
    per_priority = (n_e + 1) * (per_match + bound)
    weight = np.where(priority, per_priority, 0).astype(np.int64) + per_match
    src, sink = n_e + n_m, n_e + n_m + 1
    matched = np.zeros(n_e, bool)
    matched[ei[chosen]] = True
    load = np.bincount(mj[chosen], minlength=n_m)
    people = np.arange(n_e)
    room, busy = np.flatnonzero(load < capacity), np.flatnonzero(load > 0)
    tails = [np.where(chosen, n_e + mj, ei), np.where(matched, people, src), n_e + room]
    heads = [np.where(chosen, ei, n_e + mj), np.where(matched, src, people), np.full(len(room), sink)]
    costs = [np.where(chosen, units, -units), np.where(matched, weight, -weight), np.zeros(len(room), np.int64)]
    tails += [np.full(len(busy), sink), [sink], [src] if matched.any() else []]
    heads += [n_e + busy, [src], [sink] if matched.any() else []]
    costs += [np.zeros(len(busy), np.int64), [0], [0] if matched.any() else []]
    dist = _potentials(
        n_e + n_m + 2,
        np.concatenate(tails).astype(np.int64),
        np.concatenate(heads).astype(np.int64),
        np.concatenate(costs).astype(np.int64),
        start,
        max_rounds,
    )
    return None if dist is None else (dist[:n_e], dist[n_e : n_e + n_m], dist)


def _solve_near(solve, n_e, n_m, capacity, ei, mj, units, priority, policy, chosen, prices):
    """Solve a part again after the pricing brought pairs into its graph: (the solution, a mask
    over the pairs, and its prices). ``chosen`` and ``prices`` are the last solution's, before
    those pairs joined; ``solve`` is _solved, or it in a child process.

    The new solution is mostly the last one, moved where the new pairs lead. Pairs far from
    improving the last solution (more than NEAR units below price_row - price_col) seldom take
    part: the solver first gets the pairs within NEAR, those the last solution holds and the new
    ones (a tenth of the graph at 100,000 x 40,000). Its prices then prove the solution the best
    on the whole graph when no pair left out scores more than price_row - price_col, as in
    _priced_out; any that does joins them and they are solved again. The result is the optimum
    of the graph, not of its near pairs."""
    e_price, m_price, start = prices
    near = chosen | (units + NEAR >= e_price[ei] - m_price[mj])
    top = int(units.max(initial=0))  # the weights of the whole graph's order of aims
    while True:
        sub = np.flatnonzero(near)
        args = (n_e, n_m, capacity, ei[sub], mj[sub], units[sub])
        picked, prices = solve(*args, priority, policy, start, top)
        if prices is None:
            return np.zeros(len(ei), bool), None
        e_price, m_price, start = prices
        reach = e_price[ei] - m_price[mj]
        better = ~near & (units > reach)
        if not better.any():
            chosen = np.zeros(len(ei), bool)
            chosen[sub[picked]] = True
            return chosen, prices
        near |= better | (units + NEAR >= reach)  # those, and the others now near


def _solved(n_e, n_m, capacity, ei, mj, units, priority, policy, start=None, top=None):
    """(The solver's pairs on a part's graph, a mask over them; their prices, _part_prices from
    ``start``, or None.) One call, so that a child process does both: Bellman-Ford is hundreds
    of small NumPy steps, and in the run's process each waited on the interpreter its other
    threads held."""
    chosen = _solver()[1](n_e, n_m, capacity, ei, mj, units, priority, policy)
    return chosen, _part_prices(n_e, n_m, capacity, ei, mj, units, chosen, priority, policy, start, top=top)


def _most_improving(prices, rows, cols, units, per_row: int):
    """Of the pairs the pricing found (sorted by (row, col)), each row's ``per_row`` that could
    improve the run the most (by units - (price_row - price_col)), in the same order. The others
    stay among the kept pairs (see _priced_out), and are found again next round if they still
    can: the run stays exact, and a round that finds millions brings in a few per mentee."""
    e_price, m_price, _ = prices
    gain = units - (e_price[rows] - m_price[cols])
    order = np.lexsort((-gain, rows))
    starts = _run_starts(rows[order])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    keep = np.sort(order[rank < per_row])
    return rows[keep], cols[keep], units[keep]


def _priced_out(enc: _Encoded, part: _Part, prices, match, memo: dict, workers: int = 1) -> tuple:
    """The pairs left out of the part's candidate graph that could improve its run: (rows, cols,
    units), part-local, each scoring more than price_row - price_col, sorted by (row, col).

    Each mentee's best k2 pairs are kept from the scoring (the reserve, see _part_candidates):
    those are priced without scoring anything again. Any other pair of theirs scores at most
    their k2-th best (reserve_kth), so only the mentors priced above price_row - reserve_kth
    can be such a pair: with the mentors sorted by price, a prefix of them per mentee. Mentees
    are grouped by the length of their prefix (within a factor of two) and each group scored
    against its longest one.

    Scoring again is what costs, so it is done with a margin (SLACK), and only for the mentees
    who need it. A mentee's row scored at some round's prices (or not scored, its prefix being
    empty then) leaves every pair of theirs outside the reserve and ``memo``'s kept pairs (those
    found within the margin of qualifying) at most price_row - price_col - SLACK at that round's
    prices. Such a pair can qualify at the new prices only if the row's price fell by more than
    SLACK beyond its mentor's fall since then, and only with a mentor of the row's new prefix:
    a row is scored against those mentors alone, at the new prices (nothing kept, its round
    unchanged: they are scored again in a later round if they still fell that much less); when
    they are many, its whole new prefix is scored again with the margin and its round is the
    new one. ``memo`` (the same dict for every round of a part) holds the rounds' prices and
    each row's round. The groups are scored on ``workers`` threads.

    A pair of the graph never qualifies (the prices prove the solution optimal on the graph),
    except a mentee's own pair, which is left out by hand."""
    e_price, m_price, _ = prices
    n_m = part.m1 - part.m0
    out_r, out_c, out_u = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for r, c, u in [t for t in (part.reserve, memo.get("kept")) if t]:
        if len(r):
            gain = (u > e_price[r] - m_price[c]) & (c != match[r])
            out_r.append(r[gain].astype(np.int64))
            out_c.append(c[gain].astype(np.int64))
            out_u.append(u[gain])
    open_ = np.flatnonzero(enc.capacity[part.m0 : part.m1] > 0)
    kth = enc.reserve_kth[part.e0 : part.e1]
    by_price = open_[np.argsort(-m_price[open_], kind="stable")]
    descending = -m_price[by_price]

    def prefix(rows, margin):
        """For each row, how many mentors (a prefix of by_price) are priced above its price - kth - margin."""
        return np.searchsorted(descending, -(e_price[rows] - kth[rows] - margin), "left")

    rounds, ref = memo.setdefault("rounds", []), memo.get("ref")
    groups = []  # (rows, cols, margin): scored, the pairs within the margin kept
    if ref is None:  # the first round: every row with a prefix
        todo = np.flatnonzero(kth >= 0)
        ref = memo["ref"] = np.zeros(len(kth), np.int64)
    else:
        # The mentors of each row's prefix at the new prices (no margin: those alone can qualify).
        reach = np.where(kth >= 0, prefix(np.arange(len(kth)), 0), 0)
        todo = [np.zeros(0, np.int64)]
        for t, (e_then, m_then) in enumerate(rounds):
            rows = np.flatnonzero((ref == t) & (reach > 0))
            if not len(rows):
                continue
            fall = m_then[by_price] - m_price[by_price]
            least_fall = np.minimum.accumulate(fall)  # over each prefix
            fell = e_then[rows] - e_price[rows]
            some = fell - least_fall[reach[rows] - 1] > SLACK
            rows, fell = rows[some], fell[some]
            # Of a row's prefix, only the mentors whose price fell more than SLACK less than the
            # row's can qualify: a twentieth of it at 100,000 x 40,000. Rows of about as long a
            # prefix (within a factor of two) and as large a fall are scored together against
            # those of their group, at these prices alone (nothing kept, their round unchanged),
            # unless that is half as many pairs as scoring them again whole (a new round).
            whole = prefix(rows, SLACK)
            order = np.lexsort((-fell, -np.log2(reach[rows]).astype(np.int64)))
            for k in range(0, len(rows), PARTIAL_ROWS):
                at = order[k : k + PARTIAL_ROWS]
                width = int(reach[rows[at]].max())
                cols = by_price[:width][fall[:width] < fell[at].max() - SLACK]
                if 2 * len(at) * len(cols) > whole[at].sum():
                    todo.append(rows[at])
                elif len(cols):
                    groups.append((np.sort(rows[at]), np.sort(cols), 0))
        todo = np.concatenate(todo)
    kept = [memo.get("kept", (np.zeros(0, np.int64),) * 3)]
    if len(todo) and len(open_):
        ref[todo] = len(rounds)
        rounds.append((e_price.copy(), m_price.copy()))
        r, c, u = kept[0]  # the rows scored again replace their kept pairs
        stay = ref[r] != len(rounds) - 1
        kept = [(r[stay], c[stay], u[stay])]
        # For each of them: how many mentors are priced above (price - kth - SLACK), a prefix of by_price.
        need = np.zeros(len(kth), np.int64)
        need[todo] = prefix(todo, SLACK)
        rows = todo[need[todo] > 0]
        rows = rows[np.argsort(-need[rows], kind="stable")]
        k = 0
        while k < len(rows):
            width = int(need[rows[k]])
            group = rows[k : k + max(1, CHUNK_PAIRS // width)]
            group = group[: np.count_nonzero(need[group] * 2 > width)] if width > 1 else group  # a prefix
            k += len(group)
            groups.append((np.sort(group), np.sort(by_price[:width]), SLACK))

    def score(group):
        sub, cols, margin = group
        s = enc.score_rows(part, sub, skip_full=True, cols=cols)
        at, units = _above(s, e_price[sub] - margin, m_price[cols])  # within the margin
        r, c = at // len(cols), at % len(cols)
        near = cols[c] != match[sub[r]]  # not their own pair
        r, c, units = sub[r[near]], cols[c[near]], units[near]
        return r, c, units, units > e_price[r] - m_price[c], margin

    for r, c, u, gain, margin in _side_by_side(score, groups, workers):
        if margin:
            kept.append((r, c, u))
        out_r.append(r[gain])
        out_c.append(c[gain])
        out_u.append(u[gain])
    memo["kept"] = tuple(map(np.concatenate, zip(*kept, strict=True)))
    rows, cols, units = np.concatenate(out_r), np.concatenate(out_c), np.concatenate(out_u)
    # A pair may be found twice (in the reserve and scored again, or kept): keep each once.
    _, first = np.unique(rows * max(1, n_m) + cols, return_index=True)
    return rows[first], cols[first], units[first]


# At most this many mentors per part get the shortest-path search that prices "why not".
WHY_NOT_SOURCES = 400
# Mentors searched from together (see _forcing_prices).
WHY_NOT_GROUP = 4


def _why_not_job(enc: _Encoded, p_idx: int, graph, match_of, match_units, best_of: dict):
    """What a part's "why not?" search reads (see _search): (p_idx, the mentees who want a line,
    their asks (best mentor, units), the part's edges and each mentee's mentor or -1, in its own
    numbering), or None when none of its mentees does. ``best_of``: the part's mentees' (mentee
    -> (best mentor, units)). The edges are the part's graph (sorted by (mentee, mentor)), with
    the pairs made (a seat filled may not be a candidate) and the asks put in their places in
    it, each pair once."""
    if not best_of:
        return None
    part = enc.parts[p_idx]
    wanted = np.array(sorted(best_of), np.int64)
    mine = match_of[part.e0 : part.e1]
    made = np.flatnonzero(mine >= 0) + part.e0
    asks = np.array([best_of[int(i)] for i in wanted], np.int64).reshape(-1, 2)
    x = np.r_[made, wanted], np.r_[match_of[made], asks[:, 0]], np.r_[match_units[made], asks[:, 1]]
    p_e, p_m, p_u = _merged(graph, x, len(enc.mentors))
    return p_idx, wanted, asks, (p_e - part.e0, p_m - part.m0, p_u), np.where(mine >= 0, mine - part.m0, -1)


def _search(enc: _Encoded, policy: str, call, job, start=None):
    """A part's "why not?" search (_forcing_prices) for ``job`` (see _why_not_job), through
    ``call`` (the run's child processes, or this one), from the potentials its solve ended with
    (``start``, see _part_prices)."""
    p_idx, wanted, asks, edges, match = job
    part = enc.parts[p_idx]
    return call(
        _forcing_prices,
        enc.priority[part.e0 : part.e1],
        enc.capacity[part.m0 : part.m1],
        edges,
        match,
        wanted - part.e0,
        asks[:, 0] - part.m0,
        asks[:, 1],
        policy,
        start,
    )


def _why_not_lines(enc: _Encoded, found, match_of, best_of: dict) -> dict:
    """For each mentee i in ``best_of`` (i -> (their best mentor j, its score in units)) whose
    part was searched (``found``: (job, what _forcing_prices found), see _search): who holds
    j's places, and the exact cost of forcing the pair on the candidate graph.

    The run's pairs are a flow (see _solve_ortools). Forcing i with j changes it by a cycle
    through the edge i->j in the residual network; the cheapest such cycle costs -u(i,j) plus
    the shortest path from j back to i, and its first step from j names the mentee who would
    lose the place (see _forcing_prices)."""
    out = {}
    mentee_ids = [m.id for m in enc.mentees]
    mentor_ids = [m.id for m in enc.mentors]
    full_before = (enc.capacity <= 0).tolist()
    # Each mentor's holders, the newest first (the likeliest to move): a run of ``holders``.
    got = np.flatnonzero(match_of >= 0)
    got = got[np.lexsort((-enc.seniority[got], match_of[got]))]
    bounds = np.searchsorted(match_of[got], [np.arange(len(enc.mentors)), np.arange(1, len(enc.mentors) + 1)])
    holders, first, last = got.tolist(), bounds[0].tolist(), bounds[1].tolist()
    seniority = enc.seniority.tolist()
    for (p_idx, wanted, *_), (prices, priced) in found:
        part = enc.parts[p_idx]
        complete = bool((enc.kth_units[part.e0 : part.e1] < 0).all())  # every eligible pair was weighed
        for k, (i, is_priced) in enumerate(zip(wanted.tolist(), priced.tolist(), strict=True)):
            j, u = best_of[i]
            cost, taker = prices.get(k, (None, -1))  # no path: forcing it would leave someone out
            held = holders[first[j] : last[j]]
            if taker >= 0 and held and held[0] != part.e0 + taker and part.e0 + taker in held:
                held = [part.e0 + taker] + [h for h in held if h != part.e0 + taker]
            cost = None if cost is None else max(0, cost) / SCALE
            newest = seniority[holders[first[j]]] if held else None
            out[i] = WhyNot(
                mentor_id=mentor_ids[j],
                score=u / SCALE,
                taken_by=tuple([mentee_ids[h] for h in held]),
                cost=cost,
                full_before=full_before[j],
                exact=complete,
                waited_longer=cost == 0 and bool(held) and newest < seniority[i],  # than all of them
                priced=is_priced,
            )
    return out


def _residual(priority, capacity, edges, match, policy):
    """The residual network of a part's run (see _forcing_prices): (tails, heads, costs), int64,
    the costs minus the scores. Nodes: the part's mentees, its mentors, the priority mentees'
    source, the others' source, the sink."""
    n_e, n_m = len(priority), len(capacity)
    src_p, src_n, sink = n_e + n_m, n_e + n_m + 1, n_e + n_m + 2
    ei, mj, units = edges
    matched = match >= 0
    used = matched[ei] & (match[ei] == mj)
    # Residual arcs (costs: minus the score), as in _solve_ortools.
    tails = [np.where(used, n_e + mj, ei)]
    heads = [np.where(used, ei, n_e + mj)]
    costs = [np.where(used, units, -units)]
    has_edge = np.zeros(n_e, bool)
    has_edge[ei] = True
    people = np.flatnonzero(has_edge)
    source = np.where(priority[people], src_p, src_n)
    tails.append(np.where(matched[people], people, source))
    heads.append(np.where(matched[people], source, people))
    costs.append(np.zeros(len(people), np.int64))
    load = np.bincount(match[matched], minlength=n_m)
    room, busy = np.flatnonzero(load < capacity), np.flatnonzero(load > 0)
    tails += [n_e + room, np.full(len(busy), sink)]
    heads += [np.full(len(room), sink), n_e + busy]
    costs += [np.zeros(len(room), np.int64), np.zeros(len(busy), np.int64)]
    if policy == "best_total":  # the bypass: anyone without priority may stay unmatched
        normal = people[~priority[people]]
        if (~matched[normal]).any():
            tails.append([sink])
            heads.append([src_n])
            costs.append([0])
        if matched[normal].any():
            tails.append([src_n])
            heads.append([sink])
            costs.append([0])
    tails, heads = np.concatenate(tails).astype(np.int64), np.concatenate(heads).astype(np.int64)
    return tails, heads, np.concatenate(costs).astype(np.int64)


def _forcing_prices(priority, capacity, edges, match, who, best, best_units, policy, start=None):
    """(k -> (cost in units of forcing mentee who[k] with mentor best[k], the part-local mentee
    displaced first or -1), for each k whether it was worked out). Everything part-local, plain
    arrays (it may run in a child process): the part's mentees' priority, its mentors' places,
    ``edges`` = (mentees, mentors, units), each mentee's mentor or -1. A k worked out without a
    cost has no way in that keeps everyone the rules keep matched. ``start``: the part's
    potentials from the solve (one source), close to these: Bellman-Ford starts there and needs
    fewer rounds (its result holds from any start; the costs do not depend on the potentials)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    n_e, n_m = len(priority), len(capacity)
    src_p, src_n, sink = n_e + n_m, n_e + n_m + 1, n_e + n_m + 2
    n_nodes = n_e + n_m + 3
    matched = match >= 0
    tails, heads, costs = _residual(priority, capacity, edges, match, policy)
    if start is not None and len(start) == n_e + n_m + 2 and np.abs(start).max(initial=0) < 2**40:
        # (Far below 2**53: the reduced costs' sums stay whole numbers in float64.)
        start = np.r_[start[: n_e + n_m], start[n_e + n_m], start[n_e + n_m], start[n_e + n_m + 1]]
    else:
        start = None
    dist = _potentials(n_nodes, tails, heads, costs, start)
    if dist is None:
        return {}, np.zeros(len(who), bool)  # a negative cycle: the pairs are not optimal on this graph
    reduced = (costs + dist[tails] - dist[heads]).astype(np.float64)
    graph = csr_matrix((reduced, (tails, heads)), shape=(n_nodes, n_nodes))
    mentors, group = np.unique(best, return_inverse=True)
    size = np.bincount(group)
    chosen = np.argsort(-size, kind="stable")[:WHY_NOT_SOURCES]
    priced = np.isin(group, chosen)
    ks = np.flatnonzero(priced)
    if not len(ks):
        return {}, priced
    # A shortest path from j to i either passes a hub (the sources, the sink: they join nearly
    # everything, so a search from j reaches the whole part) or keeps away from all of them:
    #   d(j, i) = min(min over hubs h of d(j, h) + d(h, i), d(j, i) avoiding the hubs).
    # Six searches give the first term for every pair: from each hub, and to it (on the reversed
    # arcs, whose predecessors are each node's next step towards the hub). The second needs a
    # search per mentor, in the graph without the hubs (the alternating chains of pairs made and
    # pairs left), stopped at the first term's cost: a longer path cannot win.
    hubs = np.array([src_p, src_n, sink])
    reverse = csr_matrix((reduced, (heads, tails)), shape=(n_nodes, n_nodes))
    to_hub, towards = dijkstra(reverse, indices=hubs, return_predecessors=True)
    from_hub = dijkstra(graph, indices=hubs)
    starts, targets = n_e + mentors[group[ks]], who[ks]
    via = to_hub[:, starts] + from_hub[:, targets]
    hub = np.argmin(via, axis=0)
    d = via[hub, np.arange(len(ks))]
    node = towards[hub, starts]
    # Without the hubs, a mentee left unmatched cannot be reached (its only way in is from its
    # source): only mentees with a mentor need the second term, and none whose first is 0 already.
    inner = ~(np.isin(tails, hubs) | np.isin(heads, hubs))
    graph = csr_matrix((reduced[inner], (tails[inner], heads[inner])), shape=(n_nodes, n_nodes))
    wanted = matched[targets] & (d > 0)
    limit = np.zeros(len(mentors))
    np.maximum.at(limit, group[ks[wanted]], d[wanted])
    # A few mentors per search (SciPy's fixed cost per call is a fair part of a small search),
    # those with the nearest limits together: WHY_NOT_GROUP of them (a search goes as far as
    # its furthest limit, and fills a row of every node for each: 8 took a third longer than 4
    # on a part of 43,772 mentees, as long on parts of 4,500).
    searched = np.flatnonzero(limit > 0)
    searched = searched[np.argsort(limit[searched], kind="stable")]
    row_of = np.full(len(mentors), -1)
    todo = np.flatnonzero(wanted)
    for c0 in range(0, len(searched), WHY_NOT_GROUP):
        groups = searched[c0 : c0 + WHY_NOT_GROUP]
        row_of[groups] = np.arange(len(groups))
        here = n_e + mentors[groups]
        near, pred = dijkstra(graph, indices=here, return_predecessors=True, limit=limit[groups].max())
        r = row_of[group[ks[todo]]]
        rows, r = todo[r >= 0], r[r >= 0]
        row_of[groups] = -1
        got = near[r, targets[rows]]
        shorter = got < d[rows]
        rows, r = rows[shorter], r[shorter]
        if not len(rows):
            continue
        d[rows] = got[shorter]
        # Each one's first step from its mentor: back along the predecessors.
        step = targets[rows]
        while True:
            back = pred[r, step]
            up = back != here[r]
            if not up.any():
                break
            step = np.where(up, back, step)
        node[rows] = step
    reach = np.isfinite(d)
    ks, starts, targets, d, node = ks[reach], starts[reach], targets[reach], d[reach], node[reach]
    cost = np.rint(d).astype(np.int64) - dist[starts] + dist[targets] - best_units[ks]
    taker = np.where((node >= 0) & (node < n_e) & (node != targets), node, -1)
    return dict(zip(ks.tolist(), zip(cost.tolist(), taker.tolist(), strict=True), strict=True)), priced


# A run of more pairs than this, in several parts, solves them in child processes (see _propose).
SOLVER_PROCESS_PAIRS = 100_000_000


def _children_wanted(mentees, mentors, rules: Rules) -> int:
    """How many child processes a run's solves go to (0: none), from the sizes of its parts
    read off the members: one per thread (PART_WORKERS) with OR-Tools, when two parts or more
    have mentees and a mentor with a place, and SOLVER_PROCESS_PAIRS pairs or more in all."""
    if _solver()[0] != "ortools":
        return 0
    key = operator.attrgetter("association_id" if rules.scope == "association" else "region_id")
    n_e, n_m = collections.Counter(map(key, mentees)), collections.Counter(map(key, mentors))
    open_ = {key(m) for m in mentors if int(m.capacity) > 0}
    sizes = [n_e[k] * n_m[k] for k in n_e if k in open_]
    n = min(PART_WORKERS, len(sizes))
    return n if n > 1 and sum(sizes) >= SOLVER_PROCESS_PAIRS else 0


def _merged(pairs, more, n_cols: int):
    """The pairs (mentees, mentors, units), sorted by (mentee, mentor) and each once, with those
    of ``more`` they do not hold put in their places: sorted, each pair once (the first's units
    on a repeat). Mentor numbers are below ``n_cols``."""
    ee, em, eu = pairs
    x_e, x_m, x_u = more
    width = np.int64(max(1, n_cols))
    keys = ee * width + em
    x_keys, first = np.unique(x_e * width + x_m, return_index=True)
    at = np.searchsorted(keys, x_keys)
    missing = at == len(keys)
    missing[~missing] = keys[at[~missing]] != x_keys[~missing]
    if not missing.any():  # (the graph's own arrays: no copy of millions of pairs)
        return ee, em, eu
    at, first = at[missing], first[missing]
    return np.insert(ee, at, x_e[first]), np.insert(em, at, x_m[first]), np.insert(eu, at, x_u[first])


def _run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts, in a sorted array (np.unique's first indices,
    without its sort)."""
    if not len(values):
        return np.zeros(0, np.int64)
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]])


def _side_by_side(fn, items, workers=None):
    """fn(item) for each item, in their order, on up to ``workers`` threads (PART_WORKERS): the
    parts of a run (and the chunks of a part) share nothing, NumPy and SciPy let go of the
    interpreter while they compute, and one part's solver runs while another part is scored."""
    items = list(items)
    workers = min(len(items), PART_WORKERS if workers is None else workers)
    if workers <= 1:
        yield from map(fn, items)
        return
    # One BLAS thread each: two parts' products on two threads each would fight over the cores
    # (at 100,000 x 40,000, 25% slower than one part at a time).
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        with concurrent.futures.ThreadPoolExecutor(workers, "matching-part") as pool:
            yield from pool.map(fn, items)


@dataclass
class _PartRun:
    """What _run_part found for one part (indices local to the part)."""

    p_idx: int
    ei: np.ndarray  # the graph's pairs (mentee rows, mentor cols, units): the candidates,
    mj: np.ndarray  # then the pairs the pricing brought in
    units: np.ndarray
    chosen: np.ndarray | None = None  # the solution, a mask over the pairs
    prices: np.ndarray | None = None  # every node's price (see _part_prices)
    scored: int = 0
    priced_in: int = 0
    fallback: bool = False  # SciPy solved it (OR-Tools failed)
    solves: int = 0
    spared: int = 0  # solves found unneeded
    score_seconds: float = 0.0
    solve_seconds: float = 0.0


def _run_part(
    enc: _Encoded, p_idx: int, *, k: int, policy: str, wide=frozenset(), solve=None, wide_scored=None
) -> _PartRun:
    """Steps 1 and 2 of a run for one part: its candidate graph, then the exact solve, priced
    until no pair left out of the graph could improve it. Reads and writes only the part's own
    rows of ``enc``: parts run side by side (see _propose). The parts in ``wide`` are scored on
    several threads themselves; ``wide_scored`` (a threading.Event), if given, is set once they
    are, and the other parts wait for it before scoring theirs."""
    clock = time.perf_counter
    part = enc.parts[p_idx]
    workers = PART_WORKERS if p_idx in wide else 1
    if wide_scored is not None and p_idx not in wide:
        wide_scored.wait()
    t0 = clock()
    try:
        ei, mj, vals, scored = _part_candidates(enc, part, k, MENTOR_CANDIDATES, RESERVE * k, workers)
    finally:
        if wide_scored is not None and p_idx in wide:
            wide_scored.set()
    units = (vals.astype(np.float64) * SCALE).astype(np.int64)  # exact: on the grid
    # Picks repeat (mentor side, stated preferences): keep each pair once, sorted by (row, col).
    n_m = part.m1 - part.m0
    _, first = np.unique(ei * n_m + mj, return_index=True)
    ei, mj, units = ei[first], mj[first], units[first]
    run = _PartRun(p_idx, ei, mj, units, scored=scored, score_seconds=clock() - t0)
    if not len(ei):
        return run
    t1 = clock()
    priority = enc.priority[part.e0 : part.e1]
    n_e, capacity = part.e1 - part.e0, enc.capacity[part.m0 : part.m1]
    solve = solve or _solved
    # Solve on the candidate graph, then price the pairs it left out with the solution's duals:
    # any that could improve it joins the graph and the part is solved again, until none can.
    # The pairs are then the best on the whole part, not only on its graph.
    prices, memo, chosen, start, n_before = None, {}, None, None, 0
    while True:
        args = (n_e, n_m, capacity, ei, mj, units)
        if chosen is not None:
            # A few pairs just brought in often leave the solution optimal (the last round's,
            # mostly): then prices exist for the larger graph too, and Bellman-Ford from the last
            # ones finds them in a few rounds. Otherwise (a negative cycle, or slow to settle) the
            # part is solved again. With many pairs it seldom is, and a failed check costs more.
            last, start, few = prices, prices[2], len(chosen) - n_before <= CHECK_PAIRS
            prices = _part_prices(*args, chosen, priority, policy, start, max_rounds=CHECK_ROUNDS) if few else None
            run.spared += prices is not None
        if prices is None:
            try:
                if chosen is None or len(chosen) - n_before > len(chosen) // NEAR_SHARE:
                    chosen, prices = solve(*args, priority, policy, start)
                else:
                    chosen, prices = _solve_near(solve, *args, priority, policy, chosen, last)
            except RuntimeError:
                run.fallback = True
                chosen = _solve_scipy(*args, priority, policy)
                prices = _part_prices(*args, chosen, priority, policy, start)
            run.solves += 1
            if prices is None:
                raise RuntimeError("The solver's pairs are not optimal on their own graph.")
        match = np.full(n_e, -1, np.int64)
        match[ei[chosen]] = mj[chosen]
        more_r, more_c, more_u = _priced_out(enc, part, prices, match, memo, workers)
        if len(more_r) > PRICED_PER_MENTEE // 2 * n_e:
            more_r, more_c, more_u = _most_improving(prices, more_r, more_c, more_u, PRICED_PER_MENTEE)
        if not len(more_r):
            break
        run.priced_in += len(more_r)
        n_before = len(ei)
        ei, mj, units = np.concatenate([ei, more_r]), np.concatenate([mj, more_c]), np.concatenate([units, more_u])
        chosen = np.r_[chosen, np.zeros(len(more_r), bool)]
    run.ei, run.mj, run.units, run.chosen, run.prices = ei, mj, units, chosen, prices[2]
    run.solve_seconds = clock() - t1
    return run


def _waiting(enc: _Encoded, match_of, match_units, load, part: _Part, *, fill_free_seats: bool):
    """Step 4 of a run for one part: give its unmatched mentees the free places the pruning hid
    (``fill_free_seats``), then say why the others wait and which mentor fits them best. Reads
    and writes only the part's own rows of the arrays: parts run side by side (see _propose).
    Returns (mentee -> (reason, eligible mentors, mentors in the part), mentee -> (best mentor,
    units), places filled)."""
    seniority = enc.seniority
    reasons, best_of, repaired = {}, {}, 0
    rows = np.flatnonzero(match_of[part.e0 : part.e1] < 0)
    # Free seats go to priority mentees first, then to who has waited longest, chunk by chunk
    # (each chunk's own order is decided below).
    rows = rows[np.lexsort((seniority[part.e0 + rows], ~enc.priority[part.e0 + rows]))]
    n_m = part.m1 - part.m0
    chunk = max(1, CHUNK_PAIRS // max(1, n_m))
    capacity = enc.capacity[part.m0 : part.m1]
    for c0 in range(0, len(rows), chunk):
        sub = np.sort(rows[c0 : c0 + chunk])  # in the part's order (score_rows)
        n_eligible = enc.count_eligible(part, sub)
        # The mentors with a free place are few, and the mentees who may have one fewer still:
        # only their pairs are scored.
        free_cols = np.flatnonzero(capacity - load[part.m0 : part.m1] > 0)
        may = enc.eligible(part, sub, free_cols)
        if fill_free_seats and may.any():
            some = np.flatnonzero(may.any(1))
            s_free = np.full(may.shape, -np.inf, np.float32)
            s_free[some] = enc.score_rows(part, sub[some], skip_full=False, cols=free_cols)
            free = np.ones(len(free_cols), bool)
            best = s_free.max(1)
            order = np.lexsort((seniority[part.e0 + sub], -best, ~enc.priority[part.e0 + sub]))
            for r in order[np.isfinite(best[order])]:
                row = np.where(free, s_free[r], -np.inf)
                f = int(row.argmax())
                if row[f] == -np.inf:
                    continue
                i, j = part.e0 + int(sub[r]), int(free_cols[f])
                match_of[i], match_units[i] = part.m0 + j, int(np.float64(row[f]) * SCALE)
                load[part.m0 + j] += 1
                free[f] = capacity[j] > load[part.m0 + j]
                repaired += 1
        still = capacity[free_cols] - load[part.m0 + free_cols] > 0
        has_free = may[:, still].any(1)
        left = np.flatnonzero(match_of[part.e0 + sub] < 0)
        # REASONS: none the rules allow, every allowed one's places taken, one with a place left.
        why = np.where(n_eligible[left] == 0, 0, np.where(has_free[left], 2, 1)).tolist()
        said = [(REASONS[w], n, n_m) for w, n in zip(why, n_eligible[left].tolist(), strict=True)]
        reasons.update(zip((part.e0 + sub[left]).tolist(), said, strict=True))
        # The best mentor they could have had: of those with a place before the run, else of all.
        waiting = sub[left[n_eligible[left] > 0]]
        picks = [(part.m0 + j, units) for j, units in _best_mentors(enc, part, waiting)]
        best_of.update(zip((part.e0 + waiting).tolist(), picks, strict=True))
    return reasons, best_of, repaired


@dataclass
class _PartEnd:
    """What _finish_part found for one part (in the run's numbering)."""

    graph: tuple  # (mentees, mentors, units) sorted: the part's candidates, the pairs priced in,
    # and the pairs the settling of ties brought in
    reasons: dict  # mentee -> (reason, eligible mentors, mentors in the part), see _waiting
    best_of: dict  # mentee -> (best mentor, units), for "why not?"
    repaired: int = 0
    swaps: int = 0
    job: tuple | None = None  # its "why not?" search (see _why_not_job)
    start: np.ndarray | None = None  # where the search starts: its solve's prices
    search: concurrent.futures.Future | None = None
    lists: list = field(default_factory=list)  # its pairs' breakdowns and summaries, by mentee
    summaries: list = field(default_factory=list)


def _finish_part(enc: _Encoded, match_of, match_units, load, p_idx: int, run, *, fill_free_seats, words, why_not, send):
    """Steps 3 to 5 of a run for one part once _run_part has solved it (``run``; None for a part
    with nobody it could match): its ties settled, its free seats filled, why its others wait
    and what the committee reads of its pairs. With ``why_not``, its search is made ready, and
    sent off at once with ``send(end)`` if given (see _propose). Reads and writes only the
    part's own rows of the arrays: a part finishes on its thread while others are solving."""
    part = enc.parts[p_idx]
    n_m = part.m1 - part.m0
    graph, swaps = (np.zeros(0, np.int64),) * 3, 0
    if run is not None:
        # The part's pairs (candidates and priced in) by (mentee, mentor): the candidates are in
        # order already, the few priced in after them (a stable sort takes a third of the time).
        order = np.argsort(run.ei * n_m + run.mj, kind="stable")
        graph = (part.e0 + run.ei[order], part.m0 + run.mj[order], run.units[order])
        if run.prices is not None:
            chosen = run.chosen
            match_of[part.e0 + run.ei[chosen]] = part.m0 + run.mj[chosen]
            match_units[part.e0 + run.ei[chosen]] = run.units[chosen]
            # 3. Ties: of two mentees who would score the same with a mentor, the one waiting
            # longest gets the place (then the earliest application), whatever order the pool
            # came in (a move never leaves its part).
            swaps = _settle_part(enc, *graph, match_of, match_units, part)
    mine = match_of[part.e0 : part.e1]  # (a view)
    load[part.m0 : part.m1] = np.bincount(mine[mine >= 0] - part.m0, minlength=n_m)
    # 4. Unmatched mentees: fill free seats the pruning hid, then say why the rest wait.
    reasons, best_of, repaired = {}, {}, 0
    if (mine < 0).any():
        reasons, best_of, repaired = _waiting(enc, match_of, match_units, load, part, fill_free_seats=fill_free_seats)
    # The seats filled above, and the pairs of mentees beyond their own best picks, may have
    # better pairs the candidate graph does not hold: with those, the matched mentees settle
    # their ties again (swaps only: the reasons above still hold), until no one moves.
    # Holding a pair beyond their own picks, with someone who answered the same (two scores
    # adding up to the same sum otherwise is a coincidence the graph's own pairs cover).
    got = part.e0 + np.flatnonzero(mine >= 0)
    twin = _twins(enc) >= 0
    todo = got[(match_units[got] <= enc.kth_units[got]) & twin[got]]
    if repaired or len(todo):
        held = np.unique(match_of[got])
        extra = got, match_of[got], match_units[got]  # (a seat filled may not be in the graph)
        while len(todo):
            more = _better_pairs(enc, todo, held, match_units)
            graph = _merged(graph, [np.r_[a, b] for a, b in zip(extra, more, strict=True)], len(enc.mentors))
            extra = (np.zeros(0, np.int64),) * 3
            before = mine.copy()
            swaps += _settle_part(enc, *graph, match_of, match_units, part, places=False)
            moved = part.e0 + np.flatnonzero(before != mine)
            todo = moved[(match_units[moved] <= enc.kth_units[moved]) & twin[moved]]
    end = _PartEnd(graph, reasons, best_of, repaired, swaps)
    if why_not:
        # Everyone else: their best candidate, when it scores more than the mentor they got.
        # (The graph is sorted: each mentee's candidates are a run of it; the first of the best on a tie.)
        ee, em, eu = graph
        if len(ee):
            starts = _run_starts(ee)
            rows, top = ee[starts], np.maximum.reduceat(eu, starts)
            tops = np.flatnonzero(eu == np.repeat(top, np.diff(np.r_[starts, len(ee)])))
            k = tops[_run_starts(ee[tops])]  # for each of rows
            better = (match_of[rows] >= 0) & (eu[k] > match_units[rows])
            best = zip(em[k[better]].tolist(), eu[k[better]].tolist(), strict=True)
            best_of.update(zip(rows[better].tolist(), best, strict=True))
        end.job = _why_not_job(enc, p_idx, graph, match_of, match_units, best_of)
        end.start = None if run is None else run.prices
        if end.job is not None and send is not None:
            send(end)
    # 5. What the committee reads (matching/words.py words it) of the part's pairs, now final
    # (the settling above only swaps: ``got`` are still the matched), while its search runs.
    if len(got):
        mentees, mentors = got.tolist(), match_of[got].tolist()
        end.lists, end.summaries = words(
            [enc.mentees[i] for i in mentees],
            [enc.mentors[j] for j in mentors],
            [enc.pe[i] for i in mentees],
            [enc.pm[j] for j in mentors],
        )
    return end


def propose(
    mentees: Sequence[Member],
    mentors: Sequence[Member],
    *,
    rules: Rules,
    weights: Mapping | None = None,
    questions: Sequence[QuestionSpec] = (),
    candidates_per_mentee: int = 20,
    progress: Callable[[float], object] | None = None,
    fill_free_seats: bool = True,
    keep_candidates: bool = False,
    why_not: bool = False,
) -> Result:
    """Propose mentor-mentee pairs for a pool. See the module docstring for how.

    ``fill_free_seats``: after the exact solve on the candidate graph, give any unmatched mentee
    their best eligible mentor that still has a free place (this can only raise the total).
    ``keep_candidates``: keep the candidate graph in ``Result.candidates``.
    ``why_not``: for each mentee who did not get the mentor that fits them best, say who holds
    that place and what forcing the pair would cost (``Proposal.why_not``, ``Unmatched.why_not``)."""
    with _gc_paused(), SolverProcesses() as helpers:
        return _propose(
            list(mentees),
            list(mentors),
            rules=rules,
            weights=weights,
            questions=questions,
            candidates_per_mentee=candidates_per_mentee,
            progress=progress,
            fill_free_seats=fill_free_seats,
            keep_candidates=keep_candidates,
            why_not=why_not,
            helpers=helpers,
        )


def _propose(
    mentees,
    mentors,
    *,
    rules,
    weights,
    questions,
    candidates_per_mentee,
    progress,
    fill_free_seats,
    keep_candidates,
    why_not,
    helpers=None,
):
    _check_rules(rules)
    if candidates_per_mentee < 1:
        raise ValueError("candidates_per_mentee must be at least 1.")
    clock = time.perf_counter
    t0 = clock()
    last = [0.0]

    def report(fraction):
        if progress is not None and (fraction - last[0] >= 0.01 or fraction >= 1.0):
            last[0] = fraction
            progress(min(1.0, fraction))

    criteria = _criteria(weights, questions)
    # One child for the solves is started first: it imports the solver while this process
    # encodes the pool, on a core that would be idle. The others start once the members are
    # profiled, as the first is done importing (all at once slowed the encoding down).
    children = _children_wanted(mentees, mentors, rules) if helpers is not None else 0
    if children:
        helpers.start(1)
    others = functools.partial(helpers.start, children) if children else None
    enc = _Encoded(list(mentees), list(mentors), rules, criteria, profiled=others)
    t_encode = clock()
    report(0.05)

    # 1-2. Each part on its own: score it and keep the candidate edges, then solve it exactly
    # (see _run_part). Parts share nothing, so they run side by side on the machine's cores:
    # NumPy lets go of the interpreter while it scores, and one part's solver runs while another
    # part is scored or priced. The results are the same in any order.
    size = [(p.e1 - p.e0) * (p.m1 - p.m0) for p in enc.parts]
    total_pairs = sum(size) or 1
    todo = [
        p_idx
        for p_idx, part in enumerate(enc.parts)
        if part.e1 > part.e0 and (enc.capacity[part.m0 : part.m1] > 0).any()
    ]
    todo.sort(key=lambda p_idx: -size[p_idx])  # the largest first: the threads finish together
    # A part with more pairs than all the others together (a program's run has one part) would
    # keep its thread busy long after the others finish: its chunks are scored side by side too.
    wide = frozenset(p_idx for p_idx in todo if 2 * size[p_idx] > sum(size[i] for i in todo))
    # OR-Tools (and SciPy's Dijkstra, for "why not?") hold the interpreter, and the threads on
    # the other parts wait: a large run of several parts has them run in child processes (see
    # matching/solver_process.py). A small run, or one part, gains nothing that pays for them.
    solve = None
    if children:
        helpers.start(children)
        solve = functools.partial(helpers.call, _solved)
    # The wide part is scored first, alone on every thread: its solves and pricing, the run's
    # longest chain, then start over a second sooner at 100,000 x 40,000 (beside another part,
    # it was scored on a third of a core less), and the other parts fill the cores while its
    # solves run in a child.
    wide_scored = threading.Event() if wide and len(todo) > 1 else None
    run_part = functools.partial(
        _run_part,
        enc,
        k=int(candidates_per_mentee),
        policy=rules.policy,
        wide=wide,
        solve=solve,
        wide_scored=wide_scored,
    )
    # 3-5, part by part as soon as it is solved, on its thread (see _finish_part), while the
    # larger parts are still solving. A large run sends each part's "why not?" search to its
    # child processes at once; a run without them searches once every part is finished (SciPy
    # holds the interpreter, and the parts' threads would wait).
    match_of = np.full(len(enc.mentees), -1, np.int64)
    match_units = np.zeros(len(enc.mentees), np.int64)
    load = np.zeros(len(enc.mentors), np.int64)
    _twins(enc)  # (once, before the threads read it)
    with concurrent.futures.ThreadPoolExecutor(PART_WORKERS, "matching-why-not") as searches:
        in_children = helpers is not None and bool(helpers.children)
        call = helpers.call if in_children else (lambda fn, *args: fn(*args))
        search = functools.partial(_search, enc, rules.policy, call)

        def send(end):
            end.search = searches.submit(search, end.job, end.start)

        finish = functools.partial(
            _finish_part,
            enc,
            match_of,
            match_units,
            load,
            fill_free_seats=fill_free_seats,
            words=functools.partial(_Breakdown(criteria).many, common=_common_languages(enc.pe + enc.pm)),
            why_not=why_not,
            send=send if in_children else None,
        )

        def run_and_finish(p_idx):
            run = run_part(p_idx)
            return run, finish(p_idx, run)

        runs, ends, done = {}, {}, 0
        for run, end in _side_by_side(run_and_finish, todo):  # progress is reported from this thread only
            runs[run.p_idx], ends[run.p_idx] = run, end
            done += size[run.p_idx]
            report(0.05 + 0.85 * done / total_pairs)
        t_solve = clock()
        for p_idx in range(len(enc.parts)):  # the parts with nobody to match: why they wait
            if p_idx not in ends:
                ends[p_idx] = finish(p_idx, None)
        workers = min(len(todo), PART_WORKERS)
        solver_name = _solver()[0]
        if any(run.fallback for run in runs.values()):
            solver_name = "ortools+scipy"
        scored = sum(run.scored for run in runs.values())
        priced_in = sum(run.priced_in for run in runs.values())
        parts_solved = sum(run.prices is not None for run in runs.values())
        graph = [ends[p_idx].graph for p_idx in range(len(enc.parts))]
        ee, em, eu = (np.concatenate(g) for g in zip(*graph, strict=True)) if graph else (np.zeros(0, np.int64),) * 3
        reasons, best_of = {}, {}
        for end in ends.values():
            reasons.update(end.reasons)
            best_of.update(end.best_of)
        repaired = sum(end.repaired for end in ends.values())
        swaps = sum(end.swaps for end in ends.values())
        report(0.95)
        t_finish = clock()
        matched = np.flatnonzero(match_of >= 0).tolist()
        partner = match_of[matched].tolist()
        lists = list(itertools.chain.from_iterable(ends[p_idx].lists for p_idx in range(len(enc.parts))))
        summaries = list(itertools.chain.from_iterable(ends[p_idx].summaries for p_idx in range(len(enc.parts))))
        for end in ends.values():
            if end.job is not None and end.search is None:
                send(end)
        found = [(end.job, end.search.result()) for end in ends.values() if end.job is not None]
        explained = _why_not_lines(enc, found, match_of, best_of) if why_not else {}
        t_why = clock()
    # In order: priority mentees first, then the best scores, then by application (ordered in
    # numpy: a sort of the Proposal objects by a key cost as much as making them).
    e_ids, m_ids = enc.e_ids, _column(enc.mentors, "id")
    units, first = match_units[matched], enc.priority[matched]
    order = np.lexsort((e_ids[matched], -units, ~first))
    proposals = [
        Proposal(
            mentee_id=mentee_id,
            mentor_id=mentor_id,
            score=score,
            breakdown=lists[k],
            summary=summaries[k],
            priority=priority,
            why_not=explained.get(matched[k]),
        )
        for mentee_id, mentor_id, score, k, priority in zip(
            e_ids[matched][order].tolist(),
            m_ids[partner][order].tolist(),
            (units[order] / SCALE).tolist(),
            order.tolist(),
            first[order].tolist(),
            strict=True,
        )
    ]
    left = np.fromiter(reasons, np.int64, len(reasons))
    unmatched = [
        Unmatched(
            mentee_id=int(e_ids[i]),
            reason=reasons[i][0],
            eligible_mentors=reasons[i][1],
            scope=rules.scope,
            mentors_in_part=reasons[i][2],
            priority=bool(enc.priority[i]),
            why_not=explained.get(i),
        )
        for i in left[np.lexsort((e_ids[left], ~enc.priority[left]))].tolist()
    ]
    t_end = clock()
    report(1.0)
    stats = {
        "mentees": len(enc.mentees),
        "mentors": len(enc.mentors),
        "parts": len(enc.parts),
        "parts_solved": parts_solved,
        "pairs_scored": int(scored),
        "candidate_edges": len(ee),
        "solver": solver_name,
        "policy": rules.policy,
        "matched": len(proposals),
        "repaired": repaired,
        "priced_in": priced_in,
        "solves": sum(run.solves for run in runs.values()),
        "solves_spared": sum(run.spared for run in runs.values()),
        "solver_process": bool(helpers and helpers.children),
        "solver_process_peak_mb": helpers.peak_mb() if helpers else None,
        "tie_swaps": swaps,
        "encode_seconds": round(t_encode - t0, 4),
        # The parts run side by side: the time each stage took, added up over the parts, and
        # the wall-clock time of both (parts_seconds, with the merging of their results).
        "score_seconds": round(sum(run.score_seconds for run in runs.values()), 4),
        "solve_seconds": round(sum(run.solve_seconds for run in runs.values()), 4),
        "parts_seconds": round(t_solve - t_encode, 4),
        "part_workers": workers,
        "why_not_seconds": round(t_why - t_finish, 4),
        "finish_seconds": round(t_end - t_solve - (t_why - t_finish), 4),
        "total_seconds": round(t_end - t0, 4),
    }
    candidates = None
    if keep_candidates:
        candidates = (e_ids[ee], m_ids[em], eu / SCALE)
    total = int(match_units[match_of >= 0].sum()) / SCALE
    return Result(proposals=proposals, unmatched=unmatched, total_score=total, stats=stats, candidates=candidates)


def score_matrix(
    mentees: Sequence[Member],
    mentors: Sequence[Member],
    *,
    rules: Rules,
    weights: Mapping | None = None,
    questions: Sequence[QuestionSpec] = (),
) -> np.ndarray:
    """Every pair's score (float64, mentees x mentors in the given order), -inf where the rules
    forbid the pair. Dense: for checks and small pools, not for the full run."""
    _check_rules(rules)
    enc = _Encoded(list(mentees), list(mentors), rules, _criteria(weights, questions))
    out = np.full((len(mentees), len(mentors)), -np.inf)
    e_pos, m_pos = np.array(enc.e_order, np.int64), np.array(enc.m_order, np.int64)
    for part in enc.parts:
        n_e, n_m = part.e1 - part.e0, part.m1 - part.m0
        if n_e and n_m:
            s = enc.score_rows(part, np.arange(n_e), skip_full=False)
            out[np.ix_(e_pos[part.e0 : part.e1], m_pos[part.m0 : part.m1])] = s
    return out


def verify(result: Result, mentees: Sequence[Member], mentors: Sequence[Member], *, rules: Rules) -> list[str]:
    """What is wrong with a result, in words; [] when every hard constraint holds."""
    _check_rules(rules)
    by_mentee = {m.id: m for m in mentees}
    by_mentor = {m.id: m for m in mentors}
    problems, seen, load = [], set(), {}
    for p in result.proposals:
        mentee, mentor = by_mentee.get(p.mentee_id), by_mentor.get(p.mentor_id)
        if mentee is None or mentor is None:
            problems.append(f"Proposal {p.mentee_id} -> {p.mentor_id} names someone outside the pool.")
            continue
        if p.mentee_id in seen:
            problems.append(f"Mentee application {p.mentee_id} has more than one mentor.")
        seen.add(p.mentee_id)
        load[p.mentor_id] = load.get(p.mentor_id, 0) + 1
        for text in _rule_problems(mentee, mentor, rules):
            problems.append(f"Mentee {p.mentee_id} with mentor {p.mentor_id}: {text}")
    for mentor_id, n in sorted(load.items()):
        capacity = max(0, by_mentor[mentor_id].capacity)
        if n > capacity:
            problems.append(f"Mentor application {mentor_id} has {n} mentees for {capacity} free places.")
    waiting = [u.mentee_id for u in result.unmatched]
    if set(waiting) & seen:
        problems.append("Some mentees are both proposed and listed as unmatched.")
    if len(seen) + len(set(waiting)) != len(by_mentee) and not problems:
        problems.append("Some mentees are neither proposed nor listed as unmatched.")
    return problems
