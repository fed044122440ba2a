"""Recruiting: an announcement of the open enrollment goes to the eligible members once per
period; named invitations once per person and role; each email has its one-click unsubscribe;
the personal link leads to the questionnaire and is counted; the chair sees the figures."""

import re
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from conftest import applicant, make_member
from mentoring.models import Application, Program
from mentoring.services import create_program, start_application
from outbox.emails import IN_DOUBT_NOTE, STUCK_AFTER, send_pending_emails
from outbox.models import OutgoingEmail
from recruitment import services as recruitment
from recruitment.models import Announcement, Invitation

LINK = re.compile(r"https?://\S+/invitations/[^/\s]+/")
UNSUBSCRIBE = re.compile(r"https?://\S+/unsubscribe/[^/\s]+/")


@pytest.fixture
def northport(world):
    return world["associations"]["northport"]


@pytest.fixture
def crowd(world, northport):
    """Northport members: three who want news (one has started an application), one who does not,
    one lapsed, one closed account."""
    people = {
        name: make_member(f"{name}@example.org", northport, first_name=name.title(), last_name="Northport")
        for name in ("ann", "ben", "cleo", "quiet", "lapsed", "closed")
    }
    Profile.objects.filter(user=people["quiet"]).update(email_announcements=False)
    Profile.objects.filter(user=people["lapsed"]).update(membership_status=Profile.MembershipStatus.LAPSED)
    people["closed"].is_active = False
    people["closed"].save()
    start_application(program=world["program"], user=people["cleo"], role="mentee")  # a draft: applied
    return people


def emails_to(outbox):
    return Counter(m.to[0] for m in outbox)


def link_in(message):
    return LINK.findall(message.body)


# --- Who hears about it -------------------------------------------------------------------------


def test_eligible_members_are_the_programs_area_who_want_news_and_have_not_applied(world, crowd):
    program = world["program"]

    got = {u.email for u in recruitment.eligible_recipients(program)}

    # Northport's members Mia, Ola (the president), Ann and Ben; not: the committee (chair,
    # committee member), other associations, opted out, lapsed, closed.
    assert got == {"member@example.org", "officer@example.org", "ann@example.org", "ben@example.org"}


def test_a_withdrawn_application_does_not_keep_a_member_from_hearing(world, crowd):
    program = world["program"]
    Application.objects.create(program=program, user=crowd["ann"], role="mentee", status="withdrawn")

    assert crowd["ann"] in recruitment.eligible_recipients(program)


def test_the_leadership_program_reaches_the_whole_region(world, crowd):
    program = create_program(
        name="North leaders", kind="leadership", region=world["regions"]["north"], enrollment_open=True
    )

    got = {u.email for u in recruitment.eligible_recipients(program)}

    assert {"vp@example.org", "unpledged@example.org", "ann@example.org", "member@example.org"} <= got
    assert "other@example.org" not in got


def test_the_dashboard_counts_whom_an_announcement_would_reach_for_each_program(world, crowd):
    """members_to_announce (compiled once per kind of program) counts what eligible_recipients
    lists, for each program and area with its own values: not the first program's."""
    leaders = create_program(
        name="North leaders", kind="leadership", region=world["regions"]["north"], enrollment_open=True
    )
    south_leaders = create_program(
        name="South leaders", kind="leadership", region=world["regions"]["south"], enrollment_open=True
    )
    programs = [world["program"], world["other_program"], leaders, south_leaders]
    counts = [recruitment.members_to_announce(p) for p in programs]
    assert counts == [recruitment.eligible_recipients(p).count() for p in programs]
    assert counts[0] == 4 and counts[2] > counts[0] and counts[1] != counts[0] and counts[3] != counts[2]
    Application.objects.create(program=world["program"], user=crowd["ann"], role="mentee", status="in_pool")
    assert recruitment.members_to_announce(world["program"]) == 3
    Program.objects.filter(pk=leaders.pk).update(enrollment_open=False)
    assert recruitment.members_to_announce(Program.objects.get(pk=leaders.pk)) == 0


def test_the_preview_shows_the_count_and_the_email_and_sends_nothing(world, crowd, mailoutbox):
    preview = recruitment.preview_announcement(program=world["program"])

    assert preview.count == 4
    assert preview.problem is None
    assert preview.subject == "Northport new members is open for applications"
    assert "(their own link)" in preview.body and "(their own unsubscribe link)" in preview.body
    assert OutgoingEmail.objects.count() == 0 and Announcement.objects.count() == 0


# --- Exactly once ----------------------------------------------------------------------------------


def test_announcing_sends_one_email_to_each_eligible_member(world, crowd, mailoutbox):
    program, chair = world["program"], world["people"]["chair"]

    announcement = recruitment.announce_enrollment(program=program, by=chair)
    assert send_pending_emails() == 4

    assert announcement.recipients == 4
    assert emails_to(mailoutbox) == {
        "member@example.org": 1,
        "ann@example.org": 1,
        "ben@example.org": 1,
        "officer@example.org": 1,
    }
    message = next(m for m in mailoutbox if m.to == ["ann@example.org"])
    assert message.subject == "Northport new members is open for applications"
    assert message.body.startswith("Hello Ann,")
    assert len(link_in(message)) == 2  # as mentee, as mentor
    headers = message.message()
    unsubscribe = UNSUBSCRIBE.search(message.body).group(0)
    assert headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Invitation.objects.filter(kind="announcement").count() == 4


def test_announcing_twice_is_refused_in_words_and_sends_nothing_more(world, crowd, mailoutbox):
    program, chair = world["program"], world["people"]["chair"]
    recruitment.announce_enrollment(program=program, by=chair)

    with pytest.raises(ValidationError, match="This enrollment period was announced on .* by Chad Chair to 4"):
        recruitment.announce_enrollment(program=program, by=world["people"]["committee_member"])
    send_pending_emails()

    assert len(mailoutbox) == 4
    assert Announcement.objects.count() == 1 and OutgoingEmail.objects.count() == 4


def test_the_database_allows_one_announcement_per_period(world):
    from django.db import IntegrityError, transaction

    program = world["program"]
    Announcement.objects.create(program=program, period="undated")
    with pytest.raises(IntegrityError), transaction.atomic():
        Announcement.objects.create(program=program, period="undated")


def test_a_new_enrollment_period_can_be_announced_and_reaches_who_has_not_applied(world, crowd, mailoutbox):
    program, chair = world["program"], world["people"]["chair"]
    today = timezone.localdate()
    program.enrollment_opens_on, program.enrollment_closes_on = today - timedelta(days=1), today + timedelta(days=30)
    program.save()
    recruitment.announce_enrollment(program=program, by=chair)
    start_application(program=program, user=crowd["ann"], role="mentee")
    program.enrollment_opens_on = today  # the next period
    program.save()

    recruitment.announce_enrollment(program=program, by=chair)
    send_pending_emails()

    assert emails_to(mailoutbox) == {
        "member@example.org": 2,
        "ann@example.org": 1,
        "ben@example.org": 2,
        "officer@example.org": 2,
    }


def test_nothing_is_announced_while_enrollment_is_closed(world, crowd):
    program = world["program"]
    program.enrollment_open = False
    program.save()

    assert "Enrollment is not open" in recruitment.preview_announcement(program=program).problem
    with pytest.raises(ValidationError, match="Enrollment is not open"):
        recruitment.announce_enrollment(program=program, by=world["people"]["chair"])
    assert OutgoingEmail.objects.count() == 0


def test_the_mailer_running_twice_sends_each_announcement_once(world, crowd, mailoutbox):
    recruitment.announce_enrollment(program=world["program"], by=world["people"]["chair"])

    assert send_pending_emails() == 4
    assert send_pending_emails() == 0

    assert sorted(emails_to(mailoutbox).values()) == [1, 1, 1, 1]


def test_a_mailer_that_runs_late_sends_each_once(world, crowd, mailoutbox):
    recruitment.announce_enrollment(program=world["program"], by=world["people"]["chair"])

    with time_machine.travel(timezone.now() + timedelta(days=1, hours=3)):  # the worker was down overnight
        assert send_pending_emails() == 4
        assert send_pending_emails() == 0

    assert sorted(emails_to(mailoutbox).values()) == [1, 1, 1, 1]


def test_a_worker_killed_mid_batch_sends_each_person_theirs_and_at_most_the_one_in_hand_twice(
    world, northport, mailoutbox
):
    """A simulated kill: the worker sent the first emails, had the next one in hand when it died
    (claimed, maybe sent, not marked), and never reached the rest. The next runs send the rest
    once and the one in doubt once more, saying so; never a third time."""
    for i in range(12):
        make_member(f"m{i}@example.org", northport, first_name=f"M{i}", last_name="Many")
    recruitment.announce_enrollment(program=world["program"], by=world["people"]["chair"])
    rows = list(OutgoingEmail.objects.order_by("created_at", "id"))
    assert len(rows) == 14
    assert send_pending_emails(limit=5) == 5  # the dead worker's work before it died
    in_hand = rows[5]
    OutgoingEmail.objects.filter(pk=in_hand.pk).update(status="sending", claimed_at=timezone.now())
    mailoutbox.append(type(mailoutbox[0])(in_hand.subject, in_hand.body, to=[in_hand.to]))  # it did go out

    sent_now = send_pending_emails()  # the next beat: the rest, not the one another worker may hold
    assert sent_now == 8
    with time_machine.travel(timezone.now() + STUCK_AFTER + timedelta(minutes=1)):
        assert send_pending_emails() == 1  # the one in doubt, once more
        assert send_pending_emails() == 0

    received = emails_to(mailoutbox)
    assert set(received) == {row.to for row in rows}, "someone got nothing"
    assert {to for to, n in received.items() if n > 1} == {in_hand.to}
    assert received[in_hand.to] == 2
    second = [m for m in mailoutbox if m.to == [in_hand.to]][-1]
    assert second.body.startswith(IN_DOUBT_NOTE)
    assert all(not m.body.startswith(IN_DOUBT_NOTE) for m in mailoutbox if m.to != [in_hand.to])
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}


# --- Named invitations --------------------------------------------------------------------------


def test_an_invitation_goes_once_per_person_and_role(world, crowd, mailoutbox):
    program, chair = world["program"], world["people"]["chair"]
    ann, ben = crowd["ann"], crowd["ben"]

    first = recruitment.invite(program=program, users=[ann, ben], role="mentor", by=chair)
    again = recruitment.invite(program=program, users=[ann], role="mentor", by=chair)
    as_mentee = recruitment.invite(program=program, users=[ann], role="mentee", by=chair)
    assert send_pending_emails() == 3
    assert send_pending_emails() == 0

    assert first.invited == [ann, ben] and first.skipped == []
    assert again.invited == [] and again.skipped == [(ann, "was invited as mentor already")]
    assert as_mentee.invited == [ann]
    assert emails_to(mailoutbox) == {"ann@example.org": 2, "ben@example.org": 1}
    message = next(m for m in mailoutbox if m.to == ["ben@example.org"])
    assert message.subject == "Chad Chair invites you to be a mentor in Northport new members"
    assert len(link_in(message)) == 1
    assert message.message()["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in message.message()["List-Unsubscribe"]


def test_a_mentor_invitation_speaks_to_a_mentor_and_a_mentee_invitation_to_a_mentee(world, crowd, mailoutbox):
    """A new-member program's summary is written for newcomers ("New to the association?");
    quoted in a mentor's invitation it asked an experienced member to join for their first year."""
    program, chair = world["program"], world["people"]["chair"]
    Program.objects.filter(pk=program.pk).update(
        summary="New to the association? An experienced member beside you for your first year."
    )
    program.refresh_from_db()
    recruitment.invite(program=program, users=[crowd["ann"]], role="mentor", by=chair)
    recruitment.invite(program=program, users=[crowd["ben"]], role="mentee", by=chair)
    send_pending_emails()

    to_mentor = next(m for m in mailoutbox if m.to == ["ann@example.org"]).body
    to_mentee = next(m for m in mailoutbox if m.to == ["ben@example.org"]).body
    assert "New to the association?" not in to_mentor
    assert "your first year" not in to_mentor
    assert "As a mentor you would be beside a new member of Northport for 12 months" in to_mentor
    assert "New to the association? An experienced member beside you for your first year." in to_mentee


def test_members_who_turned_invitations_off_or_applied_are_skipped(world, crowd, mailoutbox):
    program, chair = world["program"], world["people"]["chair"]
    Profile.objects.filter(user=crowd["ann"]).update(email_invitations=False)
    crowd["ann"].profile.refresh_from_db()
    start_application(program=program, user=crowd["ben"], role="mentor")

    result = recruitment.invite(program=program, users=[crowd["ann"], crowd["ben"]], role="mentor", by=chair)

    assert result.invited == []
    assert dict(result.skipped) == {
        crowd["ann"]: "has chosen not to receive personal invitations",
        crowd["ben"]: "has applied as mentor already",
    }
    assert OutgoingEmail.objects.count() == 0


def test_the_announcement_preference_does_not_stop_invitations(world, crowd, mailoutbox):
    result = recruitment.invite(
        program=world["program"], users=[crowd["quiet"]], role="mentee", by=world["people"]["chair"]
    )

    assert result.invited == [crowd["quiet"]]


def test_nobody_outside_the_programs_area_can_be_invited(world, crowd):
    with pytest.raises(ValidationError, match="is not a member of Northport"):
        recruitment.invite(
            program=world["program"],
            users=[world["people"]["other_member"]],
            role="mentor",
            by=world["people"]["chair"],
        )
    assert OutgoingEmail.objects.count() == 0 and Invitation.objects.count() == 0


def test_invitations_wait_for_enrollment_to_open(world, crowd):
    program = world["program"]
    program.enrollment_open = False
    program.save()

    with pytest.raises(ValidationError, match="Enrollment is not open"):
        recruitment.invite(program=program, users=[crowd["ann"]], role="mentor", by=world["people"]["chair"])


def test_an_unknown_role_is_refused(world, crowd):
    with pytest.raises(ValidationError, match="mentors or as mentees"):
        recruitment.invite(program=world["program"], users=[crowd["ann"]], role="chair", by=world["people"]["chair"])


# --- The personal link ----------------------------------------------------------------------------


def invitation_path(message, index=0):
    return "/" + link_in(message)[index].split("/", 3)[3]


@pytest.fixture
def invited(world, crowd, mailoutbox):
    recruitment.invite(program=world["program"], users=[crowd["ann"]], role="mentor", by=world["people"]["chair"])
    send_pending_emails()
    return invitation_path(mailoutbox[0])


def test_the_link_signs_in_first_then_opens_the_questionnaire(client, world, crowd, invited):
    program = world["program"]

    response = client.get(invited)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={invited}"
    assert Invitation.objects.get().opened_at is None

    client.force_login(crowd["ann"])
    response = client.get(invited)
    assert response.url == reverse("apply", args=[program.pk, "mentor"])
    opened = Invitation.objects.get().opened_at
    assert opened is not None

    client.get(invited)  # the second time: the first opening stays
    assert Invitation.objects.get().opened_at == opened


def test_an_announcement_link_opens_the_questionnaire_of_its_role(client, world, crowd, mailoutbox):
    program = world["program"]
    recruitment.announce_enrollment(program=program, by=world["people"]["chair"])
    send_pending_emails()
    message = next(m for m in mailoutbox if m.to == ["ann@example.org"])
    client.force_login(crowd["ann"])

    assert client.get(invitation_path(message, 0)).url == reverse("apply", args=[program.pk, "mentee"])
    assert client.get(invitation_path(message, 1)).url == reverse("apply", args=[program.pk, "mentor"])
    assert Invitation.objects.get(user=crowd["ann"]).opened_at is not None
    assert Invitation.objects.exclude(user=crowd["ann"]).filter(opened_at__isnull=False).count() == 0


def test_a_forwarded_link_opens_the_questionnaire_for_its_reader_but_is_not_counted(client, world, crowd, invited):
    client.force_login(crowd["ben"])

    response = client.get(invited)

    assert response.url == reverse("apply", args=[world["program"].pk, "mentor"])
    assert Invitation.objects.get().opened_at is None


@pytest.mark.parametrize(
    "spoil",
    [
        lambda p: p[:-2] + ("A/" if p[-2] != "A" else "B/"),
        lambda p: p[: len(p) // 2] + "/",
        lambda p: p[:-1] + "x" * 400 + "/",
        lambda p: "/invitations/%3Cscript%3E/",
    ],
    ids=["altered", "cut", "oversized", "markup"],
)
def test_a_tampered_link_gets_the_kind_page_never_an_error(client, crowd, invited, spoil):
    for who in (None, crowd["ann"]):
        client.logout()
        if who:
            client.force_login(who)
        response = client.get(spoil(invited))
        assert response.status_code == 404
        assert b"This invitation link doesn" in response.content
    assert Invitation.objects.get().opened_at is None


def test_a_named_invitations_link_does_not_open_the_other_role(client, world, crowd, invited):
    from accounts import links

    invitation = Invitation.objects.get()
    other_role = links.make_token(recruitment.INVITATION_LINK, invitation.pk, invitation.user_id, 0)
    client.force_login(crowd["ann"])

    assert client.get(reverse("invitation", args=[other_role])).status_code == 404


def test_the_link_of_an_erased_account_is_dead(client, crowd, invited):
    crowd["ann"].is_active = False
    crowd["ann"].save()

    assert client.get(invited).status_code == 404


# --- What the chair sees -------------------------------------------------------------------------


def test_the_figures_count_reached_opened_and_applied(client, world, crowd, mailoutbox):
    program, chair = world["program"], world["people"]["chair"]
    recruitment.announce_enrollment(program=program, by=chair)
    recruitment.invite(program=program, users=[crowd["quiet"], crowd["ann"]], role="mentor", by=chair)
    send_pending_emails()
    ann_invite = next(m for m in mailoutbox if m.to == ["ann@example.org"] and "invites you" in m.subject)
    client.force_login(crowd["ann"])
    client.get(invitation_path(ann_invite))
    application = start_application(program=program, user=crowd["ann"], role="mentor")
    assert recruitment.recruitment_figures(program)["invitation"]["applied"] == 0  # a draft is not applied
    Application.objects.filter(pk=application.pk).update(status="awaiting_vetting", submitted_at=timezone.now())

    figures = recruitment.recruitment_figures(program)

    assert figures == {
        "announcement": {"reached": 4, "opened": 0, "applied": 1},
        "invitation": {"reached": 2, "opened": 1, "applied": 1},
    }


def test_the_figures_take_one_query_whatever_their_size(world, northport, django_assert_num_queries):
    for i in range(30):
        make_member(f"f{i}@example.org", northport, first_name=f"F{i}", last_name="Figure")
    recruitment.announce_enrollment(program=world["program"], by=world["people"]["chair"])

    with django_assert_num_queries(1):
        recruitment.recruitment_figures(world["program"])


def test_applicant_fixture_still_counts(world):
    """An applicant who applied without any link is not among the reached."""
    applicant(world["program"], "walk.in@example.org", "mentee")

    assert recruitment.recruitment_figures(world["program"])["announcement"]["reached"] == 0


# --- The chair's page ----------------------------------------------------------------------------------


def recruit_url(program):
    return reverse("committee:recruit", args=[program.pk])


@pytest.fixture
def chair_client(client, world):
    client.force_login(world["people"]["chair"])
    return client


def test_the_chair_previews_then_sends_the_announcement(chair_client, world, crowd, mailoutbox):
    program = world["program"]

    page = chair_client.get(recruit_url(program)).content.decode()
    assert "Send the announcement to 4 members" in page
    assert "Northport new members is open for applications" in page

    response = chair_client.post(recruit_url(program), {"action": "announce"}, follow=True)
    assert "The announcement is on its way to 4 members." in response.content.decode()
    again = chair_client.post(recruit_url(program), {"action": "announce"}, follow=True).content.decode()
    assert "This enrollment period was announced on" in again
    assert "Send the announcement" not in again
    send_pending_emails()
    assert len(mailoutbox) == 4


def test_the_chair_finds_members_by_name_and_invites_them(chair_client, world, crowd, mailoutbox):
    program = world["program"]

    page = chair_client.get(recruit_url(program), {"q": "ann"}).content.decode()
    assert "Ann Northport" in page and "Ben Northport" not in page
    assert "Lapsed Northport" not in chair_client.get(recruit_url(program), {"q": "lapsed"}).content.decode()

    response = chair_client.post(
        recruit_url(program),
        {"action": "invite", "role": "mentor", "people": [crowd["ann"].pk, crowd["ben"].pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Invited: Ann Northport, Ben Northport." in page
    assert "invited as mentor" in page
    send_pending_emails()
    assert emails_to(mailoutbox) == {"ann@example.org": 1, "ben@example.org": 1}


def test_only_the_chair_has_the_page(client, world):
    program = world["program"]
    for who in ("committee_member", "member", "other_chair", "staff"):
        client.force_login(world["people"][who])
        assert client.get(recruit_url(program)).status_code == 404
        assert client.post(recruit_url(program), {"action": "announce"}).status_code == 404
    assert Announcement.objects.count() == 0


def test_another_programs_member_posted_by_id_is_not_found(chair_client, world, crowd):
    response = chair_client.post(
        recruit_url(world["program"]),
        {"action": "invite", "role": "mentor", "people": [crowd["ann"].pk, world["people"]["other_member"].pk]},
    )

    assert response.status_code == 404
    assert Invitation.objects.count() == 0 and OutgoingEmail.objects.count() == 0


def test_an_unknown_action_is_not_found(chair_client, world):
    assert chair_client.post(recruit_url(world["program"]), {"action": "delete"}).status_code == 404


HOSTILE = {
    "empty": "",
    "oversized": "9" * 200,
    "markup": "<script>alert(1)</script>",
    "sql": "1 OR 1=1; DROP TABLE mentoring_invitation;--",
    "rtl_emoji": "\u202eمرحبا 🎉",
    "nul": "1\x00",
}


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_is_refused_in_words_and_keeps_what_was_chosen(chair_client, world, crowd, value):
    program = world["program"]

    for data, message in [
        ({"action": "invite", "role": value, "people": [crowd["ann"].pk]}, "Please choose whether you invite them"),
        ({"action": "invite", "role": "mentor", "people": [crowd["ann"].pk, value]}, "Please choose people"),
    ]:
        if value == "" and "people" in data and data["people"][-1] == "":
            message = "Please choose people"
        response = chair_client.post(recruit_url(program), {**data, "q": value})
        page = response.content.decode()
        assert response.status_code == 200
        assert message in page
        assert "<script>alert(1)</script>" not in page
        assert re.search(r'value="mentor" [^>]*checked', page) or data["role"] != "mentor"
        assert f'value="{crowd["ann"].pk}" id="id_people_0" checked' in page  # still ticked
    assert Invitation.objects.count() == 0 and OutgoingEmail.objects.count() == 0


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_searches_are_shown_escaped(chair_client, world, crowd, value):
    response = chair_client.get(recruit_url(world["program"]), {"q": value})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_nobody_ticked_is_asked_for_in_words(chair_client, world, crowd):
    page = chair_client.post(recruit_url(world["program"]), {"action": "invite", "role": "mentor"}).content.decode()

    assert "Please tick at least one member to invite." in page


def test_too_many_at_once_is_refused_in_words(chair_client, world, northport):
    people = [make_member(f"p{i}@example.org", northport) for i in range(recruitment.MAX_NAMED + 1)]

    page = chair_client.post(
        recruit_url(world["program"]), {"action": "invite", "role": "mentor", "people": [p.pk for p in people]}
    ).content.decode()

    assert "Please invite at most 50 people at a time." in page
    assert Invitation.objects.count() == 0


def test_the_page_takes_the_same_queries_with_many_members_and_invitations(
    chair_client, world, northport, django_assert_max_num_queries
):
    program, chair = world["program"], world["people"]["chair"]

    def grow(n, tag):
        people = [make_member(f"{tag}{i}@example.org", northport, first_name=f"G{i}") for i in range(n)]
        recruitment.invite(program=program, users=people, role="mentor", by=chair)

    grow(3, "few")
    with django_assert_max_num_queries(30) as few:
        chair_client.get(recruit_url(program))
    grow(40, "many")
    Announcement.objects.all().delete()
    with django_assert_max_num_queries(len(few.captured_queries)):
        chair_client.get(recruit_url(program))


def test_the_link_works_through_a_real_sign_in(world, crowd, invited):
    """The `next` survives allauth's sign-in form."""
    client = Client()
    login = client.get(invited)
    response = client.post(login.url, {"login": "ann@example.org", "password": "correct-horse-battery-staple"})
    assert response.status_code == 302
    assert response.url == invited
    assert client.get(response.url).url == reverse("apply", args=[world["program"].pk, "mentor"])


# --- More exactly-once, and the member's own data -------------------------------------------------


def test_an_invitation_queued_yesterday_and_sent_today_goes_once(world, crowd, mailoutbox):
    recruitment.invite(program=world["program"], users=[crowd["ann"]], role="mentor", by=world["people"]["chair"])

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        recruitment.invite(program=world["program"], users=[crowd["ann"]], role="mentor", by=world["people"]["chair"])
        assert send_pending_emails() == 1
        assert send_pending_emails() == 0

    assert emails_to(mailoutbox) == {"ann@example.org": 1}


def test_a_second_announcement_committed_between_the_check_and_the_insert_is_refused(
    world, crowd, monkeypatch, mailoutbox
):
    """Two chairs press at the same moment: both pass the check; the database lets one through."""
    program = world["program"]
    Announcement.objects.create(program=program, period=recruitment.enrollment_period(program), recipients=3)
    real = recruitment.announcement_problem
    calls = []

    def first_sees_nothing(program, *, today=None):
        calls.append(1)
        return None if len(calls) == 1 else real(program, today=today)

    monkeypatch.setattr(recruitment, "announcement_problem", first_sees_nothing)
    with pytest.raises(ValidationError, match="This enrollment period was announced"):
        recruitment.announce_enrollment(program=program, by=world["people"]["chair"])

    assert Announcement.objects.count() == 1
    assert OutgoingEmail.objects.count() == 0 and Invitation.objects.count() == 0


def test_my_data_lists_the_invitations_i_received(client, world, crowd):
    recruitment.invite(program=world["program"], users=[crowd["ann"]], role="mentor", by=world["people"]["chair"])
    client.force_login(crowd["ann"])

    data = client.get(reverse("accounts:my_data")).json()

    (invitation,) = data["invitations"]
    assert invitation["program"] == "Northport new members"
    assert (invitation["kind"], invitation["role"], invitation["invited_by"]) == (
        "Personal invitation",
        "mentor",
        "Chad Chair",
    )
    assert invitation["opened_at"] is None


def test_an_erased_member_gets_no_announcement_and_their_link_is_dead(client, world, crowd, invited, mailoutbox):
    from accounts.privacy import erase_member

    recruitment.announce_enrollment(program=world["program"], by=world["people"]["chair"])
    erase_member(crowd["ann"])
    send_pending_emails()

    assert "ann@example.org" not in emails_to(mailoutbox[1:])
    assert client.get(invited).status_code == 404


def test_queuing_many_at_once_skips_keys_queued_already(world):
    from outbox.emails import queue_emails

    person = world["people"]["member"]
    item = {
        "key": "many:1",
        "to": person.email,
        "template": "chair_appointed",
        "context": {"program": world["program"], "person": person, "by": world["people"]["staff"]},
        "headers": {"List-Unsubscribe": "<https://example.org/u/x>"},
    }

    queue_emails([item, {**item, "key": "many:2"}])
    queue_emails([item, {**item, "key": "many:3"}])

    assert sorted(OutgoingEmail.objects.values_list("key", flat=True)) == ["many:1", "many:2", "many:3"]
    row = OutgoingEmail.objects.get(key="many:1")
    assert (row.subject, row.headers, row.status) == (
        "You now chair Northport new members",
        {"List-Unsubscribe": "<https://example.org/u/x>"},
        "pending",
    )


def test_with_enrollment_closed_the_page_says_why_and_nothing_is_sent(chair_client, world, crowd):
    program = world["program"]
    program.enrollment_open = False
    program.save()

    page = chair_client.get(recruit_url(program)).content.decode()
    assert "Enrollment is not open today" in page and "Send the announcement" not in page
    announced = chair_client.post(recruit_url(program), {"action": "announce"}, follow=True).content.decode()
    assert "Enrollment is not open today" in announced
    invited = chair_client.post(
        recruit_url(program), {"action": "invite", "role": "mentor", "people": [crowd["ann"].pk]}
    ).content.decode()
    assert "an invitation would lead to a closed questionnaire" in invited
    assert f'value="{crowd["ann"].pk}" id="id_people_0" checked' in invited
    assert OutgoingEmail.objects.count() == 0 and Invitation.objects.count() == 0
