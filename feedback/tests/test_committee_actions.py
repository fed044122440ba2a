"""What the committee does about partnerships: the attention queue and why each partnership is
in it, follow-up notes, and the chair's extend / complete / dissolve (with re-matching), each
with its emails sent once. Who may GET each page is in the access matrix; here are the POSTs."""

import html
import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from conftest import ask, link, partnership_for
from feedback import services, tasks
from feedback.models import Concern, Response, Solicitation
from mentoring.models import Application, Partnership
from outbox.models import OutgoingEmail
from partnerships import life
from partnerships.models import FollowUp, Meeting

pytestmark = pytest.mark.django_db

FINE = {"satisfaction": 4, "met": "monthly", "progress": "some", "working": "yes", "wants_new_partner": False}
FEEDBACK = "A partner's feedback says it is not going well"
CONCERN = "A partner raised a concern"
SILENT = "No answer to feedback after every reminder"


@pytest.fixture
def people(world):
    return world["people"]


@pytest.fixture
def chair(people):
    return people["chair"]


def answer(partnership, role="mentee", **answers):
    solicitation = Solicitation.objects.filter(partnership=partnership, role=role, status="sent").first() or ask(
        partnership, role
    )
    return services.submit_response(solicitation=solicitation, answers={**FINE, **answers})


def next_round(partnership, role="mentee"):
    """A later round, asked and sent (as the job would)."""
    last = Solicitation.objects.filter(partnership=partnership).order_by("-round").first()
    return Solicitation.objects.create(
        partnership=partnership,
        round=(last.round if last else 0) + 1,
        respondent=partnership.mentee if role == "mentee" else partnership.mentor,
        role=role,
        due_on=timezone.localdate(),
        status="sent",
        sent_at=timezone.now(),
    )


def queue(client, program):
    response = client.get(reverse("committee:partnerships", args=[program.pk]))
    assert response.status_code == 200
    return {a.partnership.pk: list(a.reasons) for a in response.context["attention"]}


def act(client, program, partnership, action, **data):
    return client.post(reverse("committee:act", args=[program.pk, partnership.pk, action]), data, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- The attention queue ----------------------------------------------------------------------


def test_the_queue_lists_each_reason_and_not_the_healthy_ones(client, program, people, chair):
    made = {name: partnership_for(program, chair, name) for name in ["low", "no", "new", "silent", "concern", "fine"]}
    made["quiet"] = partnership_for(program, chair, "quiet", days_ago=program.nudge_after_days)
    made["almost"] = partnership_for(program, chair, "almost", days_ago=program.nudge_after_days - 1)
    made["met"] = partnership_for(program, chair, "met", days_ago=program.nudge_after_days + 30)
    Meeting.objects.create(partnership=made["met"], met_on=timezone.localdate() - timedelta(days=3), logged_by=chair)

    answer(made["low"], satisfaction=2)
    answer(made["no"], working="no")
    answer(made["new"], wants_new_partner=True)
    answer(made["fine"], satisfaction=5)
    answer(made["fine"], "mentor", satisfaction=3, working="partly")
    silent = ask(made["silent"])
    Solicitation.objects.filter(pk=silent.pk).update(
        reminders_sent=program.max_reminders,
        last_reminded_at=timezone.now() - timedelta(days=program.reminder_after_days, hours=1),
    )
    services.raise_concern(partnership=made["concern"], by=made["concern"].mentor, text="Worried")

    client.force_login(people["committee_member"])
    listed = queue(client, program)
    assert listed == {
        made["low"].pk: [FEEDBACK],
        made["no"].pk: [FEEDBACK],
        made["new"].pk: [FEEDBACK],
        made["silent"].pk: [SILENT],
        made["concern"].pk: [CONCERN],
        made["quiet"].pk: [f"No meeting logged or scheduled for {program.nudge_after_days} days"],
    }
    page = client.get(reverse("committee:partnerships", args=[program.pk])).content.decode()
    assert html.escape(FEEDBACK) in page and str(made["low"].mentee) in page


def test_silence_counts_only_after_the_last_reminder_has_had_its_time(client, program, people, chair):
    partnership = partnership_for(program, chair)
    solicitation = ask(partnership)
    client.force_login(people["committee_member"])
    long_ago = timezone.now() - timedelta(days=program.reminder_after_days + 1)
    Solicitation.objects.filter(pk=solicitation.pk).update(
        reminders_sent=program.max_reminders - 1, last_reminded_at=long_ago
    )
    assert queue(client, program) == {}
    Solicitation.objects.filter(pk=solicitation.pk).update(
        reminders_sent=program.max_reminders, last_reminded_at=timezone.now() - timedelta(days=1)
    )
    assert queue(client, program) == {}
    Solicitation.objects.filter(pk=solicitation.pk).update(last_reminded_at=long_ago)
    assert queue(client, program) == {partnership.pk: [SILENT]}
    # An answer, however late, takes it off.
    services.submit_response(solicitation=solicitation, answers=FINE)
    assert queue(client, program) == {}


def test_a_follow_up_note_after_the_flag_clears_it_until_the_next_flag(client, program, people, chair):
    partnership = partnership_for(program, chair)
    services.note_follow_up(partnership=partnership, by=chair, note="Before anything happened")
    answer(partnership, working="no")
    client.force_login(people["committee_member"])
    assert queue(client, program) == {partnership.pk: [FEEDBACK]}  # a note from before doesn't count

    response = act(client, program, partnership, "follow-up", note="Called both; they will meet on Friday.")
    assert "Your note is kept with the partnership." in messages_of(response)
    assert FollowUp.objects.get(partnership=partnership, kind="note", author=people["committee_member"]).note == (
        "Called both; they will meet on Friday."
    )
    assert queue(client, program) == {}

    services.submit_response(solicitation=next_round(partnership), answers={**FINE, "satisfaction": 1})
    assert queue(client, program) == {partnership.pk: [FEEDBACK]}


def test_resolving_a_concern_clears_it(client, program, people, chair):
    partnership = partnership_for(program, chair)
    concern = services.raise_concern(partnership=partnership, by=partnership.mentee, text="Hm")
    client.force_login(people["committee_member"])
    assert queue(client, program) == {partnership.pk: [CONCERN]}
    response = client.post(
        reverse("committee:resolve_concern", args=[program.pk, concern.pk]), {"note": "Sorted"}, follow=True
    )
    assert "The concern is marked as dealt with." in messages_of(response)
    concern.refresh_from_db()
    assert concern.resolved_by == people["committee_member"] and concern.resolved_at
    assert queue(client, program) == {}
    # A second click finds nothing open (404), and records nothing twice.
    again = client.post(reverse("committee:resolve_concern", args=[program.pk, concern.pk]))
    assert again.status_code == 404
    assert FollowUp.objects.filter(partnership=partnership, kind="resolved").count() == 1


def test_a_bad_follow_up_note_gets_a_plain_message_and_stores_nothing(client, program, people, chair):
    partnership = partnership_for(program, chair)
    client.force_login(people["committee_member"])
    for note, words in [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 4001, "Ensure this value has at most 4000 characters (it has 4001)."),
        ("nul\x00byte", "Null characters are not allowed."),
    ]:
        response = act(client, program, partnership, "follow-up", note=note)
        assert response.status_code == 200
        assert messages_of(response) == [f"Follow-up note: {words}"]
    assert not FollowUp.objects.filter(partnership=partnership, kind="note").exists()


# --- The chair's actions --------------------------------------------------------------------------


def state(partnership):
    p = Partnership.objects.get(pk=partnership.pk)
    return {
        "partnership": (p.status, p.planned_end_on, p.ended_on, p.end_reason, p.end_note),
        "applications": sorted(
            Application.objects.filter(pk__in=[p.mentee_application_id, p.mentor_application_id]).values_list(
                "pk", "status"
            )
        ),
        "follow_ups": FollowUp.objects.filter(partnership=p).count(),
        "emails": OutgoingEmail.objects.count(),
    }


ACTIONS = {
    "extend": {"months": "3", "note": "More time"},
    "complete": {"note": "Done"},
    "dissolve": {"reason": "fit", "note": "Why", "rematch": "on", "confirm": "on"},
}


def test_only_the_chair_extends_completes_and_dissolves(client, program, people, chair):
    partnership = partnership_for(program, chair)
    before = state(partnership)
    for role in ["committee_member", "unpledged_member", "other_chair", "vp", "staff", "member"]:
        client.force_login(people[role])
        for action, data in ACTIONS.items():
            url = reverse("committee:act", args=[program.pk, partnership.pk, action])
            response = client.post(url, data)
            if role == "unpledged_member":  # of this committee: led to the pledge first
                assert response.url == reverse("committee:pledge", args=[program.pk]), action
            else:
                assert response.status_code == 404, (role, action)
    for person in (partnership.mentee, partnership.mentor):
        client.force_login(person)
        for action, data in ACTIONS.items():
            url = reverse("committee:act", args=[program.pk, partnership.pk, action])
            assert client.post(url, data).status_code == 404, (person, action)
    assert state(partnership) == before
    # The chair may (the same posts).
    client.force_login(chair)
    act(client, program, partnership, "extend", **ACTIONS["extend"])
    assert state(partnership)["partnership"][1] > before["partnership"][1]


def test_an_unknown_action_is_404_even_for_the_chair(client, program, chair):
    partnership = partnership_for(program, chair)
    before = state(partnership)
    client.force_login(chair)
    for action in ("delete", "reopen", "follow_up", "DISSOLVE"):
        url = reverse("committee:act", args=[program.pk, partnership.pk, action])
        assert client.post(url, ACTIONS["dissolve"]).status_code == 404
    assert client.get(reverse("committee:act", args=[program.pk, partnership.pk, "extend"])).status_code == 405
    assert state(partnership) == before


def test_the_chair_extends_the_planned_end(client, program, chair):
    partnership = partnership_for(program, chair)
    client.force_login(chair)
    response = act(client, program, partnership, "extend", months="3", note="They asked for more time")
    assert "Extended by 3 months." in messages_of(response)
    partnership.refresh_from_db()
    assert partnership.planned_end_on == partnership.started_on + relativedelta(months=program.length_months + 3)
    follow_up = FollowUp.objects.get(partnership=partnership, kind="extended")
    assert follow_up.shown_note == "Extended by 3 months. They asked for more time" and follow_up.author == chair
    assert follow_up.note == "They asked for more time"  # the chair's words, as written


def test_a_bad_extension_is_refused_in_plain_words(client, program, chair):
    partnership = partnership_for(program, chair)
    before = state(partnership)
    client.force_login(chair)
    for months, words in [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("13", "Ensure this value is less than or equal to 12."),
        ("-1", "Ensure this value is greater than or equal to 1."),
        ("99999999999999999999", "Ensure this value is less than or equal to 12."),
        ("abc", "Enter a whole number."),
        ("2.5", "Enter a whole number."),
        ("", "This field is required."),
    ]:
        response = act(client, program, partnership, "extend", months=months)
        assert messages_of(response) == [f"Extend by (months): {words}"], months
    assert state(partnership) == before


def test_the_chair_completes_a_partnership_and_both_are_thanked_once(client, program, chair):
    partnership = partnership_for(program, chair)
    OutgoingEmail.objects.all().delete()
    client.force_login(chair)
    response = act(client, program, partnership, "complete", note="A great year")
    assert "The partnership is complete. Both partners are thanked by email." in messages_of(response)
    partnership.refresh_from_db()
    assert (partnership.status, partnership.end_reason, partnership.ended_on) == (
        "completed",
        "completed",
        timezone.localdate(),
    )
    assert Application.objects.get(pk=partnership.mentor_application_id).status == "in_pool"  # the seat is free
    emails = OutgoingEmail.objects.all()
    assert sorted(e.to for e in emails) == sorted([partnership.mentee.email, partnership.mentor.email])
    assert all("complete" in e.body and "A great year" not in e.body for e in emails)

    again = act(client, program, partnership, "complete", note="again")
    assert "This partnership is already closed." in messages_of(again)
    assert OutgoingEmail.objects.count() == 2
    assert FollowUp.objects.filter(partnership=partnership, kind="completed").count() == 1


def test_completed_before_its_planned_end_both_partners_get_the_final_round(client, program, chair, mailoutbox):
    partnership = partnership_for(program, chair)
    first = ask(partnership)  # round 1 went out, as the job would have done
    services.submit_response(solicitation=first, answers=FINE)
    mailoutbox.clear()
    client.force_login(chair)
    act(client, program, partnership, "complete")
    final = Solicitation.objects.filter(partnership=partnership, is_final=True)
    # Completing leaves the final round to the feedback job (it reads the completed partnership).
    assert not final.exists()
    assert services.create_due_solicitations() == 2
    assert sorted(final.values_list("round", "role", "status")) == [(2, "mentee", "pending"), (2, "mentor", "pending")]
    assert set(final.values_list("due_on", flat=True)) == {timezone.localdate()}
    # Sent though the partnership is closed (the final round is the exception), each once.
    assert services.send_solicitations() == 2 and services.send_solicitations() == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted([partnership.mentee.email, partnership.mentor.email])
    # Its link still opens, and the answer is taken.
    mentee_final = final.get(role="mentee")
    assert client.get(link(mentee_final)).status_code == 200
    services.submit_response(solicitation=mentee_final, answers=FINE)
    # The job creates nothing more for it later.
    later = timezone.localdate() + timedelta(days=400)
    assert services.create_due_solicitations(today=later) == 0


def test_completed_when_the_final_round_was_asked_or_not_wanted_asks_nothing_more(client, program, chair):
    asked = partnership_for(program, chair, "a", days_ago=400)  # past its planned end: the final round is due
    services.create_due_solicitations()
    assert Solicitation.objects.filter(partnership=asked, is_final=True).count() == 2
    program.feedback_at_end = False
    program.save(update_fields=["feedback_at_end"])
    unwanted = partnership_for(program, chair, "b")
    client.force_login(chair)
    for partnership in (asked, unwanted):
        act(client, program, partnership, "complete")
    assert services.create_due_solicitations() == 0
    assert Solicitation.objects.filter(partnership=asked, is_final=True).count() == 2
    assert not Solicitation.objects.filter(partnership=unwanted).exists()


def test_the_final_round_is_asked_once_however_often_the_jobs_run(program, chair, mailoutbox):
    partnership = life.complete(partnership=partnership_for(program, chair), by=chair)
    mailoutbox.clear()
    assert services.create_due_solicitations() == 2
    assert services.create_due_solicitations() == 0  # a second run
    assert tasks.send_feedback_asks() == 2 and tasks.send_feedback_asks() == 0  # the minute task
    assert services.run_feedback_job()["created"] == 0  # the hourly job
    assert Solicitation.objects.filter(partnership=partnership, is_final=True).count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([partnership.mentee.email, partnership.mentor.email])


def test_a_partnership_completed_before_the_window_is_never_asked_the_final_round(program, chair):
    """Deploying the final round as state asks no partnership that closed long ago: only those
    that ended within the program's feedback_link_days."""
    old = life.complete(partnership=partnership_for(program, chair, "a"), by=chair)
    recent = life.complete(partnership=partnership_for(program, chair, "b"), by=chair)
    today = timezone.localdate()
    Partnership.objects.filter(pk=old.pk).update(ended_on=today - timedelta(days=program.feedback_link_days + 1))
    Partnership.objects.filter(pk=recent.pk).update(ended_on=today - timedelta(days=program.feedback_link_days))
    assert services.create_due_solicitations() == 2
    assert tasks.send_feedback_asks() == 2
    assert not Solicitation.objects.filter(partnership=old).exists()
    assert Solicitation.objects.filter(partnership=recent, is_final=True).count() == 2


def test_a_dissolve_without_the_confirmation_keeps_what_the_chair_wrote(client, program, chair):
    partnership = partnership_for(program, chair)
    client.force_login(chair)
    reason = "They never found a time that suits both; no one's fault."
    url = reverse("committee:act", args=[program.pk, partnership.pk, "dissolve"])
    response = client.post(url, {"reason": "schedules", "note": reason, "rematch": "on"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert messages_of(response) == ["Yes, end this partnership: Tick the box to confirm."]
    content = response.content.decode()
    assert html.escape(reason) in content  # still in the box
    assert re.search(r'<option value="schedules"[^>]*selected', content)
    assert 'id="id_dissolve_note"' in content and duplicate_ids(content)[0] == []
    assert Partnership.objects.get(pk=partnership.pk).status == "active"
    response = client.post(url, {"reason": "schedules", "note": reason, "rematch": "on", "confirm": "on"})
    assert Partnership.objects.get(pk=partnership.pk).end_note == reason


def test_the_reason_is_chosen_not_preselected(client, program, chair):
    partnership = partnership_for(program, chair)
    client.force_login(chair)
    content = client.get(reverse("committee:partnership", args=[program.pk, partnership.pk])).content
    assert re.search(
        r'<select name="reason"[^>]*>\s*<option value="" selected>Choose a reason</option>', content.decode()
    )


def test_a_bad_dissolve_changes_nothing_and_says_why(client, program, chair):
    partnership = partnership_for(program, chair)
    before = state(partnership)
    client.force_login(chair)
    for data, words in [
        ({"reason": "fit", "note": "x"}, "Tick the box to confirm."),
        ({"reason": "completed", "confirm": "on"}, "Select a valid choice. completed is not one of"),
        ({"reason": "<script>", "confirm": "on"}, "Select a valid choice. &lt;script&gt; is not one of"),
        ({"reason": "", "confirm": "on"}, "This field is required."),
        ({"reason": "fit", "note": "x" * 4001, "confirm": "on"}, "at most 4000 characters (it has 4001)."),
        ({"reason": "fit", "note": "nul\x00", "confirm": "on"}, "Null characters are not allowed."),
    ]:
        response = act(client, program, partnership, "dissolve", **data)
        assert response.status_code == 200
        assert words in response.content.decode(), data
        assert "<script>" not in response.content.decode()
    assert state(partnership) == before


# --- Constant queries -----------------------------------------------------------------------------


def many_partnerships(program, n, tag):
    """n active partnerships, each with an answered round that needs attention, an open concern
    and a meeting: every annotation of the pages has something to count."""
    roles = [role for _ in range(n) for role in ("mentee", "mentor")]
    users = User.objects.bulk_create(
        User(email=f"{tag}{i}.{role}@example.org", first_name=f"{role.title()}{i // 2}", last_name=tag)
        for i, role in enumerate(roles)
    )
    apps = Application.objects.bulk_create(
        Application(program=program, user=user, role=role, status="matched")
        for user, role in zip(users, roles, strict=True)
    )
    today = timezone.localdate()
    partnerships = Partnership.objects.bulk_create(
        Partnership(
            program=program,
            mentee=apps[2 * i].user,
            mentor=apps[2 * i + 1].user,
            mentee_application=apps[2 * i],
            mentor_application=apps[2 * i + 1],
            started_on=today - timedelta(days=i),
            planned_end_on=today + timedelta(days=300),
        )
        for i in range(n)
    )
    solicitations = Solicitation.objects.bulk_create(
        Solicitation(
            partnership=p, round=1, respondent=p.mentee, role="mentee", due_on=today, status="answered", sent_at=None
        )
        for p in partnerships
    )
    Response.objects.bulk_create(
        Response(
            solicitation=s,
            partnership=s.partnership,
            respondent=s.respondent,
            role="mentee",
            round=1,
            satisfaction=2,
            met="less",
            progress="none",
            working="no",
            concerns="hm",
        )
        for s in solicitations
    )
    Concern.objects.bulk_create(Concern(partnership=p, raised_by=p.mentee, text="c") for p in partnerships)
    Meeting.objects.bulk_create(Meeting(partnership=p, met_on=today) for p in partnerships)
    return partnerships


def test_the_partnerships_page_and_queue_are_constant_query(client, program, chair, django_assert_max_num_queries):
    client.force_login(chair)
    url = reverse("committee:partnerships", args=[program.pk])
    many_partnerships(program, 3, "few")
    with django_assert_max_num_queries(25) as few:
        response = client.get(url)
    assert len(response.context["attention"]) == 3
    many_partnerships(program, 57, "many")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["attention"]) == 60 and len(response.context["page"].object_list) == 50
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url + "?page=2").context["page"].object_list) == 10


def duplicate_ids(content):
    ids = re.findall(r'\sid="([^"]+)"', content)
    return sorted({i for i in ids if ids.count(i) > 1}), set(ids)


def test_every_label_on_the_chairs_page_names_its_own_field(client, program, chair):
    """Four forms share the field name "note": a label pointing at another form's field would
    put the reason a partnership ended into the follow-up box (found by the browser journey)."""
    partnership = partnership_for(program, chair)
    client.force_login(chair)
    content = client.get(reverse("committee:partnership", args=[program.pk, partnership.pk])).content
    duplicates, ids = duplicate_ids(content.decode())
    assert duplicates == []
    labels = re.findall(r'<label[^>]*\sfor="([^"]+)"', content.decode())
    assert len(labels) >= 7 and not [target for target in labels if target not in ids]


# --- A feedback email the mail server refused -------------------------------------------------

REFUSED = services.UNDELIVERABLE
SENT_AGAIN = "The feedback email goes out again within a minute or two. If it is refused again, it shows here."


def refused(partnership, role="mentee"):
    """The ask the mail server refused five times (as the job leaves it)."""
    s = ask(partnership, role)
    Solicitation.objects.filter(pk=s.pk).update(
        status="failed", attempts=5, sent_at=None, last_error="550 5.1.1 Mailbox <mentee.a@example.org> unavailable"
    )
    return s


def send_again_url(program, partnership):
    return reverse("committee:act", args=[program.pk, partnership.pk, "send-again"])


def test_a_refused_feedback_email_waits_in_the_queue_until_a_committee_member_sends_it_again(
    client, program, people, chair, mailoutbox
):
    partnership = partnership_for(program, chair)
    s = refused(partnership)
    member = people["committee_member"]
    client.force_login(member)
    assert queue(client, program) == {partnership.pk: [REFUSED]}
    page = client.get(reverse("committee:partnership", args=[program.pk, partnership.pk])).content.decode()
    assert "The mail server refused it 5 times" in page and html.escape("Mailbox <mentee.a@example.org>") in page
    assert "Send it again" in page

    mailoutbox.clear()
    response = act(client, program, partnership, "send-again", solicitation=s.pk)
    assert messages_of(response) == [SENT_AGAIN]
    s.refresh_from_db()
    assert (s.status, s.attempts, s.last_error) == ("pending", 0, "")
    assert FollowUp.objects.get(partnership=partnership, kind="sent_again").author == member
    assert queue(client, program) == {}
    # The sending task (every minute) sends it, once.
    assert tasks.send_feedback_asks.apply().get() == 1 and tasks.send_feedback_asks.apply().get() == 0
    s.refresh_from_db()
    assert s.status == "sent" and [m.to for m in mailoutbox] == [[partnership.mentee.email]]

    # Pressed again (a second tab): nothing changes, a plain message.
    response = act(client, program, partnership, "send-again", solicitation=s.pk)
    assert messages_of(response) == ["This feedback email is not waiting to be sent again."]
    s.refresh_from_db()
    assert s.status == "sent" and FollowUp.objects.filter(kind="sent_again").count() == 1


@pytest.mark.parametrize("value", ["", "abc", "-1", "0", "1.5", "9" * 30, "1 OR 1=1", "<script>", None])
def test_send_again_with_a_wrong_or_hostile_id_is_404_and_changes_nothing(client, program, chair, value):
    partnership = partnership_for(program, chair)
    s = refused(partnership)
    client.force_login(chair)
    data = {} if value is None else {"solicitation": value}
    assert client.post(send_again_url(program, partnership), data).status_code == 404
    s.refresh_from_db()
    assert s.status == "failed"


def test_send_again_only_for_the_partnership_and_program_in_the_address(client, world, program, people, chair):
    mine, other = partnership_for(program, chair, "a"), partnership_for(program, chair, "b")
    s = refused(other)
    client.force_login(people["committee_member"])
    # Another partnership's ask, through this partnership's address.
    assert client.post(send_again_url(program, mine), {"solicitation": s.pk}).status_code == 404
    # A committee member of another program, and a member: 404 as for every confidential page.
    for who in ("other_chair", "member"):
        client.force_login(people[who])
        assert client.post(send_again_url(program, other), {"solicitation": s.pk}).status_code == 404
    s.refresh_from_db()
    assert s.status == "failed"


def test_answers_are_newest_first_and_the_one_that_raised_the_alert_is_marked(client, program, chair):
    partnership = partnership_for(program, chair)
    now = timezone.now()
    for number in range(1, 5):
        for role, person in (("mentee", partnership.mentee), ("mentor", partnership.mentor)):
            unhappy = number == 2 and role == "mentee"
            asked = Solicitation.objects.create(
                partnership=partnership,
                round=number,
                respondent=person,
                role=role,
                due_on=timezone.localdate(),
                status="answered",
            )
            answer = Response.objects.create(
                solicitation=asked,
                partnership=partnership,
                respondent=person,
                role=role,
                round=number,
                satisfaction=1 if unhappy else 4,
                met="monthly",
                progress="good",
                working="no" if unhappy else "yes",
            )
            Response.objects.filter(pk=answer.pk).update(submitted_at=now - timedelta(days=100 - 20 * number))
    client.force_login(chair)
    url = reverse("committee:partnership", args=[program.pk, partnership.pk])
    page = client.get(url).content.decode()
    rounds = [int(n) for n in re.findall(r"Round (\d+) · the (?:mentee|mentor)", page)]
    assert rounds == sorted(rounds, reverse=True) and len(rounds) == 8
    assert page.count("This answer raised the alert") == 1
    marked = page[page.index("This answer raised the alert") :]
    assert re.match(r"[^·]*</div>\s*<div class=\"small text-body-secondary\">Round 2 · the mentee", marked)
    services.note_follow_up(partnership=partnership, by=chair, note="Called them both.")
    assert "This answer raised the alert" not in client.get(url).content.decode()
