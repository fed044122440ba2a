"""The partnership agreement and the timeline's milestones, on the partners' page: the agreement is
made from the program's guidelines when the partnership starts (or when a partner first opens the
page of a partnership that started before agreements existed); each partner confirms it and may
add terms, and changing one's terms asks the other to confirm again; milestones are marked done
with a date (undo allowed). Someone else's partnership or milestone answers 404 and is left as it
was; hostile input gets a plain message and what was typed is shown again."""

import html
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import partnership_for
from mentoring.models import Milestone
from mentoring.services import add_default_milestones, create_program
from outbox.models import OutgoingEmail
from partnerships import agreements, life
from partnerships.models import Agreement, MilestoneProgress

pytestmark = pytest.mark.django_db

NOTICE = "Your agreement is not confirmed by both of you yet."


@pytest.fixture
def chair(world):
    return world["people"]["chair"]


@pytest.fixture
def partnership(program, chair):
    add_default_milestones(program=program)
    return partnership_for(program, chair, days_ago=40, agreed=False)


def page(client, partnership):
    response = client.get(reverse("partnership", args=[partnership.pk]))
    assert response.status_code == 200
    return response


def text(response):
    return html.unescape(response.content.decode())


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def post(client, name, partnership, data=None, *args, follow=True):
    return client.post(reverse(name, args=[partnership.pk, *args]), data or {}, follow=follow)


def confirm(client, partnership):
    seen = Agreement.objects.get(partnership=partnership).fingerprint
    return post(client, "agreement_confirm", partnership, {"seen": seen})


def milestone(program, title):
    return Milestone.objects.get(program=program, title=title)


# --- The agreement is made when the partnership starts ---------------------------------------------


def test_the_agreement_holds_the_programs_terms_as_they_were_when_the_partnership_started(partnership, program):
    agreement = partnership.agreement
    assert agreement.made_at_start
    assert agreement.meeting_frequency == program.meeting_frequency
    assert agreement.channels == program.communication_channels
    assert agreement.confidentiality == program.confidentiality
    assert agreement.ending_early == program.ending_early and "end the partnership early" in agreement.ending_early
    assert agreement.mentee_confirmed_at is None and agreement.mentor_confirmed_at is None
    program.confidentiality, program.meeting_frequency = "A new rule", "weekly"
    program.save()
    agreement.refresh_from_db()
    assert agreement.confidentiality != "A new rule" and agreement.meeting_frequency == "monthly"


def test_the_introduction_asks_both_partners_to_confirm_the_agreement(partnership):
    for role in ("mentee", "mentor"):
        body = OutgoingEmail.objects.get(key=f"introduction:{partnership.pk}:{role}").body
        assert "please read and confirm it on your partnership page, both of you" in body
        assert reverse("partnership", args=[partnership.pk]) in body


def test_a_partnership_from_before_agreements_gets_one_when_a_partner_opens_the_page(client, partnership, program):
    Agreement.objects.filter(partnership=partnership).delete()
    program.ending_early = "Tell the chair."
    program.save()
    client.force_login(partnership.mentor)
    assert NOTICE in text(page(client, partnership))
    agreement = Agreement.objects.get(partnership=partnership)
    assert not agreement.made_at_start and agreement.ending_early == "Tell the chair."
    page(client, partnership)
    assert Agreement.objects.filter(partnership=partnership).count() == 1


def test_an_ended_partnership_from_before_agreements_gets_none(client, partnership):
    Agreement.objects.filter(partnership=partnership).delete()
    life.complete(partnership=partnership, by=None)
    client.force_login(partnership.mentee)
    assert "Your agreement" not in text(page(client, partnership))
    assert not Agreement.objects.exists()


# --- Both partners confirm ---------------------------------------------------------------------------


def test_the_notice_says_who_still_has_to_confirm_until_both_have(client, partnership):
    mentee, mentor = partnership.mentee, partnership.mentor
    client.force_login(mentee)
    shown = text(page(client, partnership))
    assert NOTICE in shown and "Neither of you has confirmed it" in shown
    assert "I have read it and confirm the agreement" in shown

    response = confirm(client, partnership)
    assert f"Thank you: you confirmed your agreement. {mentor.first_name} is asked to confirm it too." in messages_of(
        response
    )
    shown = text(response)
    assert f"Waiting for {mentor.first_name} to confirm it." in shown
    assert "I have read it and confirm the agreement" not in shown

    client.force_login(mentor)
    shown = text(page(client, partnership))
    assert f"{mentee.first_name} confirmed it on" in shown and "Please read it below and confirm it too." in shown
    response = confirm(client, partnership)
    assert "Thank you: you have both confirmed your agreement." in messages_of(response)
    assert NOTICE not in text(response)
    assert f"{mentee.first_name} confirmed it on" in text(response)
    agreement = Agreement.objects.get(partnership=partnership)
    assert agreement.is_confirmed and agreement.status_text == "Confirmed by both"


def test_confirming_twice_keeps_the_first_date(partnership):
    first = agreements.confirm_agreement(partnership=partnership, user=partnership.mentee).mentee_confirmed_at
    again = agreements.confirm_agreement(partnership=partnership, user=partnership.mentee).mentee_confirmed_at
    assert first == again


def test_a_confirmation_of_words_that_changed_meanwhile_is_refused(client, partnership):
    client.force_login(partnership.mentee)
    seen = Agreement.objects.get(partnership=partnership).fingerprint
    agreements.add_terms(partnership=partnership, user=partnership.mentor, text="No calls on Sundays.")
    for stale in (seen, "", "x" * 500, "<script>"):
        response = post(client, "agreement_confirm", partnership, {"seen": stale})
        assert (
            "The agreement changed while you were reading it: please read it again below, then confirm."
            in messages_of(response)
        )
    assert Agreement.objects.get(partnership=partnership).mentee_confirmed_at is None
    assert "No calls on Sundays." in text(response)


def test_someone_elses_partnership_answers_404_and_is_left_as_it_was(client, partnership, program, chair):
    other = partnership_for(program, chair, "b", agreed=False)
    client.force_login(other.mentee)
    seen = partnership.agreement.fingerprint
    first = milestone(program, "Kickoff")
    for name, args, data in [
        ("agreement_confirm", [], {"seen": seen}),
        ("agreement_terms", [], {"terms": "Mine now"}),
        ("milestone_done", [first.pk], {"done_on": timezone.localdate().isoformat()}),
        ("milestone_undo", [first.pk], {}),
    ]:
        assert post(client, name, partnership, data, *args, follow=False).status_code == 404
    agreement = Agreement.objects.get(partnership=partnership)
    assert (agreement.mentee_confirmed_at, agreement.mentor_confirmed_at, agreement.mentee_terms) == (None, None, "")
    assert not MilestoneProgress.objects.exists()


def test_the_service_refuses_someone_who_is_not_a_partner(partnership, world):
    with pytest.raises(ValidationError):
        agreements.confirm_agreement(partnership=partnership, user=world["people"]["member"])
    with pytest.raises(ValidationError):
        agreements.add_terms(partnership=partnership, user=world["people"]["chair"], text="Hi")


def test_nothing_is_confirmed_or_changed_once_the_partnership_has_ended(client, partnership, program):
    life.complete(partnership=partnership, by=None)
    client.force_login(partnership.mentee)
    response = confirm(client, partnership)
    assert "The agreement can be changed while the partnership is active." in messages_of(response)
    shown = text(response)
    assert NOTICE not in shown and "I have read it and confirm" not in shown and "Save my terms" not in shown
    assert "Mark done" not in shown
    response = post(client, "agreement_terms", partnership, {"terms": "Late words"})
    assert Agreement.objects.get(partnership=partnership).mentee_terms == ""
    response = post(
        client,
        "milestone_done",
        partnership,
        {"done_on": timezone.localdate().isoformat()},
        milestone(program, "Kickoff").pk,
    )
    assert "Milestones are marked while the partnership is active." in text(response)
    assert not MilestoneProgress.objects.exists()


# --- Their own terms ---------------------------------------------------------------------------------


def test_changing_ones_terms_asks_the_other_to_confirm_again(client, partnership):
    mentee, mentor = partnership.mentee, partnership.mentor
    agreements.confirm_agreement(partnership=partnership, user=mentee)
    agreements.confirm_agreement(partnership=partnership, user=mentor)
    client.force_login(mentor)
    shown = text(page(client, partnership))
    assert (
        f"if you change your terms after {mentee.first_name} confirmed, "
        f"{mentee.first_name} is asked by email to confirm again" in shown
    )
    response = post(client, "agreement_terms", partnership, {"terms": "  We meet on the first Tuesday.  "})
    assert f"Your terms are saved. {mentee.first_name} is asked to confirm the agreement again." in messages_of(
        response
    )
    agreement = Agreement.objects.get(partnership=partnership)
    assert agreement.mentor_terms == "We meet on the first Tuesday."
    assert agreement.mentee_confirmed_at is None and agreement.mentor_confirmed_at is not None
    assert f"Waiting for {mentee.first_name} to confirm it." in text(response)

    client.force_login(mentee)
    shown = text(page(client, partnership))
    assert NOTICE in shown and "We meet on the first Tuesday." in shown
    # The same words again change nothing; removing them is a change.
    confirm(client, partnership)
    client.force_login(mentor)
    response = post(client, "agreement_terms", partnership, {"terms": "We meet on the first Tuesday."})
    assert messages_of(response) == ["Your terms are saved."]
    assert Agreement.objects.get(partnership=partnership).is_confirmed
    response = post(client, "agreement_terms", partnership, {"terms": ""})
    assert f"Your terms are removed. {mentee.first_name} is asked to confirm the agreement again." in messages_of(
        response
    )


def test_markup_emoji_and_sql_in_terms_are_kept_as_written_and_shown_escaped(client, partnership):
    terms = "<script>alert(1)</script> שלום 😀 ' OR 1=1 --; DROP TABLE mentoring_agreement"
    client.force_login(partnership.mentee)
    post(client, "agreement_terms", partnership, {"terms": terms})
    assert Agreement.objects.get(partnership=partnership).mentee_terms == terms
    client.force_login(partnership.mentor)
    body = page(client, partnership).content.decode()
    assert html.escape(terms) in body and "<script>alert(1)" not in body


def test_bad_terms_get_a_plain_message_keep_what_was_typed_and_save_nothing(client, partnership):
    client.force_login(partnership.mentee)
    for terms, error in [
        ("x" * 20_000, "Ensure this value has at most 2000 characters (it has 20000)."),
        ("Fine words\x00", "Null characters are not allowed."),
    ]:
        response = post(client, "agreement_terms", partnership, {"terms": terms}, follow=False)
        assert response.status_code == 200
        assert "Your terms are not saved yet: please correct what is marked below." in messages_of(response)
        shown = text(response)
        assert error in shown and "There is a problem" in shown
        assert "<details open>" in response.content.decode()
        if "\x00" not in terms:
            assert terms[:2000] in shown
    assert Agreement.objects.get(partnership=partnership).mentee_terms == ""


def test_a_post_without_the_terms_field_removes_nothing_it_did_not_have(client, partnership):
    client.force_login(partnership.mentee)
    response = post(client, "agreement_terms", partnership, {})
    assert "Your terms are removed." in messages_of(response)
    assert Agreement.objects.get(partnership=partnership).mentee_terms == ""


# --- Milestones --------------------------------------------------------------------------------------


def test_a_partner_marks_a_milestone_done_with_a_date_and_can_undo_it(client, partnership, program):
    kickoff = milestone(program, "Kickoff")
    client.force_login(partnership.mentor)
    shown = text(page(client, partnership))
    assert "0 of 5 done" in shown and shown.count("Mark done") == 5
    assert f'value="{timezone.localdate().isoformat()}"' in shown  # today, unless changed
    day = partnership.started_on + timedelta(days=2)
    response = post(client, "milestone_done", partnership, {"done_on": day.isoformat()}, kickoff.pk)
    assert f"“Kickoff” is marked done on {day:%B} {day.day}, {day.year}." in messages_of(response)
    assert f"Done on {day:%b} {day.day}" in text(response) and "1 of 5 done" in text(response)
    done = MilestoneProgress.objects.get()
    assert (done.partnership, done.milestone, done.done_on, done.marked_by) == (
        partnership,
        kickoff,
        day,
        partnership.mentor,
    )
    # Marking it again changes the date; the mentee sees it too.
    post(client, "milestone_done", partnership, {"done_on": timezone.localdate().isoformat()}, kickoff.pk)
    assert MilestoneProgress.objects.get().done_on == timezone.localdate()
    client.force_login(partnership.mentee)
    response = post(client, "milestone_undo", partnership, {}, kickoff.pk)
    assert "“Kickoff” is open again." in messages_of(response)
    assert not MilestoneProgress.objects.exists()


def test_a_bad_milestone_date_gets_a_plain_message_and_keeps_what_was_typed(client, partnership, program):
    month = milestone(program, "First month")
    start = partnership.started_on
    client.force_login(partnership.mentee)
    for done_on, error in [
        ((timezone.localdate() + timedelta(days=1)).isoformat(), "Choose today or an earlier date"),
        ("2099-12-31", "Choose today or an earlier date: a milestone is marked once it is done."),
        (
            (start - timedelta(days=1)).isoformat(),
            f"Choose a date from {start:%B} {start.day}, {start.year}, when your partnership started.",
        ),
        ("", "This field is required."),
        ("31/31/2026", "Enter a valid date."),
        ("2026-02-30", "Enter a valid date."),
        ("<script>", "Enter a valid date."),
        ("2026-01-01\x00", "Enter a valid date."),
        ("' OR 1=1 --", "Enter a valid date."),
        ("x" * 5000, "Enter a valid date."),
    ]:
        response = post(client, "milestone_done", partnership, {"done_on": done_on}, month.pk, follow=False)
        assert response.status_code == 200
        assert "“First month” is not marked yet: please correct the date below." in messages_of(response)
        shown = text(response)
        assert error in shown, done_on
        if done_on and "\x00" not in done_on:
            assert f'value="{done_on}"' in shown
    assert not MilestoneProgress.objects.exists()


def test_another_programs_or_a_missing_milestone_answers_404(client, partnership, world):
    other = create_program(name="Elsewhere", kind="new_member", association=world["associations"]["easton"])
    add_default_milestones(program=other)
    client.force_login(partnership.mentee)
    for milestone_id in (Milestone.objects.filter(program=other).first().pk, 999_999):
        for name, data in (("milestone_done", {"done_on": timezone.localdate().isoformat()}), ("milestone_undo", {})):
            assert post(client, name, partnership, data, milestone_id, follow=False).status_code == 404
    assert not MilestoneProgress.objects.exists()


def test_progress_against_the_timeline_done_due_and_behind(partnership, program, chair):
    today = partnership.started_on + timedelta(days=100)
    agreements.mark_milestone(
        partnership=partnership,
        milestone=milestone(program, "Kickoff"),
        user=partnership.mentee,
        done_on=partnership.started_on,
    )
    progress = agreements.timeline_progress([partnership], today=today)[partnership.pk]
    assert (progress.done, progress.total, progress.due) == (1, 5, 3)
    assert [m.title for m in progress.behind] == ["First month", "Three months"]
    # An ended partnership is judged by the day it ended.
    fresh = partnership_for(program, chair, "b")
    assert agreements.timeline_progress([fresh], today=fresh.started_on)[fresh.pk].due == 1  # Kickoff, on day 0


def test_behind_only_a_week_past_the_day_and_never_once_ended(partnership, program, chair, client, world):
    """The committee read "behind on: Kickoff" for a partnership started that day, and "behind on
    ..." and "Agreement: waiting for both partners" for partnerships already completed."""
    fresh = partnership_for(program, chair, "b", agreed=False)
    start = fresh.started_on
    on = lambda day: agreements.timeline_progress([fresh], today=day)[fresh.pk]  # noqa: E731
    assert on(start).behind == [] and on(start + timedelta(days=6)).behind == []
    assert [m.title for m in on(start + timedelta(days=7)).behind] == ["Kickoff"]

    fresh.started_on -= timedelta(days=200)
    fresh.ended_on, fresh.status = timezone.localdate(), "completed"
    fresh.save(update_fields=["started_on", "ended_on", "status"])
    assert on(timezone.localdate()).behind == []
    client.force_login(chair)
    page = client.get(reverse("committee:partnerships", args=[program.pk]), {"status": "completed"})
    shown = page.content.decode()
    assert "behind on" not in shown and "Waiting for both partners" not in shown
    assert "Never confirmed by either partner" in shown


def test_progress_for_many_partnerships_takes_two_queries(program, chair, django_assert_num_queries):
    add_default_milestones(program=program)
    many = [partnership_for(program, chair, f"p{i}") for i in range(6)]
    with django_assert_num_queries(2):
        progress = agreements.timeline_progress(many)
    assert len(progress) == 6 and all(p.total == 5 for p in progress.values())


def test_the_partnership_page_stays_constant_query_as_milestones_are_marked(
    client, partnership, program, django_assert_max_num_queries
):
    client.force_login(partnership.mentee)
    url = reverse("partnership", args=[partnership.pk])
    client.get(url)  # the first view may make the agreement
    with django_assert_max_num_queries(30) as before:
        client.get(url)
    for m in Milestone.objects.filter(program=program):
        agreements.mark_milestone(
            partnership=partnership, milestone=m, user=partnership.mentee, done_on=timezone.localdate()
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert "5 of 5 done" in text(client.get(url))


# --- Their data ------------------------------------------------------------------------------------


def test_my_data_holds_my_terms_and_erasure_removes_them_and_my_name_from_the_partners(partnership, program):
    from accounts.privacy import erase_member, export_member_data

    mentee, mentor = partnership.mentee, partnership.mentor
    agreements.add_terms(partnership=partnership, user=mentee, text="MENTEE-TERMS-7c1e")
    agreements.add_terms(partnership=partnership, user=mentor, text=f"No calls to {mentee.first_name} after 8 pm")
    agreements.confirm_agreement(partnership=partnership, user=mentee)
    agreements.mark_milestone(
        partnership=partnership, milestone=milestone(program, "Kickoff"), user=mentor, done_on=partnership.started_on
    )
    [mine] = export_member_data(mentee)["partnerships"]
    assert mine["agreement"] == {
        "your_terms": "MENTEE-TERMS-7c1e",
        "you_confirmed_on": timezone.localdate().isoformat(),
    }
    assert mine["milestones_done"] == [{"milestone": "Kickoff", "done_on": partnership.started_on.isoformat()}]
    assert "after 8 pm" not in str(mine)  # the partner's words are theirs
    life.complete(partnership=partnership, by=None)
    erase_member(mentee)
    agreement = Agreement.objects.get(partnership=partnership)
    assert agreement.mentee_terms == "" and mentee.first_name not in agreement.mentor_terms
    assert "after 8 pm" in agreement.mentor_terms


def test_my_mentoring_asks_each_partner_to_confirm_until_they_have(client, partnership):
    for person in (partnership.mentee, partnership.mentor):
        client.force_login(person)
        assert "Read and confirm your agreement" in text(client.get(reverse("my_mentoring")))
        agreements.confirm_agreement(partnership=partnership, user=person)
        assert "Read and confirm your agreement" not in text(client.get(reverse("my_mentoring")))


def test_the_partner_whose_confirmation_is_cleared_is_told_once_by_email(partnership):
    from outbox.emails import send_pending_emails

    mentee, mentor = partnership.mentee, partnership.mentor
    agreements.add_terms(partnership=partnership, user=mentee, text="Before anyone confirmed")
    assert not OutgoingEmail.objects.filter(key__startswith="agreement-changed:").exists()
    agreements.confirm_agreement(partnership=partnership, user=mentor)
    agreements.add_terms(partnership=partnership, user=mentee, text="Changed after Mentor confirmed")
    agreements.add_terms(partnership=partnership, user=mentee, text="Changed again, nobody to clear")
    [email] = OutgoingEmail.objects.filter(key__startswith="agreement-changed:")
    assert email.to == mentor.email
    assert email.subject == f"{mentee.first_name} changed your agreement: please read it again"
    assert reverse("partnership", args=[partnership.pk]) in email.body and "Changed after" not in email.body
    agreements.confirm_agreement(partnership=partnership, user=mentor)
    agreements.add_terms(partnership=partnership, user=mentee, text="A third time, after a new confirmation")
    assert OutgoingEmail.objects.filter(key__startswith="agreement-changed:").count() == 2
    send_pending_emails()
    assert send_pending_emails() == 0
