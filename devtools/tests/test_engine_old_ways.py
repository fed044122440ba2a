"""The matching engine's profiles, one-hot matrices and breakdowns, made at once for a whole run,
against the old ways (kept here as the reference) on the benchmark's seeded pools. Here, not in
matching/tests, because it reads devtools' pool builder (matching may not import devtools)."""

from dataclasses import replace

import numpy as np
import pytest

from devtools.management.commands.bench_matching import QUESTIONS, synthetic_pool
from matching import engine
from matching.engine import propose


class _OldBreakdown(engine._Breakdown):
    def __call__(self, mentee, mentor, pe, pm):
        applies = engine._preference_applies(mentee, mentor)
        keyed = []
        for position, c in self.criteria:
            kind = c.kind
            if kind == "preference":
                if applies:
                    got = c.top if engine._prefers(mentee, mentor) else 0.0
                    facts = engine._preference_facts(mentee, mentor)
                    row = {"key": c.key, "points": got, "max": c.top, "blank": "", "facts": facts}
                    keyed.append((engine._sort_key(got, c.top, position), row))
                continue
            if kind == "topics":
                order, a, b = mentee.topics, pe.topics, pm.topics
            else:
                order = mentee.languages if c.key == "languages" else None
                a, b = pe.values[c.key], pm.values[c.key]
            cache_key = (position, applies, order, a, b)
            found = self.cache.get(cache_key)
            if found is None:
                found = engine._row(c, applies, position, tuple(order or ()) if order else None, a, b)
                self.cache[cache_key] = found
            keyed.append(found)
        keyed.sort(key=lambda k: k[0])
        return [row for _, row in keyed]


def _old_one_hot(*sides):
    vocab, codes_of = engine._Vocab(), {}
    coords = []
    for sets in sides:
        rows, cols = [], []
        for i, values in enumerate(sets):
            codes = codes_of.get(values)
            if codes is None:
                codes = codes_of[values] = [vocab.code(v) for v in sorted(values)]
            rows.extend([i] * len(codes))
            cols.extend(codes)
        coords.append((len(sets), rows, cols))
    out = []
    for n, rows, cols in coords:
        matrix = np.zeros((n, max(1, len(vocab))))
        matrix[rows, cols] = 1.0
        out.append(matrix)
    return out


@pytest.mark.parametrize("seed", range(1, 9))
def test_profiles_one_hot_and_breakdowns_are_the_old_ones_on_seeded_pools(seed):
    es, ms, rules, _ = synthetic_pool(300, 120, seed)
    rng = np.random.default_rng(seed)
    # Odd answers too: numbers as the question's id, numbers as text, lists, missing, huge.
    odd = [{}, {1: "Yes", 2: ["b", "A"], 3: "4"}, {"1": ["x", "y"], "3": 10**400}, {"3": 2.7, "1": None}]
    odd += [{"3": 0}, {"3": -2, "2": "a"}, {"3": 9, "1": ""}]
    es = [replace(e, answers=odd[k % len(odd)]) if k % 5 == 0 else e for k, e in enumerate(es)]
    # Mentors who asked for mentees too (some of whom asked for them).
    ms = [
        replace(m, ranked=tuple(int(u) for u in rng.choice([e.user_id for e in es], 3))) if k % 4 == 0 else m
        for k, m in enumerate(ms)
    ]
    asked = {u: m.user_id for m in ms for u in m.ranked}
    es = [
        replace(e, ranked=(*e.ranked, asked[e.user_id])) if e.user_id in asked and k % 2 else e
        for k, e in enumerate(es)
    ]
    weights = {"preference": float(seed % 3), "topics": 1.0 + seed}
    criteria = engine._criteria(weights, QUESTIONS)
    profile = engine._profiler(criteria)
    for member in es + ms:
        old, new = engine._profile(member, criteria), profile(member)
        assert repr(old) == repr(new)
    sides = [[engine._profile(m, criteria).topics for m in side] for side in (ms, es)]
    for old, new in zip(_old_one_hot(*sides), engine._one_hot(*sides), strict=True):
        assert old.shape == new.shape and (old == new).all()
    pe, pm = [engine._profile(m, criteria) for m in es], [engine._profile(m, criteria) for m in ms]
    old, new = _OldBreakdown(criteria), engine._Breakdown(criteria)
    picked = zip(rng.integers(0, len(es), 3000), rng.integers(0, len(ms), 3000), strict=True)
    pairs = [(int(i), int(j)) for i, j in picked]
    pairs += [(i, j) for i, e in enumerate(es) for j, m in enumerate(ms) if engine._prefers(e, m)]
    asks = {(ms[j].user_id in es[i].ranked, es[i].user_id in ms[j].ranked, bool(es[i].ranked)) for i, j in pairs}
    assert len(asks) == 6  # each way of asking (or not), with the mentee asking elsewhere or not
    for i, j in pairs:
        rows_old, rows_new = old(es[i], ms[j], pe[i], pm[j]), new(es[i], ms[j], pe[i], pm[j])
        assert repr(rows_old) == repr(rows_new)
        assert engine._explain(rows_old) == engine._explain(rows_new)
    # Many pairs at once, with and without languages too common to be a strength.
    common = engine._common_languages(pe + pm)
    assert common
    for speak in (common, frozenset()):
        lists, summaries = engine._Breakdown(criteria).many(
            [es[i] for i, _ in pairs],
            [ms[j] for _, j in pairs],
            [pe[i] for i, _ in pairs],
            [pm[j] for _, j in pairs],
            speak,
        )
        for (i, j), rows, summary in zip(pairs, lists, summaries, strict=True):
            rows_old = old(es[i], ms[j], pe[i], pm[j])
            assert repr(rows) == repr(rows_old)
            assert summary == engine._explain(rows_old, speak)
    # And through the whole run.
    result = propose(es, ms, rules=rules, weights=weights, questions=QUESTIONS)
    by_e, by_m = {m.id: k for k, m in enumerate(es)}, {m.id: k for k, m in enumerate(ms)}
    for p in result.proposals:
        i, j = by_e[p.mentee_id], by_m[p.mentor_id]
        assert repr(p.breakdown) == repr(old(es[i], ms[j], pe[i], pm[j]))
        assert p.summary == engine._explain(p.breakdown, common)
