"""Personal information (Quebec's Law 25): the privacy page, open to everyone; « Mes données », a person's
own data as a page and as JSON; and the erasure of a departed person by whoever answers for every plan they
were in (partners.erase_person)."""

import json

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.access import require
from lib.redirects import back

from .models import Erasure, InstanceAdministrator, Organisation
from .personal_data import personal_data, plan_model
from .rules import plans_of_person


def privacy_officers():
    """Who answers for personal information: the person the PRIVACY_OFFICER_* settings name, otherwise the
    instance administrators (as name and email each)."""
    if settings.PRIVACY_OFFICER_NAME or settings.PRIVACY_OFFICER_EMAIL:
        return [{"name": settings.PRIVACY_OFFICER_NAME, "email": settings.PRIVACY_OFFICER_EMAIL}]
    return [
        {"name": admin.user.get_full_name(), "email": admin.user.email}
        for admin in InstanceAdministrator.objects.filter(user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    ]


@login_not_required
def privacy(request):
    """What Chantier keeps about people, why, for how long, and whom to ask."""
    context = {
        "officers": privacy_officers(),
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        "invitation_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
        "records_sign_in_attempts": apps.is_installed("axes"),
    }
    return render(request, "partners/privacy.html", context)


def my_data(request):
    """The signed-in person's data, as a page."""
    return render(request, "partners/my_data.html", {"data": personal_data(request.user)})


def my_data_json(request):
    """The same data, as a JSON file to keep (UTF-8, readable)."""
    body = json.dumps(personal_data(request.user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"mes-donnees-chantier-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def get_person_to_erase_for(user, user_id):
    """A person whose personal information this person may erase: 404 when there is none, 403 when they
    may not (partners.erase_person)."""
    person = get_object_or_404(
        get_user_model().objects.select_related("instance_administrator", "deactivation"), pk=user_id
    )
    require(user, "partners.erase_person", person)
    return person


def person_erase(request, user_id):
    """The confirmation page (what will happen), then the erasure, in one transaction (Erasure.erase)."""
    person = get_person_to_erase_for(request.user, user_id)
    next_page = back(request, "")
    if request.method == "POST":
        Erasure.erase(person, by=request.user)
        # The message names no one: it may wait in the session, in the database.
        messages.success(request, _("Les données personnelles de cette personne sont effacées. Ses étapes restent, au nom de son organisation."))
        return redirect(next_page or "plans:home")
    context = {
        "person": person,
        "plans": plan_model().objects.filter(pk__in=plans_of_person(person)).order_by("title"),
        "step_count": person.steps.count(),
        "step_organisations": Organisation.objects.filter(steps__author=person).distinct(),
        "next": next_page,
    }
    return render(request, "partners/person_erase.html", context)
