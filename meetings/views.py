"""A plan's meetings: the list, a meeting's page, and the coordinator's preparation (agenda from the
app's proposals, invitation with its .ics), attendance, minutes and decisions; a committee's page; each
person's calendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lib.access import require
from lib.redirects import back
from plans.models import CommitteeMember
from plans.views import get_plan_for
from suivi.files import accepts_attached_files, serve

from . import agenda
from .calendars import calendar_bytes
from .forms import AgendaPointForm, AttendanceForm, DecisionForm, MeetingForm, MinutesForm
from .invitations import send_invitation
from .models import AgendaPoint, Amendment, Attendance, CalendarKey, Decision, Meeting, MeetingFile


def get_plan_for_meetings(user, slug, permission="meetings.view_meetings"):
    """The plan, 404 without a role in it, 403 when this person may not do this to its meetings."""
    plan = get_plan_for(user, slug)
    require(user, permission, plan)
    return plan


def meeting_queryset():
    """A meeting with what its page shows, in a fixed number of queries."""
    return Meeting.objects.select_related("plan", "committee").prefetch_related(
        Prefetch("agenda", queryset=AgendaPoint.objects.prefetch_related("actions")),
        Prefetch("attendance", queryset=Attendance.objects.select_related("organisation", "person").order_by(
            F("organisation__sort_key").asc(nulls_last=True), "person__last_name", "person__first_name", "pk"
        )),  # organisations in name order, then people (Meeting.attendees keeps it)
        Prefetch("decisions", queryset=Decision.objects.prefetch_related(
            "actions", Prefetch("amendments", queryset=Amendment.objects.select_related("action", "merged_into"))
        )),
        "files",
        "invited",
    )


def get_meeting_for(user, slug, pk, write=False):
    """The meeting of a plan this person takes part in (404 otherwise); with `write`, 403 unless they
    prepare the plan's meetings, before the meeting is looked for."""
    plan = get_plan_for_meetings(user, slug, "meetings.prepare_meetings" if write else "meetings.view_meetings")
    meeting = get_object_or_404(meeting_queryset(), plan=plan, pk=pk)
    require(user, "meetings.change_meeting" if write else "meetings.view_meeting", meeting)
    return meeting


def get_agenda_point_for(user, slug, pk):
    """A point of the agenda of a meeting this person prepares: 404 outside their plans, 403 when they
    do not prepare its meetings."""
    plan = get_plan_for_meetings(user, slug, "meetings.prepare_meetings")
    point = get_object_or_404(AgendaPoint.objects.select_related("meeting__plan"), pk=pk, meeting__plan=plan)
    require(user, "meetings.change_meeting", point.meeting)
    return point


def get_decision_for(user, slug, pk):
    """A decision of a meeting this person prepares, as get_agenda_point_for."""
    plan = get_plan_for_meetings(user, slug, "meetings.prepare_meetings")
    decisions = Decision.objects.select_related("meeting__plan").prefetch_related(
        Prefetch("amendments", queryset=Amendment.objects.select_related("action"))
    )
    decision = get_object_or_404(decisions, pk=pk, meeting__plan=plan)
    require(user, "meetings.change_meeting", decision.meeting)
    return decision


def meeting_list(request, slug):
    """The plan's meetings, the next ones first, then those held; its working committees."""
    plan = get_plan_for_meetings(request.user, slug)
    meetings = list(plan.meetings.select_related("committee").order_by("starts_at"))
    now = timezone.now()
    context = {
        "plan": plan,
        "upcoming": [meeting for meeting in meetings if meeting.starts_at > now],
        "held": [meeting for meeting in meetings if meeting.starts_at <= now][::-1],
        "committees": plan.committees.all(),
    }
    return render(request, "meetings/meeting_list.html", context)


def meeting_create(request, slug):
    plan = get_plan_for_meetings(request.user, slug, "meetings.prepare_meetings")
    meeting = Meeting(plan=plan, created_by=request.user)
    form = MeetingForm(request.POST or None, instance=meeting, plan=plan)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            meeting = form.save()
        messages.success(request, _("Réunion créée. Préparez son ordre du jour, puis envoyez l’invitation."))
        return redirect(meeting)
    context = {"plan": plan, "form": form, "meeting": None}
    return render(request, "meetings/meeting_form.html", context, status=422 if form.errors else 200)


def meeting_history(meeting):
    """What was added to or taken from the meeting's agenda and decisions, by whom and when, newest
    first: two queries."""
    events = {
        AgendaPoint: {"+": _("Point ajouté à l’ordre du jour"), "~": _("Point modifié"), "-": _("Point retiré de l’ordre du jour")},
        Decision: {"+": _("Décision inscrite"), "~": _("Décision modifiée"), "-": _("Décision supprimée")},
    }
    rows = []
    for model, labels in events.items():
        for record in model.history.filter(meeting_id=meeting.pk).select_related("history_user"):
            text = record.title if model is AgendaPoint else record.text
            rows.append({"date": record.history_date, "person": record.history_user, "what": labels[record.history_type], "text": text})
    return sorted(rows, key=lambda row: row["date"], reverse=True)


def meeting_detail(request, slug, pk):
    meeting = get_meeting_for(request.user, slug, pk)
    context = {"plan": meeting.plan, "meeting": meeting, "history": meeting_history(meeting)}
    return render(request, "meetings/meeting_detail.html", context)


def meeting_edit(request, slug, pk):
    meeting = get_meeting_for(request.user, slug, pk, write=True)
    form = MeetingForm(request.POST or None, instance=meeting, plan=meeting.plan)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("Réunion modifiée."))
        return redirect(meeting)
    context = {"plan": meeting.plan, "form": form, "meeting": meeting}
    return render(request, "meetings/meeting_form.html", context, status=422 if form.errors else 200)


def meeting_agenda(request, slug, pk):
    """The agenda: the app's proposals to tick, and a point of one's own."""
    meeting = get_meeting_for(request.user, slug, pk, write=True)
    groups = agenda.proposals(meeting)
    every_proposal = [proposal for _label, found in groups for proposal in found]
    form = AgendaPointForm(request.POST or None, plan=meeting.plan, proposals=every_proposal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            position = len(meeting.agenda.all())
            for proposal in form.ticked():
                position += 1
                point = AgendaPoint.objects.create(
                    meeting=meeting, position=position, title=proposal.title[:300], source=proposal.key
                )
                if proposal.action is not None:
                    point.actions.add(proposal.action)
            if data["title"]:
                point = AgendaPoint.objects.create(
                    meeting=meeting, position=position + 1, title=data["title"], notes=data["notes"]
                )
                point.actions.add(*data["actions"])
        messages.success(request, _("Ordre du jour mis à jour."))
        return redirect(reverse("meetings:agenda", args=[slug, meeting.pk]))
    context = {"plan": meeting.plan, "meeting": meeting, "groups": groups, "form": form}
    return render(request, "meetings/meeting_agenda.html", context, status=422 if form.errors else 200)


def meeting_attendance(request, slug, pk):
    meeting = get_meeting_for(request.user, slug, pk, write=True)
    form = AttendanceForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            meeting.attendance.all().delete()
            Attendance.objects.bulk_create(form.rows())
        messages.success(request, _("Présences enregistrées."))
        return redirect(meeting)
    context = {"plan": meeting.plan, "meeting": meeting, "form": form}
    return render(request, "meetings/meeting_attendance.html", context, status=422 if form.errors else 200)


@accepts_attached_files
def meeting_minutes(request, slug, pk):
    """The minutes (text with the markup of lib/narrative.py) and their files."""
    meeting = get_meeting_for(request.user, slug, pk, write=True)
    form = MinutesForm(request.POST or None, request.FILES or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            form.save_files()
        messages.success(request, _("Compte rendu enregistré."))
        return redirect(meeting)
    context = {"plan": meeting.plan, "meeting": meeting, "form": form}
    return render(request, "meetings/meeting_minutes.html", context, status=422 if form.errors else 200)


def meeting_decisions(request, slug, pk):
    """A decision of the meeting, and the change to the plan it makes, written on the plan at once."""
    meeting = get_meeting_for(request.user, slug, pk, write=True)
    form = DecisionForm(request.POST or None, plan=meeting.plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            decision = Decision.objects.create(meeting=meeting, text=data["text"])
            decision.actions.add(*data["actions"])
            if data["amendment"]:
                Amendment.record(
                    decision, data["amendment"], request.user, action=data["amended_action"],
                    text=data["new_text"].strip(), objective=data["objective"], merged_into=data["merged_into"],
                )
        messages.success(request, _("Décision inscrite."))
        return redirect(reverse("meetings:decisions", args=[slug, meeting.pk]))
    context = {"plan": meeting.plan, "meeting": meeting, "form": form}
    return render(request, "meetings/meeting_decisions.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def delete_agenda_point(request, slug, pk):
    """GET asks for confirmation (without JavaScript; with it, the button asks); POST deletes the point,
    kept in the meeting's history, and renumbers nothing: the points keep their order."""
    point = get_agenda_point_for(request.user, slug, pk)
    meeting = point.meeting
    if request.method == "POST":
        point.delete()
        messages.success(request, _("Point « %(title)s » retiré de l’ordre du jour.") % {"title": point.title})
        return redirect(back(request, reverse("meetings:agenda", args=[slug, meeting.pk])))
    context = {"plan": meeting.plan, "meeting": meeting, "point": point, "next": back(request, "")}
    return render(request, "meetings/confirm_delete.html", context)


@require_http_methods(["GET", "POST"])
def delete_decision(request, slug, pk):
    """As delete_agenda_point; a decision that amended the plan is refused (Decision.can_be_deleted)."""
    decision = get_decision_for(request.user, slug, pk)
    meeting = decision.meeting
    if not decision.can_be_deleted():
        refusal = _(
            "Cette décision a modifié le plan (%(changes)s) : elle reste, car l’historique des actions la "
            "nomme. Pour revenir sur elle, inscrivez une nouvelle décision."
        ) % {"changes": ", ".join(f"{a.get_kind_display().lower()} {a.action.code}" for a in decision.amendments.all())}
        if request.method == "POST":
            messages.error(request, refusal)
            return redirect(back(request, reverse("meetings:decisions", args=[slug, meeting.pk])))
        context = {"plan": meeting.plan, "meeting": meeting, "decision": decision, "refusal": refusal, "next": back(request, "")}
        return render(request, "meetings/confirm_delete.html", context, status=409)
    if request.method == "POST":
        decision.delete()
        messages.success(request, _("Décision supprimée."))
        return redirect(back(request, reverse("meetings:decisions", args=[slug, meeting.pk])))
    context = {"plan": meeting.plan, "meeting": meeting, "decision": decision, "next": back(request, "")}
    return render(request, "meetings/confirm_delete.html", context)


@require_POST
def meeting_invite(request, slug, pk):
    meeting = get_meeting_for(request.user, slug, pk, write=True)
    sent = send_invitation(meeting, request.build_absolute_uri)
    if sent:
        messages.success(request, _("Invitation envoyée à %(n)s personne(s).") % {"n": sent})
    else:
        messages.error(request, _("Personne à inviter : choisissez les organisations invitées (« Modifier »)."))
    return redirect(meeting)


def meeting_ics(request, slug, pk):
    """The meeting for one's calendar."""
    meeting = get_meeting_for(request.user, slug, pk)
    url = request.build_absolute_uri(meeting.get_absolute_url())
    response = HttpResponse(calendar_bytes([meeting], lambda m: url), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reunion-{meeting.pk}.ics"'
    return response


def meeting_file(request, slug, pk):
    """A file of a meeting's minutes, for the people of its plan only."""
    plan = get_plan_for_meetings(request.user, slug)
    return serve(get_object_or_404(MeetingFile.objects.select_related("meeting"), pk=pk, meeting__plan=plan))


def committee_detail(request, slug, pk):
    """A working committee: its members and its meetings."""
    plan = get_plan_for_meetings(request.user, slug)
    committee = get_object_or_404(
        plan.committees.prefetch_related(
            Prefetch("member_links", queryset=CommitteeMember.objects.select_related("organisation"))
        ),
        pk=pk,
    )
    meetings = committee.meetings.select_related("committee").order_by("-starts_at")
    context = {"plan": plan, "committee": committee, "meetings": meetings}
    return render(request, "meetings/committee_detail.html", context)


def my_calendar(request, slug):
    """The address of one's own calendar of the plan's meetings; a POST renews it (the old one stops)."""
    plan = get_plan_for_meetings(request.user, slug)
    key = CalendarKey.objects.for_person(request.user, plan)
    if request.method == "POST":
        key.renew()
        messages.success(request, _("Nouvelle adresse : l’ancienne ne fonctionne plus."))
        return redirect(reverse("meetings:my_calendar", args=[slug]))
    feed = request.build_absolute_uri(reverse("meetings:feed", args=[slug, key.key]))
    return render(request, "meetings/my_calendar.html", {"plan": plan, "feed": feed})


@login_not_required
def calendar_feed(request, slug, key):
    """A person's calendar of the plan's meetings, read by their calendar program without signing in: the
    key is the secret. A wrong or renewed key, or a person no longer in the plan, finds nothing."""
    found = CalendarKey.objects.select_related("user", "plan").filter(key=key, plan__slug=slug).first()
    if found is None or not found.user.is_active or not found.user.has_perm("meetings.view_meetings", found.plan):
        raise Http404
    plan = found.plan
    meetings = plan.meetings.select_related("plan", "committee").prefetch_related("agenda").order_by("starts_at")
    ics = calendar_bytes(
        meetings, lambda m: request.build_absolute_uri(m.get_absolute_url()), name=_("Réunions – %(plan)s") % {"plan": plan}
    )
    return HttpResponse(ics, content_type="text/calendar; charset=utf-8")
