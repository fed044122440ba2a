"""Growing leaders: the mentor recommends, the mentee consents before the VP hears of it, the VP
invites to the region's leadership program, and the pipeline follows each member."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import LeadershipRole
from conftest import applicant, approved, partnership_for
from leadership import services as leadership
from leadership.models import LeadershipRecommendation
from mentoring.models import Application, Partnership
from mentoring.services import create_program
from outbox.models import OutgoingEmail
from recruitment.models import Invitation

pytestmark = pytest.mark.django_db

NOTE = "Led our claims project with calm and care."
HOSTILE = {
    "empty is fine": None,
    "oversized": "x" * 10_001,
    "html": "<script>alert(1)</script>",
    "nul": "Kind\x00words",
}


@pytest.fixture
def leaders(world):
    return create_program(
        name="North leaders", kind="leadership", region=world["regions"]["north"], enrollment_open=True
    )


@pytest.fixture
def pair(world):
    return partnership_for(world["program"], world["people"]["chair"])


def recommended(pair, consent=True):
    rec = leadership.recommend(partnership=pair, by=pair.mentor, note=NOTE)
    if consent is not None:
        leadership.answer_recommendation(recommendation=rec, by=pair.mentee, consent=consent)
    rec.refresh_from_db()
    return rec


# --- Services ---------------------------------------------------------------------------------


def test_the_mentor_recommends_and_the_mentee_is_asked_by_email(pair):
    rec = leadership.recommend(partnership=pair, by=pair.mentor, note=NOTE)
    assert rec.status == "asked" and rec.region.name == "North" and rec.mentee == pair.mentee
    email = OutgoingEmail.objects.get(key=f"leadership-asked:{rec.pk}")
    assert email.to == pair.mentee.email
    assert reverse("recommendation", args=[rec.pk]) in email.body
    assert "vice president" in email.body
    # The VP hears nothing yet.
    assert not OutgoingEmail.objects.filter(to="vp@example.org").exists()


def test_only_the_mentor_recommends(pair, world):
    for someone in (pair.mentee, world["people"]["chair"], world["people"]["vp"]):
        with pytest.raises(ValidationError):
            leadership.recommend(partnership=pair, by=someone, note="")


def test_a_dissolved_partnership_can_not_recommend(pair, world):
    Partnership.objects.filter(pk=pair.pk).update(status="dissolved")  # ended early (feedback's service)
    pair.refresh_from_db()
    with pytest.raises(ValidationError):
        leadership.recommend(partnership=pair, by=pair.mentor, note="")


def test_a_mentee_is_recommended_once_while_it_stands(pair, world):
    leadership.recommend(partnership=pair, by=pair.mentor, note="")
    with pytest.raises(ValidationError, match="recommended already"):
        leadership.recommend(partnership=pair, by=pair.mentor, note="")
    assert LeadershipRecommendation.objects.count() == 1


def test_after_a_no_the_mentor_may_ask_again_later(pair):
    recommended(pair, consent=False)
    assert leadership.recommend(partnership=pair, by=pair.mentor, note="").status == "asked"


def test_consent_tells_the_vp_once_and_a_no_tells_nobody(pair, world):
    rec = recommended(pair, consent=True)
    assert rec.status == "consented" and rec.answered_at
    assert OutgoingEmail.objects.filter(to="vp@example.org", key=f"leadership-consented:{rec.pk}").count() == 1
    with pytest.raises(ValidationError, match="answered already"):
        leadership.answer_recommendation(recommendation=rec, by=pair.mentee, consent=True)
    other = partnership_for(world["program"], world["people"]["chair"], "b")
    recommended(other, consent=False)
    assert OutgoingEmail.objects.filter(to="vp@example.org").count() == 1


def test_only_the_mentee_answers(pair, world):
    rec = recommended(pair, consent=None)
    for someone in (pair.mentor, world["people"]["vp"]):
        with pytest.raises(ValidationError):
            leadership.answer_recommendation(recommendation=rec, by=someone, consent=True)


def test_the_vp_invites_through_a_personal_invitation(pair, world, leaders):
    rec = recommended(pair)
    result = leadership.invite_recommended(recommendations=[rec], program=leaders, by=world["people"]["vp"])
    assert result.invited == [pair.mentee]
    rec.refresh_from_db()
    invitation = Invitation.objects.get(program=leaders, user=pair.mentee, kind="invitation", role="mentee")
    assert rec.invitation == invitation and rec.invited_at
    email = OutgoingEmail.objects.get(key=f"invitation:{invitation.pk}")
    assert "your regional vice president" in email.body
    assert "/invitations/" in email.body
    # A second click sends nothing more.
    again = leadership.invite_recommended(recommendations=[rec], program=leaders, by=world["people"]["vp"])
    assert again.invited == [] and OutgoingEmail.objects.filter(key__startswith="invitation:").count() == 1


def test_only_the_regions_vp_invites_and_only_consented_members(pair, world, leaders):
    rec = recommended(pair, consent=None)
    with pytest.raises(ValidationError):
        leadership.invite_recommended(recommendations=[rec], program=leaders, by=world["people"]["vp"])
    leadership.answer_recommendation(recommendation=rec, by=pair.mentee, consent=True)
    for someone in (world["people"]["other_vp"], world["people"]["chair"], pair.mentor):
        with pytest.raises(ValidationError):
            leadership.invite_recommended(recommendations=[rec], program=leaders, by=someone)


def test_members_who_turned_invitations_off_are_skipped(pair, world, leaders):
    rec = recommended(pair)
    pair.mentee.profile.email_invitations = False
    pair.mentee.profile.save()
    result = leadership.invite_recommended(recommendations=[rec], program=leaders, by=world["people"]["vp"])
    assert result.invited == [] and "personal invitations" in result.skipped[0][1]


def test_the_pipeline_follows_each_member(pair, world, leaders):
    rec = recommended(pair)
    north = world["regions"]["north"]
    assert [r.stage for r in leadership.pipeline(north)] == ["recommended"]
    leadership.invite_recommended(recommendations=[rec], program=leaders, by=world["people"]["vp"])
    assert [r.stage for r in leadership.pipeline(north)] == ["invited"]
    application = applicant(leaders, "unused@example.org", "mentee")  # someone else: not counted
    Application.objects.create(program=leaders, user=pair.mentee, role="mentee", status="in_pool")
    rows = leadership.pipeline(north)
    assert [r.stage for r in rows] == ["applied"]
    mentor = applicant(
        leaders, "leader.mentor@example.org", "mentor", years=25, association=world["associations"]["easton"]
    )
    approved(Application.objects.get(program=leaders, user=pair.mentee), mentor, by=world["people"]["vp"])
    assert [r.stage for r in leadership.pipeline(north)] == ["matched"]
    LeadershipRole.objects.create(
        user=pair.mentee, title="secretary", organisation="Northport", started_on=rec.asked_at.date()
    )
    rows = leadership.pipeline(north)
    assert rows[0].stage == "roles" and rows[0].roles[0].name == "Secretary"
    assert leadership.stage_counts(rows) == {"recommended": 1, "invited": 1, "applied": 1, "matched": 1, "roles": 1}
    assert application  # the other applicant is not in the pipeline
    assert leadership.pipeline(world["regions"]["south"]) == []


def test_a_role_counts_from_the_local_day_of_the_recommendation_with_or_without_the_roles(pair, world):
    """The stage is worked out in the database (the report reads no roles): a role started on the
    day the member was recommended, in the site's time zone, counts; one the day before does not."""
    rec = recommended(pair)
    late_evening = datetime(2025, 5, 10, 2, 0, tzinfo=UTC)  # May 9, 22:00 in New York
    LeadershipRecommendation.objects.filter(pk=rec.pk).update(asked_at=late_evening)
    north = world["regions"]["north"]
    role = LeadershipRole.objects.create(
        user=pair.mentee, title="secretary", organisation="Northport", started_on=date(2025, 5, 8)
    )
    with timezone.override("America/New_York"):
        assert [(r.stage, r.roles) for r in leadership.pipeline(north)] == [("recommended", [])]
        assert [r.stage for r in leadership.pipeline(north, roles=False)] == ["recommended"]
        LeadershipRole.objects.filter(pk=role.pk).update(started_on=date(2025, 5, 9))
        assert [(r.stage, r.roles) for r in leadership.pipeline(north)] == [("roles", [role])]
        assert [r.stage for r in leadership.pipeline(north, roles=False)] == ["roles"]


def test_the_pipeline_shows_only_consented_recommendations(pair, world):
    recommended(pair, consent=None)
    other = partnership_for(world["program"], world["people"]["chair"], "b")
    recommended(other, consent=False)
    assert leadership.pipeline(world["regions"]["north"]) == []


# --- Pages -------------------------------------------------------------------------------------


def test_the_mentor_sees_the_button_and_the_form_says_who_reads_it(client, pair):
    client.force_login(pair.mentor)
    page = client.get(reverse("partnership", args=[pair.pk])).content.decode()
    assert reverse("recommend", args=[pair.pk]) in page
    form = client.get(reverse("recommend", args=[pair.pk])).content.decode()
    assert "Who reads this" in form and "vice president" in form and "Vera President" in form
    response = client.post(reverse("recommend", args=[pair.pk]), {"note": NOTE})
    assert response.status_code == 302
    assert LeadershipRecommendation.objects.get().note == NOTE


def test_the_mentee_sees_no_recommend_button_and_gets_404(client, pair):
    client.force_login(pair.mentee)
    assert (
        reverse("recommend", args=[pair.pk]) not in client.get(reverse("partnership", args=[pair.pk])).content.decode()
    )
    assert client.get(reverse("recommend", args=[pair.pk])).status_code == 404
    assert client.post(reverse("recommend", args=[pair.pk]), {"note": "x"}).status_code == 404
    assert not LeadershipRecommendation.objects.exists()


@pytest.mark.parametrize("what", ["oversized", "html", "nul"])
def test_hostile_notes_are_refused_in_plain_words_and_kept(client, pair, what):
    client.force_login(pair.mentor)
    response = client.post(reverse("recommend", args=[pair.pk]), {"note": HOSTILE[what]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please" in page and "<script>alert" not in page
    assert not LeadershipRecommendation.objects.exists()
    if what == "html":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # what was typed is kept, escaped


@pytest.mark.parametrize("note", ["", "Sí. مرحبا 👩‍💼 leads well", "'; DROP TABLE mentoring_partnership; --"])
def test_ordinary_notes_are_saved_as_typed(client, pair, note):
    client.force_login(pair.mentor)
    assert client.post(reverse("recommend", args=[pair.pk]), {"note": note}).status_code == 302
    assert LeadershipRecommendation.objects.get().note == note


def test_the_mentee_answers_on_her_page(client, pair):
    rec = recommended(pair, consent=None)
    client.force_login(pair.mentee)
    page = client.get(reverse("recommendation", args=[rec.pk])).content.decode()
    assert NOTE in page and "Yes, pass it on" in page
    assert client.post(reverse("recommendation", args=[rec.pk]), {"answer": "maybe"}).status_code == 200
    rec.refresh_from_db()
    assert rec.status == "asked"
    client.post(reverse("recommendation", args=[rec.pk]), {"answer": "yes"})
    rec.refresh_from_db()
    assert rec.status == "consented"


def test_each_reads_the_recommendations_state_in_their_own_words(client, pair):
    """The mentee's own page said "Waiting for the mentee's answer" to the mentee."""
    rec = recommended(pair, consent=None)
    client.force_login(pair.mentee)
    to_mentee = client.get(reverse("recommendation", args=[rec.pk])).content.decode()
    client.force_login(pair.mentor)
    to_mentor = client.get(reverse("recommendation", args=[rec.pk])).content.decode()

    assert "Waiting for your answer" in to_mentee and "the mentee&#x27;s answer" not in to_mentee
    assert "Waiting for the mentee&#x27;s answer" in to_mentor


def test_the_mentor_can_read_but_not_answer(client, pair):
    rec = recommended(pair, consent=None)
    client.force_login(pair.mentor)
    assert client.get(reverse("recommendation", args=[rec.pk])).status_code == 200
    assert client.post(reverse("recommendation", args=[rec.pk]), {"answer": "yes"}).status_code == 404
    rec.refresh_from_db()
    assert rec.status == "asked"


def test_others_get_404_on_a_recommendation(client, pair, world):
    rec = recommended(pair, consent=None)
    for who in ("vp", "chair", "member", "staff"):
        client.force_login(world["people"][who])
        assert client.get(reverse("recommendation", args=[rec.pk])).status_code == 404


def test_the_vps_pipeline_page_lists_and_invites(client, pair, world, leaders, django_assert_max_num_queries):
    rec = recommended(pair)
    for tag in "bcd":
        recommended(partnership_for(world["program"], world["people"]["chair"], tag))
    client.force_login(world["people"]["vp"])
    url = reverse("leadership_pipeline", args=[world["regions"]["north"].pk])
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    assert "Mentee A" in page and NOTE in page
    response = client.post(
        reverse("pipeline_invite", args=[world["regions"]["north"].pk]),
        {"recommendations": [rec.pk], "program": leaders.pk},
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.invitation is not None


def test_the_vp_invite_rechecks_ids(client, pair, world, leaders):
    rec = recommended(pair, consent=None)  # not consented yet
    south_leaders = create_program(
        name="South leaders", kind="leadership", region=world["regions"]["south"], enrollment_open=True
    )
    client.force_login(world["people"]["vp"])
    url = reverse("pipeline_invite", args=[world["regions"]["north"].pk])
    for data in (
        {"recommendations": [rec.pk], "program": leaders.pk},
        {"recommendations": ["abc"], "program": leaders.pk},
        {"recommendations": [], "program": leaders.pk},
    ):
        response = client.post(url, data)
        assert response.status_code == 200 and "Please" in response.content.decode()
    leadership.answer_recommendation(recommendation=rec, by=pair.mentee, consent=True)
    response = client.post(url, {"recommendations": [rec.pk], "program": south_leaders.pk})
    assert response.status_code == 200 and "Please choose one of the region" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_pipeline_is_the_vps_only(client, world):
    url = reverse("leadership_pipeline", args=[world["regions"]["north"].pk])
    for who in ("other_vp", "staff", "chair", "member", "officer"):
        client.force_login(world["people"][who])
        assert client.get(url).status_code == 404
        assert client.post(reverse("pipeline_invite", args=[world["regions"]["north"].pk])).status_code == 404


def test_the_mentee_sees_a_waiting_recommendation_on_the_partnership_page(client, pair):
    rec = recommended(pair, consent=None)
    client.force_login(pair.mentee)
    page = client.get(reverse("partnership", args=[pair.pk])).content.decode()
    assert "Read it and answer" in page and reverse("recommendation", args=[rec.pk]) in page


def test_the_vps_home_page_links_to_the_pipeline(client, world):
    client.force_login(world["people"]["vp"])
    assert reverse("leadership_pipeline", args=[world["regions"]["north"].pk]) in client.get("/").content.decode()


def test_the_mentor_withdraws_and_the_vp_no_longer_sees_it(client, pair, world):
    rec = recommended(pair)
    url = reverse("recommendation_withdraw", args=[rec.pk])
    client.force_login(pair.mentee)
    assert client.post(url).status_code == 404  # the mentee answers; she does not withdraw
    client.force_login(world["people"]["vp"])
    assert client.post(url).status_code == 404
    client.force_login(pair.mentor)
    assert "Withdraw my recommendation" in client.get(reverse("recommendation", args=[rec.pk])).content.decode()
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    rec.refresh_from_db()
    assert rec.status == "withdrawn"
    assert leadership.pipeline(world["regions"]["north"]) == []
    # ... and may recommend again later.
    assert leadership.recommend(partnership=pair, by=pair.mentor, note="").status == "asked"
