"""The words of matching, made when they are read, in the reader's language (issue 26).

The engine (matching/engine.py, no Django) gives keys, stored values and numbers: each breakdown
row's ``facts``, a proposal's ``summary`` (which rows the sentence names) and each unmatched
mentee's reason with its counts. They are saved as they are, and worded here for whoever reads
them, so that a French chair and an English one read the same run each in their own language.
Rows and reasons saved before that (their words in English, no facts) are shown as they were
saved.
"""

from collections.abc import Mapping, Sequence
from datetime import date

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from mentoring.services import held_back_words

# The criteria's names, the same on the weights page and in every breakdown.
CRITERIA_LABELS = {
    "topics": gettext_lazy("Goal areas"),
    "modes": gettext_lazy("Ways to meet"),
    "availability": gettext_lazy("Free at the same times"),
    "frequency": gettext_lazy("How often to meet"),
    "languages": gettext_lazy("A language in common"),
    "experience": gettext_lazy("Years of experience"),
    "preference": gettext_lazy("Asked for each other by name"),
}
CRITERIA_HELP = {
    "topics": gettext_lazy("The share of the mentee's goal areas the mentor knows about."),
    "modes": gettext_lazy("The share of the mentee's ways to meet (in person, video, phone) that suit the mentor too."),
    "availability": gettext_lazy("The share of the mentee's free times when the mentor is free too."),
    "frequency": gettext_lazy("How close their wishes are, from weekly to quarterly."),
    "languages": gettext_lazy("Full points when they speak at least one language in common."),
    "experience": gettext_lazy(
        "Full points when the mentor has 5 to 20 years more; fewer when the gap is small or very large."
    ),
    "preference": gettext_lazy(
        "Counts only for pairs where someone named a partner: full points when they named each other."
    ),
}

# The stored values (keys) of ways to meet and free times, in their usual order.
MODE_LABELS = {
    "in_person": pgettext_lazy("a way to meet, in a breakdown", "meeting in person"),
    "video": pgettext_lazy("a way to meet, in a breakdown", "video calls"),
    "phone": pgettext_lazy("a way to meet, in a breakdown", "phone calls"),
}
AVAILABILITY_LABELS = {
    "weekday_mornings": pgettext_lazy("free time, after 'both free on'", "weekday mornings"),
    "weekday_daytime": pgettext_lazy("free time, after 'both free on'", "weekday daytime"),
    "weekday_evenings": pgettext_lazy("free time, after 'both free on'", "weekday evenings"),
    "weekends": pgettext_lazy("free time, after 'both free on'", "weekends"),
}
FREQUENCY_LABELS = {
    "weekly": pgettext_lazy("how often to meet", "weekly"),
    "fortnightly": pgettext_lazy("how often to meet", "fortnightly"),
    "monthly": pgettext_lazy("how often to meet", "monthly"),
    "quarterly": pgettext_lazy("how often to meet", "quarterly"),
}


# --- Lists -------------------------------------------------------------------------------------


def listing(items: Sequence[str]) -> str:
    """ "a, b and c" in the reader's language."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def or_listing(items: Sequence[str]) -> str:
    """ "a, b or c" in the reader's language."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s or %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _labelled(keep: Sequence[str], labels: Mapping) -> list[str]:
    """Known values (modes, times) in their usual order and words, then any others as stored."""
    keep = set(keep)
    out = [str(text) for key, text in labels.items() if key in keep]
    return out + sorted(k.replace("_", " ") for k in keep if k not in labels)


# --- A breakdown row ---------------------------------------------------------------------------


def label(row: Mapping) -> str:
    """The criterion's name (a program question: its own text, as the program asks it)."""
    if "facts" not in row:  # saved before the words were made when read
        return row.get("label", "")
    key = row["key"]
    if key.startswith("question:"):
        return row.get("label") or _("Program question %(id)s") % {"id": key.removeprefix("question:")}
    return str(CRITERIA_LABELS.get(key, key))


_NOT_ANSWERED = {
    "both": gettext_lazy("neither answered"),
    "mentee": gettext_lazy("the mentee did not answer"),
    "mentor": gettext_lazy("the mentor did not answer"),
}
_NO_GOAL_AREA = {
    "both": gettext_lazy("neither named any goal area"),
    "mentee": gettext_lazy("the mentee did not name any goal area"),
    "mentor": gettext_lazy("the mentor did not name any goal area"),
}
_ASKED = {
    "each_other": gettext_lazy("they asked for each other"),
    "by_mentee": gettext_lazy("the mentee asked for this mentor"),
    "by_mentor": gettext_lazy("the mentor asked for this mentee"),
    "mentee_elsewhere": gettext_lazy("the mentee asked for someone else"),
    "mentor_elsewhere": gettext_lazy("the mentor asked for someone else"),
}


def detail(row: Mapping) -> str:
    """What the pair has in common on this criterion, in a few words."""
    facts = row.get("facts")
    if facts is None:  # saved before the words were made when read
        return row.get("detail", "")
    kind, key, blank = facts.get("kind"), row["key"], row.get("blank", "")
    if kind == "preference":
        return str(_ASKED[facts["asked"]])
    if blank:
        return str((_NO_GOAL_AREA if kind == "topics" else _NOT_ANSWERED)[blank])
    if kind == "topics":
        shared, of = facts["shared"], facts["of"]
        if not shared:
            return ngettext("none of the mentee's %(count)s shared", "none of the mentee's %(count)s shared", of) % {
                "count": of
            }
        names = ", ".join(shared[:4]) + (", ..." if len(shared) > 4 else "")
        return _("%(shared)s of %(count)s shared: %(names)s") % {"shared": len(shared), "count": of, "names": names}
    if key == "modes":
        shared = _labelled(facts["shared"], MODE_LABELS)
        if not shared:
            return _("no way to meet suits both")
        if len(shared) == 1:
            return _("both prefer %(way)s") % {"way": shared[0]}
        return _("both happy with %(ways)s") % {"ways": or_listing(shared)}
    if key == "availability":
        shared = _labelled(facts["shared"], AVAILABILITY_LABELS)
        return _("both free on %(times)s") % {"times": listing(shared)} if shared else _("no free time in common")
    if key == "languages":
        shared = facts["shared"]
        return _("both speak %(languages)s") % {"languages": listing(shared)} if shared else _("no language in common")
    if kind == "jaccard":
        shared = facts["shared"]
        if not shared:
            return _("no answer in common")
        return _("%(shared)s of %(count)s answers in common: %(answers)s") % {
            "shared": len(shared),
            "count": facts["of"],
            "answers": ", ".join(shared[:4]),
        }
    if kind == "frequency":
        mentee, mentor = (str(FREQUENCY_LABELS.get(facts[side], facts[side])) for side in ("mentee", "mentor"))
        if facts["mentee"] == facts["mentor"]:
            return _("both want to meet %(often)s") % {"often": mentee}
        return _("%(mentee)s for the mentee, %(mentor)s for the mentor") % {"mentee": mentee, "mentor": mentor}
    if kind == "experience":
        mentee, mentor = facts["mentee"], facts["mentor"]
        gap = mentor - mentee
        values = {"mentor": mentor, "mentee": mentee}
        if gap < 0:
            return (
                ngettext(
                    "the mentor has fewer years: %(mentor)s year for the mentor, %(mentee)s for the mentee",
                    "the mentor has fewer years: %(mentor)s years for the mentor, %(mentee)s for the mentee",
                    mentor,
                )
                % values
            )
        if gap < 3:
            return (
                ngettext(
                    "similar: %(mentor)s year for the mentor, %(mentee)s for the mentee",
                    "similar: %(mentor)s years for the mentor, %(mentee)s for the mentee",
                    mentor,
                )
                % values
            )
        return (
            ngettext(
                "%(mentor)s year for the mentor, %(mentee)s for the mentee",
                "%(mentor)s years for the mentor, %(mentee)s for the mentee",
                mentor,
            )
            % values
        )
    if kind == "equal":
        return _("the same answer") if facts["same"] else _("different answers")
    # A 1-5 scale.
    if facts["mentee"] == facts["mentor"]:
        return _("both answered %(answer)s on a scale of 1 to 5") % {"answer": facts["mentee"]}
    return _("%(mentee)s and %(mentor)s on a scale of 1 to 5") % {"mentee": facts["mentee"], "mentor": facts["mentor"]}


def rows(breakdown: Sequence[Mapping]) -> list[dict]:
    """The breakdown's rows with their label and detail in the reader's language."""
    return [{**row, "label": label(row), "detail": detail(row)} for row in breakdown]


# --- The one sentence --------------------------------------------------------------------------


def told(row: Mapping) -> str:
    """A row as the sentence names it: "ways to meet (both prefer video calls)"."""
    name, words = label(row), detail(row)
    if row["key"].startswith("question:"):  # a program's question, as it is asked
        return _("“%(question)s” (%(detail)s)") % {"question": name, "detail": words}
    return _("%(criterion)s (%(detail)s)") % {"criterion": f"{name[:1].lower()}{name[1:]}", "detail": words}


def sentence(breakdown: Sequence[Mapping], summary: Mapping | None, stored: str = "") -> str:
    """The one-sentence explanation: up to three strengths, then the weakest point, named by the
    breakdown's own rows (the engine chose them: engine._explain). ``stored``: the sentence saved
    with a proposal made before the words were made when read, shown as it is."""
    if not summary or "strengths" not in summary:
        return stored
    by_key = {row["key"]: row for row in breakdown}
    strengths = [told(by_key[key]) for key in summary["strengths"] if key in by_key]
    if strengths:
        text = _("Strengths: %(strengths)s.") % {"strengths": pgettext("between the strengths", "; ").join(strengths)}
    else:
        text = _("No strong point.")
    weakest = summary.get("weakest")
    if weakest in by_key:
        text += " " + _("Weakest point: %(point)s.") % {"point": told(by_key[weakest])}
    return text


# --- Incomplete questionnaires -----------------------------------------------------------------

_LEFT_BLANK = {
    "mentee": gettext_lazy("%(criterion)s (the mentee left it blank)"),
    "mentor": gettext_lazy("%(criterion)s (the mentor left it blank)"),
    "both": gettext_lazy("%(criterion)s (both left it blank)"),
}


def incomplete(breakdown: Sequence[Mapping]) -> list[str]:
    """The criteria someone left blank, in words, for the queue's warning."""
    return [str(_LEFT_BLANK[r["blank"]]) % {"criterion": label(r)} for r in breakdown if r.get("blank")]


def incomplete_note(breakdown: Sequence[Mapping]) -> str:
    blanks = incomplete(breakdown)
    if not blanks:
        return ""
    return _(
        "Incomplete questionnaire: %(criteria)s. A blank answer earns no points, with any partner, so the score "
        "is lower but the pair is still the best the answers allow: approve it if the rest fits, or ask for the "
        "missing answer and propose matches again."
    ) % {"criteria": pgettext("between the criteria left blank", "; ").join(blanks)}


# --- Mentees left unmatched --------------------------------------------------------------------


def unmatched_text(entry: Mapping) -> str:
    """Why a mentee is still waiting after a run, from the reason the engine gave and its counts
    (an entry of MatchRun.unmatched). An entry saved before that keeps its saved words."""
    if "scope" not in entry:
        return entry.get("text", "")
    reason, region = entry.get("reason"), entry["scope"] == "region"
    if reason == "no_eligible_mentor":
        if not entry.get("mentors"):
            if region:
                return _("No mentor is available in their region yet; they stay in the pool for the next round.")
            return _("No mentor is available in their local association yet; they stay in the pool for the next round.")
        if region:
            return _(
                "Every mentor in their region is ruled out by the program rules (same employer, an earlier "
                "partnership, a pair the committee rejected or a request not to be paired); they stay in the pool "
                "for the next round."
            )
        return _(
            "Every mentor in their local association is ruled out by the program rules (same employer, an earlier "
            "partnership, a pair the committee rejected or a request not to be paired); they stay in the pool "
            "for the next round."
        )
    if reason == "capacity_exhausted":
        eligible = entry.get("eligible", 0)
        if eligible == 1:
            return _(
                "The one mentor the program rules allow for them is already full; they can be matched as soon as "
                "a place opens."
            )
        if eligible == 2:
            return _(
                "Both mentors the program rules allow for them are already full; they can be matched as soon as "
                "a place opens."
            )
        return _(
            "All %(count)s mentors the program rules allow for them are already full; they can be matched as soon "
            "as a place opens."
        ) % {"count": eligible}
    return _(
        "A mentor with a free place could take them, but the proposed pairs fit better overall; "
        "the committee can still pair them by hand."
    )


def unmatched_entry(u) -> dict:
    """An engine.Unmatched as MatchRun.unmatched keeps it (without its "why not?")."""
    return {
        "application": u.mentee_id,
        "reason": u.reason,
        "eligible": u.eligible_mentors,
        "scope": u.scope,
        "mentors": u.mentors_in_part,
    }


# --- Why a proposal closed, and what the decision log says for the app -------------------------


def _day(value: str) -> str:
    """A day saved as "2026-12-03", as the closed notes say it ("3 December", "3 décembre")."""
    day = date.fromisoformat(value)
    # Translators: how a day is written in "declined on 3 December" (Django's date format letters).
    return dateformat.format(day, pgettext("day and month in a closed proposal's note", "j F"))


def closed_note(why: Mapping, stored: str = "") -> str:
    """Why a proposal closed without the chair's decision (Proposal.closed_why), in the reader's
    language. Proposals closed before that saved the words (in English): those are shown."""
    key = why.get("key") if why else None
    if key == "mentor_full":
        if why.get("promised"):
            text = _("%(mentor)s's last place is promised to %(mentee)s a moment ago.")
        else:
            text = _("%(mentor)s's last place went to %(mentee)s a moment ago.")
        return text % {"mentor": why["mentor"], "mentee": why["taken_by"]}
    if key == "declined":
        return _("%(mentor)s declined on %(date)s; first in line at the next run.") % {
            "mentor": why["mentor"],
            "date": _day(why["date"]),
        }
    if key == "silent":
        return ngettext(
            "%(mentor)s did not answer within %(days)s day; first in line at the next run.",
            "%(mentor)s did not answer within %(days)s days; first in line at the next run.",
            why["days"],
        ) % {"mentor": why["mentor"], "days": why["days"]}
    if key == "cant_go_ahead":
        return _(
            "%(mentor)s said yes on %(date)s, but %(person)s can't be matched now: %(why)s; %(mentee)s is first in "
            "line at the next run."
        ) % {
            "mentor": why["mentor"],
            "date": _day(why["date"]),
            "person": why["person"],
            "why": held_back_words(why["why"]),
            "mentee": why["mentee"],
        }
    return stored


def event_text(said: Mapping, stored: str = "") -> str:
    """What the app wrote in a proposal's decision log (ProposalEvent.said), in the reader's
    language; what a person wrote, and events saved before that (in English), as saved."""
    key = said.get("key") if said else None
    if key == "waiting_for_mentor":
        return _("Waiting for the mentor to accept.")
    if key == "replaced":
        return _("Replaced by a manual pair with %(mentor)s.") % {"mentor": said["mentor"]}
    if key == "made_by_hand":
        if said.get("warnings"):
            return _("Made by hand. Confirmed: %(warnings)s") % {"warnings": "; ".join(warnings(said["warnings"]))}
        return _("Made by hand.")
    return stored


# --- The rules a hand-made pair breaks ---------------------------------------------------------

# The same keys as engine.PROBLEM_TEXTS, in the reader's language.
PROBLEM_WORDS = {
    "different_associations": gettext_lazy(
        "They belong to different local associations; this program pairs members of the same one."
    ),
    "different_regions": gettext_lazy("They are in different regions; this program pairs people within one region."),
    "same_association": gettext_lazy(
        "They belong to the same local association; this program pairs people from different associations."
    ),
    "same_person": gettext_lazy("This is the same person on both sides."),
    "same_employer": gettext_lazy("Both work for %(employer)s; this program keeps colleagues apart."),
    "dissolved_before": gettext_lazy("They were partners before and that partnership was dissolved."),
    "rejected_before": gettext_lazy("The committee rejected this pair before."),
    "declined_before": gettext_lazy("The mentor declined this pair before."),
    "silent_before": gettext_lazy("The mentor did not answer in time when last asked about this pair."),
    "mentee_avoids": gettext_lazy("The mentee asked not to be paired with this mentor."),
    "mentor_avoids": gettext_lazy("The mentor asked not to be paired with this mentee."),
    "mentor_full": gettext_lazy("The mentor has no free place."),
}


def warning(problem) -> str:
    """One rule a hand-made pair breaks (engine.pair_problem_keys, or the mentor's places proposed
    elsewhere), in the reader's language; warnings saved before as words are shown as saved."""
    if isinstance(problem, str):
        return problem
    key = problem.get("key")
    if key == "proposed_elsewhere":
        if problem["last_place"]:
            text = _(
                "%(mentor)s's last place is proposed to %(names)s in the queue: approving this pair first closes "
                "that proposal."
            )
        else:
            text = _(
                "%(mentor)s's places are proposed to %(names)s in the queue: approving this pair first closes "
                "that proposal."
            )
        return text % {"mentor": problem["mentor"], "names": problem["names"]}
    if key in PROBLEM_WORDS:
        return str(PROBLEM_WORDS[key]) % {k: v for k, v in problem.items() if k != "key"}
    return ""


def warnings(problems) -> list[str]:
    return [warning(problem) for problem in problems or ()]
