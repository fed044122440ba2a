"""The matching engine: hard rules, each score criterion, the words, both policies, and a
property test against an independent exact solver. Pure Python: no database."""

import itertools
import math
from dataclasses import replace
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from matching import engine, words
from matching.engine import Member, QuestionSpec, Result, Rules, pair_problems, propose, verify
from matching.views import shown_score

ASSOCIATION = Rules(scope="association")
REGION = Rules(scope="region")
_ids = itertools.count(1)


def mentee(**fields):
    n = next(_ids)
    return Member(**{"id": n, "user_id": 1000 + n, "association_id": 1, "region_id": 1, **fields})


mentor = mentee  # the same application fields; the side is where it is passed


def only(criterion, weight=1.0):
    """Weights that score one criterion alone, so the score is 100 x its similarity."""
    return {key: (weight if key == criterion else 0.0) for key in engine.DEFAULT_WEIGHTS}


def score(e, m, criterion):
    return score_pair(e, m, weights=only(criterion))[0]


def pairs(result):
    return {(p.mentee_id, p.mentor_id) for p in result.proposals}


# --- Hard constraints ---------------------------------------------------------------------------


def test_association_scope_pairs_only_within_one_association():
    e = mentee(association_id=1)
    near, far = mentor(association_id=1, topics=("x",)), mentor(association_id=2, topics=("x",), years=20)
    assert pairs(propose([e], [far, near], rules=ASSOCIATION)) == {(e.id, near.id)}
    assert propose([e], [far], rules=ASSOCIATION).unmatched[0].reason == "no_eligible_mentor"


def test_region_scope_needs_same_region_and_another_association():
    e = mentee(association_id=1, region_id=1)
    same_association = mentor(association_id=1, region_id=1, years=20)
    other_region = mentor(association_id=3, region_id=2, years=20)
    right = mentor(association_id=2, region_id=1)
    result = propose([e], [same_association, other_region, right], rules=REGION)
    assert pairs(result) == {(e.id, right.id)}
    assert propose([e], [same_association, other_region], rules=REGION).proposals == []


def test_region_scope_blocks_per_association_inside_one_region():
    # Sorted blocks: several associations on both sides of one region.
    es = [mentee(association_id=a, region_id=1) for a in (1, 2, 3, 1, 2)]
    ms = [mentor(association_id=a, region_id=1, capacity=3) for a in (3, 1, 2)]
    s = engine.score_matrix(es, ms, rules=REGION)
    for i, e in enumerate(es):
        for j, m in enumerate(ms):
            assert np.isfinite(s[i, j]) == (e.association_id != m.association_id)
    assert verify(propose(es, ms, rules=REGION), es, ms, rules=REGION) == []


def test_same_person_is_never_their_own_mentor():
    e = mentee(user_id=77)
    twin = mentor(user_id=77, years=30)
    other = mentor()
    assert pairs(propose([e], [twin, other], rules=ASSOCIATION)) == {(e.id, other.id)}


def test_same_employer_is_blocked_ignoring_case_and_spaces():
    e = mentee(employer="Acme  Mutual")
    colleague = mentor(employer=" acme mutual", years=30)
    assert propose([e], [colleague], rules=ASSOCIATION).proposals == []
    allowed = replace(ASSOCIATION, allow_same_employer=True)
    assert pairs(propose([e], [colleague], rules=allowed)) == {(e.id, colleague.id)}


def test_empty_employer_never_conflicts():
    e, m = mentee(employer=""), mentor(employer="")
    assert pairs(propose([e], [m], rules=ASSOCIATION)) == {(e.id, m.id)}


def test_dissolved_pair_is_not_proposed_again():
    e, m = mentee(), mentor()
    rules = replace(ASSOCIATION, forbidden=frozenset({(e.user_id, m.user_id)}))
    assert propose([e], [m], rules=rules).proposals == []
    # Only that direction: the same people the other way round are a different pair.
    assert pairs(propose([e], [m], rules=replace(ASSOCIATION, forbidden=frozenset({(m.user_id, e.user_id)}))))


@pytest.mark.parametrize("side", ["mentee", "mentor"])
def test_avoid_on_either_side_blocks_the_pair(side):
    e, m = mentee(), mentor()
    if side == "mentee":
        e = replace(e, avoid=frozenset({m.user_id}))
    else:
        m = replace(m, avoid=frozenset({e.user_id}))
    assert propose([e], [m], rules=ASSOCIATION).proposals == []


def test_mentor_capacity_is_respected():
    es = [mentee(topics=("x",)) for _ in range(3)]
    m = mentor(topics=("x",), capacity=2)
    result = propose(es, [m], rules=ASSOCIATION)
    assert len(result.proposals) == 2
    assert [u.reason for u in result.unmatched] == ["capacity_exhausted"]


def test_full_mentor_gets_nobody():
    e = mentee()
    assert propose([e], [mentor(capacity=0)], rules=ASSOCIATION).proposals == []


def test_each_mentee_gets_at_most_one_mentor():
    e = mentee(topics=("x",))
    ms = [mentor(topics=("x",), capacity=3) for _ in range(3)]
    result = propose([e], ms, rules=ASSOCIATION)
    assert len(result.proposals) == 1


# --- Each score criterion -----------------------------------------------------------------------


def test_topics_score_the_share_of_the_mentee_goals_covered():
    e = mentee(topics=("leadership", "claims", "sales", "underwriting"))
    assert score(e, mentor(topics=("claims", "Sales ", "leadership", "other")), "topics") == pytest.approx(75, abs=1e-3)
    assert score(e, mentor(topics=("other",)), "topics") == 0
    assert score(e, mentor(topics=()), "topics") == 0  # the mentor said nothing: nothing in common


def test_modes_and_availability_score_the_share_of_the_mentee_wishes():
    e = mentee(modes=("video", "phone"), availability=("weekends", "weekday_evenings", "weekday_mornings"))
    m = mentor(modes=("video", "in_person"), availability=("weekends",))
    assert score(e, m, "modes") == 50
    assert score(e, m, "availability") == pytest.approx(100 / 3, abs=1e-3)
    assert score(e, mentor(modes=("in_person",)), "modes") == 0


def test_frequency_scores_closeness_of_rhythm():
    e = mentee(frequency="weekly")
    assert score(e, mentor(frequency="weekly"), "frequency") == 100
    assert score(e, mentor(frequency="monthly"), "frequency") == pytest.approx(100 / 3, abs=1e-3)
    assert score(e, mentor(frequency="quarterly"), "frequency") == 0
    assert score(e, mentor(frequency=""), "frequency") == 0


def test_languages_score_one_if_any_is_shared():
    e = mentee(languages=("Spanish", "English"))
    assert score(e, mentor(languages=("spanish",)), "languages") == 100
    assert score(e, mentor(languages=("French",)), "languages") == 0


@pytest.mark.parametrize(
    ("mentee_years", "mentor_years", "expected"),
    [(10, 9, 0), (2, 2, 10), (2, 5, 60), (2, 6, 80), (2, 7, 100), (2, 22, 100), (0, 30, 75), (0, 60, 50)],
)
def test_experience_prefers_a_clear_but_not_huge_gap(mentee_years, mentor_years, expected):
    e, m = mentee(years=mentee_years), mentor(years=mentor_years)
    assert score(e, m, "experience") == pytest.approx(expected, abs=1e-3)


def test_preference_counts_when_either_side_asked():
    e, m = mentee(), mentor()
    assert score(e, m, "preference") == 0
    assert score(replace(e, ranked=(m.user_id,)), m, "preference") == 100
    assert score(e, replace(m, ranked=(e.user_id,)), "preference") == 100


def rows_by_key(rows):
    return {r["key"]: r for r in rows}


def score_pair(e, m, **kwargs):
    """engine.score_pair, with its rows and sentence worded as the pages word them (matching.words)."""
    s, rows, summary = engine.score_pair(e, m, **kwargs)
    return s, words.rows(rows), words.sentence(rows, summary)


def explanation(p):
    return words.sentence(p.breakdown, p.summary)


def test_program_questions_single_multiple_scale_and_missing():
    questions = [
        QuestionSpec("1", "single", 1.0, "Which line of business?"),
        QuestionSpec("2", "multiple", 1.0, "Which regions?"),
        QuestionSpec("3", "scale", 1.0, "How formal?"),
        QuestionSpec("4", "text", 5.0, "Anything else?"),  # never scored, not in the total either
    ]
    none = only("topics", 0.0)
    e = mentee(answers={"1": "Yes", "2": ["a", "b"], "3": 2, "4": "hello"}, years=None)
    m = mentor(answers={"1": "yes", "2": ["b", "c"], "3": 5, "4": "hello"}, years=None)
    s, rows, _ = score_pair(e, m, weights=none, questions=questions)
    by_key = rows_by_key(rows)
    assert set(by_key) == {"question:1", "question:2", "question:3"}
    assert [by_key[f"question:{k}"]["label"] for k in "123"] == [
        "Which line of business?",
        "Which regions?",
        "How formal?",
    ]
    fractions = {k: r["points"] / r["max"] for k, r in by_key.items()}
    assert fractions == pytest.approx({"question:1": 1.0, "question:2": 1 / 3, "question:3": 0.25}, abs=1e-4)
    assert s == pytest.approx((1 + 1 / 3 + 0.25) / 3 * 100, abs=1e-3)
    assert by_key["question:2"]["detail"] == "1 of 3 answers in common: b"
    blank_rows = score_pair(e, mentor(answers={}, years=None), weights=none, questions=questions)[1]
    assert score_pair(e, mentor(answers={}, years=None), weights=none, questions=questions)[0] == 0
    assert {r["blank"] for r in blank_rows} == {"mentor"}
    assert {r["detail"] for r in blank_rows} == {"the mentor did not answer"}


def test_score_is_the_weighted_mean_on_a_0_to_100_scale():
    e = mentee(topics=("a", "b"), modes=("video",), languages=("en",), years=1, frequency="monthly")
    m = mentor(topics=("a",), modes=("video",), languages=("fr",), years=8, frequency="monthly")
    s, rows, _ = score_pair(e, m)
    w = {k: v for k, v in engine.DEFAULT_WEIGHTS.items() if k not in ("preference", "availability")}
    share = {r["key"]: r["points"] / r["max"] for r in rows}
    assert set(share) == set(w) | {"availability"}  # not preference: nobody named anyone
    expected = sum(w[k] * share[k] for k in w) / (sum(w.values()) + engine.DEFAULT_WEIGHTS["availability"]) * 100
    assert share == pytest.approx(
        {"topics": 0.5, "modes": 1, "availability": 0, "frequency": 1, "languages": 0, "experience": 1}, abs=1e-5
    )
    assert s == pytest.approx(expected, abs=1e-3) and s == sum(r["points"] for r in rows)


def perfect_pair(**extra):
    both = {
        "topics": ("leadership", "claims"),
        "modes": ("video",),
        "availability": ("weekends",),
        "frequency": "monthly",
        "languages": ("English",),
        "answers": {"1": "yes"},
    }
    return mentee(**both, years=2, **extra), mentor(**both, years=12)


def test_100_is_the_best_fit_the_weights_allow():
    questions = [QuestionSpec("1", "single", 2.0, "Same line of business?")]
    e, m = perfect_pair()
    assert score_pair(e, m, questions=questions)[0] == pytest.approx(100, abs=1e-3)  # nobody named anyone
    # On the page too: whole points rounded down, the fixed-point rounding aside.
    for weights in ({"topics": 3.3, "modes": 1.7, "languages": 0.9}, None, {"experience": 7.0, "frequency": 0.1}):
        score_, rows, _ = score_pair(e, m, weights=weights, questions=questions)
        assert shown_score(score_) == 100
        assert [p for p, _ in engine.whole_points(rows, 100)] == [t for _, t in engine.whole_points(rows, 100)]
    named = replace(e, ranked=(m.user_id,))
    assert score_pair(named, m, questions=questions)[0] == pytest.approx(100, abs=1e-3)
    # The mentee asked for someone else: the preference counts, and this pair does not have it.
    elsewhere = replace(e, ranked=(999_999,))
    s, rows, _ = score_pair(elsewhere, m, questions=questions)
    pref = rows_by_key(rows)["preference"]
    assert pref["points"] == 0 and pref["detail"] == "the mentee asked for someone else"
    assert s == pytest.approx(100 - pref["max"], abs=1e-3) and rows[-1] is pref  # the weakest point


def test_an_empty_answer_earns_nothing():
    blank_e, blank_m = mentee(years=None), mentor(years=None)
    s, rows, text = score_pair(blank_e, blank_m)
    assert s == 0 and {r["blank"] for r in rows} == {"both"}
    assert text.startswith("No strong point.")
    # Leaving goal areas blank is never better than goal areas nobody shares.
    blank_topics = mentee(topics=(), languages=("English",))
    other_topics = mentee(topics=("sales",), languages=("English",))
    m = mentor(topics=("claims",), languages=("English",))
    assert score_pair(blank_topics, m)[0] <= score_pair(other_topics, m)[0]
    topics = rows_by_key(score_pair(blank_topics, m)[1])["topics"]
    assert (topics["blank"], topics["detail"]) == ("mentee", "the mentee did not name any goal area")


def test_weights_change_the_choice():
    e = mentee(topics=("a",), languages=("es",))
    knows_topic = mentor(topics=("a",), languages=("en",))
    speaks = mentor(topics=("b",), languages=("es",))
    assert pairs(propose([e], [knows_topic, speaks], rules=ASSOCIATION)) == {(e.id, knows_topic.id)}
    heavy_language = {**engine.DEFAULT_WEIGHTS, "languages": 10.0}
    assert pairs(propose([e], [knows_topic, speaks], rules=ASSOCIATION, weights=heavy_language)) == {(e.id, speaks.id)}


def test_unknown_weight_scope_or_policy_is_refused():
    with pytest.raises(ValueError, match="criterion"):
        score_pair(mentee(), mentor(), weights={"charm": 1})
    with pytest.raises(ValueError, match="from 0 up"):
        score_pair(mentee(), mentor(), weights={"topics": -1})
    with pytest.raises(ValueError, match="scope"):
        propose([], [], rules=Rules(scope="country"))
    with pytest.raises(ValueError, match="policy"):
        propose([], [], rules=Rules(scope="region", policy="fastest"))


# --- The words ----------------------------------------------------------------------------------


def test_explanation_reads_as_one_sentence_with_the_notable_parts():
    e = mentee(
        topics=("leadership", "claims", "sales", "underwriting"),
        modes=("video",),
        availability=("weekday_evenings",),
        languages=("Spanish",),
        frequency="weekly",
        years=2,
    )
    m = mentor(
        topics=("leadership", "claims", "sales"),
        modes=("video", "phone"),
        availability=("weekday_evenings", "weekends"),
        languages=("Spanish", "English"),
        frequency="quarterly",
        years=14,
    )
    score_, rows, text = score_pair(e, m)
    assert text == (
        "Strengths: a language in common (both speak Spanish); ways to meet (both prefer video calls); "
        "free at the same times (both free on weekday evenings). "
        "Weakest point: how often to meet (weekly for the mentee, quarterly for the mentor)."
    )
    assert [r["key"] for r in rows] == ["languages", "modes", "availability", "experience", "topics", "frequency"]
    assert rows_by_key(rows)["topics"]["detail"] == "3 of 4 shared: leadership, claims, sales"
    assert rows_by_key(rows)["experience"]["detail"] == "14 years for the mentor, 2 for the mentee"


def test_explanation_warns_about_what_does_not_fit():
    e = mentee(modes=("in_person",), availability=("weekends",), years=10, ranked=())
    m = mentor(modes=("video",), availability=("weekday_mornings",), years=4, ranked=(e.user_id,))
    rows = rows_by_key(score_pair(e, m)[1])
    assert rows["modes"]["detail"] == "no way to meet suits both"
    assert rows["availability"]["detail"] == "no free time in common"
    assert rows["experience"]["detail"] == "the mentor has fewer years: 4 years for the mentor, 10 for the mentee"
    assert rows["preference"]["detail"] == "the mentor asked for this mentee"
    assert score_pair(mentee(years=4), mentor(years=5))[2].endswith(
        "Weakest point: goal areas (neither named any goal area)."
    )


def test_explanation_skips_a_language_nearly_everyone_speaks():
    es = [mentee(languages=("English",), years=1) for _ in range(9)] + [
        mentee(languages=("English", "Tagalog"), years=1)
    ]
    ms = [mentor(languages=("English", "Tagalog"), capacity=10, years=9)]
    texts = {p.mentee_id: explanation(p) for p in propose(es, ms, rules=ASSOCIATION).proposals}
    assert "both speak English)" not in texts[es[0].id]
    assert "a language in common (both speak English and Tagalog)" in texts[es[-1].id]


def test_pair_problems_name_every_broken_rule():
    e = mentee(association_id=1, employer="Acme", avoid=frozenset({5001}))
    m = mentor(association_id=2, user_id=5001, employer="ACME", capacity=0, avoid=frozenset({e.user_id}))
    rules = replace(ASSOCIATION, forbidden=frozenset({(e.user_id, m.user_id)}))
    assert pair_problems(e, m, rules=rules) == [
        "They belong to different local associations; this program pairs members of the same one.",
        "Both work for Acme; this program keeps colleagues apart.",
        "They were partners before and that partnership was dissolved.",
        "The mentee asked not to be paired with this mentor.",
        "The mentor asked not to be paired with this mentee.",
        "The mentor has no free place.",
    ]
    assert pair_problems(mentee(), mentor(), rules=ASSOCIATION) == []
    assert pair_problems(mentee(user_id=9), mentor(user_id=9), rules=ASSOCIATION) == [
        "This is the same person on both sides."
    ]
    assert pair_problems(mentee(association_id=1), mentor(association_id=1), rules=REGION) == [
        "They belong to the same local association; this program pairs people from different associations."
    ]


def test_verify_catches_a_broken_result():
    es = [mentee(), mentee(employer="Acme")]
    ms = [mentor(capacity=1, employer="acme")]
    good = propose(es, ms, rules=ASSOCIATION)
    assert verify(good, es, ms, rules=ASSOCIATION) == []
    broken = Result(
        proposals=[
            engine.Proposal(es[0].id, ms[0].id, 50.0, {}, ""),
            engine.Proposal(es[1].id, ms[0].id, 50.0, {}, ""),
            engine.Proposal(es[1].id, ms[0].id, 50.0, {}, ""),
        ],
        unmatched=[],
        total_score=150.0,
        stats={},
    )
    problems = verify(broken, es, ms, rules=ASSOCIATION)
    assert f"Mentee application {es[1].id} has more than one mentor." in problems
    assert f"Mentor application {ms[0].id} has 3 mentees for 1 free places." in problems
    assert any("Both work for Acme" in p for p in problems)
    missing = Result(proposals=[], unmatched=[], total_score=0.0, stats={})
    assert verify(missing, es, ms, rules=ASSOCIATION) == ["Some mentees are neither proposed nor listed as unmatched."]


# --- Policies, priority, reasons, progress --------------------------------------------------------


def test_most_matched_matches_more_people_at_a_lower_total():
    a = mentee(topics=("x", "y"), modes=("video",), years=1, languages=("en",))
    b = mentee(topics=("z",), modes=("phone",), years=30, languages=("fr",))
    star = mentor(topics=("x", "y", "z"), modes=("video", "phone"), years=20, languages=("en", "fr"))
    weak = mentor(topics=("q",), modes=("in_person",), years=0, languages=("de",), avoid=frozenset({b.user_id}))
    weights = {**engine.DEFAULT_WEIGHTS, "topics": 20.0}
    best = propose([a, b], [star, weak], rules=ASSOCIATION, weights=weights)
    most = propose([a, b], [star, weak], rules=replace(ASSOCIATION, policy="most_matched"), weights=weights)
    # Either way b can only have the star. best_total gives a the star; most_matched moves a.
    assert pairs(best) == {(a.id, star.id)}
    assert pairs(most) == {(a.id, weak.id), (b.id, star.id)}
    assert most.total_score < best.total_score
    assert [u.mentee_id for u in best.unmatched] == [b.id]


def test_priority_mentees_come_first():
    strong = mentee(topics=("x",), years=1)
    returning = mentee(topics=("y",), years=1, priority=True)
    m = mentor(topics=("x",), years=10)
    result = propose([strong, returning], [m, mentor(topics=("x",), years=10, capacity=0)], rules=ASSOCIATION)
    assert pairs(result) == {(returning.id, m.id)}
    both = propose([strong, returning], [m, mentor(topics=("x",), years=10)], rules=ASSOCIATION)
    assert both.proposals[0].mentee_id == returning.id and both.proposals[0].priority
    assert both.proposals[0].score < both.proposals[1].score


def test_priority_first_under_most_matched_too():
    returning = mentee(priority=True)
    others = [mentee(topics=("x",)) for _ in range(2)]
    m = mentor(topics=("x",), capacity=2)
    result = propose(others + [returning], [m], rules=replace(ASSOCIATION, policy="most_matched"))
    assert returning.id in {p.mentee_id for p in result.proposals}


def test_unmatched_reasons_and_kind_words():
    alone = mentee(association_id=9)
    colleague = mentee(association_id=2, employer="Acme")
    waiting = [mentee(association_id=3) for _ in range(3)]
    ms = [mentor(association_id=2, employer="acme"), mentor(association_id=3, capacity=2)]
    result = propose([alone, colleague, *waiting], ms, rules=ASSOCIATION)
    why = {u.mentee_id: u for u in result.unmatched}
    text = {u.mentee_id: words.unmatched_text(words.unmatched_entry(u)) for u in result.unmatched}
    assert why[alone.id].reason == "no_eligible_mentor" and "No mentor is available" in text[alone.id]
    assert why[colleague.id].reason == "no_eligible_mentor" and "ruled out" in text[colleague.id]
    exhausted = [u for u in result.unmatched if u.mentee_id in {w.id for w in waiting}]
    assert [u.reason for u in exhausted] == ["capacity_exhausted"]
    assert text[exhausted[0].mentee_id].startswith("The one mentor the program rules allow for them is already full;")
    assert exhausted[0].eligible_mentors == 1


def test_free_seats_hidden_by_pruning_are_priced_in_filled_or_explained(monkeypatch):
    """With one candidate per mentee and no mentor-side picks, b's only candidate is taken
    while another mentor still has room. A pair there that adds points is priced into the run
    (the optimum needs it); one that adds nothing is filled by the repair, or the reason says so."""
    monkeypatch.setattr(engine, "MENTOR_CANDIDATES", 0)
    a, b = mentee(topics=("x",)), mentee(topics=("x", "z"))  # a fits better
    best, spare = mentor(topics=("x",)), mentor(topics=("y",))
    priced = propose([a, b], [best, spare], rules=ASSOCIATION, candidates_per_mentee=1, fill_free_seats=False)
    assert pairs(priced) == {(a.id, best.id), (b.id, spare.id)}
    assert priced.stats["priced_in"] >= 1 and priced.stats["repaired"] == 0
    # Goal areas alone: b with the spare mentor scores nothing, so the total does not need it.
    kept = propose(
        [a, b], [best, spare], rules=ASSOCIATION, weights=only("topics"), candidates_per_mentee=1, fill_free_seats=False
    )
    assert [(u.reason, u.mentee_id) for u in kept.unmatched] == [("lower_total", b.id)]
    assert "free place" in words.unmatched_text(words.unmatched_entry(kept.unmatched[0]))
    filled = propose([a, b], [best, spare], rules=ASSOCIATION, weights=only("topics"), candidates_per_mentee=1)
    assert pairs(filled) == {(a.id, best.id), (b.id, spare.id)} and filled.stats["repaired"] == 1


def test_a_free_place_filled_by_the_repair_is_not_given_as_free_to_the_next(monkeypatch):
    """Two mentees who could only have the same last free place: the repair gives it to one, and
    the other is told every allowed mentor is full, not that a place was left."""
    monkeypatch.setattr(engine, "MENTOR_CANDIDATES", 0)
    a, b, c = mentee(topics=("x",)), mentee(topics=("x", "z")), mentee(topics=("x", "z"))
    best, spare = mentor(topics=("x",)), mentor(topics=("y",))
    result = propose([a, b, c], [best, spare], rules=ASSOCIATION, weights=only("topics"), candidates_per_mentee=1)
    assert result.stats["repaired"] == 1 and len(result.proposals) == 2
    assert [u.reason for u in result.unmatched] == ["capacity_exhausted"]


def test_a_mentor_someone_asked_for_is_always_a_candidate(monkeypatch):
    """Even outside the mentee's top picks, and even when the preference weight is 0."""
    monkeypatch.setattr(engine, "MENTOR_CANDIDATES", 0)
    a = mentee(topics=("x",))
    best, asked = mentor(topics=("x",)), mentor(topics=("y",))
    b = mentee(topics=("x", "z"), ranked=(asked.user_id,))
    weights = {**engine.DEFAULT_WEIGHTS, "preference": 0.0}
    result = propose(
        [a, b], [best, asked], rules=ASSOCIATION, weights=weights, candidates_per_mentee=1, fill_free_seats=False
    )
    assert pairs(result) == {(a.id, best.id), (b.id, asked.id)}


def test_progress_is_reported_up_to_one():
    seen = []
    es = [mentee(topics=("x",), association_id=k % 3) for k in range(30)]
    ms = [mentor(topics=("x",), association_id=k % 3) for k in range(12)]
    propose(es, ms, rules=ASSOCIATION, progress=seen.append)
    assert len(seen) >= 3 and seen[-1] == 1.0 and seen == sorted(seen)


def test_result_shape_for_the_queue():
    es = [mentee(topics=("x",), years=1), mentee(topics=("y",), years=1)]
    ms = [mentor(topics=("x", "y"), years=10, capacity=2)]
    questions = [QuestionSpec("7", "single", 1.0)]
    result = propose(es, ms, rules=ASSOCIATION, questions=questions)
    assert result.total_score == pytest.approx(sum(p.score for p in result.proposals))
    keys = {r["key"] for r in result.proposals[0].breakdown}
    assert keys == (set(engine.DEFAULT_WEIGHTS) - {"preference"}) | {"question:7"}
    assert result.stats["solver"] == "ortools" and result.stats["parts_solved"] == 1
    assert set(words.CRITERIA_LABELS) == set(words.CRITERIA_HELP) == set(engine.DEFAULT_WEIGHTS)


def test_scipy_fallback_finds_the_same_optimum():
    rng = np.random.default_rng(3)
    es = [mentee(topics=tuple(rng.choice(list("abcdef"), 2)), years=int(rng.integers(0, 10))) for _ in range(25)]
    ms = [
        mentor(topics=tuple(rng.choice(list("abcdef"), 3)), years=int(rng.integers(0, 30)), capacity=2)
        for _ in range(8)
    ]
    for policy in engine.POLICIES:
        rules = replace(ASSOCIATION, policy=policy)
        ortools = propose(es, ms, rules=rules)
        with mock.patch.object(engine, "_solver", lambda: ("scipy", engine._solve_scipy)):
            scipy = propose(es, ms, rules=rules)
        assert scipy.stats["solver"] == "scipy"
        assert scipy.total_score == ortools.total_score
        assert len(scipy.proposals) == len(ortools.proposals)


# --- Property: the optimum, checked by an independent exact solver --------------------------------

QUESTIONS = (QuestionSpec("1", "single", 1.0), QuestionSpec("2", "multiple", 0.5), QuestionSpec("3", "scale", 1.5))
tags = st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=3).map(tuple)


@st.composite
def members(draw, n, first_id, capacity):
    out = []
    for k in range(n):
        association = draw(st.integers(1, 3))
        answers = {}
        if draw(st.booleans()):
            answers["1"] = draw(st.sampled_from(["x", "y", "z"]))
        if draw(st.booleans()):
            answers["2"] = draw(st.lists(st.sampled_from(["p", "q", "r"]), max_size=3))
        if draw(st.booleans()):
            answers["3"] = draw(st.integers(1, 5))
        out.append(
            Member(
                id=first_id + k,
                user_id=first_id + k,
                association_id=association,
                region_id=1 if association < 3 else 2,
                employer=draw(st.sampled_from(["", "", "Acme", " acme", "Beta"])),
                topics=draw(tags),
                modes=draw(st.lists(st.sampled_from(["in_person", "video", "phone"]), max_size=3).map(tuple)),
                availability=draw(st.lists(st.sampled_from(["weekends", "weekday_evenings"]), max_size=2).map(tuple)),
                frequency=draw(st.sampled_from(engine.FREQUENCIES + ("",))),
                languages=draw(st.lists(st.sampled_from(["en", "es"]), max_size=2).map(tuple)),
                years=draw(st.integers(0, 40)),
                answers=answers,
                capacity=draw(st.integers(1, 3)) if capacity else 1,
                priority=draw(st.integers(0, 4)) == 0,
            )
        )
    return out


@st.composite
def pools(draw):
    es = draw(members(draw(st.integers(0, 8)), 1, capacity=False))
    ms = draw(members(draw(st.integers(0, 5)), 100, capacity=True))
    users_e, users_m = [e.user_id for e in es], [m.user_id for m in ms]
    if es and ms:
        # The same person on both sides, named preferences, people to avoid, dissolved pairs.
        if draw(st.booleans()):
            k = draw(st.integers(0, len(ms) - 1))
            ms[k] = replace(ms[k], user_id=draw(st.sampled_from(users_e)))
            users_m = [m.user_id for m in ms]
        es = [replace(e, ranked=tuple(draw(st.lists(st.sampled_from(users_m), max_size=2)))) for e in es]
        es = [replace(e, avoid=frozenset(draw(st.lists(st.sampled_from(users_m), max_size=3)))) for e in es]
        ms = [replace(m, ranked=tuple(draw(st.lists(st.sampled_from(users_e), max_size=1)))) for m in ms]
        pairs_ = st.tuples(st.sampled_from(users_e), st.sampled_from(users_m))
        forbidden = frozenset(draw(st.lists(pairs_, max_size=2)))
    else:
        forbidden = frozenset()
    # Lopsided weights (or a single criterion) make big score gaps and zero scores: that is
    # where priority and most_matched really trade matches against the total.
    if draw(st.booleans()):
        weights = {key: draw(st.sampled_from([0.0, 0.5, 1.0, 4.0, 20.0])) for key in engine.DEFAULT_WEIGHTS}
    else:
        weights = only(draw(st.sampled_from(sorted(engine.DEFAULT_WEIGHTS))))
    questions = tuple(replace(q, weight=draw(st.sampled_from([0.0, 1.0, 3.0]))) for q in QUESTIONS)
    rules = Rules(
        scope=draw(st.sampled_from(engine.SCOPES)),
        allow_same_employer=draw(st.booleans()),
        forbidden=forbidden,
        policy=draw(st.sampled_from(engine.POLICIES)),
    )
    return es, ms, rules, weights, questions


def exact_total(es, ms, rules, weights, questions):
    """The optimum by brute force (see lexicographic_best)."""
    return lexicographic_best(es, ms, rules, weights, questions)[2]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.booleans())
def test_propose_finds_the_exact_optimum(pool, use_scipy):
    es, ms, rules, weights, questions = pool
    solver = ("scipy", engine._solve_scipy) if use_scipy else engine._solver()
    with mock.patch.object(engine, "_solver", lambda: solver):
        result = propose(es, ms, rules=rules, weights=weights, questions=questions, candidates_per_mentee=10)
    assert verify(result, es, ms, rules=rules) == []
    optimum = exact_total(es, ms, rules, weights, questions)
    assert math.isclose(result.total_score, optimum, rel_tol=1e-6, abs_tol=1e-6)
    by_id = {m.id: m for m in es + ms}
    for p in result.proposals:
        e, m = by_id[p.mentee_id], by_id[p.mentor_id]
        assert (p.score, p.breakdown) == engine.score_pair(e, m, weights=weights, questions=questions)[:2]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.integers(1, 2))
def test_the_pairs_left_out_are_priced_until_the_run_is_the_optimum_of_the_whole_pool(pool, k):
    """One or two candidates per mentee and no mentor-side picks: the candidate graph misses
    pairs the optimum needs; pricing them with the solution's duals brings them in (the free
    seats' repair is off, so only the pricing can find them). Everyone in one association, so
    that the one part is big enough for the pruning to matter."""
    es, ms, rules, weights, questions = pool
    es = [replace(e, association_id=1, region_id=1) for e in es]
    ms = [replace(m, association_id=1, region_id=1) for m in ms]
    rules = replace(rules, scope="association")
    with mock.patch.object(engine, "MENTOR_CANDIDATES", 0):
        result = propose(
            es, ms, rules=rules, weights=weights, questions=questions, candidates_per_mentee=k, fill_free_seats=False
        )
    assert verify(result, es, ms, rules=rules) == []
    prio, count, total = lexicographic_best(es, ms, rules, weights, questions)
    by_id = {m.id: m for m in es}
    assert sum(by_id[p.mentee_id].priority for p in result.proposals) == prio
    if rules.policy == "most_matched":
        assert len(result.proposals) == count
    assert math.isclose(result.total_score, total, rel_tol=1e-9, abs_tol=1e-9)


def _mixed_pool(seed):
    """300 mentees and 120 mentors with 0 to 5 places, in three associations."""
    rng = np.random.default_rng(seed)
    topics = [f"t{k}" for k in range(12)]

    def person(k, capacity):
        return mentee(
            id=k,
            user_id=k,
            association_id=int(rng.integers(1, 4)),
            topics=tuple(rng.choice(topics, int(rng.integers(1, 5)), replace=False)),
            years=int(rng.integers(0, 30)),
            languages=("en",) if rng.random() < 0.8 else ("fr",),
            capacity=capacity,
            priority=bool(rng.random() < 0.05),
        )

    es = [person(k, 1) for k in range(1, 301)]
    ms = [person(1000 + k, int(rng.integers(0, 6))) for k in range(120)]
    return es, ms


def _dense_optimum(es, ms, rules):
    """(total, priority mentees matched) of the reference: every pair scored (score_matrix),
    every place a column, a 'nobody' column per mentee, priority worth more than any total."""
    s = engine.score_matrix(es, ms, rules=rules)
    seats = np.repeat(np.arange(len(ms)), [m.capacity for m in ms])
    priority = np.array([e.priority for e in es])
    weight = np.full((len(es), len(seats) + len(es)), 0.0)
    weight[:, : len(seats)] = np.where(np.isfinite(s[:, seats]), s[:, seats] + 1e5 * priority[:, None], -1e9)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    real = cols < len(seats)
    return s[rows[real], seats[cols[real]]].sum(), priority[rows[real]].sum()


@pytest.mark.parametrize("seed", range(4))
def test_rounds_that_find_many_pairs_bring_in_each_mentees_best_few_and_the_run_stays_the_optimum(seed, monkeypatch):
    """One candidate per mentee and no mentor-side picks: the pricing finds many pairs. When each
    round brings in only each mentee's most improving pair, the others are found again in later
    rounds until none can improve the run: more rounds, the same optimum as every pair and place."""
    monkeypatch.setattr(engine, "MENTOR_CANDIDATES", 0)
    es, ms = _mixed_pool(seed)
    rules = Rules(scope="association")
    whole = propose(es, ms, rules=rules, candidates_per_mentee=1, fill_free_seats=False)
    monkeypatch.setattr(engine, "PRICED_PER_MENTEE", 1)
    few = propose(es, ms, rules=rules, candidates_per_mentee=1, fill_free_seats=False)
    assert verify(few, es, ms, rules=rules) == []
    total, priorities = _dense_optimum(es, ms, rules)
    assert math.isclose(few.total_score, total, rel_tol=1e-9, abs_tol=1e-9)
    assert sum(p.priority for p in few.proposals) == priorities
    assert few.total_score == whole.total_score
    assert few.stats["priced_in"] < whole.stats["priced_in"] and few.stats["solves"] > whole.stats["solves"]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("row_groups", [engine.ROW_GROUPS, 2])
def test_the_run_is_the_optimum_of_a_pool_of_hundreds_with_mixed_places(seed, row_groups, monkeypatch):
    """300 mentees, 120 mentors with 0 to 5 places in a few associations, five candidates each:
    the same total as an assignment over every pair and every place (ratio 1 to 1e-9). With
    the columns in as few groups as the reserve allows, the floors under the candidates are read
    off their maxima (as they are in parts of thousands)."""
    monkeypatch.setattr(engine, "ROW_GROUPS", row_groups)
    es, ms = _mixed_pool(seed)
    rules = Rules(scope="association")
    result = propose(es, ms, rules=rules, candidates_per_mentee=5)
    assert verify(result, es, ms, rules=rules) == []
    total, priorities = _dense_optimum(es, ms, rules)
    assert sum(p.priority for p in result.proposals) == priorities
    assert abs(result.total_score / total - 1) < 1e-9
    assert result.stats["priced_in"] > 0  # five candidates were not enough: the pricing mattered


@pytest.mark.parametrize("seed", range(4))
def test_who_waits_is_told_their_best_mentor_and_how_many_the_rules_allow(seed):
    """Two candidates each (the best mentor is read from each mentee's reserve of best pairs),
    half the mentees and two mentors in three answering alike (ties beyond the reserve are
    scored): every mentee left
    waiting is told the best score the rules allow them, of mentors with places before the run,
    and how many mentors the rules allow, as scoring every pair says."""
    es, ms = _mixed_pool(seed)
    es = [replace(e, topics=("t1", "t2"), years=3, languages=("en",)) if k % 2 else e for k, e in enumerate(es)]
    ms = [replace(m, topics=("t1", "t2"), years=12, languages=("en",)) if k % 3 else m for k, m in enumerate(ms)]
    rules = Rules(scope="association")
    result = propose(es, ms, rules=rules, candidates_per_mentee=2, why_not=True)
    s = engine.score_matrix(es, ms, rules=rules)
    room = np.array([m.capacity > 0 for m in ms])
    row_of = {e.id: i for i, e in enumerate(es)}
    assert len(result.unmatched) > 10
    for u in result.unmatched:
        row = s[row_of[u.mentee_id]]
        assert u.eligible_mentors == np.isfinite(row).sum()
        if u.eligible_mentors:
            best = row[room].max() if np.isfinite(row[room]).any() else row.max()
            assert u.why_not.score == pytest.approx(float(best), abs=1e-4)
            mentor_of = {m.id: j for j, m in enumerate(ms)}
            assert row[mentor_of[u.why_not.mentor_id]] == best
        else:
            assert u.why_not is None


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("k", [1, 2])
@pytest.mark.parametrize("slack", [0, engine.SCALE // 2, 50 * engine.SCALE])
@pytest.mark.parametrize("partial_rows", [1, 8, engine.PARTIAL_ROWS])
def test_the_pricing_scores_pairs_again_when_the_prices_fell_too_far(seed, k, slack, partial_rows, monkeypatch):
    """No reserve beyond one or two candidates (every pair left out is bounded by the k-th best,
    so the pricing scores pairs again and keeps those within the margin), with margins from none
    to wide: a round that scores nothing again must be one the kept pairs prove, and a row
    whose prices fell far is scored again against the mentors that fell less than it alone,
    grouped with rows like it (one, eight, or as many as in the largest runs). The total is
    that of an assignment over every pair and every place."""
    monkeypatch.setattr(engine, "RESERVE", 1)
    monkeypatch.setattr(engine, "SLACK", slack)
    monkeypatch.setattr(engine, "PARTIAL_ROWS", partial_rows)
    es, ms = _mixed_pool(seed)
    rules = Rules(scope="association")
    result = propose(es, ms, rules=rules, candidates_per_mentee=k)
    assert verify(result, es, ms, rules=rules) == []
    assert abs(result.total_score / _dense_optimum(es, ms, rules)[0] - 1) < 1e-9


@settings(max_examples=100, deadline=None)
@given(pools(), st.booleans())
def test_vectorised_scores_equal_score_pair_to_the_last_bit(pool, pair_by_pair):
    es, ms, rules, weights, questions = pool
    # pair_by_pair: no lookup tables, every set criterion computed on the chunk instead.
    with mock.patch.object(engine, "TABLE_MAX", 0 if pair_by_pair else engine.TABLE_MAX):
        s = engine.score_matrix(es, ms, rules=rules, weights=weights, questions=questions)
    for i, e in enumerate(es):
        for j, m in enumerate(ms):
            if _rule_ok(e, m, rules):
                assert s[i, j] == engine.score_pair(e, m, weights=weights, questions=questions)[0]
            else:
                assert s[i, j] == -np.inf


def _rule_ok(e, m, rules):
    return not engine._rule_problems(e, m, rules)


@st.composite
def graphs(draw):
    n_e, n_m = draw(st.integers(1, 7)), draw(st.integers(1, 4))
    cells = [(i, j) for i in range(n_e) for j in range(n_m)]
    edges = sorted(draw(st.sets(st.sampled_from(cells), min_size=1)))
    units = [draw(st.sampled_from([0, 1, 7, 100, 1000, 6_553_600])) for _ in edges]
    capacity = [draw(st.integers(1, 3)) for _ in range(n_m)]
    priority = [draw(st.integers(0, 3)) == 0 for _ in range(n_e)]
    return n_e, n_m, capacity, edges, units, priority


@settings(max_examples=300, deadline=None)
@given(graphs(), st.sampled_from(engine.POLICIES), st.sampled_from(["ortools", "scipy"]))
def test_solvers_are_exact_on_random_graphs(graph, policy, solver):
    """Wide weight gaps make priority and most_matched really change the answer."""
    n_e, n_m, capacity, edges, units, priority = graph
    ei, mj = np.array([e for e, _ in edges]), np.array([m for _, m in edges])
    solve = engine._solve_ortools if solver == "ortools" else engine._solve_scipy
    chosen = solve(n_e, n_m, np.array(capacity), ei, mj, np.array(units, np.int64), np.array(priority), policy)
    assert np.bincount(ei[chosen], minlength=n_e).max() <= 1
    assert (np.bincount(mj[chosen], minlength=n_m) <= capacity).all()
    # The reference: every seat a column, a 'nobody' column per mentee, lexicographic bonuses.
    seats = [j for j in range(n_m) for _ in range(capacity[j])]
    big = 1e10
    weight = np.zeros((n_e, len(seats) + n_e))
    weight[:, : len(seats)] = -1e15
    for (i, j), u in zip(edges, units, strict=True):
        for s, owner in enumerate(seats):
            if owner == j:
                weight[i, s] = u + big * priority[i] + (big if policy == "most_matched" else 0)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    picked = [(r, seats[c]) for r, c in zip(rows, cols, strict=True) if c < len(seats)]
    unit_of = dict(zip(edges, units, strict=True))
    ours = [(int(i), int(j)) for i, j in zip(ei[chosen], mj[chosen], strict=True)]
    assert sum(unit_of[p] for p in ours) == sum(unit_of[p] for p in picked)
    assert sum(priority[i] for i, _ in ours) == sum(priority[i] for i, _ in picked)
    if policy == "most_matched":
        assert len(ours) == len(picked)


@pytest.mark.parametrize("solve", [engine._solve_ortools, engine._solve_scipy])
def test_most_matched_follows_a_long_exchange_chain(solve):
    """Three people can be matched only by moving two strong pairs to weak ones: the
    matching count must win over any score total, however long the chain."""
    # mentees A=0, B=1, C=2; mentors X=0, Y=1, Z=2. Strong: A-X, B-Y. Weak: C-X, A-Y, B-Z.
    ei, mj = np.array([0, 1, 2, 0, 1]), np.array([0, 1, 0, 1, 2])
    units = np.array([6_553_600, 6_553_600, 0, 0, 0], np.int64)
    capacity, priority = np.ones(3, np.int64), np.zeros(3, bool)
    most = solve(3, 3, capacity, ei, mj, units, priority, "most_matched")
    best = solve(3, 3, capacity, ei, mj, units, priority, "best_total")
    assert most.tolist() == [False, False, True, True, True]
    assert best.tolist()[:2] == [True, True] and units[best].sum() == 2 * 6_553_600


# --- Breakdowns, "why not?" and ties, against brute force ------------------------------------------


@settings(max_examples=400, deadline=None)
@given(pools())
def test_the_sentence_and_the_table_agree_and_the_points_add_up(pool):
    es, ms, rules, weights, questions = pool
    questions = tuple(replace(q, text=f"Question text {q.id}") for q in questions)
    result = propose(es, ms, rules=rules, weights=weights, questions=questions)
    for p in result.proposals:
        rows = words.rows(p.breakdown)  # as the pages word them
        assert sum(r["points"] for r in rows) == p.score
        assert all(not r["label"].startswith("question:") and r["label"] for r in rows)
        assert sum(r["max"] for r in rows) == pytest.approx(100, abs=1e-3) or not rows
        shares = [r["points"] / r["max"] for r in rows]
        assert shares == sorted(shares, reverse=True)
        # Every part of the sentence is a row of the table, in the same words.
        strengths, _, weakest = explanation(p).partition(" Weakest point: ")
        told = [
            f"“{r['label']}” ({r['detail']})"
            if r["key"].startswith("question:")
            else f"{r['label'][0].lower()}{r['label'][1:]} ({r['detail']})"
            for r in rows
        ]
        if strengths.startswith("Strengths: "):
            for part in strengths.removeprefix("Strengths: ").removesuffix(".").split("; "):
                k = told.index(part)
                assert rows[k]["points"] >= engine.STRONG * rows[k]["max"]
        else:
            assert strengths.startswith("No strong point.")
        if weakest:
            assert weakest.removesuffix(".") == told[-1]
        # As the pages show it: rounded down (matching.views.shown_score).
        total = math.floor(p.score + 1e-3)
        shown = engine.whole_points(rows, total)
        assert sum(points for points, _ in shown) == total
        assert sum(top for _, top in shown) == (100 if rows else 0)
        lost = [r["max"] - r["points"] for r in rows]
        room = sum(max(math.floor(x), 1) for x in lost if x > 0) <= 100 - total
        for (points, top), r in zip(shown, rows, strict=True):
            assert 0 <= points <= top and abs(points - r["points"]) < 1
            if room:  # a point lost can be shown on each criterion that lost some
                assert (points == top) == (r["points"] >= r["max"]), (total, r, shown)


def lexicographic_best(es, ms, rules, weights, questions):
    """(priority mentees matched, [mentees matched under most_matched], total) of the optimum, by
    brute force over an assignment: every mentor seat a column, plus one 'nobody' column per
    mentee; priority mentees and (most_matched) each match are worth more than any possible
    score total, so they come first exactly."""
    seats = [m for m in ms for _ in range(max(0, m.capacity))]
    big = 1e5
    weight = np.zeros((len(es), len(seats) + len(es)))
    real = np.zeros((len(es), len(seats)))
    for i, e in enumerate(es):
        for s, m in enumerate(seats):
            if pair_problems(e, m, rules=rules):
                weight[i, s] = -1e9
                continue
            real[i, s] = engine.score_pair(e, m, weights=weights, questions=questions)[0]
            weight[i, s] = real[i, s] + big * e.priority + (big if rules.policy == "most_matched" else 0)
    rows, cols = linear_sum_assignment(weight, maximize=True) if len(es) else ([], [])
    chosen = [(r, c) for r, c in zip(rows, cols, strict=True) if c < len(seats)]
    count = len(chosen) if rules.policy == "most_matched" else 0
    return sum(es[r].priority for r, _ in chosen), count, sum(real[r, c] for r, c in chosen)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_why_not_names_the_best_mentor_and_prices_forcing_the_pair_exactly(pool):
    es, ms, rules, weights, questions = pool
    result = propose(es, ms, rules=rules, weights=weights, questions=questions, why_not=True)
    by_id = {m.id: m for m in es + ms}
    got = {p.mentee_id: p for p in result.proposals}
    best_prio, best_count, best_total = lexicographic_best(es, ms, rules, weights, questions)
    explained = [(p.mentee_id, p.why_not, p.score) for p in result.proposals] + [
        (u.mentee_id, u.why_not, None) for u in result.unmatched
    ]
    for mentee_id, why, score_ in explained:
        e = by_id[mentee_id]
        allowed = [m for m in ms if not pair_problems(e, m, rules=rules)]
        best = max((engine.score_pair(e, m, weights=weights, questions=questions)[0] for m in allowed), default=None)
        if best is None or (score_ is not None and score_ >= best):
            assert why is None
            continue
        assert why is not None and why.score == best
        m = by_id[why.mentor_id]
        assert score_pair(e, m, weights=weights, questions=questions)[0] == best
        assert all(got[k].mentor_id == m.id for k in why.taken_by) and why.taken_by
        # Force the pair: the others share what is left of the mentor's places.
        rest = [x for x in es if x.id != e.id]
        less = [replace(x, capacity=x.capacity - 1) if x.id == m.id else x for x in ms]
        prio, count, total = lexicographic_best(rest, less, rules, weights, questions)
        prio += e.priority
        count += 1 if rules.policy == "most_matched" else 0
        if (prio, count) == (best_prio, best_count):
            assert why.cost == pytest.approx(best_total - (total + best), abs=1e-6)
        else:
            assert why.cost is None  # forcing it would leave a priority mentee (or, most_matched, anyone) out


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_ties_go_to_who_has_waited_longest_whatever_the_order(order):
    """Three mentees the one mentor fits equally: the place goes to the longest waiting, whatever
    the order of the pool; with equal waits, to the earliest application (the smallest id)."""
    waits = [300.0, 100.0, 200.0]
    es = [mentee(id=10 + k, user_id=10 + k, topics=("x",), years=1, waiting_since=waits[k]) for k in range(3)]
    m = mentor(topics=("x",), years=9)
    result = propose([es[k] for k in order], [m], rules=ASSOCIATION)
    assert pairs(result) == {(11, m.id)}
    same = [replace(e, waiting_since=0.0) for e in es]
    assert pairs(propose([same[k] for k in order], [m], rules=ASSOCIATION)) == {(10, m.id)}


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_of_matched_mentees_who_tie_the_longest_waiting_gets_the_best_fitting_mentor(order):
    """Three mentees with the same answers, three mentors fitting them fully, half and not at
    all: every arrangement has the same total, and the longest waiting gets the full fit, the
    next the half, whatever the order of the pool (the place alone is not enough)."""
    waits = [300.0, 100.0, 200.0]  # mentee 1 has waited longest, then 2, then 0
    es = [mentee(topics=("a", "b"), waiting_since=waits[k]) for k in range(3)]
    full, half, none = mentor(topics=("a", "b")), mentor(topics=("a",)), mentor(topics=("c",))
    for ms in itertools.permutations([full, half, none]):
        result = propose([es[k] for k in order], list(ms), rules=ASSOCIATION, weights=only("topics"))
        assert pairs(result) == {(es[1].id, full.id), (es[2].id, half.id), (es[0].id, none.id)}


@pytest.mark.parametrize("candidates", [60, 10])
def test_a_swap_between_matched_mentees_keeps_the_total_and_who_is_matched(candidates):
    """Ties settle at scale too: 300 mentees with the same answers for 100 mentors of every fit,
    two places each, each mentee weighing fewer mentors than there are. The 200 who waited
    longest are matched, and nobody holds a better-fitting mentor than someone who has waited
    longer; the total is what the solver found."""
    rnd = np.random.default_rng(7)
    topics = [f"t{k}" for k in range(8)]
    es = [mentee(topics=("t1", "t2", "t3"), years=1, waiting_since=float(w)) for w in rnd.permutation(300)]
    ms = [
        mentor(topics=tuple(rnd.choice(topics, 3, replace=False)), years=int(rnd.integers(3, 30)), capacity=2)
        for _ in range(100)
    ]
    result = propose(es, ms, rules=ASSOCIATION, candidates_per_mentee=candidates)
    wait = {e.id: e.waiting_since for e in es}
    matched = sorted(result.proposals, key=lambda p: wait[p.mentee_id])
    assert len(matched) == 200
    assert max(wait[p.mentee_id] for p in matched) < min(wait[u.mentee_id] for u in result.unmatched)
    scores = [p.score for p in matched]
    assert scores == sorted(scores, reverse=True)
    # The best total there is: the 200 best places, every mentee fitting each mentor the same.
    seats = sorted((score_pair(es[0], m)[0] for m in ms for _ in range(2)), reverse=True)
    assert result.total_score == pytest.approx(sum(seats[:200]), abs=1e-3)


def test_a_tie_never_costs_a_priority_mentee_their_place():
    first = mentee(topics=("x",), years=1, waiting_since=1.0)
    priority = mentee(topics=("x",), years=1, waiting_since=50.0, priority=True)
    m = mentor(topics=("x",), years=9)
    assert pairs(propose([first, priority], [m], rules=ASSOCIATION)) == {(priority.id, m.id)}


def test_why_not_in_a_small_case_worked_by_hand():
    """A fits X fully and Y half; B fits X fully and Y not at all. The best total gives X to B
    (100 + 50 = 150); giving A their best, X, leaves B with nothing in common with Y (100 + 0)."""
    a, b = mentee(topics=("a", "b")), mentee(topics=("a", "c"))
    x, y = mentor(topics=("a", "b", "c")), mentor(topics=("b",))
    result = propose([a, b], [x, y], rules=ASSOCIATION, weights=only("topics"), why_not=True)
    assert pairs(result) == {(a.id, y.id), (b.id, x.id)}
    why = {p.mentee_id: p.why_not for p in result.proposals}
    assert why[b.id] is None
    assert (why[a.id].mentor_id, why[a.id].score, why[a.id].taken_by, why[a.id].cost) == (x.id, 100, (b.id,), 50)
    # A third mentee fitting X as well as B does: a tie, which B wins by applying first; it costs nothing.
    c = mentee(topics=("c",))
    result = propose([a, b, c], [x, y], rules=ASSOCIATION, weights=only("topics"), why_not=True)
    (waiting,) = result.unmatched
    assert (waiting.mentee_id, waiting.why_not.mentor_id, waiting.why_not.taken_by) == (c.id, x.id, (b.id,))
    assert waiting.why_not.cost == 0
    assert waiting.why_not.waited_longer and waiting.why_not.exact  # B applied first; every pair weighed
    # Weighing one mentor per mentee (fewer than the two mentors): the cost holds on the pairs weighed.
    (waiting,) = propose(
        [a, b, c], [x, y], rules=ASSOCIATION, weights=only("topics"), why_not=True, candidates_per_mentee=1
    ).unmatched
    assert not waiting.why_not.exact
    # Fitting X half as well: forcing them in costs B's place (100) for C's 50.
    d = mentee(topics=("c", "d"))
    (waiting,) = propose([a, b, d], [x, y], rules=ASSOCIATION, weights=only("topics"), why_not=True).unmatched
    assert (waiting.why_not.score, waiting.why_not.cost) == (50, 50)
    assert not waiting.why_not.waited_longer  # not a tie
    # Waiting longer than B and fitting X as well, E takes B's place: no tie left to explain to E.
    e = mentee(topics=("c",), waiting_since=-1.0)
    result = propose([a, b, e], [x, y], rules=ASSOCIATION, weights=only("topics"), why_not=True)
    assert (e.id, x.id) in pairs(result)
    (waiting,) = result.unmatched
    assert waiting.mentee_id == b.id and waiting.why_not.cost == 0 and waiting.why_not.waited_longer


def reference_forcing_prices(priority, capacity, edges, match, who, best, best_units, policy):
    """_forcing_prices the plain way: Dijkstra from every mentor on the whole residual graph (no
    hubs set apart). (k -> cost, the priced flags, all-pairs reduced distances, the potentials)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    n_nodes = len(priority) + len(capacity) + 3
    tails, heads, costs = engine._residual(priority, capacity, edges, match, policy)
    dist = engine._potentials(n_nodes, tails, heads, costs)
    reduced = (costs + dist[tails] - dist[heads]).astype(np.float64)
    assert (reduced >= 0).all()
    d = dijkstra(csr_matrix((reduced, (tails, heads)), shape=(n_nodes, n_nodes)))
    mentors, group = np.unique(best, return_inverse=True)
    chosen = np.argsort(-np.bincount(group), kind="stable")[: engine.WHY_NOT_SOURCES]
    priced = np.isin(group, chosen)
    n_e = len(priority)
    out = {}
    for k in np.flatnonzero(priced):
        j, i = n_e + best[k], who[k]
        if np.isfinite(d[j, i]):
            out[int(k)] = int(np.rint(d[j, i])) - dist[j] + dist[i] - int(best_units[k])
    return out, priced, d, reduced, (tails, heads), dist


def random_pool(rnd):
    topics = [f"t{k}" for k in range(int(rnd.integers(3, 9)))]

    def person(capacity):
        return mentee(
            association_id=int(rnd.integers(1, 3)),
            topics=tuple(rnd.choice(topics, int(rnd.integers(1, 4)), replace=False)),
            years=int(rnd.integers(0, 30)),
            languages=("English",) if rnd.random() < 0.9 else ("French",),
            capacity=capacity,
            priority=bool(rnd.random() < 0.08),
            waiting_since=float(rnd.integers(0, 5)),
        )

    es = [person(1) for _ in range(int(rnd.integers(20, 120)))]
    ms = [replace(person(int(rnd.integers(0, 4))), priority=False) for _ in range(int(rnd.integers(5, 50)))]
    return es, ms


@pytest.mark.parametrize("group", [1, engine.WHY_NOT_GROUP, 8])
def test_forcing_prices_through_the_hubs_is_exactly_the_plain_search_from_every_mentor(group, monkeypatch):
    """The hub decomposition (the paths through the sources or the sink, from six searches; the
    others from a search per mentor without them, stopped at the hubs' cost) prices every pair
    as plain Dijkstra from each mentor on the whole residual graph does, and names as the mentee
    displaced one who holds the mentor's place on a cheapest path (or -1: the mentor's free
    place, on a cheapest path through the sink). Random pools of every shape, both policies;
    the mentors searched from 1, 4 or 8 at a time."""
    monkeypatch.setattr(engine, "WHY_NOT_GROUP", group)
    seen = {"direct": 0, "hub": 0, "calls": 0}
    real = engine._forcing_prices

    def checked(priority, capacity, edges, match, who, best, best_units, policy, start=None):
        assert start is None or len(start) == len(priority) + len(capacity) + 2  # the solve's
        got, priced = real(priority, capacity, edges, match, who, best, best_units, policy, start)
        want, want_priced, d, reduced, (tails, heads), dist = reference_forcing_prices(
            priority, capacity, edges, match, who, best, best_units, policy
        )
        seen["calls"] += 1
        assert priced.tolist() == want_priced.tolist()
        assert {k: c for k, (c, _) in got.items()} == want
        n_e, n_m = len(priority), len(capacity)
        hubs = [n_e + n_m, n_e + n_m + 1, n_e + n_m + 2]
        arc = {(int(t), int(h)): r for t, h, r in zip(tails, heads, reduced, strict=True)}
        for k, (_, taker) in got.items():
            j, i = n_e + best[k], who[k]
            through_hubs = min(d[j, h] + d[h, i] for h in hubs)
            seen["direct" if d[j, i] < through_hubs else "hub"] += 1
            first = taker if taker >= 0 else hubs[2]  # -1: the mentor's own free place, to the sink
            if taker >= 0:
                assert match[taker] == best[k]  # holds the mentor's place
            assert (j, first) in arc
            assert arc[j, first] + d[first, i] == d[j, i]  # on a cheapest path
        return got, priced

    rnd = np.random.default_rng(20261203)
    with mock.patch.object(engine, "_forcing_prices", checked):
        for n in range(60):
            es, ms = random_pool(rnd)
            rules = Rules(scope="association", policy=engine.POLICIES[n % 2])
            k = int(rnd.choice([2, 5, 30]))
            with mock.patch.object(engine, "WHY_NOT_SOURCES", 3 if n % 5 == 4 else engine.WHY_NOT_SOURCES):
                propose(es, ms, rules=rules, candidates_per_mentee=k, why_not=True)
    # Both kinds of cheapest path were there to get right.
    assert seen["calls"] > 60 and seen["direct"] > 50 and seen["hub"] > 50, seen


# --- The faster ways against the old ones -------------------------------------------------------
# The old ways, kept here as references: _Breakdown.__call__ (one row per criterion from the cache,
# "asked for each other by name" made afresh per pair) and _one_hot (a Python loop per member).


def test_many_breakdowns_without_criteria_or_pairs():
    e, m = mentee(topics=("a",)), mentor(topics=("a",))
    criteria = engine._criteria({key: 0 for key in engine.DEFAULT_WEIGHTS}, ())
    pe, pm = engine._profile(e, criteria), engine._profile(m, criteria)
    nothing = engine._Breakdown(criteria)
    assert nothing.many([e], [m], [pe], [pm]) == ([[]], [{"strengths": [], "weakest": None}])
    assert engine._Breakdown(engine._criteria(None, ())).many([], [], [], []) == ([], [])


def test_twins_are_the_mentees_whose_answers_score_alike_with_every_mentor():
    """_twins: mentees whose answers score the same with every mentor share a class; an answer
    that scores differently, or having named someone, sets a mentee apart (-1: no twin)."""
    base = {"topics": ("a", "b"), "modes": ("video",), "languages": ("English",), "years": 3, "frequency": "weekly"}
    es = [
        mentee(**base),
        mentee(**{**base, "topics": ("B", "a")}),  # the same goals, in another order and case
        mentee(**{**base, "years": 19}),
        mentee(**{**base, "topics": ("a", "c")}),
        mentee(**{**base, "ranked": (99999,)}),
        mentee(**{**base, "modes": ("phone",)}),
        mentee(**{**base, "topics": ("b", "a")}),
    ]
    ms = [mentor(topics=("a", "b", "c"), modes=("video",), languages=("English",), years=20, frequency="weekly")]
    enc = engine._Encoded(es, ms, ASSOCIATION, engine._criteria(None, ()))
    twin = engine._twins(enc).tolist()
    assert twin[0] >= 0 and twin[0] == twin[1] == twin[6]
    assert twin[2:6] == [-1, -1, -1, -1]


def _small_run():
    mentees = [mentee(topics=("finance",), association_id=1 + n % 2) for n in range(30)]
    mentors = [mentor(topics=("finance",), capacity=2, association_id=1 + n % 2) for n in range(12)]
    return propose(mentees, mentors, rules=ASSOCIATION, why_not=True)


def test_what_a_run_keeps_is_left_to_the_collectors_oldest_generation():
    """The collector is paused during a run; what the run keeps is not all young when it wakes
    (its first pass would read all of it: 0.3 s at 100,000 x 40,000)."""
    import gc

    assert gc.isenabled()
    result = _small_run()
    assert gc.isenabled()
    oldest = {id(o) for o in gc.get_objects(2)}
    assert result.proposals and all(id(p) in oldest for p in result.proposals)
    assert all(id(u) in oldest for u in result.unmatched)


def test_a_run_leaves_objects_frozen_by_someone_else_frozen_and_a_paused_collector_paused():
    import gc

    server = [{"a": "server's object"}]
    gc.freeze()  # as a server does before it forks: frozen objects are in no generation
    try:
        assert id(server) not in {id(o) for o in gc.get_objects()}
        _small_run()
        assert id(server) not in {id(o) for o in gc.get_objects()}
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        _small_run()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_proposals_are_listed_priority_first_then_best_score_then_by_application():
    rng = np.random.default_rng(5)
    topics, freq = ("a", "b", "c"), engine.FREQUENCIES
    pool_e = [
        mentee(topics=tuple(rng.choice(topics, 1 + n % 2, replace=False)), priority=n % 7 == 0, frequency=freq[n % 4])
        for n in range(60)
    ]
    rng.shuffle(pool_e)  # application ids in no particular order
    pool_m = [mentor(topics=(topics[n % 3],), capacity=2, frequency=freq[n % 2]) for n in range(20)]
    result = propose(pool_e, pool_m, rules=ASSOCIATION)
    keys = [(not p.priority, -p.score, p.mentee_id) for p in result.proposals]
    assert keys == sorted(keys)
    assert len({p.score for p in result.proposals}) > 2 and len(keys) > len({k[:2] for k in keys})  # ties on score
    assert any(p.priority for p in result.proposals) and not all(p.priority for p in result.proposals)
    waiting = [(not u.priority, u.mentee_id) for u in result.unmatched]
    assert len(waiting) > 2 and waiting == sorted(waiting)
