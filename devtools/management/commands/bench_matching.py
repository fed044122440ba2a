"""Time the matching engine on a synthetic pool, without touching the database.

    python manage.py bench_matching --mentees 20000 --mentors 8000 --json [--seed N]

Prints one JSON object. The pool is built as engine.Member objects (not timed), then the very
same engine.propose() the committee's runs use is timed end to end.
"""

import json
import os
import resource
import time

import numpy as np
from django.core.management.base import BaseCommand
from scipy.optimize import linear_sum_assignment

from matching import engine

TOPICS = [
    "leadership", "claims", "sales", "underwriting", "compliance", "marketing", "public speaking",
    "negotiation", "customer service", "team management", "career change", "work-life balance",
    "networking", "finance", "accounting", "risk management", "technology", "data analysis",
    "project management", "coaching", "hiring", "product design", "strategy", "operations",
    "legal", "communication", "mentoring others", "entrepreneurship", "writing", "presentation",
    "time management", "conflict resolution", "diversity and inclusion", "wellbeing", "budgeting",
    "governance", "volunteering", "board work", "digital tools", "succession planning",
]  # fmt: skip
MODES = ("in_person", "video", "phone")
SLOTS = ("weekday_mornings", "weekday_daytime", "weekday_evenings", "weekends")
FREQUENCY = ("weekly", "fortnightly", "monthly", "quarterly", "")
LANGUAGES = ("English", "Spanish", "French", "Portuguese", "Mandarin", "Vietnamese", "Arabic", "German")
QUESTIONS = (
    engine.QuestionSpec(id="1", kind="single", weight=1.0),
    engine.QuestionSpec(id="2", kind="multiple", weight=1.0),
    engine.QuestionSpec(id="3", kind="scale", weight=0.5),
    engine.QuestionSpec(id="4", kind="text", weight=1.0),
)


def synthetic_pool(n_mentees, n_mentors, seed, scope="association", policy="best_total"):
    """A realistic pool: 6-40 associations of uneven size in 2-5 regions, skewed topic
    popularity, shared employers, a few dissolved pairs, avoided people and named preferences."""
    rng = np.random.default_rng(seed)
    n_assoc = int(rng.integers(6, 41))
    n_regions = int(rng.integers(2, 6))
    region_of = rng.integers(1, n_regions + 1, n_assoc)
    size = rng.lognormal(0, 0.8, n_assoc)
    size /= size.sum()
    # Some associations are short of mentors, others have plenty.
    mentor_share = size * rng.uniform(0.6, 1.4, n_assoc)
    mentor_share /= mentor_share.sum()
    topic_p = 1 / np.arange(1, len(TOPICS) + 1) ** 0.9
    topic_p /= topic_p.sum()
    employers = [f"Employer {k}" for k in range(600)]
    employer_p = 1 / np.arange(1, len(employers) + 1) ** 1.1
    employer_p /= employer_p.sum()

    def people(n, role, first_id, first_user):
        assoc = rng.choice(n_assoc, n, p=size if role == "mentee" else mentor_share)
        n_topics = rng.integers(1, 6, n) if role == "mentee" else rng.integers(2, 7, n)
        years = rng.gamma(2.0, 2.0, n).astype(int) if role == "mentee" else rng.integers(3, 36, n)
        n_modes = rng.integers(1, 4, n)
        n_slots = rng.integers(1, 4, n)
        has_employer = rng.random(n) < 0.75
        employer = rng.choice(len(employers), n, p=employer_p)
        out = []
        for k in range(n):
            langs = ["English"] if rng.random() < 0.93 else []
            if rng.random() < 0.18:
                langs.append(LANGUAGES[int(rng.integers(1, len(LANGUAGES)))])
            answers = {
                "1": ("yes", "no", "maybe", "later")[int(rng.integers(0, 4))],
                "2": sorted({("a", "b", "c", "d", "e", "f")[int(x)] for x in rng.integers(0, 6, rng.integers(1, 4))}),
                "3": int(rng.integers(1, 6)),
                "4": "free text",
            }
            if rng.random() < 0.1:
                answers.pop("2")
            out.append(
                engine.Member(
                    id=first_id + k,
                    user_id=first_user + k,
                    association_id=int(assoc[k]) + 1,
                    region_id=int(region_of[assoc[k]]),
                    employer=employers[employer[k]] if has_employer[k] else "",
                    topics=tuple(TOPICS[t] for t in rng.choice(len(TOPICS), n_topics[k], replace=False, p=topic_p)),
                    modes=tuple(MODES[t] for t in sorted(rng.choice(3, n_modes[k], replace=False))),
                    availability=tuple(SLOTS[t] for t in sorted(rng.choice(4, n_slots[k], replace=False))),
                    frequency=FREQUENCY[int(rng.integers(0, 5))],
                    hours=int(rng.integers(1, 9)),
                    languages=tuple(langs),
                    years=int(years[k]),
                    answers=answers,
                    capacity=int(rng.integers(1, 4)) if role == "mentor" else 1,
                    priority=role == "mentee" and rng.random() < 0.02,
                )
            )
        return out

    mentees = people(n_mentees, "mentee", 1, 1)
    # A few mentors also apply as mentees (same user id): the engine must never pair them up.
    mentors = people(n_mentors, "mentor", 10_000_000, 10_000_000)
    for k in rng.choice(n_mentors, max(1, n_mentors // 200), replace=False):
        twin = mentees[int(rng.integers(0, n_mentees))]
        m = mentors[k]
        mentors[k] = _replace(m, user_id=twin.user_id, association_id=twin.association_id, region_id=twin.region_id)
    # Named preferences and people to avoid, within the same association.
    by_assoc = {}
    for m in mentors:
        by_assoc.setdefault(m.association_id, []).append(m.user_id)
    forbidden = set()
    for k in range(n_mentees):
        pool = by_assoc.get(mentees[k].association_id)
        if not pool:
            continue
        r = rng.random()
        if r < 0.08:
            picks = rng.choice(pool, min(len(pool), int(rng.integers(1, 4))), replace=False)
            mentees[k] = _replace(mentees[k], ranked=tuple(int(u) for u in picks))
        elif r < 0.09:
            mentees[k] = _replace(mentees[k], avoid=frozenset({int(rng.choice(pool))}))
        elif r < 0.095:
            forbidden.add((mentees[k].user_id, int(rng.choice(pool))))
    rules = engine.Rules(scope=scope, forbidden=frozenset(forbidden), policy=policy)
    return mentees, mentors, rules, {"associations": n_assoc, "regions": n_regions}


def _replace(member, **changes):
    from dataclasses import replace

    return replace(member, **changes)


def greedy_total(candidates, mentors):
    """Sort all candidate pairs by score, take each while both sides allow it."""
    mentee_ids, mentor_ids, scores = candidates
    seats = {m.id: m.capacity for m in mentors}
    taken, total, matched = set(), 0.0, 0
    for k in np.argsort(-scores, kind="stable"):
        e, m = int(mentee_ids[k]), int(mentor_ids[k])
        if e in taken or seats[m] <= 0:
            continue
        taken.add(e)
        seats[m] -= 1
        total += float(scores[k])
        matched += 1
    return total, matched


def weakest_tenth(scores):
    scores = np.sort(np.asarray(scores, float))
    if not len(scores):
        return 0.0
    return float(scores[: max(1, len(scores) // 10)].mean())


def dense_check(n_mentees, n_mentors, seed, scope="association", candidates=30):
    """Our pipeline against the exact optimum of the full dense problem (scipy's
    linear_sum_assignment on every pair, mentor seats expanded by capacity)."""
    mentees, mentors, rules, _ = synthetic_pool(n_mentees, n_mentors, seed, scope)
    # Mixed places, none to five: full mentors and big ones are where pruning goes wrong.
    places = np.random.default_rng(seed + 1).integers(0, 6, len(mentors))
    mentors = [_replace(m, capacity=int(c)) for m, c in zip(mentors, places, strict=True)]
    t = time.perf_counter()
    result = engine.propose(mentees, mentors, rules=rules, questions=QUESTIONS, candidates_per_mentee=candidates)
    ours_seconds = time.perf_counter() - t
    t = time.perf_counter()
    s = engine.score_matrix(mentees, mentors, rules=rules, questions=QUESTIONS)
    seat_owner = np.repeat(np.arange(len(mentors)), [max(0, m.capacity) for m in mentors])
    dense = s[:, seat_owner]
    eligible = np.isfinite(dense)
    # Ineligible pairs weigh 0 (then dropped); priority mentees first, exactly as the engine does.
    priority = np.array([m.priority for m in mentees])
    bonus = 100.0 * (len(mentees) + 1)
    weight = np.where(eligible, dense + 1e-9 + bonus * priority[:, None], 0.0)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    keep = eligible[rows, cols]
    opt_scores = dense[rows[keep], cols[keep]]
    dense_seconds = time.perf_counter() - t
    ours = [p.score for p in result.proposals]
    optimum = float(opt_scores.sum())
    return {
        "mentees": n_mentees,
        "mentors": n_mentors,
        "ours_total": round(result.total_score, 4),
        "optimum_total": round(optimum, 4),
        "ratio": round(result.total_score / optimum, 12) if optimum else None,
        "priced_in": result.stats["priced_in"],
        "ours_matched": len(ours),
        "optimum_matched": int(keep.sum()),
        "ours_weakest_tenth": round(weakest_tenth(ours), 4),
        "optimum_weakest_tenth": round(weakest_tenth(opt_scores), 4),
        "ours_seconds": round(ours_seconds, 3),
        "dense_seconds": round(dense_seconds, 3),
        "verify_problems": len(engine.verify(result, mentees, mentors, rules=rules)),
    }


class Command(BaseCommand):
    help = "Benchmark the matching engine on a synthetic pool (no database)."

    def add_arguments(self, parser):
        parser.add_argument("--mentees", type=int, default=20000)
        parser.add_argument("--mentors", type=int, default=8000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--candidates", type=int, default=20, help="candidates_per_mentee")
        parser.add_argument("--scope", choices=engine.SCOPES, default="association")
        parser.add_argument("--policy", choices=engine.POLICIES, default="best_total", help="(not for the dense check)")
        parser.add_argument("--dense-mentees", type=int, default=2000)
        parser.add_argument("--dense-mentors", type=int, default=800)
        parser.add_argument("--no-dense", action="store_true", help="Skip the dense optimum check.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object (the default output).")

    def handle(self, *args, mentees, mentors, seed, candidates, scope, policy, dense_mentees, dense_mentors, **options):
        t = time.perf_counter()
        engine._solver()  # a warm worker has imported the solver already; timed separately
        import_seconds = time.perf_counter() - t
        t = time.perf_counter()
        pool_e, pool_m, rules, shape = synthetic_pool(mentees, mentors, seed, scope, policy)
        build_seconds = time.perf_counter() - t
        rss_before = _maxrss_mb()
        t, cpu = time.perf_counter(), time.process_time()
        # As the committee's runs do it: with "why not?" for everyone who did not get their best fit.
        result = engine.propose(
            pool_e,
            pool_m,
            rules=rules,
            questions=QUESTIONS,
            candidates_per_mentee=candidates,
            keep_candidates=True,
            why_not=True,
        )
        total_seconds, cpu_seconds = time.perf_counter() - t, time.process_time() - cpu
        load = os.getloadavg()[0]
        peak = _maxrss_mb()
        greedy, greedy_matched = greedy_total(result.candidates, pool_m)
        stats = result.stats
        out = {
            "mentees": mentees,
            "mentors": mentors,
            "seed": seed,
            "scope": scope,
            "policy": policy,
            **shape,
            "seats": sum(m.capacity for m in pool_m),
            "encode_seconds": stats["encode_seconds"],
            "score_seconds": stats["score_seconds"],
            "solve_seconds": stats["solve_seconds"],
            # The parts are scored and solved side by side: score and solve above are added up
            # over the parts; this is the wall-clock time of both, on part_workers threads.
            "parts_seconds": stats["parts_seconds"],
            "part_workers": stats["part_workers"],
            "finish_seconds": stats["finish_seconds"],
            # The proposals with their reasons and words; then "why not?" (a shortest-path search
            # per mentor wanted, on the run's residual graph), which the committee's runs add.
            "run_seconds": round(total_seconds - stats["why_not_seconds"], 3),
            "why_not_seconds": stats["why_not_seconds"],
            "why_not_lines": sum(p.why_not is not None for p in result.proposals)
            + sum(u.why_not is not None for u in result.unmatched),
            "tie_swaps": stats["tie_swaps"],
            "total_seconds": round(total_seconds, 3),
            # CPU of all our threads (BLAS uses two): read with the load, on a shared machine.
            "cpu_seconds": round(cpu_seconds, 3),
            "load_average_1min": round(load, 2),
            "solver_import_seconds": round(import_seconds, 3),
            "build_pool_seconds": round(build_seconds, 3),
            "peak_mb": round(peak, 1),
            "peak_mb_source": "resource.getrusage(RUSAGE_SELF).ru_maxrss: whole process, includes the pool",
            # A large run of several parts solves them (and "why not?") in child processes
            # (matching/solver_process.py): their largest peak, beside this process's.
            "solver_process": stats["solver_process"],
            "solver_process_peak_mb": stats["solver_process_peak_mb"],
            "rss_before_run_mb": round(rss_before, 1),
            "pairs_scored": stats["pairs_scored"],
            "candidate_edges": stats["candidate_edges"],
            "parts": stats["parts"],
            "solver": stats["solver"],
            "total_score": round(result.total_score, 4),
            "greedy_total_score": round(greedy, 4),
            "greedy_matched": greedy_matched,
            "matched": len(result.proposals),
            "unmatched": len(result.unmatched),
            "unmatched_reasons": {r: sum(1 for u in result.unmatched if u.reason == r) for r in engine.REASONS},
            "repaired": stats["repaired"],
            "priced_in": stats["priced_in"],
            # Solves of the parts, and those spared: the pairs the pricing brought in left the
            # solution optimal, as new prices proved.
            "solves": stats["solves"],
            "solves_spared": stats["solves_spared"],
            "verify_problems": len(engine.verify(result, pool_e, pool_m, rules=rules)),
        }
        if not options["no_dense"]:
            out["dense_check"] = dense_check(dense_mentees, dense_mentors, seed, scope, candidates)
        self.stdout.write(json.dumps(out))


def _maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
