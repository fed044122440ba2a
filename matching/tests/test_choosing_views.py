"""Members choose their mentor: the mentee's page, asking one mentor, withdrawing; who may open
what (404 for everyone else), hostile and oversized notes, the filters, query counts."""

import pytest
from django.urls import reverse

from conftest import comparable, read
from matching import choosing, services
from matching.models import Proposal
from mentoring.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentee(make_mentee):
    return make_mentee("a", topics=["Claims"])


@pytest.fixture
def mentor(make_mentor):
    return make_mentor("m", topics=["Claims"])


def page_url(program):
    return reverse("choose_mentor", args=[program.pk])


def ask_url(mentor):
    return reverse("ask_mentor", args=[mentor.program_id, mentor.pk])


def test_the_mentee_sees_the_mentors_they_may_ask_with_the_fit(client, mentee, mentor, make_mentor):
    make_mentor("n", topics=["Leadership"])
    client.force_login(mentee.user)
    page = read(client.get(page_url(mentee.program)))
    assert "Mentor M" in page and "Mentor N" in page
    assert page.index("Mentor M") < page.index("Mentor N")  # best fit first
    assert "Fit: " in page and "of 100" in page and "Strengths:" in page
    assert ask_url(mentor) in page


def test_the_filters_narrow_the_list_and_an_altered_one_is_ignored(client, mentee, mentor, make_mentor):
    make_mentor("n", topics=["Leadership"])
    client.force_login(mentee.user)
    page = read(client.get(page_url(mentee.program), {"topic": "Leadership"}))
    assert "Mentor N" in page and "Mentor M" not in page
    page = client.get(page_url(mentee.program), {"topic": "<script>", "language": "Klingon"})
    assert page.status_code == 200 and "Mentor M" in read(page) and "Mentor N" in read(page)


def test_my_mentoring_and_the_program_page_lead_a_waiting_mentee_there(client, mentee, choosing_program):
    client.force_login(mentee.user)
    for url in (reverse("my_mentoring"), reverse("program", args=[choosing_program.pk])):
        assert page_url(choosing_program) in read(client.get(url))
    choosing_program.members_choose = False
    choosing_program.save(update_fields=["members_choose"])
    assert page_url(choosing_program) not in read(client.get(reverse("my_mentoring")))


def test_a_member_who_is_not_a_waiting_mentee_is_told_why(client, world, choosing_program, mentor):
    client.force_login(world["people"]["member"])
    page = read(client.get(page_url(choosing_program)))
    assert "Apply as a mentee first" in page and "Mentor M" not in page


def test_the_pages_are_missing_where_the_program_does_not_let_members_choose(client, world, mentee, mentor):
    program = mentee.program
    program.members_choose = False
    program.save(update_fields=["members_choose"])
    client.force_login(mentee.user)
    assert client.get(page_url(program)).status_code == 404
    assert client.get(ask_url(mentor)).status_code == 404


def test_members_of_another_area_get_404_as_for_a_missing_program(client, world, choosing_program, mentor):
    client.force_login(world["people"]["other_member"])
    forbidden = client.get(page_url(choosing_program))
    missing = client.get(reverse("choose_mentor", args=[999999]))
    assert forbidden.status_code == missing.status_code == 404
    assert comparable(forbidden) == comparable(missing)
    assert client.get(ask_url(mentor)).status_code == 404


def test_a_mentor_the_rules_keep_apart_reads_as_missing(client, mentee, mentor):
    Application.objects.filter(pk=mentor.pk).update(avoid_partner_ids=[mentee.user_id])
    client.force_login(mentee.user)
    assert client.get(ask_url(mentor)).status_code == 404
    assert "Mentor M" not in read(client.get(page_url(mentee.program)))


def test_a_mentee_asks_with_a_note_and_the_request_is_listed_with_where_it_stands(client, mentee, mentor):
    client.force_login(mentee.user)
    page = read(client.get(ask_url(mentor)))
    assert "Ask Mentor M to be your mentor" in page and "Fit: " in page
    response = client.post(ask_url(mentor), {"note": "Hello"}, follow=True)
    assert "Your request is sent. Mentor M answers within 7 days" in read(response)
    proposal = Proposal.objects.get(origin="member")
    assert proposal.mentee_application == mentee and choosing.note_of(proposal) == "Hello"
    page = read(client.get(page_url(mentee.program)))
    assert "Your requests" in page and "Waiting for the mentor's answer, until" in page
    assert reverse("withdraw_request", args=[proposal.pk]) in page


def test_a_note_with_markup_is_kept_as_written_and_shown_escaped_to_the_mentor(client, mentee, mentor):
    client.force_login(mentee.user)
    client.post(ask_url(mentor), {"note": "<script>alert(1)</script> & <b>hi</b>"})
    proposal = Proposal.objects.get(origin="member")
    assert choosing.note_of(proposal) == "<script>alert(1)</script> & <b>hi</b>"
    client.logout()
    body = client.get(services.mentor_answer_url(proposal).removeprefix("http://testserver")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;hi&lt;/b&gt;" in body and "<b>hi</b>" not in body


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("x" * 1001, "Please keep this to 1000 characters or fewer (it has 1001)."),
        ("x" * 10010, "Please keep this to 1000 characters or fewer (it has 10010)."),
        ("before\x00after", "Null characters are not allowed."),
    ],
    ids=["one-too-many", "ten-times", "nul-byte"],
)
def test_a_bad_note_is_refused_in_plain_words_and_what_was_typed_is_kept(client, mentee, mentor, note, message):
    client.force_login(mentee.user)
    response = client.post(ask_url(mentor), {"note": note})
    page = read(response)
    assert response.status_code == 200 and message in page
    assert "Nothing was sent yet, and everything you typed is still here." in page
    assert note[:200] in page or "\x00" in note  # (a NUL byte can't be shown back; flash's forms alike)
    assert not Proposal.objects.filter(origin="member").exists()


def test_the_last_place_taken_meanwhile_is_said_plainly(client, mentee, mentor, make_mentee):
    client.force_login(mentee.user)
    assert client.get(ask_url(mentor)).status_code == 200
    choosing.ask_mentor(mentee_app=make_mentee("b"), mentor_app=mentor, note="")
    page = read(client.post(ask_url(mentor), {"note": "Kept"}))
    assert "Mentor M has no free place any more: another member asked a moment ago." in page and "Kept" in page


def test_the_mentee_withdraws_from_the_page(client, mentee, mentor):
    proposal = choosing.ask_mentor(mentee_app=mentee, mentor_app=mentor, note="")
    client.force_login(mentee.user)
    url = reverse("withdraw_request", args=[proposal.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "Your request is withdrawn." in read(response) and "You withdrew this request." in read(response)
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"


def test_someone_elses_request_is_missing(client, world, mentee, mentor):
    proposal = choosing.ask_mentor(mentee_app=mentee, mentor_app=mentor, note="")
    for who in (mentor.user, world["people"]["chair"], world["people"]["member"]):
        client.force_login(who)
        assert client.post(reverse("withdraw_request", args=[proposal.pk])).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "awaiting_mentor"


def test_the_mentor_accepts_from_the_link_and_the_chair_sees_the_members_choice(client, world, mentee, mentor):
    proposal = choosing.ask_mentor(mentee_app=mentee, mentor_app=mentor, note="")
    link = services.mentor_answer_url(proposal).removeprefix("http://testserver")
    page = read(client.post(link, {"answer": "accept"}))
    assert "Mentee A is told that you said yes. The committee confirms the pair next" in page
    client.force_login(world["people"]["chair"])
    queue = read(client.get(reverse("committee:matching", args=[mentee.program_id])))
    assert "the member's choice" in queue and "Mentee A" in queue


def test_the_mentees_page_costs_the_same_queries_with_more_mentors_and_requests(
    client, mentee, make_mentor, make_mentee, django_assert_max_num_queries
):
    make_mentor("first")
    client.force_login(mentee.user)
    url = page_url(mentee.program)
    client.get(url)
    with django_assert_max_num_queries(17) as few:
        client.get(url)
    mentors = [make_mentor(f"n{n}", capacity=2) for n in range(30)]
    choosing.ask_mentor(mentee_app=mentee, mentor_app=mentors[0], note="")
    declined = choosing.ask_mentor(mentee_app=mentee, mentor_app=mentors[1], note="")
    services.mentor_answers(proposal=declined, accept=False)
    life_partner = make_mentee("p")
    choosing.ask_mentor(mentee_app=life_partner, mentor_app=mentors[2], note="")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = read(client.get(url))
    assert page.count("Ask Mentor") == 20  # a page of them
    assert "29 mentors you can ask." in page


def matching_section(program, **changes):
    data = {
        "section": "matching",
        "mentor_answer_days": str(program.mentor_answer_days),
        "members_choose": "on",
        "member_asks_at_once": "3",
        "member_choice_needs_committee": "",
        "circle_size": str(program.circle_size),
    }
    return {k: v for k, v in (data | changes).items() if v != ""}


def test_the_chair_lets_members_choose_in_the_set_up(client, world, program):
    client.force_login(world["people"]["chair"])
    url = reverse("committee:setup", args=[program.pk])
    page = read(client.get(url + "?section=matching"))
    assert "Members choose their mentor" in page and "Mentors a mentee may ask at once" in page
    assert not program.members_choose and program.member_asks_at_once == 2 and program.member_choice_needs_committee
    assert client.post(url, matching_section(program)).status_code == 302
    program.refresh_from_db()
    assert (program.members_choose, program.member_asks_at_once, program.member_choice_needs_committee) == (
        True,
        3,
        False,
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "greater than or equal to 1"), ("6", "less than or equal to 5"), ("two", "Enter a whole number.")],
)
def test_the_number_of_requests_at_once_is_one_to_five(client, world, program, value, message):
    client.force_login(world["people"]["chair"])
    response = client.post(
        reverse("committee:setup", args=[program.pk]), matching_section(program, member_asks_at_once=value)
    )
    assert response.status_code == 200 and message in read(response)
    program.refresh_from_db()
    assert not program.members_choose


def test_a_request_without_a_note_is_sent(client, mentee, mentor):
    client.force_login(mentee.user)
    assert client.post(ask_url(mentor)).status_code == 302
    assert choosing.note_of(Proposal.objects.get(origin="member")) == ""
