"""The interface writes French as the PDF does, on its main pages for each role: no ordinary space before
« : ; ! ? » (a non-breaking one before « : », a narrow one before the others), and « 1er avril », never
« 1 avril ». The plan's own texts are kept as the document writes them, so they are left out of the check."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

SLUG = "lanaudiere-2024-2026"
MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
PAGES = {
    "coordinator": ["/", f"/plans/{SLUG}/", f"/plans/{SLUG}/actions/", f"/plans/{SLUG}/etapes/",
                    f"/plans/{SLUG}/etapes/a-valider/", f"/plans/{SLUG}/a-relancer/", f"/plans/{SLUG}/personnes/",
                    f"/plans/{SLUG}/activite/", f"/plans/{SLUG}/bilans/", f"/plans/{SLUG}/tableur/",
                    f"/plans/{SLUG}/modifier/", f"/plans/{SLUG}/actions/1.1.1/", "/organisations/", "/plans/importer/",
                    "/comptes/password_change/"],
    "partner": ["/", f"/plans/{SLUG}/", f"/plans/{SLUG}/mes-actions/", f"/plans/{SLUG}/actions/3.1.1/",
                f"/plans/{SLUG}/tableur/mon-organisme/", "/comptes/mes-donnees/"],
    "committee_member": ["/", f"/plans/{SLUG}/", f"/plans/{SLUG}/bilans/"],
}


class TextNodes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in ("script", "style", "textarea")

    def handle_endtag(self, tag):
        self.skipping -= tag in ("script", "style", "textarea") and self.skipping > 0

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data)


def plan_texts():
    """Every text of the Lanaudière plan as its document writes it."""
    found = []

    def walk(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads((Path(settings.BASE_DIR) / "fixtures" / "lanaudiere-2024-2026.json").read_text()))
    return found


def typography_faults(html, document_texts):
    parser = TextNodes()
    parser.feed(html)
    faults = []
    for text in parser.texts:
        for match in re.finditer(rf" [:;!?]|« | »|(?<![\d.])1 ({MONTHS})\b", text):
            around = text[max(0, match.start() - 25): match.end() + 10]
            piece = text[max(0, match.start() - 12): match.end() + 3].strip()
            if any(piece in document for document in document_texts):
                continue  # the plan's own words
            faults.append(around)
    return faults


def test_typography_checker_finds_what_it_should():
    faults = typography_faults("<p>Mot de passe oublié ?</p><p>le 1 avril 2025</p><p>la page « Mes actions »</p>", [])
    assert faults[:2] == ["Mot de passe oublié ?", "le 1 avril 2025"]
    assert len(faults) == 4 and all("« Mes action" in fault for fault in faults[2:])  # both guillemets
    assert typography_faults("<p>Mot de passe oublié\u202f?</p><p>le 1er avril</p><script>a ? b : c</script>", []) == []


def faults_on_pages(client, urls, documents):
    """{url: its first five faults} for these pages, read by the signed-in person; each must answer 200."""
    faults = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if found := typography_faults(response.content.decode(), documents):
            faults[url] = found[:5]
    return faults


@pytest.mark.parametrize("person", list(PAGES))
def test_main_pages_follow_french_typography(client, request, person):
    client.force_login(request.getfixturevalue(person))
    faults = faults_on_pages(client, PAGES[person], plan_texts())
    assert faults == {}, "\n".join(f"{url}: {found}" for url, found in faults.items())


def test_the_sign_in_page_follows_french_typography(client):
    assert typography_faults(client.get("/comptes/login/").content.decode(), []) == []


def test_dates_times_and_percentages_have_one_way_of_being_written():
    import datetime

    from django.template import engines

    template = engines["django"].from_string(
        '{{ day|date }}|{{ moment|date:"DATETIME_FORMAT" }}|{{ moment|time }}|{{ 50|percent }}|{{ "Action-Logement"|de }}'
    )
    rendered = template.render({"day": datetime.date(2025, 4, 1), "moment": datetime.datetime(2025, 4, 12, 19, 57)})
    assert rendered == "1er avril 2025|12 avril 2025, 19\u00a0h\u00a057|19\u00a0h\u00a057|50\u00a0%|d’Action-Logement"


def test_under_english_the_same_filters_write_english():
    import datetime

    from django.template import engines
    from django.utils import translation

    template = engines["django"].from_string(
        '{{ day|date }}|{{ moment|date:"DATETIME_FORMAT" }}|{{ moment|time }}|{{ day|date:"WEEKDAY_DATE_FORMAT" }}|'
        '{{ 50|percent }}|{{ "Action-Logement"|de }}|{% load i18n %}{% translate "Lieu" %}{% colon %}'
    )
    context = {"day": datetime.date(2025, 4, 1), "moment": datetime.datetime(2025, 4, 12, 19, 57)}
    with translation.override("en"):
        rendered = template.render(context)
    assert rendered == "April 1, 2025|April 12, 2025, 7:57 p.m.|7:57 p.m.|Tuesday, April 1, 2025|50%|of Action-Logement|Location:"
    assert template.render(context).endswith("|mardi 1er avril 2025|50\u00a0%|d’Action-Logement|Lieu\u00a0:")


def test_zero_is_singular_in_french(client, coordinator, lanaudiere):
    from django.utils.translation import ngettext

    assert ngettext("%(counter)s étape", "%(counter)s étapes", 0) == "%(counter)s étape"
    client.force_login(coordinator)
    page = client.get(f"/plans/{lanaudiere.slug}/activite/", {"since": "2999-01-01"}).content.decode()
    assert "0 changement<" in page


def test_a_meetings_pages_and_a_planned_step_follow_french_typography(client, lanaudiere, coordinator, partner):
    import datetime

    from django.utils import timezone

    from meetings.models import Meeting
    from partners.models import Organisation
    from suivi.models import PlannedStep

    starts_at = timezone.now() + datetime.timedelta(days=7)
    meeting = Meeting.objects.create(plan=lanaudiere, body=Meeting.Body.CHANTIER, starts_at=starts_at,
                                     ends_at=starts_at + datetime.timedelta(hours=2), place="Joliette")
    action = lanaudiere.actions.get(code="3.1.1")
    PlannedStep.objects.create(action=action, organisation=Organisation.objects.get(acronym="ALL"),
                               description="Rencontrer les élus", due_on=timezone.localdate() - datetime.timedelta(days=2))
    base = f"/plans/{SLUG}/reunions/{meeting.pk}/"
    pages = {coordinator: [f"/plans/{SLUG}/reunions/", f"/plans/{SLUG}/reunions/nouvelle/", base, base + "ordre-du-jour/",
                           base + "presences/", base + "compte-rendu/", base + "decisions/", action.get_absolute_url()],
             partner: [f"/plans/{SLUG}/mes-actions/", action.get_absolute_url()]}
    documents, faults = plan_texts(), {}
    for person, urls in pages.items():
        client.force_login(person)
        faults.update(faults_on_pages(client, urls, documents))
    assert faults == {}, "\n".join(f"{url}: {found}" for url, found in faults.items())


def test_the_reminders_emails_follow_french_typography(lanaudiere, partner, coordinator, mailoutbox):
    from notifications.reminders import send_reminders

    for person, email in ((partner, "all@example.org"), (coordinator, "coordo@example.org")):
        person.email = email
        person.save()
    send_reminders(plans=[lanaudiere])
    assert len(mailoutbox) >= 2
    documents = plan_texts()
    for email in mailoutbox:
        html = next(content for content, kind in email.alternatives if kind == "text/html")
        assert typography_faults(f"<p>{email.subject}</p>", []) == [], email.subject
        assert typography_faults(html, documents) == [], email.subject
        # The text part, read as one text: its lines are the same sentences as the HTML's.
        assert typography_faults(f"<pre>{email.body.replace('<', '&lt;')}</pre>", documents) == [], email.subject
