"""A year of fictional activity on the demo plan, so that a first run shows every page doing its job: steps
validated, waiting and sent back by several organisations, their files, results achieved, steps planned
ahead, a meeting held and the next one, an adopted bilan.

Everything here is an example and says so: the plan is flagged (`Plan.example_activity`, a notice on each
of its pages), every text written ends with « (exemple fictif) », the people who did it are named so.
It is drawn from a seeded random, over the twelve months before `today`, so the same day gives the same
activity. Each kind of activity has its own function, which adds nothing when its kind is already there:
running `load_demo` again doubles nothing, and a new kind added later fills in an existing demo.
"""

import datetime
import io
import random
from collections import defaultdict

import filetype
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from bilans.forms import AdoptionForm
from bilans.models import Bilan
from bilans.tasks import prepare_bilan
from meetings.models import AgendaPoint, Attendance, Decision, Meeting
from partners.models import Organisation
from plans.models import Action, Membership, PlanRole
from suivi.models import PlannedStep, Step, StepFile

FICTIONAL = "(exemple fictif)"
SEED = 2024  # the plan's first year; any fixed number gives the same activity every time
STEPS = 36
RECENT_PENDING = 6  # the latest steps still wait for the coordination
PEOPLE = 5  # organisations that record steps: ALL (the `partenaire` account) and the four busiest others
FIRST_NAMES = ["Camille", "Dominique", "Sacha", "Maxime", "Alex"]

DESCRIPTIONS = [
    "Rencontre avec les élus municipaux pour présenter les besoins en logement social de la MRC",
    "Atelier d’information sur les droits des locataires, 18 participantes et participants",
    "Visite d’un projet d’habitation communautaire avec les membres du comité de travail",
    "Dépôt d’un mémoire à la consultation régionale sur l’habitation",
    "Publication d’un portrait des besoins en logement des aînés de la région",
    "Formation des intervenantes sur le soutien communautaire en logement social",
    "Séance de travail avec l’office d’habitation sur la liste d’attente",
    "Kiosque d’information au salon régional de l’habitation",
    "Rencontre du comité de locataires pour préparer l’assemblée annuelle",
    "Envoi d’une infolettre aux partenaires sur les programmes de financement",
    "Tournée des organismes du territoire pour recenser les logements insalubres",
    "Participation à la table de concertation régionale en habitation",
]
RETURN_COMMENTS = [
    "Précisez la date de la rencontre et joignez le compte rendu.",
    "Indiquez combien de personnes ont participé et de quelles municipalités.",
    "Cette étape semble concerner l’action voisine : vérifiez l’action choisie.",
]
BILAN_TEXTS = {
    "word": (
        "Ce bilan est un **exemple fictif**, produit au premier lancement de Chantier pour montrer l’application : "
        "les étapes, les résultats atteints et l’adoption qu’il rapporte n’ont pas eu lieu."
    ),
    "highlights": (
        "- Des rencontres avec les élus de plusieurs MRC (exemple fictif)\n"
        "- Un premier portrait des besoins en logement des aînés (exemple fictif)"
    ),
    "challenges": "- La rareté des terrains disponibles pour de nouveaux projets (exemple fictif)",
    "outlook": "Poursuivre la concertation avec les municipalités l’an prochain (exemple fictif).",
}


def fictional(text):
    return f"{text} {FICTIONAL}"


def example_steps(plan):
    return Step.objects.filter(action__plan=plan, description__endswith=FICTIONAL)


@transaction.atomic
def load_activity(plan, coordinator, committee_member, partner, today=None):
    """The whole example year on `plan`, reviewed by `coordinator`, adopted by `committee_member`, with
    `partner` among the people who record steps. Returns what was added, by kind."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    people = example_people(plan, partner)
    # One function per kind of activity, each adding nothing when its kind is there: a new kind (planned
    # steps, check-ins, meetings…) is one more line, and fills in a demo loaded before it existed.
    added = {
        "steps": add_steps(plan, people, coordinator, today, rng),
        "files": add_step_files(plan, rng),
        "results": achieve_results(plan, rng),
        "planned": plan_steps_ahead(plan, people, today),
        "meetings": hold_meetings(plan, people, coordinator, today),
        "bilans": adopt_bilan(plan, coordinator, committee_member, today),
    }
    if not plan.example_activity:
        plan.example_activity = True
        plan.save(update_fields=["example_activity"])
    return added


def example_people(plan, partner):
    """{organisation: the person who records its steps}: `partner` for their organisation, a fictional
    person (who cannot sign in) for each of the busiest other partner organisations of the plan (those
    partners of the most actions)."""
    own = partner.memberships.filter(plan=plan).select_related("organisation").first().organisation
    actions_by_organisation = defaultdict(int)
    for action in Action.objects.filter(plan=plan).active().select_related("objective").with_partners_in_effect():
        for link in action.partner_links_in_effect:
            actions_by_organisation[link.organisation] += 1
    # A group (« Partenaires du chantier », a working committee) records nothing itself: its members do.
    others = sorted(
        (o for o in actions_by_organisation if o != own and o.kind != Organisation.Kind.GROUP),
        key=lambda organisation: (-actions_by_organisation[organisation], organisation.pk),
    )
    people = {own: partner}
    User = get_user_model()
    for first_name, organisation in zip(FIRST_NAMES, others[: PEOPLE - 1]):
        person, created = User.objects.get_or_create(
            username=f"exemple-{organisation.pk}", defaults={"first_name": first_name, "last_name": FICTIONAL}
        )
        if created:
            person.set_unusable_password()
            person.save(update_fields=["password"])
        PlanRole.objects.get_or_create(plan=plan, user=person, defaults={"role": PlanRole.Role.PARTNER})
        Membership.objects.get_or_create(plan=plan, user=person, organisation=organisation)
        people[organisation] = person
    return people


def moment(day, hour):
    """A time of that day, in the app's time zone, never after now."""
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return min(at, timezone.now())


def add_steps(plan, people, coordinator, today, rng):
    """Steps over the twelve months before today, by the organisations of `people`, each on an action it is
    a partner of: the latest waiting for validation, about one in six of the others sent back with a
    comment, the rest validated a few days after they were recorded."""
    if example_steps(plan).exists():
        return 0
    actions_of = defaultdict(list)
    for action in (
        Action.objects.filter(plan=plan).active().select_related("objective").with_partners_in_effect().order_by("code")
    ):
        for link in action.partner_links_in_effect:
            if link.organisation in people:
                actions_of[link.organisation].append(action)
    organisations = [organisation for organisation in people if actions_of[organisation]]
    drawn = []
    for index in range(STEPS):
        organisation = organisations[index % len(organisations)]
        done_on = today - datetime.timedelta(days=rng.randint(0, 364))
        drawn.append((done_on, organisation, rng.choice(actions_of[organisation]), rng.choice(DESCRIPTIONS)))
    drawn.sort(key=lambda row: (row[0], row[1].pk))
    steps, touched = [], set()
    for index, (done_on, organisation, action, description) in enumerate(drawn):
        author = people[organisation]
        step = Step(action=action, organisation=organisation, author=author, done_on=done_on, description=fictional(description))
        recorded_at = moment(done_on + datetime.timedelta(days=rng.randint(0, 3)), 9 + index % 8)
        if index < len(drawn) - RECENT_PENDING:
            step.reviewed_by = coordinator
            step.reviewed_at = max(recorded_at, moment(recorded_at.date() + datetime.timedelta(days=rng.randint(1, 10)), 14))
            if index % 6 == 2:
                step.review, step.review_comment = Step.Review.RETURNED, fictional(rng.choice(RETURN_COMMENTS))
            else:
                step.review = Step.Review.VALIDATED
        # What the history of the step (and the plan's activity) tells: who recorded it, and when.
        step._history_user, step._history_date = author, recorded_at
        step.save()
        step.created_at = recorded_at
        steps.append(step)
        touched.add(action)
    Step.objects.bulk_update(steps, ["created_at"])
    for action in touched:
        action.refresh_status()
    return len(steps)


def example_pdf(step):
    """A one-page PDF, « compte rendu » of the step, made by WeasyPrint like the bilans."""
    import weasyprint  # imported here: it takes a second to load, and only this needs it

    html = (
        f"<h1>Compte rendu {FICTIONAL}</h1><p>{step.done_on:%Y-%m-%d} – {step.organisation}</p>"
        f"<p>{step.description}</p><p>Document d’exemple produit par Chantier : il ne rapporte rien de réel.</p>"
    )
    return weasyprint.HTML(string=html).write_pdf()


def example_png(rng):
    """A small picture (a few hundred bytes), as a photo of an event would be."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 160), (rng.randint(180, 230), rng.randint(200, 240), rng.randint(200, 250)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 60, 200, 140), fill=(120, 90, 60))
    draw.polygon([(30, 60), (120, 15), (210, 60)], fill=(160, 40, 40))
    draw.text((8, 144), FICTIONAL, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def add_step_files(plan, rng):
    """A « compte rendu » PDF on every fifth example step that was validated, a photo on every fourth."""
    steps = list(example_steps(plan).select_related("organisation").order_by("done_on", "pk"))
    if StepFile.objects.filter(step__in=steps).exists():
        return 0
    files = []
    for index, step in enumerate(steps):
        if step.review == Step.Review.VALIDATED and index % 5 == 0:
            files.append((step, "compte-rendu.pdf", example_pdf(step)))
        if index % 4 == 1:
            files.append((step, "photo.png", example_png(rng)))
    for step, name, content in files:
        StepFile.objects.create(
            step=step, file=ContentFile(content, name=name), name=name, content_type=filetype.guess(content).mime, size=len(content)
        )
    return len(files)


def achieve_results(plan, rng):
    """About half the expected results of the actions with validated example steps, each achieved on the
    day of one of those steps, by its author, and named by that step."""
    if plan.results.filter(achieved_on__isnull=False).exists():
        return 0
    achieved, touched = 0, set()
    validated = example_steps(plan).validated().select_related("action", "author").order_by("done_on", "pk")
    for step in validated:
        for result in step.action.results.active().filter(achieved_on__isnull=True).order_by("number"):
            if rng.random() < 0.5:
                continue
            result.check_achieved_on(step.done_on)
            result.achieved_on, result.achieved_by = step.done_on, step.author
            result._history_user, result._history_date = step.author, moment(step.done_on, 16)
            result.save(update_fields=["achieved_on", "achieved_by"])
            step.results.add(result)
            touched.add(step.action)
            achieved += 1
    for action in touched:
        action.refresh_status()
    return achieved


# What the organisations plan ahead, due in so many days from today (a negative number: overdue).
PLANNED = [
    (12, "Présenter le portrait des besoins au conseil des maires"),
    (45, "Organiser une séance d’information pour les propriétaires"),
    (-9, "Envoyer le compte rendu de la tournée aux partenaires"),
]


def plan_steps_ahead(plan, people, today):
    """A step planned ahead by three of the organisations: two coming up, one overdue."""
    if PlannedStep.objects.filter(action__plan=plan, description__endswith=FICTIONAL).exists():
        return 0
    for (organisation, person), (days, text) in zip(people.items(), PLANNED):
        action = Action.objects.live().filter(plan=plan).for_organisation(organisation).order_by("code").first()
        PlannedStep.objects.create(
            action=action, organisation=organisation, description=fictional(text),
            due_on=today + datetime.timedelta(days=days), planned_by=person,
        )
    return len(PLANNED)


def hold_meetings(plan, people, coordinator, today):
    """A chantier meeting held two months ago (who came, its agenda about actions, minutes, a decision) and
    the coordination committee's next one in three weeks, its agenda begun."""
    if Meeting.objects.filter(plan=plan, place__endswith=FICTIONAL).exists():
        return 0
    organisations = list(people)
    actions = list(Action.objects.live().filter(plan=plan).for_organisations(organisations).order_by("code")[:2])
    starts = moment(today - datetime.timedelta(days=60), 13)
    held = Meeting.objects.create(
        plan=plan, body=Meeting.Body.CHANTIER, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2, minutes=30),
        place=fictional("Salle du conseil de la MRC, Joliette"), created_by=coordinator,
        minutes=fictional(
            "Tour de table des organisations sur leurs étapes du trimestre.\n\n"
            "- Le portrait des besoins des aînés sera présenté aux maires.\n- La tournée des logements se poursuit."
        ),
    )
    held.invited.set(organisations)
    for organisation in organisations:  # the last one sent its regrets
        presence = Attendance.Presence.EXCUSED if organisation == organisations[-1] else Attendance.Presence.PRESENT
        Attendance.objects.create(meeting=held, organisation=organisation, presence=presence)
    for position, action in enumerate(actions, start=1):
        point = recorded(AgendaPoint(meeting=held, position=position, title=fictional(f"Suivi de l’action {action.code}")), coordinator)
        point.actions.set([action])
    decision = recorded(
        Decision(meeting=held, text=fictional("Le chantier présentera le portrait des besoins au conseil des maires cet hiver.")),
        coordinator,
    )
    decision.actions.set(actions[:1])
    starts = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=21), datetime.time(9, 30)))
    upcoming = Meeting.objects.create(
        plan=plan, body=Meeting.Body.COORDINATION, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
        place=fictional("Visioconférence"), video_link="https://exemple.org/reunion", created_by=coordinator,
    )
    upcoming.invited.set(organisations[:2])
    recorded(AgendaPoint(meeting=upcoming, position=1, title=fictional("Les étapes en attente de validation")), coordinator)
    return 2


def recorded(item, by):
    """Saved with its history row naming who wrote it, as a page would (no request here to say it)."""
    item._history_user = by
    item.save()
    return item


def adopt_bilan(plan, coordinator, committee_member, today):
    """The bilan of the last complete reporting year, prepared and adopted through the bilans app as the
    committee does it on its pages: the draft prepared by the same task, the adoption read by the same form,
    its PDF made again with the adoption's mark."""
    year = plan.reporting_year(today)[0].year - 1
    if plan.bilans.adopted().filter(year=year).exists():
        return 0
    starts_on, ends_on = plan.reporting_year_starting(year)
    bilan = Bilan.create_draft(plan, starts_on, ends_on, year=year, user=coordinator, texts=BILAN_TEXTS)
    prepare_bilan.call(bilan.pk)
    bilan.refresh_from_db()
    adoption = {
        "adopting_body": fictional("le comité de coordination"),
        "meeting": fictional("Comité de coordination"),
        "adopted_on": today.isoformat(),
    }
    form = AdoptionForm(adoption, bilan=bilan)
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    data = form.cleaned_data
    bilan.adopt(data["meeting"], data["adopted_on"], data["adopting_body"], committee_member)
    prepare_bilan.call(bilan.pk)
    return 1
