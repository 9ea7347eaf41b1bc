"""The Lanaudière 2024-2026 plan is loaded exactly as its document states it (fixtures/README.md lists the
corrections made to the document's numbering)."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from plans.models import Action, Axis, ExpectedResult, Objective, PlanRole

SEED = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "003_d41321152528b18f.txt"


@pytest.fixture
def document():
    if not SEED.exists():
        pytest.skip(f"Le document source est absent : {SEED}")
    return SEED.read_text(encoding="utf-8")


def test_counts_per_axis_match_the_document(lanaudiere):
    counts = {
        axis.code: (
            Objective.objects.filter(axis=axis).count(),
            Action.objects.filter(objective__axis=axis).count(),
            ExpectedResult.objects.filter(action__objective__axis=axis).count(),
        )
        for axis in lanaudiere.axes.all()
    }
    assert counts == {"1": (2, 4, 5), "2": (3, 12, 12), "3": (3, 12, 13), "4": (4, 9, 10)}


def test_plan_statement_is_as_written(lanaudiere):
    assert lanaudiere.title == "Chantier régional en habitation – Plan d’action 2024-2026"
    assert (lanaudiere.first_year, lanaudiere.last_year, lanaudiere.region) == (2024, 2026, "Lanaudière")
    assert lanaudiere.priority.startswith("Favoriser l'accessibilité physique, économique et géographique")
    assert lanaudiere.mission.startswith("Être un lieu de concertation dynamique entre des acteurs multisectoriels")
    assert lanaudiere.values == [
        "Collaboration", "Inclusion", "Solidarité", "Justice sociale et climatique", "Adaptabilité",
    ]
    assert lanaudiere.reporting_year_start_month == 4
    assert "Réalisation d'un bilan annuel et reddition" in lanaudiere.follow_up
    assert lanaudiere.participants.count() == 22


def test_every_text_is_copied_from_the_document(lanaudiere, document):
    texts = [lanaudiere.priority, lanaudiere.mission, *lanaudiere.values, *lanaudiere.follow_up]
    texts += list(Axis.objects.values_list("title", flat=True))
    texts += list(Objective.objects.values_list("title", flat=True))
    texts += [d for d in Objective.objects.values_list("description", flat=True) if d]
    texts += list(Action.objects.values_list("text", flat=True))
    texts += list(ExpectedResult.objects.values_list("text", flat=True))
    missing = [text for text in texts if text not in document]
    assert missing == []


def test_spot_checks(lanaudiere):
    action = Action.objects.get(plan=lanaudiere, code="2.3.4")
    assert action.text == "Envoyer lettres, déclaration, mémoires ou autre, appuyés par un ensemble d’acteurs."
    assert action.period == ""
    result = ExpectedResult.objects.get(plan=lanaudiere, code="4.2.2.1")
    assert result.text.endswith("selon les constats identifiés dans la veille (pas dans ma cours).")
    assert result.period == "2025-2026"
    objective = Objective.objects.get(plan=lanaudiere, code="3.2")
    assert objective.title == "Assurer une veille en habitation"
    assert objective.description.startswith("Définition : Se tenir au courant")


def test_numbering_mistakes_are_corrected(lanaudiere):
    actions = dict(Action.objects.filter(plan=lanaudiere).values_list("code", "text"))
    assert actions["3.3.2"] == "Collaborer aux concertations et autres instances liées à l'habitation."
    assert actions["3.3.3"] == "Promouvoir les bons coups en habitation."
    assert actions["3.3.7"].startswith("Servir de lieu de partage")
    assert actions["4.4.1"] == "Soutenir des initiatives ou des démarches en lien avec l'habitation."
    results = dict(ExpectedResult.objects.filter(plan=lanaudiere).values_list("code", "text"))
    assert results["4.3.2.2"].startswith("Une ressource humaine coordonne le projet de menus travaux")
    assert results["4.3.3.1"].startswith("Les aînés et les personnes avec un handicap")
    assert results["4.4.1.1"].startswith("Les organisations peuvent compter sur le soutien du chantier")
    assert results["3.3.3.1"].startswith("Les bons coups en habitation sont reconnus")


def test_actions_inherit_their_objectives_partners_unless_they_name_their_own(lanaudiere):
    def partners(code):
        action = Action.objects.get(plan=lanaudiere, code=code)
        return [str(link.organisation) for link in action.partner_links_in_effect]

    assert partners("1.1.2") == ["TPDSL", "Démarches territoriales", "Comités locaux en logement"]
    assert partners("3.3.2") == ["Habeo", "OMH Joliette", "DSP", "OMHLS"]
    assert partners("3.3.3") == ["ALL"]
    assert partners("3.3.4") == partners("3.3.1")


def test_organisation_finds_its_actions(lanaudiere):
    from partners.models import Organisation

    all_ = Organisation.objects.get(acronym="ALL")
    codes = sorted(Action.objects.for_organisation(all_).values_list("code", flat=True))
    assert codes == ["3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2", "3.3.3"]


def test_acronym_list_is_the_documents(lanaudiere, document):
    section = document.split("Liste des acronymes")[1].split("Adopté")[0]
    expected = {}
    for line in section.strip().splitlines():
        cells = [cell.strip() for cell in line.split("\t")]
        for acronym, meaning in zip(cells[::2], cells[1::2]):
            if acronym:
                expected[acronym] = meaning
    assert len(expected) == 19
    assert dict(lanaudiere.acronyms()) == expected


def test_working_committees(lanaudiere):
    committees = {c.name: c for c in lanaudiere.committees.all()}
    assert set(committees) == {"Solutions innovantes", "Menus travaux"}
    members = [str(link.organisation) for link in committees["Menus travaux"].member_links.all()]
    assert "TCRAPHL" in members and "UQTR" in members
    assert committees["Menus travaux"].other_members == "citoyen"


def test_load_demo_creates_three_demo_accounts_once(empty_database, settings):
    settings.DEBUG = True
    out = open(os.devnull, "w")
    call_command("load_demo", sans_activite=True, stdout=out)
    call_command("load_demo", sans_activite=True, stdout=out)
    users = get_user_model().objects.order_by("username")
    assert [u.username for u in users] == ["comite", "coordination", "partenaire"]
    assert all(u.check_password("chantier-demo") for u in users)
    roles = dict(PlanRole.objects.values_list("user__username", "role"))
    assert roles == {"coordination": "coordinator", "partenaire": "partner", "comite": "committee"}
    partner = users.get(username="partenaire")
    assert [m.organisation.name for m in partner.memberships.all()] == ["Action-Logement Lanaudière"]
    assert Action.objects.count() == 37


def test_load_demo_refuses_demo_accounts_in_production(empty_database, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG est désactivé"):
        call_command("load_demo", sans_activite=True, stdout=open(os.devnull, "w"))
    assert not get_user_model().objects.exists()
    call_command("load_demo", force=True, sans_activite=True, stdout=open(os.devnull, "w"))
    assert get_user_model().objects.count() == 3
