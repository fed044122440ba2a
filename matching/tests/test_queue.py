"""The committee's matching queue: runs, the chair's decisions, who may do what, and the
introduction that approval sends (once)."""

import html
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from conftest import applicant, comparable
from matching import services
from matching.models import MatchRun, Proposal, ProposalEvent
from mentoring.models import Application, Partnership
from mentoring.services import create_program, start_application
from outbox.emails import send_pending_emails
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(world):
    program = world["program"]
    mentees = [applicant(program, f"mentee{i}@example.org", "mentee", employer=f"Firm {i}") for i in range(3)]
    mentors = [
        applicant(program, "mentor.a@example.org", "mentor", years=20, employer="Big Co", capacity=2),
        applicant(program, "mentor.b@example.org", "mentor", years=12, employer="Other Co", topics=["Underwriting"]),
    ]
    OutgoingEmail.objects.all().delete()
    return {"program": program, "mentees": mentees, "mentors": mentors}


def run_for(pool, chair):
    run = services.start_run(program=pool["program"], by=chair)
    assert run.status == MatchRun.Status.DONE, run.error
    return run


def test_a_run_proposes_the_best_pairs_with_explanations(pool, world):
    run = run_for(pool, world["people"]["chair"])
    proposals = list(Proposal.objects.filter(run=run))
    # Three mentees, three seats: everyone gets a proposal; the best mentor takes two.
    assert len(proposals) == 3
    assert all(p.sentence and 0 < p.score <= 100 for p in proposals)
    assert sum(p.mentor_application == pool["mentors"][0] for p in proposals) == 2
    assert run.mentees == 3 and run.mentors == 2 and run.unmatched == []
    assert proposals == sorted(proposals, key=lambda p: -p.score)


def test_a_new_run_supersedes_open_proposals_but_keeps_approved_ones(pool, world):
    chair = world["people"]["chair"]
    first = run_for(pool, chair)
    kept = Proposal.objects.filter(run=first).first()
    services.approve(proposal=kept, by=chair)
    second = run_for(pool, chair)
    assert Proposal.objects.get(pk=kept.pk).status == "approved"
    assert not Proposal.objects.filter(run=first, status="proposed").exists()
    # The approved mentee is no longer in the pool.
    assert not Proposal.objects.filter(run=second, mentee_application=kept.mentee_application).exists()


def test_approval_creates_the_partnership_and_introduces_both_partners_once(pool, world):
    chair = world["people"]["chair"]
    run_for(pool, chair)
    proposal = Proposal.objects.filter(status="proposed").first()
    partnership = services.approve(proposal=proposal, by=chair)

    assert partnership.status == "active" and partnership.approved_by == chair
    assert partnership.planned_end_on.year * 12 + partnership.planned_end_on.month == (
        partnership.started_on.year * 12 + partnership.started_on.month + pool["program"].length_months
    )
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.partnership == partnership
    assert Application.objects.get(pk=proposal.mentee_application_id).status == "matched"
    assert ProposalEvent.objects.filter(proposal=proposal, kind="approved", actor=chair).exists()

    assert send_pending_emails() == 2
    assert send_pending_emails() == 0  # a retried job sends nothing again
    by_to = {m.to[0]: m for m in mail.outbox}
    mentee, mentor = partnership.mentee, partnership.mentor
    assert mentor.email in by_to[mentee.email].body and mentee.email in by_to[mentor.email].body
    assert "Meet your mentor" in by_to[mentee.email].subject
    assert pool["program"].expectations[:40] in by_to[mentee.email].body
    # Approving again is refused and sends nothing more.
    with pytest.raises(ValidationError):
        services.approve(proposal=proposal, by=chair)
    assert OutgoingEmail.objects.count() == 2


def test_approval_refuses_a_full_mentor_and_a_mentee_who_already_has_one(pool, world):
    chair = world["people"]["chair"]
    program = pool["program"]
    m0, m1, m2 = pool["mentees"]
    full_mentor = pool["mentors"][1]  # capacity 1
    p1 = Proposal.objects.create(program=program, mentee_application=m0, mentor_application=full_mentor, score=50)
    waiting = Proposal.objects.create(program=program, mentee_application=m1, mentor_application=full_mentor, score=40)
    services.approve(proposal=p1, by=chair)
    # The full mentor's other open proposals are closed at once, saying why...
    closed = Proposal.objects.get(pk=waiting.pk)
    assert closed.status == "mentor_full"
    assert closed.closed_text == f"{full_mentor.user}'s last place went to {m0.user} a moment ago."
    # ...and one made afterwards (by hand, say) is refused on approval.
    p2 = Proposal.objects.create(program=program, mentee_application=m1, mentor_application=full_mentor, score=40)
    with pytest.raises(ValidationError, match="no longer available|now full"):
        services.approve(proposal=p2, by=chair)
    p3 = Proposal.objects.create(
        program=program, mentee_application=m0, mentor_application=pool["mentors"][0], score=60
    )
    with pytest.raises(ValidationError, match="no longer waiting"):
        services.approve(proposal=p3, by=chair)
    assert Partnership.objects.count() == 1


def test_rejecting_and_commenting_are_recorded_with_who_and_when(pool, world):
    chair, member = world["people"]["chair"], world["people"]["committee_member"]
    run_for(pool, chair)
    proposal = Proposal.objects.filter(status="proposed").first()
    services.comment(proposal=proposal, by=member, text="They worked together before.")
    services.reject(proposal=proposal, by=chair, reason="Too close")
    kinds = list(proposal.events.values_list("kind", "actor__email"))
    assert kinds == [("comment", member.email), ("rejected", chair.email)]
    with pytest.raises(ValidationError):
        services.comment(proposal=proposal, by=member, text="   ")


def test_a_manual_pair_that_breaks_a_rule_needs_confirmation(pool, world):
    chair = world["people"]["chair"]
    program = pool["program"]
    mentee = pool["mentees"][0]
    same_employer = applicant(program, "colleague@example.org", "mentor", years=15, employer="Firm 0")
    run_for(pool, chair)
    with pytest.raises(services.NeedsConfirmation) as needs:
        services.replace_with_manual(program=program, mentee_app=mentee, mentor_app=same_employer, by=chair)
    elsewhere = Proposal.objects.filter(status="proposed", mentor_application=same_employer).exclude(
        mentee_application=mentee
    )
    assert needs.value.warnings == ["Both work for Firm 0; this program keeps colleagues apart."] + [
        f"{same_employer.user}'s last place is proposed to {p.mentee_application.user} in the queue: "
        "approving this pair first closes that proposal."
        for p in elsewhere
    ]
    assert not Proposal.objects.filter(manual=True).exists()

    proposal = services.replace_with_manual(
        program=program, mentee_app=mentee, mentor_app=same_employer, by=chair, confirmed=True
    )
    assert proposal.manual and proposal.warnings
    assert Proposal.objects.filter(mentee_application=mentee, status="replaced").exists()
    assert Proposal.objects.filter(mentee_application=mentee, status="proposed").get() == proposal
    services.approve(proposal=proposal, by=chair)


def test_dissolved_pairs_are_never_proposed_again_and_re_entering_mentees_come_first(pool, world):
    chair = world["people"]["chair"]
    program = pool["program"]
    mentee, mentor = pool["mentees"][2], pool["mentors"][0]
    Partnership.objects.create(
        program=program,
        mentee=mentee.user,
        mentor=mentor.user,
        mentee_application=mentee,
        mentor_application=mentor,
        status="dissolved",
        started_on="2026-01-01",
        planned_end_on="2027-01-01",
    )
    run = run_for(pool, chair)
    proposals = list(Proposal.objects.filter(run=run))
    assert not any(p.mentee_application == mentee and p.mentor_application == mentor for p in proposals)
    assert proposals[0].mentee_application == mentee and proposals[0].priority


def test_a_pair_dissolved_the_other_way_round_is_not_proposed_again_and_the_chair_reads_why(pool, world):
    """B mentored A and it was dissolved: A as B's mentor is not proposed either (what broke was
    between the two people, whoever mentored whom), and a hand-made pair of them says why."""
    chair = world["people"]["chair"]
    program = pool["program"]
    earlier = create_program(name="Last year", kind=program.kind, association=program.association)
    a, b = pool["mentees"][0], pool["mentors"][0]  # now: a the mentee, b the mentor
    Partnership.objects.create(
        program=earlier,
        mentee=b.user,
        mentor=a.user,
        mentee_application=start_application(program=earlier, user=b.user, role="mentee"),
        mentor_application=start_application(program=earlier, user=a.user, role="mentor"),
        status="dissolved",
        started_on="2025-01-01",
        planned_end_on="2026-01-01",
    )
    run = run_for(pool, chair)
    assert not Proposal.objects.filter(run=run, mentee_application=a, mentor_application=b).exists()
    warnings = services.manual_pair_warnings(program=program, mentee_app=a, mentor_app=b)[0]
    assert "They were partners before and that partnership was dissolved." in warnings


def test_unmatched_mentees_are_listed_with_a_reason_and_told_kindly(world):
    program = world["program"]
    chair = world["people"]["chair"]
    lonely = applicant(program, "lonely@example.org", "mentee")
    run = services.start_run(program=program, by=chair)
    assert [u["application"] for u in run.unmatched] == [lonely.pk]
    assert run.unmatched[0]["reason"] == "no_eligible_mentor"
    OutgoingEmail.objects.all().delete()
    assert services.notify_unmatched(run=run, by=chair) == 1
    assert services.notify_unmatched(run=run, by=chair) == 1  # the same note, not a second one
    assert OutgoingEmail.objects.filter(to="lonely@example.org").count() == 1


# --- Through the pages ----------------------------------------------------------------------


def test_only_the_chair_runs_and_decides(client, pool, world):
    program = pool["program"]
    client.force_login(world["people"]["committee_member"])
    assert (
        client.post(reverse("committee:matching_run", args=[program.pk]), {"policy": "best_total"}).status_code == 404
    )
    assert not MatchRun.objects.exists()
    run_for(pool, world["people"]["chair"])
    ids = list(Proposal.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("committee:matching_decide", args=[program.pk]), {"proposals": ids, "action": "approve"}
    )
    assert response.status_code == 404
    assert not Partnership.objects.exists()
    # Another program's chair: 404 too, nothing changes.
    client.force_login(world["people"]["other_chair"])
    response = client.post(
        reverse("committee:matching_decide", args=[program.pk]), {"proposals": ids, "action": "approve"}
    )
    assert response.status_code == 404
    assert not Partnership.objects.exists()


def test_chair_approves_through_the_page(client, pool, world):
    program = pool["program"]
    client.force_login(world["people"]["chair"])
    response = client.post(
        reverse("committee:matching_run", args=[program.pk]), {"policy": "most_matched"}, follow=True
    )
    assert b"proposals are ready" in response.content
    ids = list(Proposal.objects.filter(status="proposed").values_list("pk", flat=True))[:2]
    response = client.post(
        reverse("committee:matching_decide", args=[program.pk]), {"proposals": ids, "action": "approve"}, follow=True
    )
    assert b"2 partnerships approved" in response.content
    assert Partnership.objects.count() == 2


@pytest.mark.parametrize(
    "post",
    [
        {"proposals": ["abc"], "action": "approve"},
        {"proposals": ["999999"], "action": "approve"},
        {"proposals": [], "action": "approve"},
        {"action": "approve"},
        {"proposals": ["1"], "action": "delete-everything"},
        {"proposals": ["1" * 5000], "action": "approve"},
    ],
)
def test_malformed_decisions_get_a_message_and_change_nothing(client, pool, world, post):
    program = pool["program"]
    client.force_login(world["people"]["chair"])
    run_for(pool, world["people"]["chair"])
    response = client.post(reverse("committee:matching_decide", args=[program.pk]), post, follow=True)
    assert response.status_code == 200
    assert response.context["messages"]
    assert not Partnership.objects.exists()
    assert not Proposal.objects.exclude(status="proposed").exists()


def test_a_proposal_of_another_program_is_404_for_this_chair(client, pool, world):
    run_for(pool, world["people"]["chair"])
    proposal = Proposal.objects.first()
    client.force_login(world["people"]["other_chair"])
    other = world["other_program"]
    forbidden = client.get(reverse("committee:proposal", args=[other.pk, proposal.pk]))
    missing = client.get(reverse("committee:proposal", args=[other.pk, 999999]))
    assert forbidden.status_code == missing.status_code == 404
    assert comparable(forbidden) == comparable(missing)


def test_weights_preview_changes_nothing_until_saved(client, pool, world):
    program = pool["program"]
    client.force_login(world["people"]["chair"])
    data = {
        "policy": "best_total",
        "topics": "0",
        "modes": "10",
        "availability": "1",
        "frequency": "1",
        "languages": "1",
        "experience": "1",
        "preference": "1",
        "action": "preview",
    }
    response = client.post(reverse("committee:matching_weights", args=[program.pk]), data)
    assert response.status_code == 200 and response.context["preview"]["matched"] == 3
    program.refresh_from_db()
    assert program.matching_weights == {}
    client.post(reverse("committee:matching_weights", args=[program.pk]), {**data, "action": "save"})
    program.refresh_from_db()
    assert program.matching_weights["modes"] == 10.0
    bad = client.post(
        reverse("committee:matching_weights", args=[program.pk]), {**data, "modes": "11", "action": "save"}
    )
    assert b"less than or equal to 10" in bad.content
    program.refresh_from_db()
    assert program.matching_weights["modes"] == 10.0


def test_the_queue_page_is_constant_query(client, world, django_assert_max_num_queries):
    program = world["program"]
    chair = world["people"]["chair"]
    client.force_login(chair)
    mentor = applicant(program, "mentor@example.org", "mentor", years=20, capacity=3)

    def fill(n):
        for i in range(n):
            mentee = applicant(program, f"m{Proposal.objects.count()}-{i}@example.org", "mentee")
            Proposal.objects.create(
                program=program, mentee_application=mentee, mentor_application=mentor, score=i, explanation="x"
            )

    fill(3)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("committee:matching", args=[program.pk])).status_code == 200
    fill(150)  # more than a page
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("committee:matching", args=[program.pk])).status_code == 200


# --- Concurrency (PostgreSQL: real transactions in two threads) -------------------------------


def _in_thread(fn, barrier, results):
    from django.db import connections

    try:
        barrier.wait()
        results.append(("ok", fn()))
    except Exception as exc:  # collected and asserted below
        results.append(("error", exc))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same", [True, False], ids=["same-proposal", "last-seat"])
def test_two_approvals_at_once_never_overfill_a_mentor(world, same):
    if connection.vendor != "postgresql":
        pytest.skip("select_for_update does nothing on SQLite: this test needs PostgreSQL (set DATABASE_URL)")
    program, chair = world["program"], world["people"]["chair"]
    mentor = applicant(program, "solo@example.org", "mentor", years=20, capacity=1)
    first = applicant(program, "first@example.org", "mentee")
    second = applicant(program, "second@example.org", "mentee")
    p1 = Proposal.objects.create(program=program, mentee_application=first, mentor_application=mentor, score=80)
    p2 = (
        p1
        if same
        else Proposal.objects.create(program=program, mentee_application=second, mentor_application=mentor, score=70)
    )
    OutgoingEmail.objects.all().delete()
    barrier, results = threading.Barrier(2), []
    threads = [
        threading.Thread(target=_in_thread, args=(lambda p=p: services.approve(proposal=p, by=chair), barrier, results))
        for p in (p1, p2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ValidationError)
    assert Partnership.objects.filter(mentor_application=mentor, status="active").count() == 1
    assert OutgoingEmail.objects.filter(key__startswith="introduction:").count() == 2


def test_a_large_pool_runs_on_a_worker_and_shows_progress(
    client, pool, world, monkeypatch, django_capture_on_commit_callbacks
):
    """Over the inline limit the run is queued for a worker; if the broker never delivers it,
    the periodic sweep starts it. The page polls its progress."""
    program, chair = pool["program"], world["people"]["chair"]
    monkeypatch.setattr(services, "INLINE_LIMIT", 0)
    sent = []
    monkeypatch.setattr("matching.tasks.run_matching.apply_async", lambda *a, **k: sent.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(program=program, by=chair)
    assert run.status == MatchRun.Status.QUEUED and sent == [((run.pk,),)]

    client.force_login(chair)
    progress = client.get(
        reverse("committee:matching_progress", args=[program.pk, run.pk]), headers={"HX-Request": "true"}
    )
    assert b"Waiting for a worker" in progress.content and "HX-Refresh" not in progress

    assert services.sweep_queued_runs(older_than=timedelta(0)) == 1
    assert services.sweep_queued_runs(older_than=timedelta(0)) == 0  # never twice
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DONE and run.progress == 1.0
    done = client.get(reverse("committee:matching_progress", args=[program.pk, run.pk]), headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    # A redelivered task finds the run already claimed and does nothing.
    assert services.execute_run(run_id=run.pk) is None
    assert Proposal.objects.filter(run=run).count() == 3


def test_the_queue_has_one_way_to_approve_a_labelled_tick_box_column(client, pool, world):
    """A button per row beside the tick-boxes made two ways to approve, and the tick-box column
    had no visible header: a first-time chair could not tell what the boxes were for."""
    program = pool["program"]
    run_for(pool, world["people"]["chair"])
    first, *others = Proposal.objects.filter(status="proposed").order_by("pk")
    client.force_login(world["people"]["chair"])
    queue = client.get(reverse("committee:matching", args=[program.pk])).content.decode()
    assert 'name="approve_one"' not in queue
    assert '<th scope="col">Choose</th>' in queue
    assert queue.count(">Approve the ticked pairs</button>") == 1
    assert "Choose the pairs you decide on (tick them), then approve or reject them." in queue
    url = reverse("committee:matching_decide", args=[program.pk])
    # Wrong, hostile and foreign values: a plain message, nothing approved.
    elsewhere = Proposal.objects.create(
        program=world["other_program"],
        mentee_application=first.mentee_application,
        mentor_application=first.mentor_application,
        score=1,
    )
    for value in ("", "abc", "-1", str(elsewhere.pk), "1; DROP TABLE matching_proposal", "9" * 40):
        response = client.post(url, {"proposals": value, "action": "approve"}, follow=True)
        assert response.status_code == 200 and not Partnership.objects.exists(), value
    response = client.post(url, {"proposals": [first.pk], "action": "approve"}, follow=True)
    assert b"1 partnership approved" in response.content
    assert Partnership.objects.get().mentee_application == first.mentee_application
    assert all(Proposal.objects.get(pk=p.pk).status != "approved" for p in others)
    # A committee member's ticks change nothing.
    client.force_login(world["people"]["committee_member"])
    assert client.post(url, {"proposals": [others[0].pk], "action": "approve"}).status_code == 404


def test_after_a_decision_the_next_pair_is_named_and_the_last_leads_back_to_the_dashboard(client, pool, world):
    """After approving, the chair read "4 proposals left" on the queue and nothing more; vetting
    says "Next: ..." and opens the next candidate. Decisions do the same now."""
    program = pool["program"]
    run_for(pool, world["people"]["chair"])
    first, second, *rest = Proposal.objects.filter(status="proposed")  # the queue's order
    client.force_login(world["people"]["chair"])
    # On a pair's own page: the next pair's page opens, named.
    response = client.post(
        reverse("committee:proposal", args=[program.pk, first.pk]), {"action": "approve"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("committee:proposal", args=[program.pk, second.pk])
    left = 1 + len(rest)
    expected = f"Next: {second.mentee_application.user} with {second.mentor_application.user}"
    assert html.escape(expected) in response.content.decode()
    assert (f"({left} pairs left)" if left > 1 else "(the last one)") in response.content.decode()
    # From the queue: the queue again, naming the next; after the last, the dashboard.
    response = client.post(
        reverse("committee:matching_decide", args=[program.pk]),
        {"proposals": [p.pk for p in [second, *rest]], "action": "reject"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("committee:dashboard", args=[program.pk])
    assert "No proposal waits for a decision now." in response.content.decode()


def test_the_queue_names_who_started_the_last_run_without_a_query_of_its_own(
    client, world, django_assert_max_num_queries
):
    """The run is read with its starter: the page costs the same whether someone or nobody
    (an account since erased) started it."""
    program, chair = world["program"], world["people"]["chair"]
    client.force_login(chair)
    run = MatchRun.objects.create(program=program, started_by=None, status=MatchRun.Status.DONE)
    with django_assert_max_num_queries(20) as nobody:
        assert client.get(reverse("committee:matching", args=[program.pk])).status_code == 200
    run.started_by = chair
    run.save(update_fields=["started_by"])
    with django_assert_max_num_queries(len(nobody.captured_queries)):
        response = client.get(reverse("committee:matching", args=[program.pk]))
    assert f"by {chair.get_full_name()}" in html.unescape(response.content.decode())
