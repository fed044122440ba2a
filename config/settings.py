"""One settings module for development, tests and production.

Every knob is an environment variable with a default that works on a laptop with nothing
installed but Python: no DATABASE_URL means a SQLite file under var/, no REDIS_URL means a
file-based Celery broker and a file-based cache under var/. Production is this same file with
other values (see README "Deploying"); `manage.py check --deploy` proves it.
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

# django-environ's bool parser accepts anything; be strict so a typo stops start-up.
for _name in ("DEBUG", "SECURE_SSL_REDIRECT"):
    _raw = env.str(_name, default="").strip()
    if _raw and _raw not in {"True", "False", "true", "false", "1", "0"}:
        raise ImproperlyConfigured(f"{_name} must be True or False, not {_raw!r}")

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-secret-key-do-not-use-in-production-0123456789")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Set SECRET_KEY to a random string of at least 50 characters.")
# Old keys stay here while data signed or encrypted with them is still around.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

# Confidential free text (feedback, concerns, the reasons a partnership ended) is encrypted at
# rest (django-fernet-encrypted-fields). Its key comes from SECRET_KEY and FIELD_ENCRYPTION_KEYS:
# to rotate, put a new key first; rows written with the older keys stay readable and move to the
# new key when saved again (`manage.py reencrypt_confidential` does it for all of them).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[] if not DEBUG else ["dev-only-field-key"])
if not FIELD_ENCRYPTION_KEYS or (not DEBUG and any(len(k) < 32 for k in FIELD_ENCRYPTION_KEYS)):
    raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEYS to one or more random strings of 32+ characters.")
SALT_KEY = FIELD_ENCRYPTION_KEYS

# In production nothing falls back silently: SQLite, a broker in files and links to 127.0.0.1 are
# for trying the app on one computer.
if not DEBUG:
    _missing = [name for name in ("DATABASE_URL", "REDIS_URL", "SITE_URL") if not env.str(name, default="").strip()]
    if _missing:
        raise ImproperlyConfigured(
            f"With DEBUG=False, set {', '.join(_missing)}: PostgreSQL (DATABASE_URL), Redis (REDIS_URL) and "
            "the site's public address for the links in emails (SITE_URL, e.g. https://mentoring.example.org). "
            "See deploy/mentoring.env.example."
        )


ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "modeltranslation",  # a program's own texts in English and French; before the admin (its docs say so)
    "config.apps.AdminConfig",  # django.contrib.admin, behind the allauth login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    # Sign-in with the association's own identity provider (identity/): one OpenID Connect app,
    # configured by staff on /staff/sign-in/ and handed to allauth by identity.adapters.
    "allauth.socialaccount.providers.openid_connect",
    "crispy_forms",
    "crispy_bootstrap5",
    "auditlog",
    "anymail",  # sending through the association's email provider, and its tracking webhooks
    "accounts",
    "outbox",
    "mentoring",
    "recruitment",
    "leadership",
    "retention",
    "partnerships",
    "circles",
    "flash",
    "matching",
    "feedback",
    "identity",
    "reports",
    "sync",  # the member sync API
    "devtools",  # demo seeding and benchmark commands
]

MIDDLEWARE = [
    "config.views.HealthCheckMiddleware",  # /healthz for probes, whatever their Host header
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the language cookie, then the browser's
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.language.MemberLanguageMiddleware",  # a signed-in member's own choice comes first
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "identity.middleware.ProviderInFormAction",  # the sign-in button's form may lead to the provider
    "allauth.account.middleware.AccountMiddleware",
    "auditlog.middleware.AuditlogMiddleware",  # who made each logged change
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# (DATABASE_URL set but empty, as `DATABASE_URL= make test` leaves it, means none: the SQLite file.)
DATABASES = {
    "default": env.db_url_config(env.str("DATABASE_URL", default="").strip() or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo: a web process, a worker and beat share one file. WAL lets readers and one writer
    # work at once; a writer waits its turn (up to 20 s) instead of failing; and a transaction
    # takes the write lock when it begins, since a read one that later writes cannot wait.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    } | DATABASES["default"].get("OPTIONS", {})
# A restarted PostgreSQL must not turn the next request into a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and the shared cache (allauth's rate limits need a shared cache) ---
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, falling back to this process's memory while Redis is down or hangs (sign-in
            # and its rate limits keep working): config/cache.py.
            "BACKEND": "config.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mentoring",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- The member sync API (sync/): at most this many requests a minute per key, bytes per request
# and members per request.
SYNC_RATE_LIMIT = env.int("SYNC_RATE_LIMIT", default=30)
SYNC_MAX_BYTES = env.int("SYNC_MAX_BYTES", default=1024 * 1024)
SYNC_MAX_MEMBERS = env.int("SYNC_MAX_MEMBERS", default=1000)
# A member pushed before they have an account here is kept this long after the last push naming
# them (sync.models.WaitingMember), then deleted by the daily job.
SYNC_WAITING_DAYS = env.int("SYNC_WAITING_DAYS", default=180)

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None  # ask ("Remember me")
# Don't reveal which addresses have accounts: reset and sign-up answer the same either way.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Mentoring] "
# identity's adapter is accounts' own plus "members sign in only through the association's
# identity provider" (a setting staff keep, identity/), which accounts cannot import.
ACCOUNT_ADAPTER = "identity.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "identity.adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "identity.adapters.LoginForm"}
# A member coming back from the identity provider is signed in or given an account at once (no
# extra form); linking to an existing account is decided by identity.services.find_member, never
# by allauth's own e-mail matching (which would wipe a staff member's password).
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_STORE_TOKENS = False  # nothing is asked of the provider after sign-in
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
# How many proxies in front of the site append to X-Forwarded-For (nginx: 1). The sign-in limits
# per address count the client's address from there; left at 0 behind a proxy, every member
# would share the proxy's address and ten wrong passwords a minute would lock everyone out.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# allauth's defaults, written out so they are visible: 5 failed logins per 5 minutes per account.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Mentoring partnerships")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)

# --- Email ----------------------------------------------------------------------------------
# EMAIL_URL examples: consolemail://  smtp+tls://user:password@smtp.example.org:587
# In development without EMAIL_URL, emails are kept in var/mail/ and read at /dev/emails/.
# Or the association's email provider, through django-anymail (https://anymail.dev/):
# EMAIL_URL=postmark:// (mailgun://, sendgrid://, brevo://) with its API key in EMAIL_PROVIDER_KEY,
# and its tracking webhook pointed at SITE_URL/email/events/<provider>/ with the user:password of
# EMAIL_WEBHOOK_SECRET (basic auth); Mailgun also signs its webhooks (EMAIL_WEBHOOK_SIGNING_KEY:
# its "HTTP webhook signing key"), and SendGrid may (its verification key, the same variable).
EMAIL_PROVIDERS = {
    # EMAIL_URL scheme: (anymail's backend, the ANYMAIL setting of the API key, of the signing key)
    "postmark": ("anymail.backends.postmark.EmailBackend", "POSTMARK_SERVER_TOKEN", None),
    "mailgun": ("anymail.backends.mailgun.EmailBackend", "MAILGUN_API_KEY", "MAILGUN_WEBHOOK_SIGNING_KEY"),
    "sendgrid": (
        "anymail.backends.sendgrid.EmailBackend",
        "SENDGRID_API_KEY",
        "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY",
    ),
    "brevo": ("anymail.backends.brevo.EmailBackend", "BREVO_API_KEY", None),
}
EMAIL_PROVIDER = env.str("EMAIL_URL", default="").partition("://")[0].lower()
if EMAIL_PROVIDER not in EMAIL_PROVIDERS:
    EMAIL_PROVIDER = ""  # SMTP (or the console, or the development mailbox)
    _email = env.email_url("EMAIL_URL", default="consolemail://")
    ANYMAIL = {}
else:
    _backend, _key_setting, _signing_setting = EMAIL_PROVIDERS[EMAIL_PROVIDER]
    _email = {"EMAIL_BACKEND": _backend}
    ANYMAIL = {
        _key_setting: env.str("EMAIL_PROVIDER_KEY", default=""),
        "WEBHOOK_SECRET": env.str("EMAIL_WEBHOOK_SECRET", default=""),
    }
    if _signing_setting:
        ANYMAIL[_signing_setting] = env.str("EMAIL_WEBHOOK_SIGNING_KEY", default="")
    # Bounces are what the provider is for here: nothing starts without what its webhook needs.
    for _name, _value in (
        ("EMAIL_PROVIDER_KEY", ANYMAIL[_key_setting]),
        ("EMAIL_WEBHOOK_SECRET", ANYMAIL["WEBHOOK_SECRET"]),
        *([("EMAIL_WEBHOOK_SIGNING_KEY", ANYMAIL[_signing_setting])] if EMAIL_PROVIDER == "mailgun" else []),
    ):
        if not _value:
            raise ImproperlyConfigured(f"EMAIL_URL={EMAIL_PROVIDER}:// needs {_name}.")
    if ":" not in ANYMAIL["WEBHOOK_SECRET"]:
        raise ImproperlyConfigured("EMAIL_WEBHOOK_SECRET is a user name and a password: user:password.")
    if not ANYMAIL.get("SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY", True):
        del ANYMAIL["SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY"]  # optional: basic auth alone
if DEBUG and "EMAIL_URL" not in os.environ:
    _email["EMAIL_BACKEND"] = "outbox.devmail.EmailBackend"
DEV_MAIL_DIR = env.str("DEV_MAIL_DIR", default=str(VAR_DIR / "mail"))
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {k: v for k, v in _smtp_options.items() if v not in (None, "")}
        | ({"timeout": 20} if "smtp" in _email["EMAIL_BACKEND"] else {}),
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mentoring program <mentoring@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Static files, served by WhiteNoise -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security -------------------------------------------------------------------------------
# Scripts and styles come from our own origin; the few inline ones carry the request's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The health endpoint is probed over plain HTTP from inside the host.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The site speaks English and French (Canadian French the reference: courriel, mentorat, comité).
# A member's choice is kept on their account and used for everything sent to them.
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
# A program's own texts (summary, guidelines, questions, orientation items) are written in either
# language or both (<app>/translation.py lists them): each has a column per language on the same
# row, and a reader gets their language, or the other when only that one is written.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "fr")
FORMAT_MODULE_PATH = ["config.formats"]  # one way to write a time: "12:32 PM" (config/formats/en)
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

# --- Logging and errors ------------------------------------------------------------------------
# Logs go to stdout (systemd's journal, a platform's log drain): one JSON object per line in
# production (LOG_FORMAT=json), plain text in development. Never a confidential value: the code
# logs ids and counts only.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
# Server errors are emailed to these people ("Name <address>", comma-separated), without anything
# a person posted (config/reporting.py).
ADMINS = env.list("ADMINS", default=[])
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.reporting.NoPostDataFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"production": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
        # The error's traceback, without the request's POST data or local variables.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["production"],
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"handlers": ["console", "mail_admins"], "level": "ERROR", "propagate": False},
    },
}

# Error reporting (Sentry's SDK, or a compatible service): off unless SENTRY_DSN is set. It sends
# no personal data, no request bodies and no local variables: confidential text must not leave.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0,
    )

# --- Site -----------------------------------------------------------------------------------
SITE_NAME = env.str("SITE_NAME", default="Mentoring Partnerships")
# Links in emails point here.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ASSOCIATION_NAME = env.str("ASSOCIATION_NAME", default="Demo Association of Insurance Professionals")

# --- Celery ---------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 5,
        # Longer than any task may run; we never schedule tasks ahead with eta/countdown.
        "visibility_timeout": 60 * 60,
    }
else:
    # Embedded broker: messages are files in var/celery, shared by the web, worker and beat.
    _queue = VAR_DIR / "celery" / "queue"
    _control = VAR_DIR / "celery" / "control"
    for _folder in (_queue, _control):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "control_folder": str(_control),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a task is acknowledged after it ran ...
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # ... and re-queued if its worker was killed
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker blip must not cancel a batch half-way (Celery 6 will default to cancelling); rows
# claimed by a batch are sent by it, and the next run picks up the rest.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A fixed table: what is due is data in the database, so each job is safe to run often or twice.
CELERY_BEAT_SCHEDULE = {
    "send-queued-emails-every-30-seconds": {
        "task": "outbox.tasks.send_emails",
        "schedule": 30.0,
        # A run that waited longer than this in the queue is dropped: the next one does its work.
        "options": {"expires": 25},
    },
    # A day before each meeting the partners agreed (a late run still reminds before the start).
    "remind-of-meetings-every-15-minutes": {
        "task": "partnerships.tasks.send_meeting_reminders",
        "schedule": 15.0 * 60,
        "options": {"expires": 14 * 60},
    },
    "ask-for-feedback-every-hour": {
        "task": "feedback.tasks.run_feedback_job",
        "schedule": 60.0 * 60,
        "options": {"expires": 50 * 60},
    },
    # Each side of a flash conversation whose hour has passed is asked one short feedback (flash/).
    "ask-for-flash-feedback-every-hour": {
        "task": "flash.tasks.ask_for_feedback",
        "schedule": 60.0 * 60,
        "options": {"expires": 50 * 60},
    },
    # Each member of a circle meeting that has ended is asked one short feedback (circles/).
    "ask-for-circle-feedback-every-hour": {
        "task": "circles.tasks.ask_for_feedback",
        "schedule": 60.0 * 60,
        "options": {"expires": 50 * 60},
    },
    "send-waiting-feedback-emails-every-minute": {
        "task": "feedback.tasks.send_feedback_asks",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "start-matching-runs-left-queued-every-minute": {
        "task": "matching.tasks.start_queued_runs",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Mentors who did not answer a proposed pair in time: the mentee goes back to the pool.
    "expire-unanswered-mentor-asks-every-hour": {
        "task": "matching.tasks.expire_mentor_asks",
        "schedule": 60.0 * 60,
        "options": {"expires": 50 * 60},
    },
    # Partnerships past their planned end and grace period are completed (feedback/closing.py).
    "complete-overdue-partnerships-every-hour": {
        "task": "feedback.tasks.complete_overdue_partnerships",
        "schedule": 60.0 * 60,
        "options": {"expires": 50 * 60},
    },
    # Mentees still waiting for a mentor hear that the committee is still looking (matching/waiting.py).
    "tell-waiting-mentees-every-hour": {
        "task": "matching.tasks.notify_waiting_mentees",
        "schedule": 60.0 * 60,
        "options": {"expires": 50 * 60},
    },
    # The reports read these figures; a page finding them over an hour old takes them itself.
    "take-report-figures-every-10-minutes": {
        "task": "reports.tasks.take_report_snapshot",
        "schedule": 10 * 60.0,
        "options": {"expires": 9 * 60},
    },
    # Members pushed without an account here, not pushed again for SYNC_WAITING_DAYS, are deleted.
    # At 03:30 every day (crontab.guru/#30_3_*_*_*); what is due is read from the database.
    "forget-long-waiting-pushed-members-daily": {
        "task": "sync.tasks.forget_waiting_members",
        "schedule": crontab(minute=30, hour=3),
        "options": {"expires": 50 * 60},
    },
    # Records kept no longer than needed: warn a month ahead, then remove (retention.services).
    # At 03:00 on the 1st of each month (crontab.guru/#0_3_1_*_*); a missed month is caught up.
    "remove-expired-personal-data-monthly": {
        "task": "retention.tasks.run_retention_job",
        "schedule": crontab(minute=0, hour=3, day_of_month=1),
        # A run that waited this long is dropped; the next month's run catches up on what it missed.
        "options": {"expires": 50 * 60},
    },
}
