"""Reports: the region dashboard (the VP, and staff for every region), a chair's program report,
and the committee's dashboard (counts from every app, which is why it lives here, above them).
Totals only; figures from fewer feedback answers than the threshold are suppressed."""

import csv
import hashlib
import json
from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from feedback import surveys
from leadership import services as leadership
from mentoring import compiled
from mentoring.access import committee_view, no_store
from mentoring.models import AssociationOfficer, CommitteeMembership, LocalAssociation, Region
from mentoring.services import setup_checklist
from recruitment.services import members_to_announce

from . import figures as reports
from . import next_steps
from .access import association_for_report_reader_or_404

SUPPRESSED_TEXT = reports.SUPPRESSED_TEXT
PIPELINE_SHOWN = 50
SECTIONS_VERSION = 3  # raise it when reports/_sections.html or what it is given changes
SECTIONS_KEPT = 15 * 60  # seconds; the key changes with every snapshot (every ten minutes)


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=pgettext_lazy("start of a period", "From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=pgettext_lazy("end of a period", "To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end of the period is before its start."))
            if start < date(2000, 1, 1) or end > timezone.localdate() + timedelta(days=366):
                raise forms.ValidationError(_("Choose a period between 2000 and next year."))
            if (end - start).days > 366 * 5:
                raise forms.ValidationError(_("Choose a period of five years at most."))
        return data


def _period(request):
    """The period asked for, or the last twelve months (with a message when the dates are wrong)."""
    if "start" not in request.GET and "end" not in request.GET:
        period = reports.default_period()
        return PeriodForm(initial={"start": period.start, "end": period.end}), period
    form = PeriodForm(request.GET)
    if form.is_valid():
        return form, reports.Period(form.cleaned_data["start"], form.cleaned_data["end"])
    return form, reports.default_period()


def reports_home(request):
    """VPs go to their region, officers to their local association; staff choose a region;
    others have no reports here."""
    if request.user.is_staff:
        return render(request, "reports/home.html", {"regions": Region.objects.all()})
    regions = list(Region.objects.filter(vice_president=request.user))
    associations = list(
        LocalAssociation.objects.filter(
            pk__in=AssociationOfficer.objects.current().filter(user=request.user).values("association_id")
        )
    )
    if not regions and not associations:
        raise Http404
    if len(regions) + len(associations) == 1:
        return redirect(*(("region_report", regions[0].pk) if regions else ("association_report", associations[0].pk)))
    return render(request, "reports/home.html", {"regions": regions, "associations": associations})


def _cell(value):
    """CSV cells that a spreadsheet would run as a formula are quoted."""
    if isinstance(value, int | float):
        return str(value)  # a number (a negative score, say) is never a formula
    text = _(SUPPRESSED_TEXT) if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    no_store(response)  # as the page it comes from: never kept in a cache
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return response


# The period's figures, then those that describe today whatever the period (set apart on the page).
# The labels are in the reader's language, on the page and in the CSV alike.
MENTEES_APPLIED = gettext_lazy("Mentees applied")
MATCHED = pgettext_lazy("report column: partnerships started", "Matched")
COMPLETED = pgettext_lazy("report column: partnerships completed", "Completed")
PERIOD_COLUMNS = [
    ("mentees_applied", MENTEES_APPLIED),
    ("mentors_applied", gettext_lazy("Mentors applied")),
    ("matched", MATCHED),
    ("median_days_to_match", gettext_lazy("Median days to match")),
    ("completed", COMPLETED),
    ("dissolved", pgettext_lazy("report column: partnerships ended early", "Ended early")),
    ("rematched", gettext_lazy("Re-matched")),
    ("response_rate", gettext_lazy("Feedback response rate (%)")),
    ("responses", gettext_lazy("Feedback answers")),
    ("satisfaction", gettext_lazy("Mean satisfaction (1-5)")),
    ("flash_held", gettext_lazy("Flash conversations held")),
    ("flash_hours", gettext_lazy("Flash conversation hours")),
    ("circle_meetings_held", gettext_lazy("Circle meetings held")),
]
NOW_COLUMNS = [
    ("active", gettext_lazy("Active partnerships")),
    ("circles_meeting", gettext_lazy("Circles meeting")),
    ("circle_members", gettext_lazy("Members in circles")),
    ("waiting", gettext_lazy("Mentees waiting")),
    ("awaiting_vetting", gettext_lazy("Mentors awaiting vetting")),
    ("median_days_waiting", gettext_lazy("Median days waiting")),
    ("longest_wait", gettext_lazy("Longest wait (days)")),
]
FIGURE_COLUMNS = PERIOD_COLUMNS + NOW_COLUMNS


def _report(programs, period, *, associations=None, retention=(), cycles=(), snapshot=None):
    """What reports/_sections.html shows, and the exports: `associations`, a table of their
    figures side by side; `retention`, a table of their members' renewals; `cycles`, a program
    and the cycles it was copied from (newest first), each over its whole life, side by side."""
    snapshot = snapshot or reports.latest_snapshot()
    k = reports.min_responses(snapshot)
    # Every figure below is drawn from this: one query on the snapshot's tables.
    reading = reports.read(programs, period, associations=retention, snapshot=snapshot)
    figures = reports.all_figures(programs, period, k=k, reading=reading)  # by program, association, in all
    by_program = figures["program"]
    totals = figures["all"].get(0, reports.Figures())
    # What is shown side by side must not give away, by subtraction, what is hidden.
    program_rows = [(p, by_program.setdefault(p.pk, reports.Figures())) for p in programs]
    if len(program_rows) > 1:
        reports.suppress_complements([f for _, f in program_rows], totals, k)
    if associations is not None:
        association_rows = [(a, figures["association"].setdefault(a.pk, reports.Figures())) for a in associations]
        reports.suppress_complements([f for _, f in association_rows], totals, k)
    trend = reports.trend(programs, period, k, reading=reading)
    reports.suppress_months(trend, totals, k)
    program_retention = reports.program_retention(programs, reading=reading)
    context = {
        "k": k,
        "snapshot": snapshot,
        "period": period,
        "columns": FIGURE_COLUMNS,
        "period_columns": PERIOD_COLUMNS,
        "now_columns": NOW_COLUMNS,
        "program_rows": program_rows,
        "totals": totals,
        "trend": trend,
        "closures": reports.closure_reasons(programs, period, k, reading=reading),
        "objectives": reports.objectives_progress(programs, by_program, program_retention),
        "funnel": [
            (str(MENTEES_APPLIED), totals.mentees_applied),
            (str(MATCHED), totals.matched),
            (str(COMPLETED), totals.completed),
        ],
        "distribution": [(i, totals.distribution.get(i)) for i in range(1, 6)] if totals.distribution else [],
        "survey_results": surveys.results(programs, period, k),
    }
    # The charts' words, in the reader's language, handed to reports.js as JSON with the figures.
    month_format = pgettext("a month in a table: Dec 2026", "M Y")
    context["trend_chart"] = {
        "labels": [date_format(m["month"], month_format) for m in context["trend"]],
        "applied": [m["applied"] for m in context["trend"]],
        "matched": [m["matched"] for m in context["trend"]],
        "satisfaction": [m["satisfaction"] for m in context["trend"]],
    }
    context["chart_words"] = {
        "applications": _("Applications"),
        "matched": str(MATCHED),
        "mean_satisfaction": _("Mean satisfaction"),
        "members": _("Members"),
        "satisfaction_scale": _("Satisfaction (1-5)"),
        "answers": _("Answers"),
    }
    context["funnel_chart"] = {"labels": [s for s, _ in context["funnel"]], "values": [n for _, n in context["funnel"]]}
    context["satisfaction_chart"] = {
        "labels": [str(score) for score, _ in context["distribution"]],
        "values": [n for _, n in context["distribution"]],
    }
    if associations is not None:
        context["association_rows"] = association_rows
    if retention:
        context["retention_rows"] = _retention_rows(retention, reading, k)
    if cycles:
        context["cycle_columns"] = _cycle_columns(cycles, snapshot, k)
        context["cycle_figures"] = CYCLE_FIGURES
    return context


# The figures a cycle is compared on with the last, each over the cycle's whole life.
CYCLE_FIGURES = [column for column in PERIOD_COLUMNS if column[0] != "rematched"] + [NOW_COLUMNS[0]]


def _cycle_columns(cycles, snapshot, k):
    """(program, Figures) for each cycle, over all its days to today (a program's records may
    be older than the program: an import brings its history)."""
    whole = reports.Period(date(2000, 1, 1), timezone.localdate())
    figures = reports.all_figures(cycles, whole, k=k, reading=reports.read(cycles, whole, snapshot=snapshot))
    return [(p, figures["program"].get(p.pk, reports.Figures())) for p in cycles]


def cycles_of(program, *, most=4):
    """The program and the cycles it was copied from ("Copy for the next cycle"), newest first,
    `most` at most, in one query; just the program when it is a first cycle."""
    earlier = "__".join(["copied_from"] * (most - 1))
    program = type(program).objects.select_related(earlier).get(pk=program.pk)
    chain = [program]
    while len(chain) < most and chain[-1].copied_from_id:
        chain.append(chain[-1].copied_from)
    return chain


def _sections(request, programs, period, **tables):
    """The report's figures, drawn: reports/_sections.html with what _report gives it, kept in
    the shared cache for the next reader of the same report, so that a page read again costs
    none of their queries nor their drawing. Sharing it is safe: it holds totals only, the
    small-number rule applied, and nothing of the reader (who may read a report is checked
    before). The key holds all it depends on: the snapshot and when it was taken (the job takes
    it every ten minutes, so the figures are never older than the page says), the threshold,
    the period as asked (the export links repeat it), the programs and associations, the time
    zone and language. Returns (the HTML, the snapshot, the threshold). Without a request: the
    report as a reader who chose no period sees it (draw_default_reports)."""
    snapshot = reports.latest_snapshot()
    k = reports.min_responses(snapshot)
    key = [
        SECTIONS_VERSION,
        snapshot.pk,
        snapshot.taken_at.isoformat(),
        k,
        period.start.isoformat(),
        period.end.isoformat(),
        request.GET.get("start", "") if request else "",
        request.GET.get("end", "") if request else "",
        timezone.get_current_timezone_name(),
        translation.get_language(),
        *([name, [x.pk for x in things]] for name, things in sorted({"programs": programs, **tables}.items())),
    ]
    key = "reports:sections:" + hashlib.sha256(json.dumps(key).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "reports/_sections.html", _report(programs, period, snapshot=snapshot, **tables), request
        )
        cache.set(key, html, SECTIONS_KEPT)
    return mark_safe(html), snapshot, k  # noqa: S308 - our own template's output, escaped as it was drawn


def draw_default_reports():
    """Each region's and local association's report as its readers first see it (the last twelve
    months), in each language and the site's time zone, drawn into the shared cache right after
    the job took the figures: the first reader after a snapshot costs what the next ones do
    instead of the figures' queries. The drawing is the one a reader's request makes (the
    sections use nothing of the request when no period is chosen); a reader in another time
    zone or with a period of their own draws theirs as before. Returns how many were drawn."""
    period = reports.default_period()
    drawn = 0
    for region in Region.objects.all():
        region_read = _region_tables(region, list(reports.associations_of(region)))
        for programs, tables in [region_read, *map(_association_tables, region_read[1]["associations"])]:
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    _sections(None, programs, period, **tables)
                    drawn += 1
    return drawn


def _region_or_404(region_id):
    """The region and its local associations, in one query (a second for the region alone when
    it has none)."""
    associations = list(reports.associations_of(region_id).select_related("region"))
    return (associations[0].region if associations else get_object_or_404(Region, pk=region_id)), associations


def _region_tables(region, associations):
    """A region's report: its programs, and the tables beside them (its local associations'
    figures and their members' renewals). The page, its exports and the job read it alike."""
    return reports.region_programs(region), {"associations": associations, "retention": associations}


def _association_tables(association):
    """A local association's report: its new-member programs, and its members' renewals."""
    return reports.association_programs(association), {"retention": [association]}


def _pipeline(region, period, k, *, names, export=False):
    """The region's leadership pipeline: counts per stage (small ones hidden unless the reader is
    its VP, `names`) and, for the VP, who; read once for both. Never cached: it names people."""
    rows = leadership.pipeline(region, period=period, roles=False)  # the stages count them; the table names none
    context = {"pipeline_stages": reports.pipeline_stages(rows, k=1 if names else k)}
    if names:
        # The page shows the latest; the export has them all.
        shown = rows if export else rows[:PIPELINE_SHOWN]
        context |= {"pipeline": reports.pipeline_table(shown), "pipeline_more": len(rows) > len(shown)}
    return context


def _retention_rows(associations, reading, k):
    retention = reports.retention(associations, reading=reading)
    return [
        (
            a,
            reports.rate(retention.get(a.pk, {}).get("mentees", [0, 0]), k),
            reports.rate(retention.get(a.pk, {}).get("mentors", [0, 0]), k),
            reports.rate(retention.get(a.pk, {}).get("others", [0, 0]), k),
        )
        for a in associations
    ]


def _figures(f):
    """A row of figures for CSV: a suppressed one says so; one with nothing to measure is empty."""
    return [getattr(f, c) if getattr(f, c) is not None or c in reports.SUPPRESSIBLE else "" for c, _ in FIGURE_COLUMNS]


def _export(request, context, name):
    """?export=<table>: the same table as CSV."""
    table = request.GET.get("export")
    figures = [str(label) for _key, label in PERIOD_COLUMNS] + [
        _("Today: %(figure)s") % {"figure": label} for _key, label in NOW_COLUMNS
    ]
    if table == "programs":
        rows = [[p.name, *_figures(f)] for p, f in context["program_rows"]]
        return _csv(f"{name}-programs", [_("Program"), *figures], rows)
    if table == "associations" and "association_rows" in context:
        rows = [[a.name, *_figures(f)] for a, f in context["association_rows"]]
        return _csv(f"{name}-local-associations", [_("Local association"), *figures], rows)
    if table == "trend":
        rows = [
            [m["month"].strftime("%Y-%m"), m["applied"], m["matched"], m["responses"], m["satisfaction"]]
            for m in context["trend"]
        ]
        return _csv(
            f"{name}-trend",
            [_("Month"), _("Applications"), str(MATCHED), _("Feedback answers"), _("Mean satisfaction")],
            rows,
        )
    if table == "funnel":
        return _csv(f"{name}-funnel", [_("Step"), _("Members")], context["funnel"])
    if table == "satisfaction":
        return _csv(
            f"{name}-satisfaction",
            [_("Satisfaction"), _("Answers")],
            context["distribution"] or [[pgettext("every satisfaction score", "all"), None]],
        )
    if table == "closures":
        return _csv(f"{name}-closures", [_("Why partnerships ended"), _("Partnerships")], context["closures"])
    if table == "objectives":
        rows = [
            # Not measured, or no target set: empty (not "too few to report", as for a suppressed value).
            [
                o["objective"].program.name,
                o["objective"].description,
                o["value"] if o["measured"] else "",
                "" if o["target"] is None else o["target"],
            ]
            for o in context["objectives"]
        ]
        return _csv(
            f"{name}-objectives",
            [_("Program"), _("Objective"), pgettext("report column: the figure today", "Now"), _("Target")],
            rows,
        )
    if table == "retention" and "retention_rows" in context:
        rows = [[a.name, m, mt, o] for a, m, mt, o in context["retention_rows"]]
        return _csv(
            f"{name}-retention",
            [_("Local association"), _("Mentees renewed (%)"), _("Mentors renewed (%)"), _("Others renewed (%)")],
            rows,
        )
    if table and table.startswith("survey-"):
        return _survey_csv(context, table, name)
    if table == "pipeline" and "pipeline" in context:
        rows = [
            [p["name"], p["association"], p["program"], timezone.localdate(p["date"]), p["stage"]]
            for p in context["pipeline"]
        ]
        header = [
            _("Member"),
            _("Local association"),
            _("Recommended in"),
            pgettext("the date a member agreed", "Agreed"),
            _("Where they are"),
        ]
        return _csv(f"{name}-leadership-pipeline", header, rows)
    raise Http404


def _survey_csv(context, table, name):
    """One survey question's table: each answer offered, how many gave it and their share; a
    suppressed question says "too few to report" in every cell; a short text has no table."""
    result = next((r for r in context["survey_results"] if f"survey-{r.question.pk}" == table), None)
    if result is None or result.is_text:
        raise Http404
    rows = [[option, n, share] for option, n, share in result.rows]
    rows.append([_("Partners who answered"), result.respondents, ""])
    if result.question.kind == "scale":
        rows.append([_("Mean (1-5)"), result.mean, ""])
    if result.question.kind == "nps":
        rows.append([_("Net promoter score (promoters 9-10 minus detractors 0-6, %)"), result.nps, ""])
        groups = result.nps_groups or (None, None, None)
        rows += [
            [label, share, ""]
            for label, share in zip((_("Promoters (%)"), _("Passives (%)"), _("Detractors (%)")), groups, strict=True)
        ]
    for group in result.wordings:
        rows.append(
            [_("Asked as: %(wording)s") % {"wording": group.label}, group.respondents if group.shown else None, ""]
        )
    header = [
        _("%(program)s: %(question)s") % {"program": result.program.name, "question": result.text},
        _("Answers"),
        _("Share of partners who answered (%)"),
    ]
    return _csv(f"{name}-survey-{result.question.pk}", header, rows)


def region_report(request, region_id):
    region, associations = _region_or_404(region_id)
    if not (request.user.is_staff or region.vice_president_id == request.user.pk):
        raise Http404
    form, period = _period(request)
    programs, tables = _region_tables(region, associations)
    names = region.vice_president_id == request.user.pk
    if "export" in request.GET:
        context = _report(programs, period, **tables)
        context |= _pipeline(region, period, context["k"], names=names, export=True)
        return _export(request, context, f"{slugify(region.name)}-{period.start}-{period.end}")
    sections, _, k = _sections(request, programs, period, **tables)
    context = {"region": region, "form": form, "period": period, "programs": programs, "sections": sections}
    return render(request, "reports/region.html", context | _pipeline(region, period, k, names=names))


def association_report(request, association_id):
    """A local association's new-member programs, for its officers, the region's VP and staff:
    the region report's sections (totals only, the same small-number rule) and its members'
    retention."""
    association = association_for_report_reader_or_404(request.user, association_id)
    form, period = _period(request)
    programs, tables = _association_tables(association)
    if "export" in request.GET:
        context = _report(programs, period, **tables)
        return _export(request, context, f"{slugify(association.name)}-{period.start}-{period.end}")
    sections, _, _ = _sections(request, programs, period, **tables)
    context = {"association": association, "form": form, "period": period, "programs": programs}
    return render(request, "reports/association.html", context | {"sections": sections})


@committee_view(chair=True)
def program_report(request, seat):
    program = seat.program
    form, period = _period(request)
    if "export" in request.GET:
        return _export(request, _report([program], period), f"{slugify(program.name)}-{period.start}-{period.end}")
    chain = cycles_of(program)
    sections, _, _ = _sections(request, [program], period, **({"cycles": chain} if len(chain) > 1 else {}))
    context = {"seat": seat, "program": program, "form": form, "period": period, "sections": sections}
    return render(request, "reports/program.html", context | {"workload": reports.workload(program)})


@committee_view()
def committee_dashboard(request, seat):
    program = seat.program
    counts = reports.committee_counts(program, user=request.user)
    counts["to_announce"] = members_to_announce(program) if seat.is_chair else 0
    checklist = setup_checklist(program)
    committee = compiled.objects("dashboard-committee", _committee_of, program_id=program.pk)
    for member in committee:
        member.program = program  # as program.committee gives them: whose pledge is current reads it
    context = {
        "seat": seat,
        "program": program,
        "counts": counts,
        "next_steps": next_steps.in_order(
            reports.next_steps(counts=counts, checklist=checklist, is_chair=seat.is_chair), counts
        ),
        "two_factor": counts.get("two_factor", False),  # asked only where the program requires it
        "committee": committee,
    }
    return render(request, "reports/committee_dashboard.html", context)


def _committee_of(program_id):
    return CommitteeMembership.objects.filter(program=program_id).select_related("user")
