"""A tiny OpenID Connect provider for the identity tests: a separate Django project
(django-oauth-toolkit with OIDC on), standing in for an association's membership system.

Started by identity/tests/conftest.py as `python -m django runserver` on a free loopback port, with:
    PROVIDER_DIR    a temporary folder: its SQLite file, RS256 key and members (members.json)
The members file is read at every sign-in and every token (identity.tests.provider.members), so
a test changes a member's claims by rewriting it, as the association changes its records."""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
DIR = Path(os.environ["PROVIDER_DIR"])

SECRET_KEY = "test-provider-only-" + "x" * 40
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "identity.tests.provider.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "oauth2_provider",
    "identity.tests.provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DIR / "provider.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTHENTICATION_BACKENDS = ["identity.tests.provider.members.MembersFileBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The site under test lives on 127.0.0.1 too, and cookies ignore the port: other names, so the
# two sessions never overwrite each other in one browser.
SESSION_COOKIE_NAME = "provider_sessionid"
CSRF_COOKIE_NAME = "provider_csrftoken"
LOGIN_URL = "/login/"
STATIC_URL = "/static/"
USE_TZ = True

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": (DIR / "key.pem").read_text() if (DIR / "key.pem").exists() else "",
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "identity.tests.provider.members.ClaimsValidator",
    "SCOPES": {"openid": "OpenID Connect", "profile": "Your name", "email": "Your email address"},
}
