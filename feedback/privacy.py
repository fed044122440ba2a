"""The personal data feedback keeps: the member's own answers and the concerns they raised.
Called by accounts.privacy (see there for the four functions)."""

from django.db.models import Q

from accounts.privacy import EXPIRED, REMOVED, redact_encrypted
from mentoring.models import Partnership

from .models import Concern, Response, Solicitation, SurveyAnswer


def export(user) -> dict:
    return {
        "your_feedback_answers": [
            {
                "program": r.partnership.program.name,
                "round": r.round,
                "submitted_at": r.submitted_at.isoformat(),
                "satisfaction": r.satisfaction,
                "met": r.get_met_display(),
                "progress": r.get_progress_display(),
                "working": r.get_working_display(),
                "wants_new_partner": r.wants_new_partner,
                "recommends_your_mentee_for_leadership": r.recommends_for_leadership,
                "anything_else": r.concerns,
            }
            for r in Response.objects.filter(respondent=user).select_related("partnership__program").order_by("pk")
        ],
        "your_survey_answers": [
            {
                "program": a.response.partnership.program.name,
                "round": a.response.round,
                "question": a.version.text,
                "answer": a.text if a.text is not None else a.number if a.number is not None else a.choice,
            }
            for a in SurveyAnswer.objects.filter(response__respondent=user)
            .select_related("response__partnership__program", "version")
            .order_by("response_id", "question__position", "question_id", "id")
        ],
        "concerns_you_raised": [
            {"raised_at": c.created_at.isoformat(), "text": c.text, "dealt_with": c.resolved_at is not None}
            for c in Concern.objects.filter(raised_by=user).order_by("pk")
        ],
    }


def erase(user, *, secrets, addresses, nearby):
    # Encrypted fields are written one by one (a bulk update would not encrypt).
    for response in Response.objects.filter(respondent=user).exclude(concerns__isnull=True):
        response.concerns = None
        response.save(update_fields=["concerns"])
    for answer in SurveyAnswer.objects.filter(response__respondent=user).exclude(text__isnull=True):
        answer.text = None
        answer.save(update_fields=["text"])
    for concern in Concern.objects.filter(raised_by=user):
        concern.text = REMOVED
        concern.save(update_fields=["text"])
    # The partner's answers and concerns about their partnerships may name them by first name.
    # (The committee's follow-up notes are partnerships.privacy's.)
    theirs = Partnership.objects.filter(Q(mentee=user) | Q(mentor=user))
    for model, field in ((Response, "concerns"), (Concern, "text")):
        redact_encrypted(
            model.objects.filter(partnership__in=theirs).exclude(**{f"{field}__isnull": True}), field, nearby
        )
    redact_encrypted(
        SurveyAnswer.objects.filter(response__partnership__in=theirs).exclude(text__isnull=True), "text", nearby
    )
    # Feedback not yet answered (a final round, say) is not sent, and its link no longer opens.
    Solicitation.objects.filter(respondent=user, status=Solicitation.Status.PENDING).update(
        status=Solicitation.Status.FAILED, last_error="The member erased their account."
    )


def expire_partnership(partnership, *, user, names):
    """The member's feedback answers and concerns on a finished partnership, and the member's
    names in what their partner keeps (see retention.services; the committee's follow-up notes
    are partnerships.privacy's). The scores stay for the reports."""
    for response in Response.objects.filter(partnership=partnership, respondent=user).exclude(concerns__isnull=True):
        response.concerns = None
        response.save(update_fields=["concerns"])
    for concern in Concern.objects.filter(partnership=partnership, raised_by=user).exclude(text=EXPIRED):
        concern.text = EXPIRED
        concern.save(update_fields=["text"])
    for answer in SurveyAnswer.objects.filter(response__partnership=partnership, response__respondent=user).exclude(
        text__isnull=True
    ):
        answer.text = None
        answer.save(update_fields=["text"])
    for model, field in ((Response, "concerns"), (Concern, "text")):
        redact_encrypted(
            model.objects.filter(partnership=partnership).exclude(**{f"{field}__isnull": True}), field, names
        )
    redact_encrypted(
        SurveyAnswer.objects.filter(response__partnership=partnership).exclude(text__isnull=True), "text", names
    )
