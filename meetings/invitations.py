"""The invitation to a meeting: one email to each invited person (nobody sees the others' addresses), in
their language (French unless they chose English), as text and HTML, with the meeting as an .ics attachment their calendar opens."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partners.languages import stored_language

from .calendars import calendar_bytes

log = logging.getLogger("chantier.meetings")


def send_invitation(meeting, absolute_url):
    """Send the invitation to `meeting.invited_people()`; `absolute_url(path)` makes the links whole.
    Returns how many were sent; the meeting notes when."""
    people = list(meeting.invited_people())
    url = absolute_url(meeting.get_absolute_url())
    ics = calendar_bytes([meeting], lambda m: url, method="REQUEST")
    messages = []
    for person in people:
        context = {"meeting": meeting, "person": person, "url": url}
        with translation.override(stored_language(person) or settings.LANGUAGE_CODE):  # the person's choice
            message = EmailMultiAlternatives(
                subject=_("Invitation : %(meeting)s") % {"meeting": meeting},
                body=render_to_string("meetings/email/invitation.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[person.email],
            )
            message.attach_alternative(render_to_string("meetings/email/invitation.html", context), "text/html")
        message.attach("reunion.ics", ics, "text/calendar; method=REQUEST; charset=utf-8")
        messages.append(message)
    sent = get_connection().send_messages(messages) or 0
    meeting.invitation_sent_at = timezone.now()
    meeting.save(update_fields=["invitation_sent_at"])
    log.info("invitation meeting=%s sent=%s of=%s", meeting.pk, sent, len(messages))
    return sent
