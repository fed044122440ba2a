"""The language a member reads the site in: English or French.

Visitors get the language of their cookie, else their browser's (Django's LocaleMiddleware). A
signed-in member's own choice, kept on their account, comes first, on every device, and is the
language of everything sent to them (emails go out in the recipient's language, not the
sender's: see `for_user`)."""

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

CODES = tuple(code for code, _ in settings.LANGUAGES)


class MemberLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language in CODES:
            # Active for the rest of the request, Content-Language included (LocaleMiddleware
            # activates a language on every request, so nothing carries over to the next one).
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


def choose(*, user, language: str) -> str:
    """Keep a member's language on their account (a visitor's only in the cookie). Returns the
    language kept; raises ValueError for one the site does not offer."""
    if language not in CODES:
        raise ValueError(language)
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return language


def keep_chosen_language(sender, request, user, **kwargs):
    """At sign-in (and so at sign-up), a member who has not chosen a language on their account
    keeps the one they chose on the site before signing in (the switch's cookie): otherwise a
    member who reads the site in French got her first emails in English."""
    if user.language or request is None:
        return
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in CODES:
        choose(user=user, language=chosen)


def language_of(user) -> str:
    """The language to write to this person in: their own choice, else the site's."""
    code = getattr(user, "language", "") or ""
    return code if code in CODES else settings.LANGUAGE_CODE


@contextmanager
def for_user(user):
    """Render what is sent to ``user`` in their language, whoever's request it is."""
    with translation.override(language_of(user)):
        yield


def in_the_emails_language(request, respondent):
    """The page opened from the email reads in the email's language, the respondent's own (the
    link is theirs alone), unless the visitor is signed in (their account's language applies) or
    chose a language on the site (its cookie)."""
    if request.user.is_authenticated or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    request.LANGUAGE_CODE = language_of(respondent)
    translation.activate(request.LANGUAGE_CODE)  # for the rest of the request, as the middleware does
