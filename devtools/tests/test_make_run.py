"""`make run` on another port: every link the site writes in an email points at that port (the
demo's seed, the logins printed when the site is up, and the site, worker and beat)."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import override_settings

from conftest import ask, partnership_for
from feedback.services import feedback_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_every_command_of_make_run_serves_links_for_the_port_it_uses():
    clean = {"PATH": "/usr/bin:/bin"}  # no SITE_URL of the caller's
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=clean,
    ).stdout
    commands = [line for line in dry.splitlines() if "manage.py seed_demo" in line or "honcho start" in line]
    assert len(commands) == 3, dry
    for command in commands:
        assert "SITE_URL=${SITE_URL:-http://127.0.0.1:8123}" in command, command
    expanded = subprocess.run(
        ["bash", "-c", "SITE_URL=${SITE_URL:-http://127.0.0.1:8123}; echo $SITE_URL"],
        capture_output=True,
        text=True,
        check=True,
        env=clean,
    ).stdout.strip()
    assert expanded == "http://127.0.0.1:8123"


@pytest.mark.django_db
def test_a_feedback_link_uses_the_site_address(world):
    partnership = partnership_for(world["program"], world["people"]["chair"])
    with override_settings(SITE_URL="http://127.0.0.1:8123"):
        assert feedback_url(ask(partnership, "mentee")).startswith("http://127.0.0.1:8123/")
