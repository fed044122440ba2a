"""Members choose their mentor (choosing.py): what a mentee is offered, asking, every hard rule of
matching through this path, the number of requests at once, remembered refusals, places held,
withdrawing, the mentor's answer with and without the committee, expiry and the emails."""

import threading
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from accounts.privacy import EXPIRED
from conftest import applicant
from matching import choosing, services, tasks, waiting
from matching.models import Proposal
from mentoring.models import Application, Partnership
from mentoring.services import withdraw_application
from outbox.models import OutgoingEmail
from partnerships import life
from recruitment import orientation
from recruitment.tests.factories import Required, item, require
from retention import services as retention

pytestmark = pytest.mark.django_db


def offered(mentee, **filters):
    return [c.application for c in choosing.offered_mentors(mentee, **filters)]


def ask(mentee, mentor, note="I would like to learn claims."):
    return choosing.ask_mentor(mentee_app=mentee, mentor_app=mentor, note=note)


def refused(mentee, mentor) -> str:
    with pytest.raises(ValidationError) as error:
        ask(mentee, mentor)
    return " ".join(error.value.messages)


NOT_AVAILABLE = "This mentor is not available to you. Please choose another."


# --- What is offered ------------------------------------------------------------------------------


def test_a_mentee_is_offered_the_vetted_mentors_with_a_free_place_best_fit_first(make_mentor, make_mentee, world):
    mentee = make_mentee("a", topics=["Claims"], communication_modes=["video"])
    close = make_mentor("close", topics=["Claims"], communication_modes=["video"])
    far = make_mentor("far", topics=["Leadership"], communication_modes=["phone"])
    full = make_mentor("full")
    life.start(mentee_application=make_mentee("b"), mentor_application=full, by=world["people"]["chair"])
    waiting = make_mentor("waiting")
    Application.objects.filter(pk=waiting.pk).update(status=Application.Status.AWAITING_VETTING)
    assert offered(mentee) == [close, far]


def test_the_score_and_its_words_are_the_matching_queues(choosing_program, make_mentor, make_mentee, world):
    mentee, mentor = make_mentee("a"), make_mentor("m")
    [choice] = choosing.offered_mentors(mentee)
    by_hand = services.replace_with_manual(
        program=choosing_program, mentee_app=mentee, mentor_app=mentor, by=world["people"]["chair"]
    )
    assert choice.score == by_hand.score and choice.sentence == by_hand.sentence
    assert [r["detail"] for r in choice.rows] == [r["detail"] for r in by_hand.worded_rows]
    assert sum(r["shown"] for r in choice.rows) == choice.shown_score


def test_whom_the_mentor_asked_for_by_name_is_not_told_to_the_mentee(make_mentor, make_mentee):
    mentee = make_mentee("a")
    mentor = make_mentor("m")
    mentor.preferred_partner_ids = [mentee.user_id]
    mentor.save(update_fields=["preferred_partner_ids"])
    [choice] = choosing.offered_mentors(mentee)
    said = choice.sentence + " ".join(r["detail"] + r["label"] for r in choice.rows)
    assert "asked for" not in said and "by name" not in said


def test_the_filters_narrow_by_goal_area_way_to_meet_and_language(make_mentor, make_mentee):
    mentee = make_mentee("a")
    claims = make_mentor("c", topics=["Claims"], communication_modes=["video"], languages=["English"])
    lead = make_mentor("l", topics=["Leadership"], communication_modes=["phone"], languages=["English", "French"])
    assert offered(mentee, topic="Claims") == [claims]
    assert offered(mentee, mode="phone") == [lead]
    assert offered(mentee, language="French") == [lead]
    assert offered(mentee, topic="Claims", language="French") == []


# --- Every hard rule, through this path -------------------------------------------------------------


def _same_employer(world, mentee, mentor):
    Profile.objects.filter(user=mentor.user).update(employer="Mentee Firm a, Inc.")


def _other_association(world, mentee, mentor):
    Profile.objects.filter(user=mentor.user).update(association=world["associations"]["easton"])


def _mentee_avoids(world, mentee, mentor):
    Application.objects.filter(pk=mentee.pk).update(avoid_partner_ids=[mentor.user_id])


def _mentor_avoids(world, mentee, mentor):
    Application.objects.filter(pk=mentor.pk).update(avoid_partner_ids=[mentee.user_id])


def _dissolved_before(world, mentee, mentor):
    """They were partners in another program of the association, and it was dissolved."""
    from mentoring.services import create_program

    other = create_program(name="Earlier", kind="new_member", association=world["associations"]["northport"])
    earlier = life.start(
        mentee_application=applicant_in(other, mentee.user, "mentee"),
        mentor_application=applicant_in(other, mentor.user, "mentor"),
        by=world["people"]["chair"],
    )
    life.dissolve(partnership=earlier, by=world["people"]["chair"], reason="fit", rematch=False)


def applicant_in(program, user, role):
    return Application.objects.create(
        program=program, user=user, role=role, status=Application.Status.IN_POOL, submitted_at=timezone.now()
    )


def _rejected_before(world, mentee, mentor):
    proposal = Proposal.objects.create(
        program=mentee.program, mentee_application=mentee, mentor_application=mentor, score=50
    )
    services.reject(proposal=proposal, by=world["people"]["chair"])


def _mentor_lapsed(world, mentee, mentor):
    Profile.objects.filter(user=mentor.user).update(membership_status=Profile.MembershipStatus.LAPSED)


def _mentor_account_closed(world, mentee, mentor):
    type(mentor.user).objects.filter(pk=mentor.user_id).update(is_active=False)


def _mentor_moved(world, mentee, mentor):
    Profile.objects.filter(user=mentor.user).update(association=world["associations"]["southbury"])


RULES = [
    _same_employer,
    _other_association,
    _mentee_avoids,
    _mentor_avoids,
    _dissolved_before,
    _rejected_before,
    _mentor_lapsed,
    _mentor_account_closed,
    _mentor_moved,
]


@pytest.mark.parametrize("rule", RULES, ids=[r.__name__.strip("_") for r in RULES])
def test_a_mentor_the_rules_keep_apart_is_never_offered_nor_can_be_asked(world, make_mentor, make_mentee, rule):
    mentee, mentor, other = make_mentee("a"), make_mentor("m"), make_mentor("o")
    assert offered(mentee) == [mentor, other] or offered(mentee) == [other, mentor]
    rule(world, mentee, mentor)
    assert offered(mentee) == [other]
    assert refused(mentee, mentor) == NOT_AVAILABLE  # the mentee is never told which rule, nor about whom
    assert not Proposal.objects.filter(origin="member").exists()


def test_the_same_employer_rule_holds_when_the_program_allows_colleagues_it_does_not(
    choosing_program, make_mentor, make_mentee
):
    mentee, mentor = make_mentee("a"), make_mentor("m", employer="Mentee Firm a")
    assert offered(mentee) == []
    choosing_program.allow_same_employer = True
    choosing_program.save(update_fields=["allow_same_employer"])
    mentee.refresh_from_db()
    assert offered(mentee) == [mentor]


def test_a_mentee_whose_membership_lapsed_is_told_why_and_offered_nobody(make_mentor, make_mentee):
    mentee, mentor = make_mentee("a"), make_mentor("m")
    Profile.objects.filter(user=mentee.user).update(membership_status=Profile.MembershipStatus.LAPSED)
    mentee.refresh_from_db()
    assert choosing.why_not_now(mentee.program, mentee) == ["Your membership has lapsed. Renew it to take part."]
    assert refused(mentee, mentor) == "Your membership has lapsed. Renew it to take part."


def test_nobody_chooses_where_the_program_does_not_let_members_choose(world, make_mentor, make_mentee):
    mentee, mentor = make_mentee("a"), make_mentor("m")
    program = mentee.program
    program.members_choose = False
    program.save(update_fields=["members_choose"])
    mentee.refresh_from_db()
    assert "does not let members choose" in refused(mentee, mentor)


def test_a_mentee_whose_application_waits_or_who_has_a_mentor_cannot_ask(world, make_mentor, make_mentee):
    mentor, mentee = make_mentor("m"), make_mentee("a")
    life.start(mentee_application=mentee, mentor_application=make_mentor("n"), by=world["people"]["chair"])
    mentee.refresh_from_db()
    assert refused(mentee, mentor) == "You have a mentor in this program."
    Application.objects.filter(pk=mentee.pk).update(status=Application.Status.DRAFT)
    mentee.refresh_from_db()
    assert refused(mentee, mentor) == "Once your application is accepted, you can choose your mentor here."


# --- Asking: the note, the email, the number at once -------------------------------------------------


def test_asking_holds_a_place_and_emails_the_mentor_their_answer_link_with_the_note(make_mentor, make_mentee, sent):
    mentee, mentor = make_mentee("a"), make_mentor("m")
    proposal = ask(mentee, mentor, note="  Claims, please.  ")
    assert (proposal.status, proposal.origin) == ("awaiting_mentor", "member")
    assert proposal.asked_mentor_at is not None and proposal.decided_by is None
    assert choosing.note_of(proposal) == "Claims, please."
    [email] = sent(f"mentor-ask:{proposal.pk}")
    assert email.to == mentor.user.email
    assert "Mentee A asks you to be their mentor" in email.subject
    assert "Claims, please." in email.body and f"{settings.SITE_URL}/match/" in email.body
    assert services._places_held(mentor) == 1


def test_a_mentee_asks_up_to_the_programs_number_at_once(choosing_program, make_mentor, make_mentee):
    mentee = make_mentee("a")
    first, second, third = make_mentor("1"), make_mentor("2"), make_mentor("3")
    ask(mentee, first)
    assert offered(mentee) and first not in offered(mentee)  # asked already: listed as a request instead
    ask(mentee, second)
    assert refused(mentee, third).startswith("You have asked 2 mentors: wait for their answers")
    choosing.withdraw(proposal=Proposal.objects.get(mentor_application=first), by=mentee.user)
    ask(mentee, third)
    choosing_program.member_asks_at_once = 3
    choosing_program.save(update_fields=["member_asks_at_once"])
    mentee.refresh_from_db()
    assert offered(mentee) == [first]


def test_the_note_is_optional_and_at_most_a_thousand_characters(make_mentor, make_mentee):
    mentee, mentor = make_mentee("a"), make_mentor("m")
    with pytest.raises(ValidationError, match="Please keep this text to 1000 characters"):
        ask(mentee, mentor, note="x" * 1001)
    with pytest.raises(ValidationError, match="can't be saved"):
        ask(mentee, mentor, note="a\x00b")
    assert choosing.note_of(ask(mentee, mentor, note="")) == ""


# --- Places -----------------------------------------------------------------------------------------


def test_a_mentor_is_never_asked_by_more_mentees_than_their_free_places(make_mentor, make_mentee, world):
    mentor = make_mentor("m", capacity=2)
    first, second, third = make_mentee("1"), make_mentee("2"), make_mentee("3")
    life.start(mentee_application=make_mentee("partner"), mentor_application=mentor, by=world["people"]["chair"])
    mentor.refresh_from_db()
    ask(first, mentor)
    assert offered(second) == []
    assert refused(second, mentor).startswith("Mentor M has no free place any more")
    choosing.withdraw(proposal=Proposal.objects.get(mentee_application=first), by=first.user)
    assert offered(third) == [mentor]


def test_a_place_held_by_a_request_is_kept_from_the_committees_runs(choosing_program, make_mentor, make_mentee, world):
    mentor, asking, other = make_mentor("m"), make_mentee("a"), make_mentee("b")
    ask(asking, mentor)
    run = services.start_run(program=choosing_program, by=world["people"]["chair"])
    assert run.proposals.count() == 0  # the mentor's one place is held, and the asking mentee waits for the answer
    assert {u["application"] for u in run.unmatched} == {other.pk}


def test_asking_closes_the_committees_open_proposals_that_the_place_was_promised_to(
    choosing_program, make_mentor, make_mentee
):
    mentor, asking, proposed = make_mentor("m"), make_mentee("a"), make_mentee("b")
    mentees_own = Proposal.objects.create(
        program=choosing_program, mentee_application=asking, mentor_application=make_mentor("x"), score=60
    )
    others = Proposal.objects.create(
        program=choosing_program, mentee_application=proposed, mentor_application=mentor, score=60
    )
    ask(asking, mentor)
    mentees_own.refresh_from_db()
    others.refresh_from_db()
    assert (mentees_own.status, others.status) == ("superseded", "mentor_full")


# --- The mentor's answer ------------------------------------------------------------------------------


def test_a_yes_waits_for_the_committee_and_closes_the_mentees_other_requests(
    choosing_program, make_mentor, make_mentee, world, sent
):
    mentee, chosen, other = make_mentee("a"), make_mentor("m"), make_mentor("o")
    proposal, elsewhere = ask(mentee, chosen), ask(mentee, other)
    assert services.mentor_answers(proposal=proposal, accept=True) is None
    proposal.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (proposal.status, elsewhere.status) == ("proposed", "ask_closed")
    assert proposal in Proposal.objects.filter(program=choosing_program, status="proposed")  # the queue
    [told] = sent(f"member-ask-answer:{proposal.pk}:accepted")
    assert told.to == mentee.user.email and "Mentor M said yes" in told.subject
    [closed] = sent(f"member-ask-closed:{elsewhere.pk}")
    assert closed.to == other.user.email and "nothing more is needed" in closed.body
    assert "Mentor M" not in closed.body  # never whom else the mentee asked
    mentee.refresh_from_db()
    assert "said yes: the committee confirms the pair next" in refused(mentee, make_mentor("late"))
    # The committee approves: the partnership, the usual introductions, no second ask of the mentor.
    partnership = services.approve(proposal=proposal, by=world["people"]["chair"])
    assert partnership.mentor == chosen.user and partnership.approved_by == world["people"]["chair"]
    assert len(sent(f"introduction:{partnership.pk}:")) == 2
    assert len(sent(f"mentor-ask:{proposal.pk}")) == 1


def test_a_yes_in_a_program_with_the_mentor_asked_first_is_not_asked_again(
    choosing_program, make_mentor, make_mentee, world, sent
):
    choosing_program.mentor_accepts_first = True
    choosing_program.save(update_fields=["mentor_accepts_first"])
    mentee, mentor = make_mentee("a"), make_mentor("m")
    proposal = ask(mentee, mentor)
    services.mentor_answers(proposal=proposal, accept=True)
    partnership = services.approve(proposal=proposal, by=world["people"]["chair"])
    assert partnership is not None and partnership.status == "active"


def test_a_yes_starts_the_partnership_at_once_where_the_program_trusts_the_mentor(
    choosing_program, make_mentor, make_mentee, sent
):
    choosing_program.member_choice_needs_committee = False
    choosing_program.save(update_fields=["member_choice_needs_committee"])
    mentee, chosen, other = make_mentee("a"), make_mentor("m"), make_mentor("o")
    proposal, elsewhere = ask(mentee, chosen), ask(mentee, other)
    partnership = services.mentor_answers(proposal=proposal, accept=True)
    assert partnership.mentee == mentee.user and partnership.approved_by is None
    proposal.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (proposal.status, proposal.partnership, elsewhere.status) == ("approved", partnership, "ask_closed")
    assert len(sent(f"introduction:{partnership.pk}:")) == 2
    assert sent(f"member-ask-closed:{elsewhere.pk}")
    mentee.refresh_from_db()
    assert refused(mentee, make_mentor("late")) == "You have a mentor in this program."


def test_a_no_is_told_kindly_and_remembered(client, make_mentor, make_mentee, sent):
    mentee, mentor, other = make_mentee("a"), make_mentor("m"), make_mentor("o")
    proposal = ask(mentee, mentor)
    services.mentor_answers(proposal=proposal, accept=False, note="Too busy, and not my field really.")
    [told] = sent(f"member-ask-answer:{proposal.pk}:declined")
    assert "can't take you on" in told.body and "Too busy" not in told.body  # the note is the committee's
    client.force_login(mentee.user)
    for url in (reverse("choose_mentor", args=[mentee.program_id]), reverse("accounts:my_data")):
        page = client.get(url).content.decode()
        assert "Mentor M" in page and "Too busy" not in page
    assert offered(mentee) == [other]
    assert refused(mentee, mentor) == NOT_AVAILABLE


def test_no_answer_in_time_closes_the_request_once_tells_the_mentee_and_is_remembered(
    choosing_program, make_mentor, make_mentee, sent
):
    mentee, mentor, other = make_mentee("a"), make_mentor("m"), make_mentor("o")
    proposal = ask(mentee, mentor)
    later = timezone.now() + timedelta(days=choosing_program.mentor_answer_days + 1)
    assert services.expire_mentor_asks(now=later) == 1
    assert services.expire_mentor_asks(now=later) == 0  # run twice: nothing more
    proposal.refresh_from_db()
    assert proposal.status == "mentor_silent"
    [told] = sent(f"member-ask-answer:{proposal.pk}:")
    assert "did not answer your request within 7 days" in told.body
    assert offered(mentee) == [other]  # silence is remembered on this path
    assert refused(mentee, mentor) == NOT_AVAILABLE
    assert services._places_held(mentor) == 0


def test_a_yes_after_the_mentees_membership_lapsed_cannot_go_ahead(make_mentor, make_mentee, sent):
    mentee, mentor = make_mentee("a"), make_mentor("m")
    proposal = ask(mentee, mentor)
    Profile.objects.filter(user=mentee.user).update(membership_status=Profile.MembershipStatus.LAPSED)
    with pytest.raises(services.NoLongerMatchable):
        services.mentor_answers(proposal=proposal, accept=True)
    proposal.refresh_from_db()
    assert proposal.status == "cant_go_ahead" and not Partnership.objects.exists()
    assert sent(f"member-ask-answer:{proposal.pk}:cant_go_ahead")


def test_the_committee_not_confirming_tells_both_and_the_mentee_may_ask_again(make_mentor, make_mentee, world, sent):
    mentee, mentor, other = make_mentee("a"), make_mentor("m"), make_mentor("o")
    proposal = ask(mentee, mentor)
    services.mentor_answers(proposal=proposal, accept=True)
    services.reject(proposal=proposal, by=world["people"]["chair"])
    assert sent(f"member-ask-answer:{proposal.pk}:not_confirmed")[0].to == mentee.user.email
    assert "decided not to confirm" in sent(f"member-ask-closed:{proposal.pk}")[0].body
    assert offered(mentee) == [other]  # the committee's rejection is remembered, as in every run


def test_a_run_leaves_an_accepted_request_in_the_queue(choosing_program, make_mentor, make_mentee, world):
    mentee, mentor = make_mentee("a"), make_mentor("m", capacity=2)
    proposal = ask(mentee, mentor)
    services.mentor_answers(proposal=proposal, accept=True)
    make_mentee("b")
    run = services.start_run(program=choosing_program, by=world["people"]["chair"])
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    assert [p.mentee_application.user.email for p in run.proposals.all()] == ["mentee.b@example.org"]


# --- Withdrawing ----------------------------------------------------------------------------------


def test_the_mentee_withdraws_a_request_and_the_mentor_is_told_nothing_more_is_needed(
    make_mentor, make_mentee, sent, client
):
    mentee, mentor = make_mentee("a"), make_mentor("m")
    proposal = ask(mentee, mentor)
    choosing.withdraw(proposal=proposal, by=mentee.user)
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn" and services._places_held(mentor) == 0
    assert sent(f"member-ask-closed:{proposal.pk}")[0].to == mentor.user.email
    with pytest.raises(ValidationError, match="closed already"):
        choosing.withdraw(proposal=proposal, by=mentee.user)
    # The mentor's link now says the request is closed, without why.
    page = client.get(services.mentor_answer_url(proposal).removeprefix("http://testserver"))
    assert "This request is closed" in page.content.decode()
    assert offered(mentee) == [mentor]  # a withdrawal is the mentee's own: they may ask again


def test_only_the_mentee_who_asked_can_withdraw(make_mentor, make_mentee):
    mentee, mentor = make_mentee("a"), make_mentor("m")
    proposal = ask(mentee, mentor)
    with pytest.raises(ValidationError):
        choosing.withdraw(proposal=proposal, by=mentor.user)


# --- What the mentor reads -----------------------------------------------------------------------------


def test_the_mentor_reads_this_request_and_its_note_only(client, make_mentor, make_mentee):
    mentor = make_mentor("m", capacity=2)
    first, second = make_mentee("first"), make_mentee("second")
    proposal = ask(first, mentor, note="Your claims talk made me want to ask.")
    ask(second, mentor, note="Second note.")
    other = make_mentor("other")
    ask(first, other)
    page = client.get(services.mentor_answer_url(proposal).removeprefix("http://testserver")).content.decode()
    assert "Your claims talk made me want to ask." in page and "chose you from the program" in page
    assert "Mentee Second" not in page and "Second note." not in page and "Mentor Other" not in page


def test_a_committee_proposal_waiting_for_its_mentor_keeps_the_mentee_from_asking(
    choosing_program, make_mentor, make_mentee, world
):
    choosing_program.mentor_accepts_first = True
    choosing_program.save(update_fields=["mentor_accepts_first"])
    mentee, proposed, chosen = make_mentee("a"), make_mentor("p"), make_mentor("c")
    services.approve(
        proposal=Proposal.objects.create(
            program=choosing_program, mentee_application=mentee, mentor_application=proposed, score=60
        ),
        by=world["people"]["chair"],
    )
    assert "The committee has proposed a mentor for you" in refused(mentee, chosen)


def test_a_mentee_named_as_a_partner_elsewhere_is_matched_as_usual(choosing_program, make_mentee):
    """Members' requests change nothing for a program's other mentees (a smoke test of the pool)."""
    mentee = make_mentee("a")
    assert choosing.why_not_now(choosing_program, mentee) == []
    assert choosing.offered_mentors(mentee) == []


def test_erasing_a_mentee_closes_their_requests_and_removes_their_note(make_mentor, make_mentee, sent):
    from accounts.privacy import erase_member, export_member_data

    mentee, mentor = make_mentee("a"), make_mentor("m")
    proposal = ask(mentee, mentor, note="Please mentor me, Mentee A here.")
    [request] = export_member_data(mentee.user)["mentor_requests"]
    assert (request["mentor"], request["note"], request["status"]) == (
        "Mentor M",
        "Please mentor me, Mentee A here.",
        "awaiting_mentor",
    )
    assert export_member_data(mentor.user)["mentor_requests"] == []
    erase_member(mentee.user)
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn" and "Please mentor me" not in choosing.note_of(proposal)
    assert "Please mentor me" not in sent(f"mentor-ask:{proposal.pk}")[0].body
    assert services._places_held(mentor) == 0


# --- The race (PostgreSQL: real row locks) ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_mentees_asking_for_the_last_place_at_once_get_one_request(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: two requests at once need PostgreSQL (DATABASE_URL)")
    program = world["program"]
    program.members_choose = True
    program.save(update_fields=["members_choose"])
    mentor = applicant(program, "race.mentor@example.org", "mentor", years=20, employer="Mentor Firm")
    mentees = [applicant(program, f"race.{n}@example.org", "mentee", employer=f"Firm {n}") for n in range(2)]
    barrier, results = threading.Barrier(2), []

    def ask_at_once(mentee):
        try:
            barrier.wait(10)
            choosing.ask_mentor(mentee_app=mentee, mentor_app=mentor, note="Me, please.")
            results.append("asked")
        except ValidationError as error:
            results.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask_at_once, args=(m,)) for m in mentees]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    full = "Race Mentor has no free place any more: another member asked a moment ago. Please choose another mentor."
    assert sorted(results) == sorted(["asked", full])
    assert Proposal.objects.filter(mentor_application=mentor, status="awaiting_mentor").count() == 1
    assert OutgoingEmail.objects.filter(to=mentor.user.email, key__startswith="mentor-ask:").count() == 1


def test_a_mentee_who_withdraws_their_application_closes_their_requests(client, make_mentor, make_mentee, sent):
    mentee, mentor, other = make_mentee("a"), make_mentor("m"), make_mentor("o")
    first, second = ask(mentee, mentor), ask(mentee, other)
    withdraw_application(application=mentee)
    link = services.mentor_answer_url(first).removeprefix("http://testserver")
    assert "This request is closed" in client.get(link).content.decode()
    with pytest.raises(ValidationError, match="This request is closed"):
        services.mentor_answers(proposal=first, accept=True)
    assert tasks.expire_mentor_asks() == 1  # the hourly job: the other request
    assert tasks.expire_mentor_asks() == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("withdrawn", "withdrawn")
    assert sent(f"member-ask-closed:{second.pk}")[0].to == other.user.email
    assert services._places_held(mentor) == services._places_held(other) == 0
    assert not Partnership.objects.exists()


def test_a_mentee_waiting_for_the_orientation_is_told_so_and_a_mentor_waiting_for_it_is_not_offered(
    choosing_program, make_mentor, make_mentee
):
    require(choosing_program, Required.BEFORE_MATCHING)
    for_mentees, for_mentors = item(choosing_program, "Welcome", audience="mentee"), item(choosing_program, "Guide")
    mentee, ready, waiting = make_mentee("a"), make_mentor("ready"), make_mentor("waiting")
    orientation.complete_item(item=for_mentors, user=ready.user)
    said = "Please finish the program's orientation first: 0 of 1 required item done."
    assert choosing.why_not_now(choosing_program, mentee) == [said]
    assert refused(mentee, ready) == said
    orientation.complete_item(item=for_mentees, user=mentee.user)
    assert choosing.why_not_now(choosing_program, mentee) == []
    assert offered(mentee) == [ready]
    assert refused(mentee, waiting) == NOT_AVAILABLE


def test_a_closed_mentee_applications_requests_lose_their_words_when_its_record_expires(make_mentor, make_mentee, sent):
    """Records kept no longer than needed (retention): the note, and the emails about the request."""
    mentee, mentor = make_mentee("a"), make_mentor("m")
    proposal = ask(mentee, mentor, note="NOTE-THAT-EXPIRES")
    services.mentor_answers(proposal=proposal, accept=False)
    withdraw_application(application=mentee)
    closed = datetime(2024, 1, 15, 12, tzinfo=timezone.get_current_timezone())
    Application.objects.filter(pk=mentee.pk).update(updated_at=closed)
    retention.run_retention_job(today=date(2025, 12, 15))  # the month's warning
    retention.run_retention_job(today=date(2026, 1, 15))
    assert choosing.note_of(proposal) == ""
    emails = sent(f"mentor-ask:{proposal.pk}") + sent(f"member-ask-answer:{proposal.pk}:")
    assert len(emails) == 2 and all(e.subject == EXPIRED and e.body == "" for e in emails)


def test_a_mentee_waiting_for_their_chosen_mentors_answer_is_not_told_we_are_still_looking(
    make_mentor, make_mentee, sent
):
    asking, other = make_mentee("a"), make_mentee("b")
    ask(asking, make_mentor("m"))
    assert waiting.notify_waiting_mentees(now=timezone.now() + timedelta(days=31)) == 1
    assert [e.to for e in sent("still-waiting:")] == [other.user.email]
