"""Certificates of participation: a printable page and a PDF, for the two partners of a completed
partnership only (anyone else, and a partnership not completed, gets 404)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mentoring.access import no_store

from ..certificates import certificate_for_partner_or_404, certificate_pdf


@require_GET
def certificate(request, partnership_id):
    facts = certificate_for_partner_or_404(request.user, partnership_id)
    return no_store(render(request, "partnerships/certificate.html", {"certificate": facts}))


@require_GET
def certificate_download(request, partnership_id):
    facts = certificate_for_partner_or_404(request.user, partnership_id)
    response = HttpResponse(certificate_pdf(facts), content_type="application/pdf")
    # The name is ASCII letters, digits and dashes only (Certificate.filename): nothing to escape.
    response["Content-Disposition"] = f'attachment; filename="{facts.filename}"'
    return no_store(response)
