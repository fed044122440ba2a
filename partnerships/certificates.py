"""Recognition of the partners' time: a certificate of participation for each partner of a
completed partnership (facts, a printable page, a PDF). (A member's mentoring history across
programs, shown by the core's pages, is mentoring.history.)

The PDF is made with fpdf2 and the DejaVu Sans font shipped beside this file (cut down to Latin,
Greek, Cyrillic, Hebrew and Arabic; see fonts/LICENSE.txt): names in those scripts print as
typed; characters the font lacks (emoji, for example) are left out rather than printed as boxes.
"""

import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentoring.history import hours_label, other_formats
from mentoring.models import Partnership

FONT = Path(__file__).resolve().parent / "fonts" / "DejaVuSans-subset.ttf"
# fpdf2 cuts the font down to the letters used, and fontTools narrates each step at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class NoCertificate(Exception):
    """Only the two partners of a completed partnership have a certificate."""


@dataclass(frozen=True)
class Certificate:
    partnership_id: int
    name: str
    role: str  # "mentor" or "mentee"
    program: str
    kind: str  # "New-member program" / "Leadership program"
    owner: str  # the local association or the region that runs the program
    started_on: date
    ended_on: date
    meetings: int
    minutes: int
    also: tuple = ()  # what they gave in the program's other formats, in the same role (mentoring.history)
    association: str = field(default_factory=lambda: settings.ASSOCIATION_NAME)
    issued_on: date = field(default_factory=timezone.localdate)

    @property
    def hours_label(self):
        return hours_label(self.minutes)

    # The certificate's sentences, for the page and the PDF alike, in the language active when
    # they are read (the member's own: the certificate is drawn in their request).

    @property
    def meetings_label(self):
        return ngettext("%(count)s meeting", "%(count)s meetings", self.meetings) % {"count": self.meetings}

    @property
    def took_part_as(self):
        return _("took part as a mentor in") if self.role == "mentor" else _("took part as a mentee in")

    @property
    def period(self):
        return _("from %(start)s to %(end)s") % {"start": long_date(self.started_on), "end": long_date(self.ended_on)}

    @property
    def record(self):
        """What the meeting log holds ("" for a mentee who logged no meeting)."""
        values = {"count": self.meetings, "hours": self.hours_label}
        if self.role == "mentor":
            return (
                ngettext(
                    "%(count)s meeting logged, %(hours)s of mentoring",
                    "%(count)s meetings logged, %(hours)s of mentoring",
                    self.meetings,
                )
                % values
            )
        if self.meetings:
            return (
                ngettext(
                    "%(count)s meeting logged with their mentor",
                    "%(count)s meetings logged with their mentor",
                    self.meetings,
                )
                % values
            )
        return ""

    @property
    def also_line(self):
        """The program's other formats ("Also in this program: 3 flash conversations, 3 hours")."""
        if not self.also:
            return ""
        return _("Also in this program: %(what)s") % {"what": "; ".join(self.also)}

    @property
    def issued(self):
        return _("Issued on %(date)s by %(association)s") % {
            "date": long_date(self.issued_on),
            "association": self.association,
        }

    @property
    def filename(self):
        """ASCII only, so that the download header carries nothing but letters, digits and dashes."""
        words = slugify(f"{self.program} {self.name}")[:80].strip("-")
        return f"certificate-{words or self.partnership_id}.pdf"


def long_date(day):
    """ "March 4, 2026"; in French "4 mars 2026"."""
    # Translators: how a date is written (Django's date format letters): "December 3, 2026".
    return date_format(day, _("F j, Y"))


def certificate_for(*, partnership, user) -> Certificate:
    """The facts printed on `user`'s certificate. Raises NoCertificate unless the partnership is
    completed (not active, not ended early) and `user` is one of its two partners."""
    role = partnership.role_of(user)
    if role is None or partnership.status != Partnership.Status.COMPLETED:
        raise NoCertificate
    logged = partnership.meetings.aggregate(count=Count("id"), minutes=Sum("minutes"))
    program = partnership.program
    return Certificate(
        partnership_id=partnership.pk,
        # A name the PDF could not print at all (emoji only) is replaced by the email address.
        name=user.get_full_name().strip() if printable(user.get_full_name()) else user.email,
        role=role,
        program=program.name,
        kind=program.get_kind_display(),
        owner=program.owner_name,
        started_on=partnership.started_on,
        ended_on=partnership.ended_on or partnership.planned_end_on,
        meetings=logged["count"],
        minutes=logged["minutes"] or 0,
        also=tuple(row.text for row in other_formats(user, program) if row.role == role),
    )


def certificate_for_partner_or_404(user, partnership_id) -> Certificate:
    """The certificate pages: the two partners of a completed partnership; anyone else, and any
    partnership not completed, gets the 404 of a page that does not exist."""
    partnership = get_object_or_404(
        Partnership.objects.select_related("program__association", "program__region").filter(
            Q(mentee=user) | Q(mentor=user), status=Partnership.Status.COMPLETED
        ),
        pk=partnership_id,
    )
    try:
        return certificate_for(partnership=partnership, user=user)
    except NoCertificate:
        raise Http404 from None


@cache
def _printable():
    """The characters the shipped font can draw."""
    from fontTools.ttLib import TTFont  # imported when first used: ~1 s of every worker's start otherwise

    return frozenset(TTFont(FONT, lazy=True).getBestCmap())


def printable(value):
    """The text without what the font cannot draw (emoji) and without control and format
    characters (NUL, bidirectional overrides, joiners), spaces tidied."""
    chars = _printable()
    kept = (c for c in str(value) if ord(c) in chars and not unicodedata.category(c).startswith("C"))
    return " ".join("".join(kept).split())


def certificate_pdf(facts: Certificate) -> bytes:
    """One A4 landscape page."""
    from fpdf import FPDF  # imported when first used (see _printable)
    from fpdf.enums import Align, XPos, YPos

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_("Certificate of participation: %(name)s") % {"name": printable(facts.name)})
    pdf.set_author(printable(facts.association))
    pdf.set_creator(settings.SITE_NAME)
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 25, 25)
    pdf.add_page()
    pdf.add_font("DejaVu", "", FONT)
    # A double frame, in the site's blue.
    pdf.set_draw_color(13, 110, 253)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.3)
    pdf.rect(14, 14, pdf.w - 28, pdf.h - 28)

    def line(text, size, *, gap=4, color=(33, 37, 41), max_lines=2):
        text, size = _fit(pdf, printable(text), size, max_lines)
        pdf.set_font("DejaVu", size=size)
        pdf.set_text_color(*color)
        pdf.multi_cell(0, size * 0.5, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    pdf.set_y(30)
    line(facts.association.upper(), 11, color=(108, 117, 125), gap=8)
    line(_("Certificate of participation"), 30, color=(13, 110, 253), gap=10)
    line(_("This certifies that"), 13, gap=4)
    line(facts.name, 26, gap=6)
    line(facts.took_part_as, 13, gap=4)
    line(facts.program, 18, gap=2)
    line(f"{facts.kind}, {facts.owner}", 11, color=(108, 117, 125), gap=6)
    line(facts.period, 13, gap=4)
    if facts.record:
        line(facts.record, 13, gap=4)
    if facts.also_line:
        line(facts.also_line, 11, gap=4)
    pdf.set_y(pdf.h - 42)
    line(facts.issued, 10, color=(108, 117, 125), gap=0)
    number = f"{facts.partnership_id}-{facts.role}"
    line(
        _("%(site)s · certificate %(number)s") % {"site": settings.SITE_NAME, "number": number},
        8,
        color=(108, 117, 125),
    )
    return bytes(pdf.output())


def _fit(pdf, text, size, max_lines):
    """A smaller size for a long name or program name, then the text cut with an ellipsis, so
    that the certificate stays one page whatever was typed."""
    for smaller in range(size, min(size, 10) - 1, -2):
        pdf.set_font("DejaVu", size=smaller)
        lines = pdf.multi_cell(0, smaller * 0.5, text, dry_run=True, output="LINES")
        if len(lines) <= max_lines:
            return text, smaller
    return " ".join(lines[:max_lines]).rstrip() + "…", smaller
