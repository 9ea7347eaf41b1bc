"""A session that expires after SESSION_COOKIE_AGE without a request, written at most once every few minutes.

Django's SESSION_SAVE_EVERY_REQUEST gives that expiry by writing the session on every request: an UPDATE
and a commit for each page read (on SQLite, the database's one write lock taken by every reader). This
middleware moves the session's expiry only when REFRESH has passed since it last did, so a person reading
pages writes nothing, and their session still ends between SESSION_COOKIE_AGE − REFRESH and
SESSION_COOKIE_AGE after their last request."""

import time

REFRESH = 5 * 60  # seconds
REFRESHED_AT = "_refreshed_at"


class SlidingExpiryMiddleware:
    """Below SessionMiddleware, so that a session changed here is saved, with a new expiry, on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # An empty session (a visitor not signed in) stays unsaved, as Django leaves it.
        if session is not None and not session.is_empty():
            if time.time() - session.get(REFRESHED_AT, 0) >= REFRESH:
                session[REFRESHED_AT] = int(time.time())
        return response


def note_sign_in(sender, request, user, **kwargs):
    """A sign-in saves the session with a new expiry (user_logged_in): noted, so the next page need not."""
    if request is not None and hasattr(request, "session"):
        request.session[REFRESHED_AT] = int(time.time())
