"""Growing leaders: the mentor's recommendation, the mentee's answer, and the region's VP's
pipeline (with the invitation to the leadership program). And the officers of a local association,
for staff and the region's vice president."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from mentoring.access import no_store, partnership_for_partner_or_404
from mentoring.branding import save_brand
from mentoring.models import AssociationOfficer, LocalAssociation, Region
from outbox import brands

from . import branding, officers
from . import services as leadership
from .access import (
    association_for_brander_or_404,
    association_for_officer_manager_or_404,
    recommendation_for_mentee_or_404,
    region_for_brander_or_404,
    region_for_vp_or_404,
)
from .forms import AnswerForm, AppointOfficerForm, BrandForm, InviteRecommendedForm, RecommendForm


def recommend(request, partnership_id):
    """The mentor recommends their mentee; the form says who reads it."""
    p = partnership_for_partner_or_404(request.user, partnership_id)
    if not leadership.can_recommend(p, request.user):
        raise Http404
    existing = leadership.standing(p)
    form = RecommendForm(request.POST or None)
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            leadership.recommend(partnership=p, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if p.mentee.first_name:
                text = _(
                    "Thank you. %(name)s is asked first; the region's vice president hears of it only if they agree."
                ) % {"name": p.mentee.first_name}
            else:
                text = _(
                    "Thank you. Your mentee is asked first; the region's vice president hears of it only if they agree."
                )
            messages.success(request, text)
            return redirect("partnership", p.pk)
    elif request.method == "POST" and form.is_valid():
        form.add_error(None, _("Your mentee has been recommended already."))
    region = p.mentee.profile.association.region
    return render(
        request, "leadership/recommend.html", {"partnership": p, "form": form, "existing": existing, "region": region}
    )


def recommendation(request, recommendation_id):
    """The mentee reads the recommendation and answers; the mentor sees where it stands."""
    rec = recommendation_for_mentee_or_404(request.user, recommendation_id)
    is_mentee = rec.mentee_id == request.user.pk
    form = AnswerForm(request.POST or None) if is_mentee else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            leadership.answer_recommendation(
                recommendation=rec, by=request.user, consent=form.cleaned_data["answer"] == "yes"
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("Thank you. The region's vice president can now read it and may invite you.")
                if form.cleaned_data["answer"] == "yes"
                else _("Thank you. Nobody else will hear of it."),
            )
        return redirect("recommendation", rec.pk)
    if request.method == "POST" and form is None:
        raise Http404
    return no_store(
        render(request, "leadership/recommendation.html", {"rec": rec, "form": form, "is_mentee": is_mentee})
    )


def pipeline(request, region_id, *, form=None):
    """The VP's page: each member recommended (who agreed), how far they have come, and the
    invitation to the region's leadership program."""
    region = region_for_vp_or_404(request.user, region_id)
    rows = leadership.pipeline(region)
    programs = leadership.leadership_programs(region)
    form = form or InviteRecommendedForm(region=region, programs=programs)
    context = {
        "region": region,
        "rows": rows,
        "stages": leadership.stages(rows),
        "programs": programs,
        "form": form,
    }
    return no_store(render(request, "leadership/pipeline.html", context))


@require_POST
def pipeline_invite(request, region_id):
    region = region_for_vp_or_404(request.user, region_id)
    form = InviteRecommendedForm(request.POST, region=region, programs=leadership.leadership_programs(region))
    if form.is_valid():
        try:
            result = leadership.invite_recommended(
                recommendations=form.cleaned_data["recommendations"],
                program=form.cleaned_data["program"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if result.invited:
                names = ", ".join(str(p) for p in result.invited)
                messages.success(request, _("Invited: %(names)s.") % {"names": names})
            for person, why in result.skipped:
                # `why` goes on from the name ("Ann has applied as mentee already"): recruitment.invite's words.
                messages.info(request, _("Not invited: %(person)s %(why)s.") % {"person": person, "why": why})
            return redirect("leadership_pipeline", region.pk)
    return pipeline(request, region.pk, form=form)


@require_POST
def recommendation_withdraw(request, recommendation_id):
    """The mentor takes their recommendation back (before or after the mentee agreed)."""
    rec = recommendation_for_mentee_or_404(request.user, recommendation_id)
    if rec.mentor_id != request.user.pk:
        raise Http404
    try:
        leadership.withdraw_recommendation(recommendation=rec, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Your recommendation is withdrawn; the vice president no longer sees it."))
    return redirect("recommendation", rec.pk)


# --- A local association's officers ------------------------------------------------------------


def association_officers(request, association_id):
    """Who the officers are, and a member chosen by name (then confirmed) to become one."""
    association = association_for_officer_manager_or_404(request.user, association_id)
    form = AppointOfficerForm(request.POST or None, members=officers.members_of(association))
    context = {
        "association": association,
        "officers": AssociationOfficer.objects.filter(association=association).select_related(
            "user__profile", "appointed_by"
        ),
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        person, role = form.cleaned_data["person"], form.cleaned_data["role"]
        if not form.cleaned_data["confirm"]:
            president = next((o for o in context["officers"] if o.role == AssociationOfficer.Role.PRESIDENT), None)
            return render(
                request,
                "leadership/officers_confirm.html",
                {**context, "person": person, "role": AssociationOfficer.Role(role), "president": president},
            )
        try:
            officers.appoint_officer(association=association, user=person, role=role, by=request.user)
        except ValidationError as error:
            form.add_error("person", error)
        else:
            if role == AssociationOfficer.Role.PRESIDENT:
                text = _("%(person)s is now president of %(association)s. We emailed them.")
            else:
                text = _("%(person)s is now membership officer of %(association)s. We emailed them.")
            messages.success(request, text % {"person": person, "association": association})
            return redirect("association_officers", association.pk)
    return render(request, "leadership/officers.html", context)


@require_POST
def officer_remove(request, association_id, officer_id):
    association = association_for_officer_manager_or_404(request.user, association_id)
    officer = get_object_or_404(
        AssociationOfficer.objects.select_related("user"), pk=officer_id, association=association
    )
    officers.remove_officer(officer=officer, by=request.user)
    if officer.role == AssociationOfficer.Role.PRESIDENT:
        text = _("%(person)s is no longer president of %(association)s.")
    else:
        text = _("%(person)s is no longer membership officer of %(association)s.")
    messages.success(request, text % {"person": officer.user, "association": association})
    return redirect("association_officers", association.pk)


# --- Email branding: a local association's (staff, its officers) and a region's (staff, its VP) ---

# The preview frame: the email's inline styles and its logo (on SITE_URL), nothing else.
PREVIEW_CSP = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, settings.SITE_URL.rstrip("/")],
    "frame-ancestors": [CSP.SELF],
}


def branding_home(request):
    """Whose emails' look the user sets: staff every association and region, a VP their
    regions, an officer their associations (a 404 for everyone else)."""
    if request.user.is_staff:
        regions, associations = Region.objects.all(), LocalAssociation.objects.select_related("region")
    else:
        regions = Region.objects.filter(vice_president=request.user)
        associations = LocalAssociation.objects.select_related("region").filter(
            pk__in=AssociationOfficer.objects.current().filter(user=request.user).values("association_id")
        )
    regions, associations = list(regions), list(associations)
    if not regions and not associations:
        raise Http404
    return render(request, "leadership/branding_home.html", {"regions": regions, "associations": associations})


def association_branding(request, association_id):
    return _branding(request, association_for_brander_or_404(request.user, association_id))


def region_branding(request, region_id):
    return _branding(request, region_for_brander_or_404(request.user, region_id))


def _branding(request, owner):
    """The form (the brand's values, or the organisation's name and the site's colour at first)
    and a preview of the chosen kind of email as it goes out now."""
    brand = owner.brand
    initial = {
        "sender_name": brand.sender_name if brand else owner.name,
        "reply_to": brand.reply_to if brand else "",
        "colour": brand.colour if brand else brands.DEFAULT_COLOUR,
    }
    form = BrandForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        save_brand(
            owner=owner,
            sender_name=data["sender_name"],
            colour=data["colour"],
            reply_to=data["reply_to"],
            logo=data["logo"],
            remove_logo=data["remove_logo"],
        )
        messages.success(request, _("Saved. Emails sent from now on look as the preview shows."))
        return redirect(request.path)
    kind = request.GET.get("email")
    kind = kind if kind in branding.KINDS else "introduction"
    in_use = branding.brand_in_use(owner)
    message, _html = branding.preview(owner=owner, kind=kind, language=get_language())
    is_region = isinstance(owner, Region)
    context = {
        "owner": owner,
        "is_region": is_region,
        "form": form,
        "brand": brand,
        "in_use": in_use,
        "kinds": branding.subjects(owner=owner, language=get_language()),
        "kind": kind,
        "message": message,
        "logo_url": brands.logo_url(in_use) if in_use and in_use.logo_digest else "",
        "preview_url": reverse(
            "region_branding_preview" if is_region else "association_branding_preview", args=[owner.pk, kind]
        ),
    }
    return no_store(render(request, "leadership/branding.html", context))


@csp_override(PREVIEW_CSP)
def association_branding_preview(request, association_id, kind):
    return _preview(request, association_for_brander_or_404(request.user, association_id), kind)


@csp_override(PREVIEW_CSP)
def region_branding_preview(request, region_id, kind):
    return _preview(request, region_for_brander_or_404(request.user, region_id), kind)


def _preview(request, owner, kind):
    """One kind of email's HTML part, as a mail client shows it, for the branding page's frame
    (sandboxed there): its styles are inline, so this page allows inline styles and the logo,
    nothing else."""
    if kind not in branding.KINDS:
        raise Http404
    _message, html = branding.preview(owner=owner, kind=kind, language=get_language())
    return no_store(HttpResponse(html, content_type="text/html; charset=utf-8"))
