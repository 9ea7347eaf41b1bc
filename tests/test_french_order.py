"""Organisations are listed the French way everywhere, and a step is credited to the person's own
organisation unless they choose another."""

import re

import pytest

from lib.french import of, sort_key
from partners.models import Organisation
from plans.models import PlanRole
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def options(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option value=\"(\d*)\"( selected)?>([^<]*)</option>", select)


def test_the_french_order_ignores_accents_case_and_articles():
    names = ["Ville de Joliette", "les Répits de Gaby", "Économie sociale Lanaudière", "Entraide", "edifice", "Le Relais"]
    assert sorted(names, key=sort_key) == [
        "Économie sociale Lanaudière", "edifice", "Entraide", "Le Relais", "les Répits de Gaby", "Ville de Joliette"
    ]


def test_the_database_orders_organisations_as_python_does():
    names = list(Organisation.objects.values_list("name", flat=True))
    assert names == sorted(names, key=sort_key)
    position = {name: index for index, name in enumerate(names)}
    assert position["Direction de la santé publique"] < position["Économie sociale Lanaudière"] < position["Entreprise d’économie sociale d’aide à domicile"]
    assert position["Philanthropie Lanaudière"] < position["les Répits de Gaby"] < position["Service d’aide à la recherche de logement"]


def test_a_renamed_organisation_moves_in_the_list(db):
    organisation = Organisation.objects.create(name="Zèbre solidaire")
    organisation.name = "À la bonne adresse"
    organisation.save(update_fields=["name"])
    organisation.refresh_from_db()
    assert organisation.sort_key == "a la bonne adresse"


def test_organisations_list_page_is_in_french_order(client, coordinator):
    client.force_login(coordinator)
    html = client.get("/organisations/?per_page=100").content.decode()
    assert html.index("Économie sociale Lanaudière") < html.index("FADOQ") < html.index("les Répits de Gaby") < html.index("Service d’aide")


def test_coordinators_step_form_defaults_to_their_own_organisation(client, lanaudiere):
    tpdsl = Organisation.objects.get(acronym="TPDSL")
    person = make_person("coordo-tpdsl", lanaudiere, PlanRole.Role.COORDINATOR, tpdsl)
    client.force_login(person)
    html = client.get(f"/plans/{lanaudiere.slug}/actions/1.1.1/").content.decode()
    choices = options(html, "organisation")
    assert [label for _, selected, label in choices if selected] == [
        "Table des partenaires du développement social de Lanaudière (TPDSL)"
    ]
    labels = [label for _, _, label in choices]
    assert labels == sorted(labels, key=sort_key)


def test_coordinator_of_no_partner_must_choose_the_organisation(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    html = client.get(f"/plans/{lanaudiere.slug}/actions/1.1.1/").content.decode()
    choices = options(html, "organisation")
    assert choices[0][0] == "" and not any(selected for value, selected, _ in choices if value)
    response = client.post(f"/plans/{lanaudiere.slug}/actions/1.1.1/etapes/", {"description": "Rencontre", "done_on": "2025-01-10"})
    assert "organisation" in response.context["form"].errors
    assert not lanaudiere.actions.get(code="1.1.1").steps.exists()


def test_de_is_elided_before_a_vowel_or_a_mute_h():
    assert of("Action-Logement Lanaudière") == "d’Action-Logement Lanaudière"
    assert of("Habeo") == "d’Habeo"
    assert of("Économie sociale") == "d’Économie sociale"
    assert of("TPDSL") == "de TPDSL"
