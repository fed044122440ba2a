"""Flash conversations' pages: the program's slots (the mentor offers and takes back, the member
books), the feedback link, and the committee's list of what both sides said (confidential)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.language import in_the_emails_language
from mentoring.access import committee_view, confidential_headers, program_for_member_or_404, record_reads
from mentoring.services import membership_reasons

from . import services
from .forms import BookForm, FeedbackForm, SlotForm
from .models import FlashFeedback, Slot


def _flash_program_or_404(user, program_id):
    program = program_for_member_or_404(user, program_id)
    if not program.offers_flash:
        raise Http404
    return program


def slots(request, program_id):
    """The program's open slots for a member who may take part; the mentor's own slots and the
    form to offer one for a vetted mentor. A POST offers a slot."""
    program = _flash_program_or_404(request.user, program_id)
    zone = request.user.profile.zone
    is_mentor = services.is_vetted_mentor(program=program, user=request.user)
    form = None
    if is_mentor:
        form = SlotForm(request.POST or None, zone=zone, channels=program.communication_channels)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.offer_slot(
                    program=program,
                    mentor=request.user,
                    starts_at=data["starts_at"],
                    mode=data["mode"],
                    note=data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your slot is offered. Members can book it now."))
                return redirect("flash:slots", program.pk)
    elif request.method == "POST":
        raise Http404
    now = timezone.now()
    reasons = membership_reasons(program=program, user=request.user)
    context = {
        "program": program,
        "form": form,
        "reasons": reasons,
        "zone_name": zone.key,
        "open_slots": [] if reasons else services.open_slots(program=program, member=request.user, now=now),
        "bookings": services.upcoming_bookings(request.user, now=now)
        .filter(program=program)
        .select_related("mentor")
        .order_by("starts_at"),
        "my_slots": Slot.objects.filter(
            program=program,
            mentor=request.user,
            status__in=(Slot.Status.OPEN, Slot.Status.BOOKED),
            starts_at__gt=now,
        )
        .select_related("member")
        .order_by("starts_at")
        if is_mentor
        else [],
    }
    return render(request, "flash/slots.html", context)


def book(request, slot_id):
    """One open slot and the question form. A slot the member may not book reads as missing."""
    slot = get_object_or_404(
        Slot.objects.select_related("program", "mentor__profile"),
        pk=slot_id,
        status=Slot.Status.OPEN,
        starts_at__gt=timezone.now(),
    )
    program = _flash_program_or_404(request.user, slot.program_id)
    if slot.mentor_id == request.user.pk or slot.mentor_id in services.barred_mentor_ids(
        member=request.user, mentor_ids=[slot.mentor_id]
    ):
        raise Http404
    form = BookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.book_slot(slot=slot, member=request.user, question=form.cleaned_data["question"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Booked. You both get a calendar invitation by email, with your question."))
            return redirect("flash:slots", program.pk)
    problems = services.booking_problems(slot=slot, member=request.user)
    context = {"slot": slot, "program": program, "form": form, "problems": problems}
    return render(request, "flash/book.html", context)


@require_POST
def withdraw(request, slot_id):
    slot = get_object_or_404(Slot, pk=slot_id, mentor=request.user)
    try:
        slot = services.withdraw_slot(slot=slot, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if slot.status == Slot.Status.CANCELLED:
            messages.success(request, _("Cancelled. The member is told, with the calendar's cancellation."))
        else:
            messages.success(request, _("Your slot is withdrawn."))
    return redirect("flash:slots", slot.program_id)


@login_not_required
@never_cache
@confidential_headers
def feedback(request, token):
    """Opens without a password, for this person and conversation only; works once."""
    answer = services.feedback_for_token(token)
    if answer is not None:
        in_the_emails_language(request, answer.respondent)
    if answer is None:
        context = {
            "problem": "invalid",
            "message": _("This link doesn't work: it may be used, expired, or copied only in part."),
        }
        return render(request, "feedback/link_problem.html", context, status=410)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_feedback(feedback=answer, held=data["held"], useful=data["useful"], note=data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "flash/thanks.html", {"program": answer.slot.program})
    other = services.other_of(answer.slot, answer.respondent)
    return render(request, "flash/feedback.html", {"form": form, "answer": answer, "other": other})


@committee_view(confidential=True)
def committee_feedback(request, seat):
    """What each side said after the program's flash conversations: the committee's alone."""
    program = seat.program
    answers = list(
        FlashFeedback.objects.filter(slot__program=program, answered_at__isnull=False)
        .select_related("slot__mentor", "slot__member", "respondent")
        .order_by("-slot__starts_at", "role")
    )
    record_reads(
        user=request.user,
        program=program,
        what="flash conversation feedback",
        path=request.path,
        items=[("flash feedback", a.pk) for a in answers],
    )
    return render(request, "flash/committee.html", {"program": program, "seat": seat, "answers": answers})
