"""The files in deploy/ load where they go: the settings file reads the same in bash (deploy/upgrade)
as in systemd's EnvironmentFile, as shipped and as filled in."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = settings.BASE_DIR / "deploy"
TEMPLATE = DEPLOY / "mentoring.env.example"

# What an IT volunteer writes in: spaces, angle brackets, commas, characters the shell would act on.
FILLED_IN = {
    "SECRET_KEY": "kH3_x-Zq9vT0aLmN8pR2sW5yB7cE1fG4hJ6kM0nP3qS5tU7vX9zA2bD4eF6gH8iJ",
    "FIELD_ENCRYPTION_KEYS": "new-key-0123456789abcdefghijklmnopqrst,old-key-0123456789abcdefghijklmnopqr",
    "DATABASE_URL": "postgres://mentoring:p%40ss;w&rd|x@127.0.0.1:5432/mentoring",
    "EMAIL_URL": "smtp+tls://mailer:s3cr#t>x@smtp.example.org:587",
    "DEFAULT_FROM_EMAIL": "Mentoring program <mentoring@example.org>",
    "ADMINS": "IT volunteer <it@example.org>, Chair (Anne) <chair@example.org>",
    "SITE_NAME": "Mentoring Partnerships",
    "ASSOCIATION_NAME": "Our Association & Friends; Région Est",
    "SECRET_KEY_FALLBACKS": "",
}


def systemd_environment_file(text):
    """The variables systemd's EnvironmentFile= gives the services (systemd.exec(5)): one KEY=VALUE a
    line, lines starting with # or ; ignored, surrounding whitespace dropped, and a value in double
    quotes has its quotes removed (a backslash escapes the next character inside them)."""
    found = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, equals, value = line.partition("=")
        assert equals and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key.strip()), f"not KEY=VALUE: {raw!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        found[key.strip()] = value
    return found


def fill_in(text, values):
    """The template with `values` written in its format (whatever quoting the template's lines use)."""
    for key, value in values.items():
        text, count = re.subn(
            rf'^{key}=("?)[^\n]*$', lambda m, k=key, v=value: f"{k}={m.group(1)}{v}{m.group(1)}", text, flags=re.M
        )
        assert count == 1, f"{key} is not in the template"
    return text


def bash_environment(script, env_file):
    """The variables a bash script leaves exported after reading `env_file` (never a command run)."""
    result = subprocess.run(
        ["bash", "-c", f"set -euo pipefail; {script}; env -0", "bash", str(env_file)],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return dict(item.split("=", 1) for item in result.stdout.split("\0") if item)


@pytest.mark.parametrize("filled", [False, True], ids=["as shipped", "filled in"])
def test_the_settings_file_reads_the_same_in_bash_and_in_systemd(tmp_path, filled):
    text = TEMPLATE.read_text()
    if filled:
        text = fill_in(text, FILLED_IN)
    env_file = tmp_path / "mentoring.env"
    env_file.write_text(text)
    expected = systemd_environment_file(text)
    assert expected["DEFAULT_FROM_EMAIL"] == (
        FILLED_IN["DEFAULT_FROM_EMAIL"] if filled else "Mentoring program <mentoring@example.org>"
    )
    if filled:
        assert {key: expected[key] for key in FILLED_IN} == FILLED_IN

    sourced = bash_environment('set -a; . "$1"; set +a', env_file)  # the plain way, as the README's users might
    assert {key: sourced.get(key) for key in expected} == expected

    upgrade_reads = bash_environment('. deploy/env-file.sh; load_env_file "$1"', env_file)  # deploy/upgrade's way
    assert {key: upgrade_reads.get(key) for key in expected} == expected


def test_deploy_upgrade_never_runs_what_the_settings_file_says(tmp_path):
    env_file = tmp_path / "mentoring.env"
    marker = tmp_path / "ran"
    env_file.write_text(f'SITE_NAME="$(touch {marker})"\nX=`touch {marker}`\n')
    read = bash_environment('. deploy/env-file.sh; load_env_file "$1"', env_file)
    assert not marker.exists()
    assert read["SITE_NAME"] == f"$(touch {marker})"


NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


@pytest.mark.skipif(
    NGINX is None, reason="no nginx on this machine (apt-get install nginx-light): the site file is not checked"
)
def test_the_nginx_site_loads_on_the_systems_nginx(tmp_path):
    """`nginx -t` with the site as shipped, its certificate paths pointed at a throwaway self-signed
    certificate: the nginx of Debian 12 (1.22) and Ubuntu 24.04 (1.24) must accept every directive."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl to make the throwaway certificate")
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=mentoring.example.org"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = (DEPLOY / "nginx-mentoring.conf").read_text()
    for path, ours in (
        ("/etc/letsencrypt/live/mentoring.example.org/fullchain.pem", cert),
        ("/etc/letsencrypt/live/mentoring.example.org/privkey.pem", key),
    ):
        assert path in site
        site = site.replace(path, str(ours))
    (tmp_path / "mentoring.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {tmp_path}/mentoring.conf;\n}}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    version = subprocess.run([NGINX, "-v"], capture_output=True, text=True, timeout=30).stderr.strip()
    assert result.returncode == 0, f"{version}: {result.stderr}"
    assert "test is successful" in result.stderr
