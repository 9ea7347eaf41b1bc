"""The one way the app's notices and reminders are written and sent: a subject, a text part and an HTML
part rendered from `templates/notifications/email/<name>_subject.txt`, `.txt` and `.html`, with the
person's one-click links to change what they receive, through Django's mail settings."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from partners.languages import stored_language

from .links import preferences_link

logger = logging.getLogger("chantier.notifications")


def absolute(path):
    """A link in an email: the app's address (`SITE_URL`) and the path."""
    return settings.SITE_URL.rstrip("/") + path


def message(person, name, context):
    """The email `name` to this person, unsent, in the language they chose (fr-CA unless they switched)."""
    with translation.override(stored_language(person) or settings.LANGUAGE_CODE):
        context = {
            **context,
            "person": person,
            "site_url": settings.SITE_URL.rstrip("/"),
            "weekly_url": absolute(preferences_link(person, "weekly")),
            "monthly_url": absolute(preferences_link(person, "monthly")),
            "unsubscribe_url": absolute(preferences_link(person, "never")),
        }
        # One line; its no-break spaces kept (str.split() would take them for spaces).
        subject = " ".join(render_to_string(f"notifications/email/{name}_subject.txt", context).split("\n")).strip()
        text = render_to_string(f"notifications/email/{name}.txt", context)
        html = render_to_string(f"notifications/email/{name}.html", context)
    email = EmailMultiAlternatives(
        subject,
        text,
        to=[person.email],
        # Mail programs show their own « Se désabonner » and, with the -Post header, do it in one click (RFC 8058).
        headers={"List-Unsubscribe": f"<{context['unsubscribe_url']}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    email.attach_alternative(html, "text/html")
    return email


def send(person, name, context):
    """Send one email now; False, logged, when the mail server refused it (the in-app notice stays)."""
    if not person.email:
        return False
    try:
        message(person, name, context).send()
    except Exception:  # any backend's failure: the notice is kept in the app, the failure in the log
        logger.exception("email not sent name=%s person=%s", name, person.pk)
        return False
    return True
