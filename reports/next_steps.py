"""The order of the dashboard's "What to do next" (figures.next_steps lists the steps): the first
step is the one whose button is filled, so it must be the one that moves waiting members on.

A first-time chair read "2 partnerships need attention" as the step to take (the only filled
button) while their first match was the third row, and could not tell from "3 mentors to vet"
whether to vet before proposing matches. Here the chair's own steps that move members forward
lead, and the vetting step says where it stands against matching."""

from dataclasses import replace

from django.utils.translation import ngettext

from .figures import NextStep

# The lower, the earlier. Vetting comes before proposing only when the mentors already vetted are
# too few for the mentees waiting: the run would leave mentees out that vetting could place.
RANK = {
    "committee:setup": 0,
    "committee:recruit": 1,
    "committee:matching": 2,  # proposals waiting for the chair's decision
    "vetting first": 3,
    "committee:matching_run": 4,
    "committee:partnerships": 5,
    "committee:vetting": 6,
}


def in_order(steps: list[NextStep], counts: dict) -> list[NextStep]:
    """The steps, the one to take first at the top, the vetting step explained (in the reader's
    language: one sentence for each case, with its count)."""
    short = counts["mentors_ready"] < counts["mentees_waiting"]
    proposing = any(s.url_name == "committee:matching_run" for s in steps)
    keyed = []
    for step in steps:
        key = step.url_name
        if key == "committee:vetting":
            n = step.count
            if proposing and short:
                key = "vetting first"
                waiting, ready = counts["mentees_waiting"], counts["mentors_ready"]
                text = ngettext(
                    # Translators: "3 mentors to vet first: 2 mentees are waiting and only 1 mentor is ready".
                    "%(n)s mentor to vet first: %(waiting)s and %(ready)s",
                    "%(n)s mentors to vet first: %(waiting)s and %(ready)s",
                    n,
                ) % {
                    "n": n,
                    "waiting": ngettext("%(n)s mentee is waiting", "%(n)s mentees are waiting", waiting)
                    % {"n": waiting},
                    "ready": ngettext("only %(n)s mentor is ready", "only %(n)s mentors are ready", ready)
                    % {"n": ready},
                }
            elif proposing:
                text = ngettext(
                    "%(n)s mentor to vet; matching need not wait: enough mentors are ready",
                    "%(n)s mentors to vet; matching need not wait: enough mentors are ready",
                    n,
                ) % {"n": n}
            else:
                text = ngettext(
                    "%(n)s mentor to vet: those you approve join the next matching run",
                    "%(n)s mentors to vet: those you approve join the next matching run",
                    n,
                ) % {"n": n}
            step = replace(step, text=text)
        keyed.append((RANK.get(key, len(RANK)), step))
    return [step for _, step in sorted(keyed, key=lambda pair: pair[0])]
