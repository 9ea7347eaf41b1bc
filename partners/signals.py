"""Sign-ins in the log (logger `chantier.auth`): who, from which address, whether it worked; never the
password. A host reads them to see someone guessing passwords, or an account used from somewhere new.

Connected in `PartnersConfig.ready()`. Logging only: no decision of the app is taken here."""

import logging

from django.conf import settings

logger = logging.getLogger("chantier.auth")


def client_address(request):
    """The address the request came from: the connection's or, behind the TLS proxy, the one the proxy
    appended last to X-Forwarded-For (what comes before it was sent by the client and proves nothing). None
    when there is no request or it names none (the sign-in lockout stores it in an address column)."""
    if request is None:
        return None
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR") or None


# Usernames are written with repr(): a name typed at a failed sign-in is anyone's text, and a line break
# in it must not forge a second line in the log.


def log_sign_in(sender, request, user, **kwargs):
    logger.info("sign-in username=%r address=%s", user.get_username(), client_address(request) or "-")


def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the username is read anyway.
    logger.warning("sign-in failed username=%r address=%s", credentials.get("username", ""), client_address(request) or "-")


def log_sign_out(sender, request, user, **kwargs):
    username = user.get_username() if user is not None else ""
    logger.info("sign-out username=%r address=%s", username, client_address(request) or "-")
