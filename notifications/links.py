"""The links a reminder carries. Two kinds:

- one-click links on an action (« Inscrire une étape », « Rien de nouveau, toujours en cours »): a
  django-sesame token scoped to that purpose and that action, valid `SESAME_MAX_AGE`, used once
  (`UsedLink`). It lets the person do that one thing without signing in, and nothing else: it opens no
  session.
- the preferences link (change the frequency, unsubscribe): signed with django.core.signing, no expiry,
  since it only ever lowers or changes what the person receives.
"""

import hashlib

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from sesame.backends import ModelBackend
from sesame.utils import get_token

from .models import UsedLink

STEP, CHECK_IN = "step", "check-in"
PREFERENCES_SALT = "notifications.preferences"


def scope(purpose, action):
    return f"{purpose}:{action.pk}"


def action_link(person, action, purpose, path=None):
    """The address (without the site) that lets this person do `purpose` on this action, once. `path`:
    the link's address without its token, when the caller has it already (a digest reverses each
    action's once, not once per person)."""
    token = get_token(person, scope=scope(purpose, action))
    return f"{path or action_path(action, purpose)}?t={token}"


def action_path(action, purpose):
    name = "notifications:link_step" if purpose == STEP else "notifications:link_check_in"
    return reverse(name, args=[action.plan.slug, action.code])


def person_of_link(request, token, action, purpose):
    """Who this link is for, when it is for this purpose on this action, not expired and not used; None
    otherwise. Asks django-sesame's backend itself: it opens no session, and the sign-in guard (axes)
    has nothing to count."""
    if not token or used(token):
        return None
    return ModelBackend().authenticate(request, sesame=token, scope=scope(purpose, action))


def digest_of(token):
    return hashlib.sha256(token.encode()).hexdigest()


def used(token):
    return UsedLink.objects.filter(digest=digest_of(token)).exists()


def use(token, person):
    """Spend the link, inside the transaction that does its work: False (and the work rolled back by the
    caller) when it was spent meanwhile."""
    try:
        with transaction.atomic():
            UsedLink.objects.create(digest=digest_of(token), person=person)
    except IntegrityError:
        return False
    return True


def preferences_link(person, frequency):
    """The address that sets this person's reminders to `frequency` (`never`: unsubscribe), in one click."""
    token = signing.dumps({"person": person.pk, "frequency": frequency}, salt=PREFERENCES_SALT, compress=True)
    return reverse("notifications:unsubscribe", args=[token])


def read_preferences_link(token):
    """(person id, frequency) of a preferences link; None when it was not signed here."""
    try:
        data = signing.loads(token, salt=PREFERENCES_SALT)
        return int(data["person"]), str(data["frequency"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
