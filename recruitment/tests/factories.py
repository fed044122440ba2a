"""Helpers for tests of the orientation (recruitment's and the apps above it): a candidate, an item
added the chair's way, the program's requirement."""

from conftest import make_member
from mentoring import services
from mentoring.models import OrientationItem, Program
from recruitment import orientation

Required = Program.OrientationRequired


def item(program, title="Guidelines", *, kind="page", audience="mentor", required=True, **fields):
    defaults = {"body": f"About {title}."} if kind in ("page", "acknowledgement") else {}
    if kind == "link":
        defaults["url"] = "https://example.org/training"
    return orientation.add_item(
        item=OrientationItem(
            program=program,
            kind=kind,
            title=title,
            audience=audience,
            required=required,
            **{
                **defaults,
                **fields,
            },
        )
    )


def candidate(program, email="cand.idate@example.org"):
    """A mentor who sent the questionnaire: awaiting vetting."""
    first, last = (email.split("@")[0].split(".") + ["x"])[:2]
    user = make_member(email, program.association, first_name=first.title(), last_name=last.title(), years=20)
    application = services.start_application(program=program, user=user, role="mentor")
    return services.submit_application(application=application, answers={"goals": "Give back"}, extra_answers={})


def require(program, stage):
    program.orientation_required_before = stage
    program.save(update_fields=["orientation_required_before"])
