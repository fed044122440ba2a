"""An upgrade keeps everything: a database built by the last release before the redesign (its own
code, from git: migrate, the demo seed, then a few rows the demo leaves empty) is migrated by
this tree's code, and every model's rows, every confidential value (decrypted), every content
type, admin log entry, audit log entry and permission is still there, for the models that moved
to another app too (their tables were renamed, nothing copied)."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

# The last release before the redesign step that moved models out of mentoring (issue 22).
RELEASE = "269a26b99d33d40957ddcb4079f90cdb6457d1cd"
HERE = Path(__file__).parent

# Where each moved model lived in the release, and where it lives now.
MOVED = {
    "OutgoingEmail": ("mentoring", "outbox"),
    "Announcement": ("mentoring", "recruitment"),
    "Invitation": ("mentoring", "recruitment"),
    "LeadershipRecommendation": ("mentoring", "leadership"),
    "RecordExpiry": ("mentoring", "retention"),
    "Goal": ("mentoring", "partnerships"),
    "Meeting": ("mentoring", "partnerships"),
    "ScheduledMeeting": ("mentoring", "partnerships"),
    "Agreement": ("mentoring", "partnerships"),
    "MilestoneProgress": ("mentoring", "partnerships"),
    "FollowUp": ("feedback", "partnerships"),
}


# Models that the release did not have.
# reports; sync and identity (issue 27); email branding (issue 28)
NEW = {
    "ReportChange",
    "IntegrationKey",
    "SyncRun",
    "MemberSyncState",
    "MemberChange",
    "WaitingMember",
    "IdentityProvider",
    "AssociationMapping",
    # the email provider's bounces (issue 28)
    "Suppression",
    "Brand",  # how an association's emails look (issue 28)
    # flash conversations (issue 29)
    "Slot",
    "FlashFeedback",
    # mentoring circles (issue 29)
    "Circle",
    "CircleMember",
    "CircleMeeting",
    "CircleFeedback",
}


@pytest.fixture
def release_tree(tmp_path):
    """The release's files, as `git archive` gives them."""
    if not (settings.BASE_DIR / ".git").exists():
        pytest.skip("needs a git checkout to read the last release from (CI runs from one)")
    tree = tmp_path / "release"
    tree.mkdir()
    archive = subprocess.run(  # noqa: S603
        ["git", "-C", str(settings.BASE_DIR), "archive", RELEASE],  # noqa: S607
        capture_output=True,
        check=False,
    )
    assert archive.returncode == 0, f"the release {RELEASE} is not in this clone: {archive.stderr.decode()}"
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)  # noqa: S603, S607
    return tree


@pytest.fixture
def database_url(tmp_path):
    """A new, empty database of the kind the suite runs on, dropped at the end."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    params = connection.settings_dict
    name = f"upgrade_{uuid.uuid4().hex[:10]}"
    host, port, user = params["HOST"] or "127.0.0.1", params["PORT"] or 5432, params["USER"] or "postgres"
    admin = psycopg2.connect(dbname="postgres", user=user, password=params["PASSWORD"] or None, host=host, port=port)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{user}@{host}:{port}/{name}"
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def manage(tree, database_url, *args, script=None):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "True",
        "SECRET_KEY": "upgrade-test-secret-key-0123456789-0123456789-0123456789",
        "FIELD_ENCRYPTION_KEYS": "upgrade-test-field-key-0123456789abcdef",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("REDIS_URL", None)  # the embedded broker, inside the tree: nothing reaches the suite's Redis
    command = [sys.executable, "manage.py", *args]
    if script:
        command += ["shell", "-c", (HERE / script).read_text()]
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
    assert done.returncode == 0, (
        f"{' '.join(args) or script} failed in {tree}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def snapshot(tree, database_url):
    out = manage(tree, database_url, script="upgrade_snapshot.py")
    return json.loads(out.split("SNAPSHOT", 1)[1])


@pytest.mark.upgrade
def test_a_database_of_the_last_release_upgrades_with_every_row_and_secret(release_tree, database_url):
    manage(release_tree, database_url, "migrate", "--noinput")
    manage(release_tree, database_url, "seed_demo")
    manage(release_tree, database_url, script="upgrade_populate.py")
    before = snapshot(release_tree, database_url)

    manage(settings.BASE_DIR, database_url, "migrate", "--noinput")
    after = snapshot(settings.BASE_DIR, database_url)
    # Models new since the release: nothing to keep, so they are not compared.
    for part in after.values():
        for name in NEW:
            part.pop(name, None)

    # What the demo holds (a partnership with feedback, meetings, an agreement, and each part's
    # rows), so that the comparison below compares something.
    for name in ("Partnership", "Response", "Meeting", "ScheduledMeeting", "Agreement", "OutgoingEmail", "Concern"):
        assert before["counts"][name] > 0, name
    assert before["counts"] == after["counts"]
    assert before["secrets"] == after["secrets"]
    assert "UPGRADE-SECRET concern: we never meet" in json.dumps(after["secrets"]["Concern"])
    # The content type rows are the same rows (relabelled for a moved model), so what points at
    # them (admin and audit log entries, permissions, staff groups) points at the same model.
    assert before["content_types"] == after["content_types"]
    assert before["admin_entries"] == after["admin_entries"]
    assert all(after["admin_entries"][name] == 1 for name in after["admin_entries"] if after["counts"][name])
    assert before["audit_entries"] == after["audit_entries"]
    assert before["permissions"] == after["permissions"]
    for name, (old, new) in MOVED.items():
        assert before["tables"][name] == f"{old}_{name.lower()}"
        assert after["tables"][name] == f"{new}_{name.lower()}"
