"""Meetings in iCalendar (RFC 5545, written by the icalendar library): the .ics an invitation carries and
the feed of a plan's meetings a person's calendar program subscribes to."""

import icalendar
from django.utils import timezone

PRODID = "-//Chantier//Réunions du plan//FR"


def event_of(meeting, url):
    """One meeting as a VEVENT; `url` is its page. Its UID stays the same from the invitation to the feed,
    and SEQUENCE rises at each change of date or place, so calendars replace what they hold."""
    event = icalendar.Event()
    event.add("uid", f"reunion-{meeting.pk}@chantier")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(meeting.starts_at))
    event.add("dtend", timezone.localtime(meeting.ends_at))
    event.add("summary", f"{meeting.body_name} – {meeting.plan.title}")
    location = meeting.place or meeting.video_link
    if location:
        event.add("location", location)
    lines = [point.title for point in meeting.agenda.all()]
    if meeting.video_link:
        lines.insert(0, meeting.video_link)
    lines.append(url)
    event.add("description", "\n".join(lines))
    event.add("url", url)
    return event


def calendar_bytes(meetings, url_of, name=None, method=None):
    """The meetings as one iCalendar file; `url_of(meeting)` gives each one's address."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(event_of(meeting, url_of(meeting)))
    return calendar.to_ical()
