"""A person's notifications and email choices; the one-click links of reminders (no sign-in needed); the
coordination's « Relancer maintenant »."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lib.access import require
from lib.converters import whole_numbers
from plans.models import Plan
from plans.views import get_plan_for
from suivi.forms import StepForm
from suivi.models import CheckIn
from suivi.views import action_queryset, record_step

from . import links
from .forms import PreferenceForm
from .models import Notification, Preference
from .reminders import remind_now as send_now

PER_PAGE = 50


def notification_list(request):
    """The person's notifications, newest first; opening the list marks nothing read (the buttons do)."""
    notifications = request.user.notifications.select_related("plan")
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page, "notifications": page.object_list})


@require_POST
def mark_read(request, pk):
    """Mark one read and follow it (its button is the notice's link), or mark all read (`pk` absent)."""
    if pk is None:
        request.user.notifications.mark_read()
        messages.success(request, _("Tous vos avis sont marqués comme lus."))
        return redirect("notifications:list")
    notification = get_object_or_404(Notification, pk=pk, person=request.user)  # another's: 404
    Notification.objects.filter(pk=notification.pk).mark_read()
    return redirect(notification.get_absolute_url())


def preferences(request):
    """What reaches this person by email, and how often their reminders come."""
    preference = Preference.of(request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Vos préférences sont enregistrées."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_not_required
@csrf_exempt  # a mail program's one-click unsubscribe (RFC 8058) posts no token: the signed link authorises it
def unsubscribe(request, token):
    """The link at the bottom of every email: one button sets the frequency it names (or stops reminders
    and notices by email), without signing in. A GET shows the button, it writes nothing (mail programs
    and antivirus scanners open links); mail programs' own « Se désabonner » POSTs here (RFC 8058)."""
    signed = links.read_preferences_link(token)
    if signed is None or signed[1] not in Preference.Frequency.values:
        return render(request, "notifications/links/invalid.html", {"reason": "forged"}, status=400)
    person = get_object_or_404(get_user_model(), pk=signed[0], is_active=True)
    frequency = signed[1]
    if request.method == "POST":
        preference = Preference.of(person)
        preference.reminder_frequency = frequency
        if frequency == Preference.Frequency.NEVER:
            preference.emails = preference.email_when_validated = False
        preference.save()
        return render(request, "notifications/links/unsubscribed.html", {"person": person, "frequency": frequency})
    label = Preference.Frequency(frequency).label
    return render(request, "notifications/links/unsubscribe.html", {"person": person, "frequency": frequency, "label": label})


def action_of_link(slug, code):
    """The action a link names, in an open plan; 404 otherwise."""
    plan = get_object_or_404(Plan.objects.active(), slug=slug)
    return get_object_or_404(action_queryset().live(), plan=plan, code=code)


def person_of_link(request, action, purpose, permission):
    """The person the link was sent to, when it is theirs for this purpose on this action, fresh, unused,
    and they may still do this here; None otherwise."""
    token = request.POST.get("t") if request.method == "POST" else request.GET.get("t")
    person = links.person_of_link(request, token, action, purpose)
    if person is None or not person.has_perm(permission, action):
        return None, token
    return person, token


def refused(request, action, token):
    """A link that does nothing (any more): said apart when it has served already, so that whoever opens it
    again does not believe what they recorded with it was lost."""
    reason = "used" if token and links.used(token) else "expired"
    return render(request, "notifications/links/invalid.html", {"reason": reason, "action": action}, status=403)


@login_not_required
def link_step(request, slug, code):
    """« Inscrire une étape » from a reminder: the step form of this one action, for the person the link
    was sent to, without signing in; the link is spent when the step is saved."""
    action = action_of_link(slug, code)
    person, token = person_of_link(request, action, links.STEP, "suivi.add_step")
    if person is None:
        return refused(request, action, token)
    form = StepForm(request.POST or None, action=action, user=person)
    del form.fields["files"]  # someone not signed in sends no file (lib/uploads.py); their action's page takes them
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if not links.use(token, person):
                transaction.set_rollback(True)
                return refused(request, action, token)
            record_step(form, action, person)
        return redirect("notifications:link_done", "etape")
    status = 422 if request.method == "POST" else 200
    return render(request, "notifications/links/step.html", {"action": action, "form": form, "token": token}, status=status)


@login_not_required
def link_check_in(request, slug, code):
    """« Rien de nouveau, toujours en cours » from a reminder: a page with one button (a GET writes
    nothing: mail programs open links), which records the check-in and spends the link."""
    action = action_of_link(slug, code)
    person, token = person_of_link(request, action, links.CHECK_IN, "suivi.add_check_in")
    if person is None:
        return refused(request, action, token)
    if request.method == "POST":
        with transaction.atomic():
            if not links.use(token, person):
                return refused(request, action, token)
            CheckIn.record(person, action)
        return redirect("notifications:link_done", "rien-de-nouveau")
    return render(request, "notifications/links/check_in.html", {"action": action, "token": token, "person": person})


@login_not_required
def link_done(request, what):
    """Where a one-click link lands once it has done its work (a redirect: reloading records nothing)."""
    return render(request, "notifications/links/done.html", {"what": what})


@require_POST
def remind_now(request, slug):
    """« Actions à relancer »: the coordination reminds now the organisations of the actions it ticked."""
    plan = get_plan_for(request.user, slug)
    require(request.user, "notifications.remind_now", plan)
    chosen = set(whole_numbers(request.POST.getlist("action")))
    stale = set(plan.stale_actions().filter(pk__in=chosen).values_list("pk", flat=True)) if chosen else set()
    if not stale:
        messages.error(request, _("Cochez au moins une action à relancer."))
        return redirect("suivi:stale_actions", slug)
    sent, organisations = send_now(plan, stale, request.user)
    if not sent:
        messages.warning(request, _(
            "Personne n’a été relancé : ces organisations n’ont dans ce plan personne qui ait une adresse "
            "courriel et reçoive les rappels. Invitez-en une personne depuis « Personnes »."
        ))
        return redirect("suivi:stale_actions", slug)
    messages.success(request, _("Relance envoyée : %(emails)s aux personnes de %(organisations)s.") % {
        "emails": ngettext("%(count)s courriel", "%(count)s courriels", sent) % {"count": sent},
        "organisations": ngettext("%(count)s organisation", "%(count)s organisations", organisations) % {"count": organisations},
    })
    return redirect("suivi:stale_actions", slug)
