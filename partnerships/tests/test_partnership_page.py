"""The partners' own page: each other's details, the guidelines and timeline, goals (set by the
mentee, progress by both), the meeting log, a word to the committee in confidence, and
recognition with both partners' consent. Someone else's partnership answers 404 and is left as it
was; hostile input gets a plain message and what was typed is shown again."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import comparable, partnership_for
from leadership import services as leadership
from mentoring.models import Milestone, Partnership, Resource
from partnerships import life, meetings
from partnerships.models import Goal, Meeting, MilestoneProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(world):
    return world["people"]["chair"]


@pytest.fixture
def partnership(program, chair):
    p = partnership_for(program, chair, days_ago=10)
    for person, phone in ((p.mentee, "+1 555 0100"), (p.mentor, "+1 555 0199")):
        person.profile.phone = phone
        person.profile.bio = f"I am {person.first_name}, glad to meet you."
        person.profile.save()
    return p


@pytest.fixture
def mentee(client, partnership):
    client.force_login(partnership.mentee)
    return client


@pytest.fixture
def mentor(client, partnership):
    client.force_login(partnership.mentor)
    return client


def page(client, partnership):
    response = client.get(reverse("partnership", args=[partnership.pk]))
    assert response.status_code == 200
    return response


def text(response):
    return html.unescape(response.content.decode())


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def post(client, name, partnership, data, *args):
    return client.post(reverse(name, args=[partnership.pk, *args]), data, follow=True)


# --- What each partner sees -------------------------------------------------------------------


def test_each_partner_sees_the_other_the_guidelines_and_the_timeline(client, partnership, program):
    Resource.objects.create(program=program, title="Mentoring handbook", url="https://example.org/handbook")
    for role in ("mentee", "mentor"):
        sees_the_other(client, partnership, program, role)


def sees_the_other(client, partnership, program, role):
    me = getattr(partnership, role)
    other = partnership.partner_of(me)
    client.force_login(me)
    shown = text(page(client, partnership))

    assert f"Your {'mentor' if role == 'mentee' else 'mentee'}: {other.get_full_name()}" in shown
    for detail in (
        other.email,
        other.profile.phone,
        other.profile.job_title,
        other.profile.employer,
        str(other.profile.association),
        other.profile.bio,
    ):
        assert detail in shown, detail
    assert me.profile.phone not in shown  # their own details are not the point of the page
    assert program.expectations in shown and program.confidentiality in shown
    assert "Mentoring handbook" in shown
    for milestone in program.milestones.all():
        day = partnership.started_on + timedelta(days=milestone.day)
        assert f"{day:%b} {day.day}, {day.year}: {milestone.title}" in " ".join(re.sub("<[^>]+>", "", shown).split())


def test_goals_are_set_by_the_mentee_and_both_mark_progress(client, partnership):
    client.force_login(partnership.mentee)
    response = post(client, "goal_add", partnership, {"title": "Speak at the annual meeting", "target_date": ""})
    assert "The goal is added. You can both mark progress on it." in messages_of(response)
    goal = Goal.objects.get(partnership=partnership)
    assert goal.title == "Speak at the annual meeting" and goal.progress == "not_started"

    response = post(client, "goal_progress", partnership, {"progress": "under_way"}, goal.pk)
    assert "“Speak at the annual meeting”: under way." in messages_of(response)

    client.force_login(partnership.mentor)
    assert "Add goal" not in page(client, partnership).content.decode()
    response = post(client, "goal_add", partnership, {"title": "The mentor's own goal"})
    assert "Goals are set by the mentee while the partnership is active." in messages_of(response)
    assert Goal.objects.filter(partnership=partnership).count() == 1
    response = post(client, "goal_progress", partnership, {"progress": "achieved"}, goal.pk)
    goal.refresh_from_db()
    assert goal.progress == "achieved"
    assert "Speak at the annual meeting" in text(response)


def test_a_bad_progress_value_changes_nothing(mentee, partnership):
    goal = Goal.objects.create(partnership=partnership, title="Learn claims")
    for progress in ["done", "", "<script>", "x" * 1000, "achieved\x00"]:
        response = post(mentee, "goal_progress", partnership, {"progress": progress}, goal.pk)
        assert "Choose how far the goal has come." in messages_of(response)
    goal.refresh_from_db()
    assert goal.progress == "not_started"


def test_a_bad_goal_gets_a_plain_message_and_keeps_what_was_typed(mentee, partnership):
    for data, error in [
        ({"title": ""}, "This field is required."),
        ({"title": "x" * 2000}, "Ensure this value has at most 200 characters (it has 2000)."),
        ({"title": "nul\x00byte"}, "Null characters are not allowed."),
        ({"title": "A goal", "target_date": "next spring"}, "Enter a valid date."),
        ({"title": "A goal", "target_date": "2026-02-30"}, "Enter a valid date."),
    ]:
        response = mentee.post(reverse("goal_add", args=[partnership.pk]), data)
        assert response.status_code == 200
        assert "The goal is not added yet: please correct what is marked below." in messages_of(response)
        shown = text(response)
        assert error in shown, data
        for value in data.values():
            if value and "\x00" not in value:
                assert f'value="{value}"' in shown, value
    assert not Goal.objects.exists()


def test_html_and_emoji_in_a_goal_are_kept_as_written_and_shown_escaped(mentee, partnership):
    title = "<script>alert(1)</script> שלום 😀 ' OR 1=1 --"
    post(mentee, "goal_add", partnership, {"title": title})
    assert Goal.objects.get().title == title
    body = page(mentee, partnership).content.decode()
    assert html.escape(title) in body and "<script>alert(1)" not in body


# --- Meetings -------------------------------------------------------------------------------------


def meeting(**changes):
    return {
        "met_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "mode": "video",
        "minutes": "45",
        "notes": "",
    } | changes


def test_either_partner_logs_a_meeting(client, partnership):
    for role in ("mentee", "mentor"):
        client.force_login(getattr(partnership, role))
        response = post(client, "meeting_add", partnership, meeting(notes=f"The {role} logged <b>this</b>"))
        assert "The meeting is logged." in messages_of(response)
        logged = Meeting.objects.get(logged_by=getattr(partnership, role))
        assert (logged.partnership, logged.minutes, logged.mode) == (partnership, 45, "video")
        assert f"The {role} logged &lt;b&gt;this&lt;/b&gt;" in response.content.decode()
    # Each sees both entries.
    assert "The mentee logged" in text(page(client, partnership))


def test_a_meeting_lasts_5_to_600_minutes(mentee, partnership):
    for minutes, error in [
        ("5", None),
        ("600", None),
        ("4", "Ensure this value is greater than or equal to 5."),
        ("601", "Ensure this value is less than or equal to 600."),
        ("0", "Ensure this value is greater than or equal to 5."),
        # (The form's own "positive number" check speaks first here, and says 0: a known wrinkle.)
        ("-30", "Ensure this value is greater than or equal to"),
        ("100000", "Ensure this value is less than or equal to 600."),
    ]:
        response = mentee.post(reverse("meeting_add", args=[partnership.pk]), meeting(minutes=minutes), follow=True)
        if error:
            assert error in text(response), minutes
        else:
            assert "The meeting is logged." in messages_of(response), minutes
    assert sorted(Meeting.objects.values_list("minutes", flat=True)) == [5, 600]


def test_a_bad_meeting_gets_a_plain_message_and_keeps_what_was_typed(mentee, partnership):
    tomorrow = timezone.localdate() + timedelta(days=1)
    before_start = partnership.started_on - timedelta(days=1)
    started = partnership.started_on
    for changes, error in [
        (
            {"met_on": tomorrow.isoformat()},
            "Choose today or an earlier date: a meeting is logged once it has happened.",
        ),
        ({"met_on": "2099-12-31"}, "Choose today or an earlier date"),
        (
            {"met_on": before_start.isoformat()},
            f"Choose a date from {started:%B} {started.day}, {started.year}, when your partnership started.",
        ),
        ({"met_on": ""}, "This field is required."),
        ({"met_on": "31/31/2026"}, "Enter a valid date."),
        ({"met_on": "2026-01-01\x00"}, "Enter a valid date."),
        ({"minutes": "abc"}, "Enter a whole number."),
        ({"minutes": "1e3"}, "Enter a whole number."),
        ({"minutes": ""}, "This field is required."),
        ({"mode": "carrier pigeon"}, "Select a valid choice. carrier pigeon is not one of the available choices."),
        ({"notes": "x" * 20_000}, "Ensure this value has at most 2000 characters (it has 20000)."),
        ({"notes": "nul\x00"}, "Null characters are not allowed."),
    ]:
        response = mentee.post(reverse("meeting_add", args=[partnership.pk]), meeting(**changes))
        assert response.status_code == 200
        assert "The meeting is not logged yet: please correct what is marked below." in messages_of(response)
        shown = text(response)
        assert error in shown, changes
        assert "<details open>" in response.content.decode()  # the form is open, with its errors
        for name, value in changes.items():
            if name in ("minutes", "met_on") and value and "\x00" not in value:
                assert f'value="{value}"' in shown, changes
            if name == "notes" and "\x00" not in value:
                assert value[:300] in shown
    assert not Meeting.objects.exists()


def test_a_future_date_is_pointed_out_with_the_other_mistakes(mentee, partnership):
    response = mentee.post(reverse("meeting_add", args=[partnership.pk]), meeting(met_on="2099-01-01", minutes="700"))
    errors = response.context["meeting_form"].errors
    assert errors["met_on"] == ["Choose today or an earlier date: a meeting is logged once it has happened."]
    assert errors["minutes"] == ["Ensure this value is less than or equal to 600."]


def test_today_is_a_fine_day_for_a_meeting_and_the_first_day_too(mentee, program, chair):
    p = partnership_for(program, chair, "today")
    mentee.force_login(p.mentee)
    post(mentee, "meeting_add", p, meeting(met_on=timezone.localdate().isoformat()))
    assert Meeting.objects.filter(partnership=p).count() == 1


def test_no_meeting_is_logged_once_the_partnership_has_ended(mentee, partnership, chair):
    life.complete(partnership=partnership, by=None)
    response = post(mentee, "meeting_add", partnership, meeting())
    assert "Meetings are logged while the partnership is active." in messages_of(response)
    assert not Meeting.objects.exists()
    assert "Log a meeting" not in response.content.decode()


# --- A word to the committee --------------------------------------------------------------------


def test_a_concern_reaches_the_committee_and_not_the_partner(client, partnership, program, world):
    words = "My mentor keeps talking about selling me insurance <b>products</b>."
    client.force_login(partnership.mentee)
    response = client.post(reverse("feedback:concern", args=[partnership.pk]), {"text": words}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("partnership", args=[partnership.pk])
    assert any("will be in touch with you, not your partner" in m for m in messages_of(response))
    concern = partnership.concerns.get()
    assert (concern.partnership, concern.raised_by, concern.text) == (partnership, partnership.mentee, words)
    assert words not in text(response)

    client.force_login(partnership.mentor)
    assert "selling me insurance" not in text(page(client, partnership))
    assert "selling me insurance" not in text(client.get(reverse("my_mentoring")))

    client.force_login(world["people"]["committee_member"])
    committee = client.get(reverse("committee:partnership", args=[program.pk, partnership.pk]))
    assert html.escape(words) in committee.content.decode()
    queue = client.get(reverse("committee:partnerships", args=[program.pk]))
    assert "A partner raised a concern" in [r for a in queue.context["attention"] for r in a.reasons]


def test_a_bad_concern_gets_a_plain_message_and_keeps_what_was_typed(mentee, partnership):
    for words, error in [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 40_000, "Ensure this value has at most 4000 characters (it has 40000)."),
        ("nul\x00byte", "Null characters are not allowed."),
    ]:
        response = mentee.post(reverse("feedback:concern", args=[partnership.pk]), {"text": words})
        assert response.status_code == 200 and error in text(response), error
        if words.strip() and "\x00" not in words:
            assert words[:500] in text(response)
    assert not partnership.concerns.exists()


# --- Recognition ----------------------------------------------------------------------------------


def test_recognition_needs_both_partners_consent(client, partnership, program, chair):
    life.complete(partnership=partnership, by=None)
    recognition_page = reverse("recognition_page", args=[program.pk])
    story = "We <em>both</em> learned a lot — merci!"
    client.force_login(partnership.mentee)
    response = post(client, "recognition", partnership, {"consent": "on", "story": story})
    assert "Thank you, your choice is saved." in messages_of(response)
    names = f"{partnership.mentee.get_full_name()} and {partnership.mentor.get_full_name()}"
    assert names not in text(client.get(recognition_page))

    client.force_login(partnership.mentor)
    post(client, "recognition", partnership, {"consent": "on", "story": ""})
    shown = client.get(recognition_page)
    assert names in text(shown)
    assert html.escape(story) in shown.content.decode()  # the story as written, escaped

    # One of them changes their mind: the pair is no longer shown.
    post(client, "recognition", partnership, {"story": ""})
    assert names not in text(client.get(recognition_page))


def test_recognition_is_for_completed_partnerships(mentee, partnership):
    response = post(mentee, "recognition", partnership, {"consent": "on"})
    assert "Recognition is for completed partnerships." in messages_of(response)
    assert not Partnership.objects.get(pk=partnership.pk).mentee_consents_to_recognition


def test_a_bad_story_gets_a_plain_message(mentee, partnership, chair):
    life.complete(partnership=partnership, by=None)
    for story, error in [
        ("x" * 2001, "Ensure this value has at most 2000 characters (it has 2001)."),
        ("nul\x00", "Null characters are not allowed."),
    ]:
        response = mentee.post(reverse("recognition", args=[partnership.pk]), {"consent": "on", "story": story})
        assert response.status_code == 200 and error in text(response)
        assert "Your choice is not saved yet: please correct what is marked below." in messages_of(response)
        if "\x00" not in story:
            assert story in text(response)  # what was typed is still there
    p = Partnership.objects.get(pk=partnership.pk)
    assert not p.mentee_consents_to_recognition and p.success_story == ""


# --- Someone else's partnership ---------------------------------------------------------------


def snapshot():
    return (
        list(Goal.objects.order_by("pk").values_list("pk", "title", "progress")),
        Meeting.objects.count(),
        sum(p.concerns.count() for p in Partnership.objects.all()),  # concerns, by reverse relation
        list(
            Partnership.objects.order_by("pk").values_list("status", "mentee_consents_to_recognition", "success_story")
        ),
    )


def test_someone_elses_partnership_and_goal_ids_are_404_and_change_nothing(client, partnership, program, chair, world):
    other = partnership_for(program, chair, "other")
    life.complete(partnership=other, by=None)
    their_goal = Goal.objects.create(partnership=other, title="Their goal")
    my_goal = Goal.objects.create(partnership=partnership, title="My goal")
    before = snapshot()
    missing = 10**9
    for person in (
        partnership.mentee,
        partnership.mentor,
        world["people"]["committee_member"],
        world["people"]["staff"],
    ):
        client.force_login(person)
        forbidden = client.get(reverse("partnership", args=[other.pk]))
        assert forbidden.status_code == 404
        assert comparable(forbidden) == comparable(client.get(reverse("partnership", args=[missing])))
        assert client.get(reverse("feedback:concern", args=[other.pk])).status_code == 404
        for name, args, data in [
            ("goal_add", [other.pk], {"title": "Mine now"}),
            ("goal_progress", [other.pk, their_goal.pk], {"progress": "achieved"}),
            ("goal_progress", [partnership.pk, their_goal.pk], {"progress": "achieved"}),  # my page, their goal
            ("goal_progress", [other.pk, my_goal.pk], {"progress": "achieved"}),
            ("meeting_add", [other.pk], meeting()),
            ("recognition", [other.pk], {"consent": "on", "story": "Hijacked"}),
            ("feedback:concern", [other.pk], {"text": "Hello"}),
        ]:
            forbidden = client.post(reverse(name, args=args), data)
            assert forbidden.status_code == 404, (person, name, args)
            assert comparable(forbidden) == comparable(client.post(reverse(name, args=[missing] * len(args)), data))
    assert snapshot() == before


def fill(partnership, n):
    """n of everything the page lists: goals, meetings logged and planned, milestones (half of
    them done), the program's resources."""
    program = partnership.program
    start = timezone.now() + timedelta(days=2)
    for i in range(n):
        Goal.objects.create(partnership=partnership, title=f"Goal {i}")
        Meeting.objects.create(partnership=partnership, met_on=timezone.localdate(), logged_by=partnership.mentor)
        meetings.propose_meeting(
            partnership=partnership,
            by=partnership.mentee,
            starts_at=start + timedelta(days=i),
            minutes=60,
            mode="video",
        )
        milestone = Milestone.objects.create(program=program, day=i, title=f"Milestone {i}")
        if i % 2:
            MilestoneProgress.objects.create(partnership=partnership, milestone=milestone, done_on=timezone.localdate())
        Resource.objects.create(program=program, title=f"Resource {i}", url=f"https://example.org/{i}")


@pytest.mark.parametrize("reader", ["mentee", "mentor"])
def test_the_partnership_page_takes_ten_queries_however_much_it_shows(
    client, partnership, reader, django_assert_max_num_queries
):
    """Ten for either partner: the session, the user, the partnership (both profiles, the program
    and the agreement), the timeline with what is done, the leadership card (the recommendation
    with its mentor), the navigation's roles, the goals, the meetings planned, those logged and
    the program's resources. The same with twenty of each."""
    leadership.recommend(partnership=partnership, by=partnership.mentor, note="Ready to lead.")  # the card shows it
    client.force_login(getattr(partnership, reader))
    fill(partnership, 1)
    with django_assert_max_num_queries(10):
        page(client, partnership)
    fill(partnership, 20)
    with django_assert_max_num_queries(10):
        body = text(page(client, partnership))
    assert "Milestone 20" not in body and "Milestone 19" in body and "Resource 19" in body and "Goal 19" in body


def test_every_id_on_the_page_is_unique(client, partnership, chair):
    Goal.objects.create(partnership=partnership, title="One")
    Goal.objects.create(partnership=partnership, title="Two")
    for person in (partnership.mentee, partnership.mentor):
        client.force_login(person)
        ids = re.findall(r'\sid="([^"]+)"', page(client, partnership).content.decode())
        assert sorted({i for i in ids if ids.count(i) > 1}) == []
    life.complete(partnership=partnership, by=None)
    ids = re.findall(r'\sid="([^"]+)"', page(client, partnership).content.decode())
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
