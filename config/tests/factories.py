"""Plain helpers shared by the config tests (a test module never imports another): the report
figures of the privacy and retention tests, and every URL of the resolver with the objects it
points at (the access-control matrix and the French check walk them)."""

from datetime import timedelta
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse
from django.utils import timezone

from accounts.models import LeadershipRole
from accounts.unsubscribe import make_token as unsubscribe_token
from circles import services as circles
from circles.models import Circle, CircleFeedback, CircleMember
from conftest import APPLICANT_ANSWERS, applicant, make_member, partnership_for, propose, walk
from feedback.models import Concern, Solicitation
from feedback.services import create_due_solicitations, make_token
from feedback.surveys import add_question as add_survey_question
from flash import services as flash
from flash.models import FlashFeedback
from leadership import officers
from leadership import services as leadership
from leadership.services import recommend
from matching import choosing, waiting
from matching import services as matching
from matching.models import MatchRun, Proposal
from matching.services import approve, mentor_answer_url
from mentoring import services as mentoring
from mentoring.models import (
    Application,
    AssociationOfficer,
    CommitteeMembership,
    OrientationItem,
    Partnership,
    Question,
    Resource,
)
from mentoring.services import start_application, submit_application
from outbox.models import OutgoingEmail
from partnerships.meetings import propose_meeting
from partnerships.models import Goal
from recruitment import services as recruitment
from recruitment.models import Invitation
from recruitment.services import invitation_url
from reports import figures as reports
from retention import services as retention
from retention.models import RecordExpiry
from retention.services import make_token as keep_history_token

# A partner's ordinary feedback answers.
FINE = {"satisfaction": 4, "met": "monthly", "progress": "some", "working": "yes", "wants_new_partner": False}


def figures(program):
    """The program's report figures (a fresh snapshot, the default period, no small-count hiding)."""
    reports.take_snapshot()
    period = reports.default_period()
    return reports.all_figures([program], period, k=1)["program"][program.pk]


# --- Every URL of the resolver, and the objects its parameters point at -------------------------


def sync_key():
    """A member sync key to point the revoke URL at (made when the URL is built)."""
    from sync.services import create_key

    return create_key(name="Member database", scope="members:write", by=None)[0]


SAMPLE_KWARGS = {
    "sync:revoke": lambda t: {"key_id": sync_key().pk},
    "openid_connect_login": lambda t: {"provider_id": "association"},
    "outbox:provider_events": lambda t: {"provider": "postmark"},
    "accounts:address_works": lambda t: {"token": "not-a-real-token"},
    "openid_connect_callback": lambda t: {"provider_id": "association"},
    "account_confirm_email": lambda t: {"key": "not-a-real-key"},
    "dev_email_attachment": lambda t: {"email_id": "20260101-120000-000000-0123abcd", "index": 0},
    "dev_email_html": lambda t: {"email_id": "20260101-120000-000000-0123abcd"},
    "javascript_catalog": lambda t: {"language": "fr"},
    "account_reset_password_from_key": lambda t: {"uidb36": "1", "key": "not-a-real-key"},
    "program": lambda t: {"program_id": t.program.pk},
    "apply": lambda t: {"program_id": t.program.pk, "role": "mentee"},
    "autosave": lambda t: {"program_id": t.program.pk, "role": "mentee"},
    "resource_file": lambda t: {"program_id": t.program.pk, "resource_id": t.resource.pk},
    "appoint_chair": lambda t: {"program_id": t.program.pk},
    "withdraw": lambda t: {"application_id": t.own_application.pk},
    "orientation_done": lambda t: {"program_id": t.program.pk, "item_id": t.orientation_item.pk},
    "orientation_file": lambda t: {"program_id": t.program.pk, "item_id": t.orientation_item.pk},
    "committee:orientation_edit": lambda t: {"program_id": t.program.pk, "item_id": t.orientation_item.pk},
    "committee:orientation_delete": lambda t: {"program_id": t.program.pk, "item_id": t.orientation_item.pk},
    "committee:orientation_move": lambda t: {"program_id": t.program.pk, "item_id": t.orientation_item.pk},
    "committee:question_edit": lambda t: {"program_id": t.program.pk, "question_id": t.question.pk},
    "committee:question_delete": lambda t: {"program_id": t.program.pk, "question_id": t.question.pk},
    "committee:resource_delete": lambda t: {"program_id": t.program.pk, "resource_id": t.resource.pk},
    "committee:member_remove": lambda t: {"program_id": t.program.pk, "seat_id": t.seat.pk},
    "committee:application": lambda t: {"program_id": t.program.pk, "application_id": t.application.pk},
    "committee:matching_progress": lambda t: {"program_id": t.program.pk, "run_id": t.run.pk},
    "committee:proposal": lambda t: {"program_id": t.program.pk, "proposal_id": t.proposal.pk},
    "partnership": lambda t: {"partnership_id": t.partnership.pk},
    "region_report": lambda t: {"region_id": t.program.association.region_id},
    "association_report": lambda t: {"association_id": t.program.association_id},
    "association_officers": lambda t: {"association_id": t.program.association_id},
    "officer_remove": lambda t: {"association_id": t.program.association_id, "officer_id": t.officer.pk},
    "feedback:concern": lambda t: {"partnership_id": t.partnership.pk},
    "goal_add": lambda t: {"partnership_id": t.partnership.pk},
    "goal_progress": lambda t: {"partnership_id": t.partnership.pk, "goal_id": t.goal.pk},
    "meeting_add": lambda t: {"partnership_id": t.partnership.pk},
    "meeting_new": lambda t: {"partnership_id": t.partnership.pk},
    "meeting_other_time": lambda t: {"partnership_id": t.partnership.pk, "meeting_id": t.meeting.pk},
    "meeting_accept": lambda t: {"partnership_id": t.partnership.pk, "meeting_id": t.meeting.pk},
    "meeting_cancel": lambda t: {"partnership_id": t.partnership.pk, "meeting_id": t.meeting.pk},
    "meeting_log": lambda t: {"partnership_id": t.partnership.pk, "meeting_id": t.meeting.pk},
    "recognition": lambda t: {"partnership_id": t.partnership.pk},
    "certificate": lambda t: {"partnership_id": t.completed.pk},
    "certificate_pdf": lambda t: {"partnership_id": t.completed.pk},
    "agreement_confirm": lambda t: {"partnership_id": t.partnership.pk},
    "agreement_terms": lambda t: {"partnership_id": t.partnership.pk},
    "milestone_done": lambda t: {"partnership_id": t.partnership.pk, "milestone_id": t.milestone.pk},
    "milestone_undo": lambda t: {"partnership_id": t.partnership.pk, "milestone_id": t.milestone.pk},
    "feedback:answer": lambda t: {"token": t.token},
    "ask_mentor": lambda t: {"program_id": t.program.pk, "application_id": t.application.pk},
    "withdraw_request": lambda t: {"proposal_id": t.proposal.pk},
    "flash:book": lambda t: {"slot_id": t.slot.pk},
    "flash:withdraw": lambda t: {"slot_id": t.slot.pk},
    "flash:feedback": lambda t: {"token": t.flash_token},
    "circles:circle": lambda t: {"circle_id": t.circle.pk},
    "circles:join": lambda t: {"circle_id": t.circle.pk},
    "circles:leave": lambda t: {"circle_id": t.circle.pk},
    "circles:meeting": lambda t: {"meeting_id": t.circle_meeting.pk},
    "circles:meeting_cancel": lambda t: {"meeting_id": t.circle_meeting.pk},
    "circles:feedback": lambda t: {"token": t.circle_token},
    "committee:circle": lambda t: {"program_id": t.program.pk, "circle_id": t.circle.pk},
    "committee:circle_end": lambda t: {"program_id": t.program.pk, "circle_id": t.circle.pk},
    "committee:circle_add": lambda t: {"program_id": t.program.pk, "circle_id": t.circle.pk, "role": "mentee"},
    "committee:circle_remove": lambda t: {
        "program_id": t.program.pk,
        "circle_id": t.circle.pk,
        "member_id": t.circle.members.first().pk,
    },
    "recommend": lambda t: {"partnership_id": t.partnership.pk},
    "recommendation": lambda t: {"recommendation_id": t.recommendation.pk},
    "recommendation_withdraw": lambda t: {"recommendation_id": t.recommendation.pk},
    "leadership_pipeline": lambda t: {"region_id": t.program.association.region_id},
    "pipeline_invite": lambda t: {"region_id": t.program.association.region_id},
    "accounts:role_remove": lambda t: {"role_id": t.role.pk},
    "mentor_answer": lambda t: {"token": t.mentor_token},
    "invitation": lambda t: {"token": t.invitation_token},
    "unsubscribe": lambda t: {"token": t.unsubscribe_token},
    "keep_history": lambda t: {"token": keep_history_token(t.partnership.mentee)},
    "committee:partnership": lambda t: {"program_id": t.program.pk, "partnership_id": t.partnership.pk},
    "committee:act": lambda t: {
        "program_id": t.program.pk,
        "partnership_id": t.partnership.pk,
        "action": "follow-up",
    },
    "committee:resolve_concern": lambda t: {"program_id": t.program.pk, "concern_id": t.concern.pk},
    "committee:survey_edit": lambda t: {"program_id": t.program.pk, "question_id": t.survey_question.pk},
    "committee:survey_retire": lambda t: {"program_id": t.program.pk, "question_id": t.survey_question.pk},
    "committee:survey_move": lambda t: {"program_id": t.program.pk, "question_id": t.survey_question.pk},
    "association_branding": lambda t: {"association_id": t.program.association_id},
    "association_branding_preview": lambda t: {"association_id": t.program.association_id, "kind": "introduction"},
    "region_branding": lambda t: {"region_id": t.program.association.region_id},
    "region_branding_preview": lambda t: {"region_id": t.program.association.region_id, "kind": "introduction"},
    "brand_logo": lambda t: logo_kwargs(t.program.association),
}


def png(width=120, height=40, colour=(11, 92, 173)) -> bytes:
    """A real PNG image of that size."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def brand_with_logo(owner, **values):
    """`owner`'s brand (an association or a region), saved through the service, with a logo."""
    from mentoring.branding import save_brand
    from outbox.brands import clean_logo

    values = {"sender_name": f"{owner.name} Mentoring", "colour": "#7a1f5c", "reply_to": "chair@example.org", **values}
    return save_brand(owner=owner, logo=clean_logo(png()), **values)


def logo_kwargs(owner):
    brand = brand_with_logo(owner)
    return {"brand_id": brand.pk, "digest": brand.logo_digest, "extension": "png"}


def sample_kwargs(name, route, things):
    if name in SAMPLE_KWARGS:
        return SAMPLE_KWARGS[name](things)
    if "<int:program_id>" in route:
        return {"program_id": things.program.pk}
    return None


def make_things(world):
    """One of each object the URLs point at, in the Northport program (files go to MEDIA_ROOT:
    point it at a temporary directory first)."""
    program = world["program"]
    candidate = make_member("candidate@example.org", world["associations"]["northport"], years=20)
    application = start_application(program=program, user=candidate, role="mentor")
    submit_application(application=application, answers={"goals": "Give back"}, extra_answers={})
    run = MatchRun.objects.create(program=program, status="done")
    proposal = Proposal.objects.create(
        program=program,
        run=run,
        mentee_application=submit_application(
            application=start_application(
                program=program, user=make_member("mentee@example.org", program.association, years=1), role="mentee"
            ),
            answers={},
            extra_answers={},
        ),
        mentor_application=application,
        score=50,
    )
    # The member is the mentee of an active partnership with the vetted candidate.
    Application.objects.filter(pk=application.pk).update(status="in_pool")
    mentee_application = start_application(program=program, user=world["people"]["member"], role="mentee")
    mentee_application = submit_application(application=mentee_application, answers={}, extra_answers={})
    partnership = approve(
        proposal=Proposal.objects.create(
            program=program, mentee_application=mentee_application, mentor_application=application, score=70
        ),
        by=world["people"]["chair"],
    )
    create_due_solicitations(today=partnership.started_on + timedelta(days=program.feedback_first_after_days))
    solicitation = Solicitation.objects.get(partnership=partnership, role="mentee")
    asked = Proposal.objects.create(
        program=program,
        mentee_application=proposal.mentee_application,
        mentor_application=application,
        score=60,
        status="awaiting_mentor",
        asked_mentor_at=timezone.now(),
    )
    invitation = Invitation.objects.create(
        program=program,
        user=world["people"]["member"],
        kind="invitation",
        role="mentee",
        invited_by=world["people"]["chair"],
    )
    recommendation = recommend(partnership=partnership, by=partnership.mentor, note="Leads well")
    # Flash conversations: the vetted candidate offers two slots; the member books the second, and
    # their feedback link is out (as the job sends it once the hour has passed).
    program.offers_flash = True
    program.members_choose = True  # members choose their mentor too
    program.save(update_fields=["offers_flash", "members_choose"])
    soon = timezone.now() + timedelta(days=2)
    slot = flash.offer_slot(program=program, mentor=candidate, starts_at=soon, mode="video", note="Claims")
    booked = flash.offer_slot(program=program, mentor=candidate, starts_at=soon + timedelta(days=1), mode="phone")
    booked = flash.book_slot(slot=booked, member=world["people"]["member"], question="How do I start?")
    flash_answer = FlashFeedback.objects.create(slot=booked, respondent=world["people"]["member"], role="member")
    # A circle (circles/): the vetted candidate leads it, the member is its mentee (rows: the two
    # work for the same employer, which the service refuses); a meeting the committee scheduled,
    # and the member's feedback link after it.
    program.offers_circles = True
    program.save(update_fields=["offers_circles"])
    circle = Circle.objects.create(program=program, name="Claims circle", topic="Claims", open_to_join=True)
    CircleMember.objects.create(circle=circle, user=candidate, role="mentor")
    CircleMember.objects.create(circle=circle, user=world["people"]["member"], role="mentee")
    circle_meeting = circles.schedule_meeting(
        circle=circle, by=world["people"]["chair"], starts_at=soon, minutes=60, mode="video", agenda="Claims"
    )
    circle_answer = CircleFeedback.objects.create(
        meeting=circle_meeting, respondent=world["people"]["member"], role="mentee"
    )
    return SimpleNamespace(
        recommendation=recommendation,
        circle=circle,
        circle_meeting=circle_meeting,
        circle_token=circles.feedback_token(circle_answer),
        slot=slot,
        flash_token=flash.feedback_token(flash_answer),
        role=LeadershipRole.objects.create(
            user=world["people"]["member"], title="secretary", organisation="Northport", started_on=timezone.localdate()
        ),
        invitation_token=invitation_url(invitation, "mentee").rstrip("/").rsplit("/", 1)[-1],
        unsubscribe_token=unsubscribe_token(world["people"]["member"], "email_announcements"),
        mentor_token=mentor_answer_url(asked).rstrip("/").rsplit("/", 1)[-1],
        program=program,
        partnership=partnership,
        # An earlier partnership of the same two, completed: it has certificates.
        completed=Partnership.objects.create(
            program=program,
            mentee=world["people"]["member"],
            mentor=candidate,
            mentee_application=mentee_application,
            mentor_application=application,
            status="completed",
            started_on=timezone.localdate() - timedelta(days=400),
            planned_end_on=timezone.localdate() - timedelta(days=220),
            ended_on=timezone.localdate() - timedelta(days=220),
        ),
        goal=Goal.objects.create(partnership=partnership, title="Learn claims"),
        meeting=propose_meeting(
            partnership=partnership,
            by=world["people"]["member"],
            starts_at=timezone.now() + timedelta(days=3),
            minutes=60,
            mode="video",
        ),
        milestone=program.milestones.first(),
        concern=Concern.objects.create(partnership=partnership, raised_by=world["people"]["member"], text="Hm"),
        token=make_token(solicitation),
        run=run,
        proposal=proposal,
        question=Question.objects.create(program=program, text="Line of business?", kind="single", choices=["A", "B"]),
        # Asked in the periodic round the member's link opens (its wording and answers shown there).
        survey_question=add_survey_question(
            program=program, survey="periodic", audience="both", kind="single", text="Useful?", choices=["A", "B"]
        ),
        resource=Resource.objects.create(
            program=program, title="Handbook", file=SimpleUploadedFile("handbook.pdf", b"%PDF-1.4 handbook")
        ),
        orientation_item=OrientationItem.objects.create(
            program=program,
            kind="file",
            title="Mentoring handbook",
            audience="both",
            file=SimpleUploadedFile("orientation.pdf", b"%PDF-1.4 orientation"),
        ),
        application=application,
        own_application=mentee_application,
        seat=CommitteeMembership.objects.get(program=program, user=world["people"]["committee_member"]),
        officer=AssociationOfficer.objects.get(user=world["people"]["officer"]),
    )


ALL_URLS = sorted({name: route for name, route, _ in walk(get_resolver().url_patterns)}.items())


def url_for(name, route, things):
    """The URL to request for a pattern: reversed by name, or (an unnamed pattern without
    parameters, such as allauth's old addresses) its route."""
    if name == route:
        return "/" + route
    return reverse(name, kwargs=sample_kwargs(name, route, things))


def is_admin(name, route):
    return name.startswith("admin:") or route.startswith("admin/")


# --- Every kind of email, each set off through the service that sends it (config/tests/test_french_emails.py,
# test_email_html.py) ---


def speaking(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def newcomer(world, language, email="newcomer@example.org"):
    return speaking(make_member(email, world["associations"]["northport"], first_name="Noa"), language)


def email_to(user, key_prefix):
    return OutgoingEmail.objects.get(to=user.email, key__startswith=key_prefix)


def mentor_candidate(world, language):
    """A mentor's application waiting for the committee's decision."""
    user = newcomer(world, language, "candidate@example.org")
    application = mentoring.start_application(program=world["program"], user=user, role="mentor")
    answers = {**APPLICANT_ANSWERS, "years_experience": 20, "capacity": 1}
    return mentoring.submit_application(application=application, answers=answers, extra_answers={})


# Each email: (who it goes to, in `language`) after the service that sends it ran.


def announcement(world, language):
    member = speaking(world["people"]["member"], language)
    recruitment.announce_enrollment(program=world["program"], by=world["people"]["chair"])
    return email_to(member, "announcement:")


def invitation(world, language):
    member = speaking(world["people"]["member"], language)
    member = type(member).objects.select_related("profile").get(pk=member.pk)
    recruitment.invite(program=world["program"], users=[member], role="mentor", by=world["people"]["chair"])
    return email_to(member, "invitation:")


def application_received(world, language):
    program = world["program"]
    user = newcomer(world, language)
    application = mentoring.start_application(program=program, user=user, role="mentee")
    mentoring.submit_application(application=application, answers=APPLICANT_ANSWERS, extra_answers={})
    return email_to(user, "application-received:")


def chair_appointed(world, language):
    user = newcomer(world, language)
    mentoring.appoint_chair(program=world["program"], user=user, by=world["people"]["officer"])
    return email_to(user, "chair-appointed:")


def committee_added(world, language):
    user = newcomer(world, language)
    mentoring.add_committee_member(
        program=world["program"], user=user, role=CommitteeMembership.Role.MEMBER, by=world["people"]["chair"]
    )
    return email_to(user, "committee-added:")


def officer_appointed(world, language):
    user = newcomer(world, language)
    officers.appoint_officer(
        association=world["associations"]["northport"],
        user=user,
        role=AssociationOfficer.Role.MEMBERSHIP,
        by=world["people"]["vp"],
    )
    return email_to(user, "officer-appointed:")


def leadership_asked(world, language):
    p = partnership_for(world["program"], world["people"]["chair"], "lead")
    speaking(p.mentee, language)
    leadership.recommend(partnership=p, by=p.mentor, note="Ready to lead")
    return email_to(p.mentee, "leadership-asked:")


def leadership_consented(world, language):
    vp = speaking(world["people"]["vp"], language)
    p = partnership_for(world["program"], world["people"]["chair"], "lead")
    recommendation = leadership.recommend(partnership=p, by=p.mentor, note="Ready to lead")
    leadership.answer_recommendation(recommendation=recommendation, by=p.mentee, consent=True)
    return email_to(vp, "leadership-consented:")


def mentor_ask(world, language):
    program = world["program"]
    program.mentor_accepts_first = True
    program.save(update_fields=["mentor_accepts_first"])
    mentee = applicant(program, "asked.mentee@example.org", "mentee")
    mentor = applicant(program, "asked.mentor@example.org", "mentor", years=20, employer="Other Co")
    speaking(mentor.user, language)
    matching.approve(proposal=propose(mentee, mentor), by=world["people"]["chair"])
    return email_to(mentor.user, "mentor-ask:")


def _member_asks(world, mentee_language="en", mentor_language="en"):
    """A mentee of a program where members choose asks a mentor (choosing.ask_mentor)."""
    program = world["program"]
    program.members_choose = True
    program.save(update_fields=["members_choose"])
    mentee = applicant(program, "choosing.mentee@example.org", "mentee", employer="Mentee Co")
    mentor = applicant(program, "chosen.mentor@example.org", "mentor", years=20, employer="Mentor Co")
    speaking(mentee.user, mentee_language)
    speaking(mentor.user, mentor_language)
    return choosing.ask_mentor(mentee_app=mentee, mentor_app=mentor, note="Your talk on claims helped me.")


def member_ask(world, language):
    proposal = _member_asks(world, mentor_language=language)
    return email_to(proposal.mentor_application.user, f"mentor-ask:{proposal.pk}")


def member_ask_answered(world, language):
    proposal = _member_asks(world, mentee_language=language)
    matching.mentor_answers(proposal=proposal, accept=False)
    return email_to(proposal.mentee_application.user, f"member-ask-answer:{proposal.pk}:")


def member_ask_closed(world, language):
    proposal = _member_asks(world, mentor_language=language)
    choosing.withdraw(proposal=proposal, by=proposal.mentee_application.user)
    return email_to(proposal.mentor_application.user, f"member-ask-closed:{proposal.pk}")


def not_matched_yet(world, language):
    mentee = applicant(world["program"], "unmatched.mentee@example.org", "mentee")
    speaking(mentee.user, language)
    run = MatchRun.objects.create(program=world["program"], status="done", unmatched=[{"application": mentee.pk}])
    matching.notify_unmatched(run=run, by=world["people"]["chair"])
    return email_to(mentee.user, "unmatched:")


def still_waiting(world, language):
    mentee = applicant(world["program"], "waiting.mentee@example.org", "mentee")
    speaking(mentee.user, language)
    waiting.notify_waiting_mentees(now=timezone.now() + timedelta(days=31))
    return email_to(mentee.user, "still-waiting:")


def record_expiry_warning(world, language):
    mentee = applicant(world["program"], "gone.mentee@example.org", "mentee")
    Application.objects.filter(pk=mentee.pk).update(status=Application.Status.WITHDRAWN)
    speaking(mentee.user, language)
    today = timezone.localdate()
    RecordExpiry.objects.create(user=mentee.user, application=mentee, expires_on=today + timedelta(days=31))
    retention.warn_members(today=today)
    return email_to(mentee.user, "record-expiry-warning:")


def address_check(world, language):
    """A member whose address bounced asks for the email that says it works (accounts.bounces)."""
    from accounts.bounces import send_address_check
    from outbox.models import Suppression

    member = speaking(world["people"]["member"], language)
    Suppression.objects.create(
        address=member.email.lower(), reason="bounced", occurred_at=timezone.now(), provider="postmark", event_id="e1"
    )
    assert send_address_check(user=member)
    return email_to(member, "account:address-check:")


def vetting(decision):
    def send(world, language):
        application = mentor_candidate(world, language)
        mentoring.vet_mentor(
            application=application, by=world["people"]["chair"], decision=decision, message="Tell us more"
        )
        return email_to(application.user, "vetting-decision:")

    send.__name__ = f"vetting_{decision}"
    return send


def _flash_booked(world, language):
    program = world["program"]
    program.offers_flash = True
    program.save(update_fields=["offers_flash"])
    mentor = applicant(program, "flash.mentor@example.org", "mentor", years=20).user
    starts = timezone.now() + timedelta(days=2)
    slot = flash.offer_slot(program=program, mentor=mentor, starts_at=starts, mode="video")
    member = speaking(world["people"]["member"], language)
    return flash.book_slot(slot=slot, member=member, question="Where do I start?")


def flash_booked(world, language):
    slot = _flash_booked(world, language)
    return email_to(slot.member, f"flash:{slot.pk}:0:booked:")


def flash_cancelled(world, language):
    booked = _flash_booked(world, language)
    slot = flash.withdraw_slot(slot=booked, by=booked.mentor)
    return email_to(slot.member, f"flash:{slot.pk}:1:cancelled:")


def flash_feedback(world, language):
    slot = _flash_booked(world, language)
    flash.ask_for_feedback(now=slot.ends_at + timedelta(minutes=1))
    return email_to(slot.member, "flash-feedback:")


def _circle_with(world, language):
    """A circle the committee formed: a vetted mentor, and the member (speaking `language`) as
    its mentee; a meeting scheduled."""
    program, chair = world["program"], world["people"]["chair"]
    program.offers_circles = True
    program.save(update_fields=["offers_circles"])
    circle = circles.create_circle(program=program, by=chair, name="New in claims", topic="Claims careers")
    mentor = applicant(program, "circle.mentor@example.org", "mentor", years=20, employer="Mentor Firm").user
    circles.add_member(circle=circle, user=mentor, role="mentor", by=chair)
    mentee = applicant(program, "circle.mentee@example.org", "mentee", employer="Mentee Firm").user
    speaking(mentee, language)
    circles.add_member(circle=circle, user=mentee, role="mentee", by=chair)
    starts = timezone.now() + timedelta(days=2)
    meeting = circles.schedule_meeting(circle=circle, by=mentor, starts_at=starts, minutes=60, mode="video")
    return meeting, mentee


def circle_added(world, language):
    _meeting, mentee = _circle_with(world, language)
    return email_to(mentee, "circle-added:")


def circle_meeting(world, language):
    meeting, mentee = _circle_with(world, language)
    return email_to(mentee, f"circle-meeting:{meeting.pk}:0:invitation:")


def circle_meeting_cancelled(world, language):
    meeting, mentee = _circle_with(world, language)
    circles.cancel_meeting(meeting=meeting, by=world["people"]["chair"])
    return email_to(mentee, f"circle-meeting:{meeting.pk}:1:cancel:")


def circle_feedback(world, language):
    meeting, mentee = _circle_with(world, language)
    circles.ask_for_feedback(now=meeting.ends_at + timedelta(minutes=1))
    return email_to(mentee, "circle-feedback:")


# (the email, words of its subject and of its body in French, the same in English)
EMAILS = [
    (
        announcement,
        ("est ouvert aux candidatures", "Pour poser votre candidature comme personne mentorée"),
        ("is open for applications", "To apply to be mentored"),
    ),
    (
        invitation,
        ("vous invite à participer à Northport new members comme mentor", "Comme mentor, vous accompagneriez"),
        ("invites you to be a mentor in", "As a mentor you would be beside"),
    ),
    (
        application_received,
        ("est bien arrivée", "Merci d’avoir posé votre candidature comme personne mentorée"),
        ("has arrived", "Thank you for applying to Northport new members as mentee."),
    ),
    (
        chair_appointed,
        ("Vous assurez maintenant la présidence", "l’engagement de confidentialité du comité"),
        ("You now chair", "confidentiality pledge"),
    ),
    (
        committee_added,
        ("Vous faites maintenant partie du comité", "vous a ajouté comme membre du comité de Northport"),
        ("You have joined the committee", "as committee member."),
    ),
    (
        officer_appointed,
        ("responsable du recrutement des membres de Northport", "Comme membre du bureau"),
        ("You are now membership officer of Northport", "As an officer"),
    ),
    (
        leadership_asked,
        ("aimerait vous recommander pour un rôle de leadership", "Rien n’est transmis sans votre accord"),
        ("would like to recommend you for a leadership role", "Nothing is passed on unless you agree"),
    ),
    (
        leadership_consented,
        ("est recommandé pour le leadership", "La relève en leadership de la région"),
        ("is recommended for leadership", "leadership pipeline"),
    ),
    (
        mentor_ask,
        ("Accepteriez-vous d’être le mentor", "aucun mot de passe requis"),
        ("Will you mentor", "no password needed"),
    ),
    (
        member_ask,
        ("vous demande d’être son mentor", "vous a choisi parmi les mentors du programme"),
        ("asks you to be their mentor", "chose you from the program's mentors"),
    ),
    (
        member_ask_answered,
        ("Au sujet de votre demande à", "Merci d’avoir demandé"),
        ("About your request to", "Thank you for asking"),
    ),
    (
        member_ask_closed,
        ("La demande de", "rien de plus n’est attendu de vous"),
        ("The request from", "nothing more is needed from you"),
    ),
    (
        flash_booked,
        ("Conversation éclair avec", "est réservée pour le"),
        ("Flash conversation with", "is booked for"),
    ),
    (
        flash_cancelled,
        ("Annulée : conversation éclair", "a dû annuler votre conversation éclair"),
        ("Cancelled: flash conversation", "had to cancel your flash conversation"),
    ),
    (
        flash_feedback,
        ("Comment s’est passée votre conversation éclair", "Trois questions rapides"),
        ("How was your flash conversation", "Three quick questions"),
    ),
    (
        circle_added,
        ("Vous faites partie du cercle de mentorat", "vous a ajouté au cercle de mentorat"),
        ("You are in the mentoring circle", "has added you to the mentoring circle"),
    ),
    (
        circle_meeting,
        ("Invitation : rencontre du cercle", "se réunit"),
        ("Invitation: circle meeting", "meets:"),
    ),
    (
        circle_meeting_cancelled,
        ("Annulée : rencontre du cercle", "est annulée"),
        ("Cancelled: circle meeting", "is cancelled"),
    ),
    (
        circle_feedback,
        ("Comment s’est passée la rencontre du cercle", "Deux questions rapides"),
        ("How was the meeting of the circle", "Two quick questions"),
    ),
    (
        not_matched_yet,
        ("nous cherchons toujours votre mentor", "Merci de votre patience"),
        ("we are still looking for your mentor", "Thank you for your patience"),
    ),
    (
        still_waiting,
        ("nous cherchons toujours un mentor pour vous", "Nous vous écrirons de nouveau dans 30 jours"),
        ("we are still looking for a mentor for you", "We will write again in 30 days"),
    ),
    (
        record_expiry_warning,
        ("Vos anciens dossiers de mentorat seront supprimés", "Souhaitez-vous garder votre historique"),
        ("Your old mentoring records will be removed", "Would you like to keep your history"),
    ),
    (
        vetting("approve"),
        ("Bienvenue comme mentor", "Un mot du comité"),
        ("Welcome as a mentor", "A word from the committee"),
    ),
    (
        vetting("decline"),
        ("Votre candidature de mentor", "Le comité ne peut pas retenir votre candidature"),
        ("Your mentor application", "not able to accept"),
    ),
    (
        vetting("more_info"),
        ("le comité a une question", "Veuillez mettre votre candidature à jour ici"),
        ("the committee has a question", "Please update your application here"),
    ),
    (
        address_check,
        ("Votre adresse courriel fonctionne-t-elle", "parce qu’un courriel envoyé à cette adresse nous est revenu"),
        ("Does your email address work?", "because an email to it came"),
    ),
]
