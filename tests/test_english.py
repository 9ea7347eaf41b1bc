"""Chantier in English: the language switch of every page, remembered per person; French (fr-CA) for
whoever asks for nothing else; a plan's documents in the plan's language."""

import datetime
import io

import pytest
from django.test import Client
from docx import Document
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from bilans.models import Bilan
from partners.models import LanguageChoice
from plans.models import Plan
from suivi.models import Step
from tests.bilan_fixtures import draft, media, stored_pdf_pages  # noqa: F401 (fixtures)

PASSWORD = "motdepasse-test"  # tests/conftest.py's make_person


def sign_in(client, person):
    """Through the sign-in form, as a person does (what happens at sign-in is what is tested)."""
    response = client.post(reverse("login"), {"username": person.username, "password": PASSWORD})
    assert response.status_code == 302


def switch(client, language, next_url):
    return client.post(reverse("partners:set_language"), {"language": language, "next": next_url})


def text(response):
    return response.content.decode()


@pytest.mark.parametrize("accept_language", [None, "fr-FR,fr;q=0.9", "de-DE,de;q=0.9", "en-US,en;q=0.9", "en-CA"])
def test_every_browser_gets_quebec_french_until_the_person_chooses_english(client, db, accept_language):
    """The browser's language is not read (partners/languages.py says why): the switch decides."""
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    page = client.get(reverse("login"), **headers)
    assert page["Content-Language"] == "fr-ca"
    assert '<html lang="fr-ca">' in text(page) and "Connexion" in text(page)
    switch(client, "en", reverse("login"))
    english = client.get(reverse("login"), **headers)
    assert english["Content-Language"] == "en" and "Sign in" in text(english)


def test_every_page_offers_the_other_language_in_its_own_name(client, partner, lanaudiere):
    client.force_login(partner)
    page = text(client.get(lanaudiere.get_absolute_url()))
    assert f'action="{reverse("partners:set_language")}"' in page
    assert 'value="en" class="link" lang="en">English</button>' in page
    switch(client, "en", lanaudiere.get_absolute_url())
    assert 'value="fr-ca" class="link" lang="fr-ca">Français</button>' in text(client.get(lanaudiere.get_absolute_url()))


def test_partner_who_switches_to_english_reads_their_pages_in_english(client, partner, lanaudiere):
    sign_in(client, partner)
    plan_url = lanaudiere.get_absolute_url()
    response = switch(client, "en", plan_url)
    assert response.status_code == 302 and response["Location"] == plan_url
    assert LanguageChoice.objects.get(person=partner).language == "en"

    plan_page = text(client.get(plan_url))
    assert "My actions" in plan_page and "Sign out" in plan_page
    assert "Mes actions" not in plan_page and "Se déconnecter" not in plan_page
    my_actions = text(client.get(reverse("suivi:my_actions", args=[lanaudiere.slug])))
    assert "My actions" in my_actions and "Mes actions" not in my_actions
    action_url = reverse("suivi:action", args=[lanaudiere.slug, "3.1.1"])  # an action of the partner's organisation
    action_page = text(client.get(action_url))
    assert "Expected results" in action_page and "Résultats attendus" not in action_page
    assert "What was done" in action_page and "Ce qui a été fait" not in action_page  # the step form
    # A refused step comes back with its errors in English, the database unchanged.
    steps = lanaudiere.actions.get(code="3.1.1").steps.count()
    refused = client.post(reverse("suivi:add_step", args=[lanaudiere.slug, "3.1.1"]), {"description": ""})
    assert refused.status_code == 422
    assert "This field is required." in text(refused) and "Ce champ est obligatoire." not in text(refused)
    assert lanaudiere.actions.get(code="3.1.1").steps.count() == steps


def test_the_choice_follows_the_person_to_another_device(client, partner, lanaudiere):
    sign_in(client, partner)
    switch(client, "en", "/")
    client.post(reverse("logout"))

    elsewhere = Client()  # another browser: no cookie
    assert "Connexion" in text(elsewhere.get(reverse("login")))
    sign_in(elsewhere, partner)
    page = elsewhere.get(lanaudiere.get_absolute_url())
    assert "My actions" in text(page) and "Mes actions" not in text(page)
    assert page.cookies["django_language"].value == "en"  # it also holds there once signed out

    switch(elsewhere, "fr-ca", "/")
    assert LanguageChoice.objects.get(person=partner).language == "fr-ca"
    assert "Mes actions" in text(elsewhere.get(lanaudiere.get_absolute_url()))


def test_anonymous_switch_sets_the_cookie_only(client, db):
    response = switch(client, "en", reverse("login"))
    assert response.cookies["django_language"].value == "en"
    assert not LanguageChoice.objects.exists()
    assert "Sign in" in text(client.get(reverse("login")))


def test_an_unknown_language_changes_nothing(client, partner):
    sign_in(client, partner)
    for language in ["xx", "de", ""]:
        response = switch(client, language, "/")
        assert response.status_code == 302
        assert "django_language" not in response.cookies
    assert not LanguageChoice.objects.exists()
    assert client.get(reverse("login"), follow=True).headers["Content-Language"] == "fr-ca"


def test_coordinator_sets_the_plan_s_documents_in_english_and_an_unknown_language_is_refused(
    client, coordinator, lanaudiere
):
    from tests.test_bad_input import settings_data

    client.force_login(coordinator)
    settings_url = reverse("plans:plan_settings", args=[lanaudiere.slug])
    assert 'name="language"' in text(client.get(settings_url))
    refused = client.post(settings_url, settings_data(lanaudiere, reminder_frequency="monthly", language="de"))
    assert refused.status_code == 200
    assert "Sélectionnez un choix valide" in str(refused.context["form"].errors["language"])
    assert Plan.objects.get(pk=lanaudiere.pk).language == "fr-ca"
    saved = client.post(settings_url, settings_data(lanaudiere, reminder_frequency="monthly", language="en"))
    assert saved.status_code == 302
    assert Plan.objects.get(pk=lanaudiere.pk).language == "en"
    # The plan's language is its documents': the coordinator's pages stay in French.
    assert "Se déconnecter" in text(client.get(lanaudiere.get_absolute_url()))


def test_the_bilan_of_an_english_plan_is_in_english_whoever_prepares_it(lanaudiere, committee_member, client):
    lanaudiere.language = "en"
    lanaudiere.save()
    client.force_login(committee_member)  # who reads French
    client.post(reverse("bilans:create", args=[lanaudiere.slug]), {"year": "2024"})
    bilan = Bilan.objects.get(plan=lanaudiere)
    pages = " ".join(stored_pdf_pages(bilan))
    assert "ANNUAL REPORT" in pages and "BILAN ANNUEL" not in pages  # the cover's title, in capitals
    assert "Table of contents" in pages and "Table des matières" not in pages
    assert "Period covered: from April 1, 2024 to March 31, 2025" in pages
    assert "Draft — version 1" in pages and "Projet — version" not in pages
    with bilan.pdf.open("rb") as stored:
        pdf = PdfReader(io.BytesIO(stored.read()))
    assert pdf.trailer["/Root"]["/Lang"] == "en"
    assert pdf.metadata.title.startswith("Annual report – ")
    docx = Document(io.BytesIO(client.get(reverse("bilans:docx", args=[lanaudiere.slug, bilan.pk])).content))
    assert docx.core_properties.language == "en"
    assert docx.core_properties.title.startswith("Annual report – ")


def test_the_bilan_of_a_plan_stays_in_french_by_default(draft):  # noqa: F811
    pages = " ".join(stored_pdf_pages(draft))
    assert "BILAN ANNUEL" in pages and "ANNUAL REPORT" not in pages
    assert "Période couverte : du 1er avril 2024 au 31 mars 2025" in pages
    with draft.pdf.open("rb") as stored:
        assert PdfReader(io.BytesIO(stored.read())).trailer["/Root"]["/Lang"] == "fr-CA"


def test_a_person_who_chose_english_gets_their_emails_in_english(partner, lanaudiere, all_org):
    from notifications.mail import message
    from tests.bilan_fixtures import add_step

    step = add_step(lanaudiere.actions.get(code="3.1.1"), datetime.date(2025, 1, 15), "Atelier", all_org)
    context = {"step": step, "plan": lanaudiere, "url": "https://chantier.example.org/"}
    partner.email = "partenaire@example.org"
    assert message(partner, "step_validated", context).subject == "Votre étape sur l’action 3.1.1 est validée"
    LanguageChoice.objects.create(person=partner, language="en")
    partner.refresh_from_db()  # forgets that it had no choice
    english = message(partner, "step_validated", context)
    assert english.subject == "Your step on action 3.1.1 has been validated"
    assert "Hello" in english.body and "Bonjour" not in english.body


def test_the_chosen_language_is_in_the_person_s_data(client, partner):
    sign_in(client, partner)
    assert "Langue choisie" not in text(client.get(reverse("partners:my_data")))
    switch(client, "en", "/")
    assert client.get(reverse("partners:my_data_json")).json()["identite"]["langue_choisie"] == "en"
    assert "Chosen language" in text(client.get(reverse("partners:my_data")))


def test_of_an_organisation_reads_right_in_both_languages(client, partner, lanaudiere, all_org):
    """« de » before a name is elided in French (« d’Action-Logement ») and "of" in English."""
    sign_in(client, partner)
    sheet_url = reverse("tableur:partner_sheet", args=[lanaudiere.slug])
    assert f"Feuille de suivi d’{all_org.display_name}" in text(client.get(sheet_url))
    switch(client, "en", sheet_url)
    assert f"Tracking sheet of {all_org.display_name}" in text(client.get(sheet_url))


def test_the_plan_document_of_an_english_plan_is_in_english(client, coordinator, lanaudiere):
    lanaudiere.language = "en"
    lanaudiere.save()
    client.force_login(coordinator)  # whose pages are in French
    docx = Document(io.BytesIO(client.get(reverse("bilans:plan_steps_docx", args=[lanaudiere.slug])).content))
    assert docx.core_properties.language == "en"
    assert docx.core_properties.title.startswith("The plan and its completed steps – ")
    assert "Axis 1: Mobilisation et collaboration" in [paragraph.text for paragraph in docx.paragraphs]


def test_a_notice_is_written_in_the_language_of_whom_it_tells(partner, other_partner, lanaudiere, all_org, tpdsl):
    """A coordinator using English sends back two steps: each author reads the notice in their own language."""
    from notifications.models import Notification
    from notifications.notices import step_returned
    from tests.bilan_fixtures import add_step

    LanguageChoice.objects.create(person=other_partner, language="en")
    for author, organisation, code in [(partner, all_org, "3.1.1"), (other_partner, tpdsl, "1.1.1")]:
        step = add_step(lanaudiere.actions.get(code=code), datetime.date(2025, 1, 15), "Atelier", organisation,
                        review=Step.Review.RETURNED)
        step.author = author
        with translation.override("en"):  # the coordinator's language
            step_returned(step)
    assert Notification.objects.get(person=partner).text.startswith("Votre étape sur l’action 3.1.1 est renvoyée")
    assert Notification.objects.get(person=other_partner).text.startswith("Your step on action 1.1.1")


def test_words_french_uses_twice_keep_their_meaning_in_english():
    """« point » of a percentage and of an agenda, « Recherche » the search page and a kind of organisation."""
    from bilans.templatetags.bilans import points
    from partners.models import Organisation

    with translation.override("en"):
        assert [points(1), points(0), points(-3)] == ["+1\u00a0point", "0\u00a0points", "−3\u00a0points"]
        assert Organisation.Kind.RESEARCH.label == "Research"
    with translation.override("fr-ca"):  # a page read in English before leaves English active in this thread
        assert [points(1), points(0), points(-3)] == ["+1\u00a0point", "0\u00a0point", "−3\u00a0points"]
        assert Organisation.Kind.RESEARCH.label == "Recherche"


def test_a_coordinator_using_english_invites_a_newcomer_in_french(client, coordinator, lanaudiere, all_org, mailoutbox):
    LanguageChoice.objects.create(person=coordinator, language="en")
    client.force_login(coordinator)
    response = client.post(reverse("plans:person_invite", args=[lanaudiere.slug]), {
        "first_name": "Julie", "last_name": "Tremblay", "email": "julie@example.org",
        "organisation": all_org.pk, "role": "partner",
    })
    assert response.status_code == 302
    assert mailoutbox[-1].subject.startswith("Invitation à suivre le plan")
