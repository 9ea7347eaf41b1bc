"""One function per event people are told about, called from the one place the event happens (through
`receivers.py` for the apps below this one, directly from bilans/). Each writes the in-app notification
and, unless the person chose otherwise, the email."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _

from partners.languages import stored_language
from plans.models import PlanRole, Role

from . import mail
from .models import Notification, Preference


def notify(people, kind, text, url, plan=None, email=None, context=None, wants_email=None):
    """Tell each of these people: a notification in their list, and the email `email` unless they turned
    emails off (`wants_email(preference)` decides for kinds that are off by default). `text()` writes the
    notification; it is called in each person's language (not the language of whoever caused it)."""
    people = [person for person in people if person is not None and person.is_active]
    if not people:
        return
    Notification.objects.bulk_create(
        Notification(person=person, plan=plan, kind=kind, text=in_language_of(person, text)[:300], url=url)
        for person in people
    )
    if email is None:
        return
    preferences = {p.person_id: p for p in Preference.objects.filter(person__in=people)}
    for person in people:
        preference = preferences.get(person.pk) or Preference(person=person)
        if (wants_email or (lambda p: p.emails))(preference):
            mail.send(person, email, {**(context or {}), "plan": plan, "url": mail.absolute(url)})


def in_language_of(person, text):
    """`text()` as this person reads it: in the language they chose, fr-CA without one."""
    with translation.override(stored_language(person) or settings.LANGUAGE_CODE):
        return text()


def author_in_plan(step):
    """The step's author, while they still take part in its plan (one who left is told nothing); others'
    notices go to people chosen by their role in the plan already."""
    author = step.author
    return [author] if PlanRole.objects.filter(plan_id=step.action.plan_id, user=author).exists() else []


def step_returned(step):
    """To its author: the coordination's comment, and where to correct it."""
    url = step.action.get_absolute_url()
    def text():
        return _("Votre étape sur l’action %(code)s est renvoyée : %(comment)s") % {
            "code": step.action.code, "comment": step.review_comment,
        }

    notify(author_in_plan(step), Notification.Kind.STEP_RETURNED, text, url, step.action.plan, "step_returned", {"step": step})


def step_validated(step):
    """To its author, by email only if they asked for it."""
    url = step.action.get_absolute_url()
    def text():
        return _("Votre étape sur l’action %(code)s est validée.") % {"code": step.action.code}

    notify(
        author_in_plan(step), Notification.Kind.STEP_VALIDATED, text, url, step.action.plan, "step_validated",
        {"step": step}, wants_email=lambda preference: preference.emails and preference.email_when_validated,
    )


def person_invited(person, plan):
    """In the app only: the invitation itself is the email (plans/people_forms.py)."""
    def text():
        return _("Vous participez au plan « %(plan)s ».") % {"plan": plan.title}

    notify([person], Notification.Kind.INVITED, text, plan.get_absolute_url(), plan)


def bilan_people(plan):
    """Who prepares and adopts a plan's bilans: its coordinators and its committee."""
    return list(
        get_user_model().objects.filter(plan_roles__plan=plan, plan_roles__role__in=[Role.COORDINATOR, Role.COMMITTEE])
    )


def bilan_ready(bilan):
    def text():
        return _("Le bilan %(period)s, version %(version)s, est prêt à relire.") % {
            "period": bilan.period_label, "version": bilan.version,
        }

    notify(
        bilan_people(bilan.plan), Notification.Kind.BILAN_READY, text, bilan.get_absolute_url(), bilan.plan,
        "bilan_ready", {"bilan": bilan},
    )


def bilan_adopted(bilan):
    def text():
        return _("Le bilan %(period)s, version %(version)s, est adopté.") % {
            "period": bilan.period_label, "version": bilan.version,
        }

    notify(
        bilan_people(bilan.plan), Notification.Kind.BILAN_ADOPTED, text, bilan.get_absolute_url(), bilan.plan,
        "bilan_adopted", {"bilan": bilan},
    )
