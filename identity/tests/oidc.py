"""A pytest plugin (the root conftest loads it): the real OpenID Connect provider of the identity
tests (identity/tests/provider/), run as its own Django project on a free loopback port, and the
steps of a sign-in through it."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from identity import services
from identity.models import AssociationMapping

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID, CLIENT_SECRET = "mentoring-site", "s3cret-for-the-test-provider-only"
MEMBER_PASSWORD = "member-portal-password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Provider:
    url: str
    dir: Path

    @property
    def issuer(self):
        return f"{self.url}/o"

    def set_member(self, username, **claims):
        """Add or change a member of the association's login (read at every sign-in)."""
        path = self.dir / "members.json"
        members = json.loads(path.read_text())
        members[username] = {"password": MEMBER_PASSWORD, "claims": {"sub": f"sub-{username}", **claims}}
        path.write_text(json.dumps(members))


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    folder = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (folder / "members.json").write_text("{}")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "identity.tests.provider.settings",
        "PROVIDER_DIR": str(folder),
        "PYTHONPATH": str(ROOT),
    }
    django = [sys.executable, "-m", "django"]
    subprocess.run([*django, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*django, "provider_client", CLIENT_ID, CLIENT_SECRET], env=env, cwd=ROOT, check=True)
    port = free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [*django, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    provider = Provider(url=f"http://127.0.0.1:{port}", dir=folder)
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=1).ok:
                break
        except requests.RequestException:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"The test identity provider did not start: {(folder / 'server.log').read_text()}")
        time.sleep(0.2)
    yield provider
    server.terminate()
    server.wait(10)
    log.close()


@pytest.fixture
def connected(oidc_provider, world):
    """Staff connected the provider; "Northport" in its local association claim means Northport."""
    services.save_provider(
        data={
            "enabled": True,
            "button_label": "Sign in with your association login",
            "issuer": oidc_provider.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
        by=world["people"]["staff"],
    )
    AssociationMapping.objects.create(claim_value="NPT-01", association=world["associations"]["northport"])
    AssociationMapping.objects.create(claim_value="SBY-07", association=world["associations"]["southbury"])
    return oidc_provider


class Forms(HTMLParser):
    """Each form of a page: its action and its inputs (name -> value), submit buttons apart."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}, "buttons": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            where = "buttons" if attrs.get("type") == "submit" else "fields"
            self.forms[-1][where][attrs["name"]] = attrs.get("value") or ""


def forms_of(html):
    parser = Forms()
    parser.feed(html)
    return parser.forms


def start_sign_in(client):
    """The member presses the button on the sign-in page: the site sends them to the provider."""
    response = client.post(f"/accounts/oidc/{services.PROVIDER_ID}/login/?process=login")
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def through_provider(authorize_url, username, *, consent=True, password=MEMBER_PASSWORD):
    """The member at the provider: its login page, then "Authorize" (or "Cancel"). Returns where
    the provider sends them back to (the site's callback, with code and state or an error)."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)
    assert "/login/" in page.url, page.url
    (login,) = forms_of(page.text)
    page = browser.post(page.url, data={**login["fields"], "username": username, "password": password}, timeout=10)
    assert "Authorize" in page.text, page.text[:1000]
    (consent_form,) = forms_of(page.text)
    data = {**consent_form["fields"], **({"allow": "Authorize"} if consent else {})}
    answer = browser.post(urljoin(page.url, consent_form["action"]), data=data, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:1000]
    return answer.headers["Location"]


def come_back(client, callback_url):
    """The provider's redirect, followed in the site (the test client stands for the browser)."""
    parts = urlsplit(callback_url)
    return client.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})


def sign_in_with_provider(client, username, **kwargs):
    return come_back(client, through_provider(start_sign_in(client), username, **kwargs))


def query_of(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def state_replaced(url, state):
    return re.sub(r"state=[^&]+", f"state={state}", url)
