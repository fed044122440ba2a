"""The emailed feedback link: its own credential, for one person and one round, once, for a
limited time. Broken, tampered, used and expired links get a kind page, never a 500. The form
refuses bad answers in plain words and keeps what was typed."""

import html
import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import ask, link, partnership_for
from feedback import services
from feedback.models import Response, Solicitation
from leadership.models import LeadershipRecommendation
from mentoring.services import create_program
from partnerships import life

pytestmark = pytest.mark.django_db

ANSWERS = {"satisfaction": "4", "met": "monthly", "progress": "some", "working": "yes", "concerns": ""}


def says(response, text):
    return html.escape(text) in response.content.decode()


@pytest.fixture
def chair(world):
    return world["people"]["chair"]


@pytest.fixture
def partnership(program, chair):
    return partnership_for(program, chair)


@pytest.fixture
def solicitation(partnership):
    return ask(partnership)


# --- Opening the link ---------------------------------------------------------------------------


def test_the_link_opens_the_form_for_its_person_and_round_without_a_password(client, solicitation, partnership):
    response = client.get(link(solicitation))
    assert response.status_code == 200
    assert response.templates[0].name == "feedback/answer.html"
    assert response.context["solicitation"] == solicitation
    assert response.context["partner"] == partnership.mentor
    assert says(response, partnership.mentor.get_full_name())
    assert "How is it going?" in response.content.decode()
    assert "no-store" in response["Cache-Control"]

    # The mentor's own link opens the mentor's round, naming the mentee as the partner.
    mentor_round = Solicitation.objects.get(partnership=partnership, role="mentor", round=1)
    response = client.get(link(mentor_round))
    assert response.context["solicitation"] == mentor_round
    assert response.context["partner"] == partnership.mentee


def test_the_emailed_link_is_the_one_that_works(client, solicitation, settings):
    email = next(m for m in mail.outbox if m.to == [solicitation.respondent.email])
    url = next(word for word in email.body.split() if "/feedback/" in word)
    assert url.startswith(settings.SITE_URL)
    response = client.get(url.removeprefix(settings.SITE_URL))
    assert response.status_code == 200 and response.context["solicitation"] == solicitation


def test_the_link_works_once(client, solicitation):
    url = link(solicitation)
    response = client.post(url, ANSWERS)
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert "Already sent" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert Response.objects.count() == 1


def test_an_expired_link_gets_a_kind_page_offering_sign_in(client, solicitation, program):
    url = link(solicitation)
    days = program.feedback_link_days
    with time_machine.travel(solicitation.sent_at + timedelta(days=days, hours=-1), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(solicitation.sent_at + timedelta(days=days, hours=1), tick=False):
        response = client.get(url)
        assert response.status_code == 410
        text = response.content.decode()
        assert "This link has expired" in text
        assert reverse("my_mentoring") in text and "Sign in" in text and "Talk to the committee" in text
        # ... and answering through it stores nothing.
        assert client.post(url, ANSWERS).status_code == 410
    assert not Response.objects.exists()


def test_a_reminder_renews_the_link(client, solicitation, program):
    url = link(solicitation)
    sent = solicitation.sent_at
    reminded_at = sent + timedelta(days=program.reminder_after_days + 1)
    with time_machine.travel(reminded_at, tick=False):
        mail.outbox.clear()
        assert services.send_reminders() == 2  # both partners
        assert [m.to for m in mail.outbox if "reminder" in m.subject.lower()]
    days = program.feedback_link_days
    # Past the first email's life, within the reminder's: it still works.
    with time_machine.travel(reminded_at + timedelta(days=days - 1), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(reminded_at + timedelta(days=days, hours=1), tick=False):
        assert "expired" in client.get(url).content.decode()


def _tampered(token):
    """Every one-character change of a token (a different character at each position)."""
    for i, char in enumerate(token):
        yield token[:i] + ("A" if char != "A" else "B") + token[i + 1 :]


def broken_tokens(s, other):
    """Tokens that must not open anything: (what it is, the token)."""
    valid, others = services.make_token(s), services.make_token(other)
    return [
        ("wrong salt", signing.dumps({"s": s.pk, "r": s.respondent_id}, salt="other.salt")),
        ("truncated", valid[:-5]),
        ("truncated to 10", valid[:10]),
        ("blank", " "),
        ("10 KB", "x" * 10_000),
        ("valid plus 10 KB", valid + "x" * 10_000),
        ("garbage", "not a token at all"),
        ("unicode and html", "é€😀<script>"),
        ("a list", signing.dumps([s.pk, s.respondent_id], salt=services.TOKEN_SALT)),
        ("strings", signing.dumps({"s": str(s.pk), "r": 1}, salt=services.TOKEN_SALT)),
        ("nonexistent", signing.dumps({"s": 10**9, "r": 10**9}, salt=services.TOKEN_SALT)),
        # Another partnership's round claimed for this respondent: the pair must match.
        ("other partnership's round", signing.dumps({"s": other.pk, "r": s.respondent_id}, salt=services.TOKEN_SALT)),
        # Pieces of this respondent's link glued to another's (the last 43 characters are the MAC).
        ("spliced", others[:40] + valid[40:]),
        ("this payload with the other's signature", valid[:-43] + others[-43:]),
    ]


def test_broken_links_get_the_kind_cant_be_used_page(client, solicitation, program, chair):
    other = ask(partnership_for(program, chair, "b"))
    for what, token in broken_tokens(solicitation, other):
        response = client.get(reverse("feedback:answer", args=[token]))
        assert response.status_code == 410, what
        assert "This link can't be used" in response.content.decode(), what
        assert says(response, "This link doesn't work."), what
        assert client.post(reverse("feedback:answer", args=[token]), ANSWERS).status_code == 410, what
    assert not Response.objects.exists()
    # The two real links still work, each for its own round.
    assert client.get(link(solicitation)).context["solicitation"] == solicitation
    assert client.get(link(other)).context["solicitation"] == other


def test_a_link_shows_nothing_of_what_it_opens(solicitation):
    """The link is encrypted: no id can be read from it, and two links to one round differ."""
    import base64

    token = services.make_token(solicitation)
    assert token != services.make_token(solicitation)
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    payload = f"[{solicitation.pk}, {solicitation.respondent_id}]"
    assert payload not in token and payload not in decoded.decode("latin-1")
    # Before, the link was readable: base64 of {"s": <id>, "r": <id>} before its signature.
    assert ":" not in token and not token.startswith("eyJ")


def test_a_link_sent_before_links_were_encrypted_still_opens(client, solicitation):
    old = signing.dumps({"s": solicitation.pk, "r": solicitation.respondent_id}, salt=services.TOKEN_SALT)
    assert client.get(reverse("feedback:answer", args=[old])).context["solicitation"] == solicitation


def test_a_link_is_short_and_opens_only_its_round(client, solicitation, program, chair):
    """59 characters (the ids encrypted with a random nonce, and their tag); a Fernet link was
    98 and cost six times as much to make, once per email of a round of thousands."""
    other = ask(partnership_for(program, chair, "b"))
    token = services.make_token(solicitation)
    assert len(token) == 59 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert services.solicitation_for_token(token) == solicitation
    assert services.solicitation_for_token(services.make_token(other)) == other


def test_a_fernet_link_sent_before_still_opens(client, solicitation):
    """Links in inboxes when links became shorter were Fernet tokens: they open until they expire."""
    from accounts import links

    old = links.make_token(services.TOKEN_SALT, solicitation.pk, solicitation.respondent_id)
    assert client.get(reverse("feedback:answer", args=[old])).context["solicitation"] == solicitation


def test_a_link_made_before_a_key_rotation_opens_and_no_other_key_opens_it(solicitation, settings):
    token = services.make_token(solicitation)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a new key " * 5, [settings.SECRET_KEY]
    assert services.solicitation_for_token(token) == solicitation
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(services.LinkProblem):
        services.solicitation_for_token(token)


def test_every_one_character_change_is_refused(client, solicitation):
    token = services.make_token(solicitation)
    for changed in _tampered(token):
        response = client.get(reverse("feedback:answer", args=[changed]))
        assert response.status_code in (404, 410), changed  # "/" can't be in a path segment: 404
        if response.status_code == 410:
            assert "can't be used" in response.content.decode()
    assert client.get(reverse("feedback:answer", args=[token])).status_code == 200


def test_an_empty_token_is_refused_without_a_500(client):
    with pytest.raises(services.LinkProblem) as problem:
        services.solicitation_for_token("")
    assert problem.value.kind == "invalid"
    assert client.get("/feedback//").status_code == 404


def test_a_round_of_a_partnership_that_ended_is_closed(client, solicitation, partnership, chair):
    life.dissolve(partnership=partnership, by=chair, reason="fit", note="", rematch=False)
    response = client.get(link(solicitation))
    assert response.status_code == 410
    assert "partnership has ended" in response.content.decode()


# --- Answering ------------------------------------------------------------------------------


def test_two_posts_store_one_response(client, solicitation):
    url = link(solicitation)
    first = client.post(url, {**ANSWERS, "concerns": "first"})
    second = client.post(url, {**ANSWERS, "concerns": "second"})
    assert "Thank you" in first.content.decode()
    assert "Already sent" in second.content.decode()
    response = Response.objects.get()
    assert response.concerns == "first" and response.satisfaction == 4
    solicitation.refresh_from_db()
    assert solicitation.status == Solicitation.Status.ANSWERED and solicitation.answered_at


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_the_same_moment_store_one_response(world):
    if connection.vendor != "postgresql":
        pytest.skip("select_for_update does nothing on SQLite: this test needs PostgreSQL (set DATABASE_URL)")
    from django.db import connections

    solicitation = ask(partnership_for(world["program"], world["people"]["chair"]))
    url = link(solicitation)
    barrier, results = threading.Barrier(2), []

    def submit(text):
        try:
            barrier.wait()
            results.append(Client().post(url, {**ANSWERS, "concerns": text}).status_code)
        except Exception as exc:  # collected and asserted below
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(text,)) for text in ("tab one", "tab two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [200, 200], results  # both see a thank-you or "already sent", no error
    assert Response.objects.filter(solicitation=solicitation).count() == 1
    assert Response.objects.get().concerns in {"tab one", "tab two"}


def test_the_satisfaction_field_refuses_bad_values_and_keeps_what_was_typed(client, solicitation):
    typed = "We meet less than planned — 日本語 is fine & <b>bold</b>"
    for value in ["0", "6", "abc", "3.5", "", "-1", "1e1", " 4x", "٣"]:
        data = {**ANSWERS, "satisfaction": value, "concerns": typed, "met": "weekly"}
        response = client.post(link(solicitation), data)
        assert response.status_code == 200, value
        expected = "This field is required." if value == "" else "Choose a number from 1 to 5."
        assert response.context["form"].errors["satisfaction"] == [expected], value
        text = response.content.decode()
        assert expected in text and "What you wrote is still here" in text
        assert html.escape(typed) in text  # the concerns as typed, escaped
        assert re.search(r'<input[^>]*value="weekly"[^>]*checked', text)
    assert not Response.objects.exists()
    solicitation.refresh_from_db()
    assert solicitation.status == Solicitation.Status.SENT


def test_every_satisfaction_from_1_to_5_is_accepted(client, solicitation, partnership):
    rounds = [solicitation] + [
        Solicitation.objects.create(
            partnership=partnership,
            round=number,
            respondent=partnership.mentee,
            role="mentee",
            due_on=solicitation.due_on,
            status="sent",
            sent_at=solicitation.sent_at,
        )
        for number in range(2, 6)
    ]
    for value, asked in enumerate(rounds, start=1):
        response = client.post(link(asked), {**ANSWERS, "satisfaction": str(value)})
        assert "Thank you" in response.content.decode()
        assert Response.objects.get(solicitation=asked).satisfaction == value


def test_other_choices_are_checked_too(client, solicitation):
    for field, value in [("met", "daily"), ("progress", "<script>"), ("working", "maybe"), ("met", "")]:
        response = client.post(link(solicitation), {**ANSWERS, field: value})
        assert response.status_code == 200 and response.context["form"].errors[field], (field, value)
        assert "<script>" not in response.content.decode()
    assert not Response.objects.exists()


def test_concerns_with_html_are_stored_as_written_and_shown_escaped_to_the_committee(
    client, solicitation, program, chair, partnership
):
    hostile = "<script>alert('x')</script> & <img src=x onerror=alert(1)> \u202eRTL 😀 ' OR 1=1 --"
    client.post(link(solicitation), {**ANSWERS, "concerns": hostile})
    assert Response.objects.get().concerns == hostile

    client.force_login(chair)
    page = client.get(reverse("committee:partnership", args=[program.pk, partnership.pk]))
    text = page.content.decode()
    assert html.escape(hostile) in text
    assert "<script>alert('x')</script>" not in text and "<img src=x" not in text


def test_a_nul_byte_in_concerns_is_refused_in_plain_words(client, solicitation):
    response = client.post(link(solicitation), {**ANSWERS, "concerns": "before\x00after"})
    assert response.status_code == 200
    assert response.context["form"].errors["concerns"] == ["Null characters are not allowed."]
    assert not Response.objects.exists()


def test_oversized_concerns_are_refused_and_kept(client, solicitation):
    long = "word " * 1000  # 5,000 characters, the limit is 4,000
    response = client.post(link(solicitation), {**ANSWERS, "concerns": long})
    assert response.status_code == 200
    errors = response.context["form"].errors["concerns"]
    assert errors == [f"Ensure this value has at most 4000 characters (it has {len(long.strip())})."]
    assert long.strip()[:200] in response.content.decode()
    assert not Response.objects.exists()
    # At the limit it is accepted.
    client.post(link(solicitation), {**ANSWERS, "concerns": "x" * 4000})
    assert len(Response.objects.get().concerns) == 4000


def test_a_new_partner_request_and_working_no_are_stored(client, solicitation):
    client.post(link(solicitation), {**ANSWERS, "working": "no", "satisfaction": "2", "wants_new_partner": "on"})
    response = Response.objects.get()
    assert response.wants_new_partner and response.working == "no" and response.needs_attention
    assert response.respondent == solicitation.respondent and response.role == "mentee" and response.round == 1


# --- The leadership question -----------------------------------------------------------------


@pytest.fixture
def leadership(world):
    return create_program(name="North leaders", kind="leadership", region=world["regions"]["north"])


def test_the_leadership_question_is_asked_of_leadership_mentors_only(client, world, leadership, program, chair):
    northport, easton = world["associations"]["northport"], world["associations"]["easton"]
    lead = partnership_for(leadership, chair, "lead", mentee_association=northport, mentor_association=easton)
    mentor_round, mentee_round = ask(lead, "mentor"), Solicitation.objects.get(partnership=lead, role="mentee")
    new_member_mentor = ask(partnership_for(program, chair, "nm"), "mentor")

    question = "I recommend my mentee for a leadership role"
    assert question in client.get(link(mentor_round)).content.decode()
    assert question not in client.get(link(mentee_round)).content.decode()
    assert question not in client.get(link(new_member_mentor)).content.decode()

    thanks = client.post(link(mentor_round), {**ANSWERS, "recommends_for_leadership": "on"}).content.decode()
    assert Response.objects.get(solicitation=mentor_round).recommends_for_leadership is True
    # The answer is the committee's; the mentor is offered the recommendation itself (asked to
    # the mentee before the region's VP hears of it). Nothing is recommended yet.
    assert reverse("recommend", args=[lead.pk]) in thanks
    assert not LeadershipRecommendation.objects.exists()
    # Posted by someone it was not asked of, it is ignored.
    client.post(link(mentee_round), {**ANSWERS, "recommends_for_leadership": "on"})
    client.post(link(new_member_mentor), {**ANSWERS, "recommends_for_leadership": "on"})
    assert Response.objects.get(solicitation=mentee_round).recommends_for_leadership is None
    assert Response.objects.get(solicitation=new_member_mentor).recommends_for_leadership is None


def test_a_leadership_mentor_may_leave_the_recommendation_unticked(client, world, leadership, chair):
    northport, easton = world["associations"]["northport"], world["associations"]["easton"]
    lead = partnership_for(leadership, chair, "lead", mentee_association=northport, mentor_association=easton)
    thanks = client.post(link(ask(lead, "mentor")), ANSWERS).content.decode()
    assert Response.objects.get().recommends_for_leadership is False
    assert reverse("recommend", args=[lead.pk]) not in thanks


def test_the_recommendation_says_who_will_read_it(client, world, leadership, chair):
    """The answer stays with the committee; the region's VP reads a recommendation only once the
    mentee agrees (the form says so)."""
    northport, easton = world["associations"]["northport"], world["associations"]["easton"]
    lead = partnership_for(leadership, chair, "lead", mentee_association=northport, mentor_association=easton)
    page = client.get(link(ask(lead, "mentor"))).content.decode()
    assert "I recommend my mentee for a leadership role" in page
    assert "your mentee is asked first, and the vice president reads it only if they agree" in page


# --- Headers -------------------------------------------------------------------------------------


def test_every_answer_page_is_never_cached(client, solicitation):
    url = link(solicitation)
    pages = [
        client.get(url),  # the form
        client.post(url, {**ANSWERS, "satisfaction": "9"}),  # the form with errors
        client.post(url, ANSWERS),  # thank you
        client.get(url),  # already sent
        client.get(reverse("feedback:answer", args=["broken"])),  # can't be used
    ]
    for response in pages:
        assert "no-store" in response["Cache-Control"], response.content[:200]
        assert response["Referrer-Policy"] in ("same-origin", "no-referrer")


def test_a_signed_in_stranger_with_the_link_sees_only_that_round(client, solicitation, world):
    """The link is the credential: whoever is signed in, it opens its own round only."""
    client.force_login(world["people"]["other_member"])
    response = client.get(link(solicitation))
    assert response.context["solicitation"] == solicitation
    assert response.context["partner"] == solicitation.partnership.mentor


def test_a_lost_email_is_no_lost_answer_the_home_page_offers_the_form(client, solicitation, partnership):
    """The round waiting for a partner is on their home page, with its form, until answered."""
    client.force_login(partnership.mentee)
    home = client.get(reverse("home")).content.decode()
    assert "would like to know how your partnership with" in home
    answer = re.search(r'href="(/feedback/[^"]+/)"', home).group(1)
    assert client.get(answer).context["solicitation"] == solicitation
    client.post(answer, ANSWERS)
    assert "would like to know how your partnership with" not in client.get(reverse("home")).content.decode()
    # The partner's own round is on the partner's home page, never on this one.
    client.force_login(partnership.mentor)
    assert "would like to know how your partnership with" in client.get(reverse("home")).content.decode()
