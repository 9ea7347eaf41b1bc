"""The interface language: Quebec French (LANGUAGE_CODE) unless the person chose English with the switch
(base.html, `partners:set_language`). The browser's Accept-Language is not read: the coalition's product
is French first, as Quebec's Charter of the French language asks of services, and many francophones' work
computers ask for en-US; one click on the switch, kept, is enough for those who read English.

A signed-in person's choice is stored on them (`LanguageChoice`); signing in, on any device, puts it in
the session; the middleware applies it on each request of that session and sets the language cookie to
match, so the choice holds after signing out on that device. Anonymous people have the cookie only. The
session holds the choice so that a page costs no query for it."""

from django.conf import settings
from django.utils import translation

from .models import LanguageChoice

SESSION_KEY = "language"


def stored_language(person):
    """The language the person chose, or None if they never did."""
    choice = getattr(person, "language_choice", None) if person.is_authenticated else None
    return choice.language if choice is not None else None


def remember(request, language):
    """The signed-in person's choice, stored on them and in this session (the switch's view)."""
    LanguageChoice.objects.update_or_create(person=request.user, defaults={"language": language})
    request.session[SESSION_KEY] = language


def apply_at_sign_in(sender, request, user, **kwargs):
    """user_logged_in: the person's choice, if any, for the whole session (connected in PartnersConfig)."""
    if request is None or not hasattr(request, "session"):
        return
    language = stored_language(user)
    if language:
        request.session[SESSION_KEY] = language
    else:
        request.session.pop(SESSION_KEY, None)


class LanguageMiddleware:
    """After AuthenticationMiddleware (and Django's LocaleMiddleware, which reads the cookie): the language
    of the session's person, else the cookie's, else fr-CA, whatever the browser asks for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.session.get(SESSION_KEY) if request.user.is_authenticated else None
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = next((code for code in (chosen, cookie) if code in dict(settings.LANGUAGES)), settings.LANGUAGE_CODE)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if chosen == language and cookie != language and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            set_language_cookie(response, language)
        return response


def set_language_cookie(response, language):
    """The cookie as Django's set_language writes it (settings' LANGUAGE_COOKIE_*)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
