"""The search box (issue 13): a person finds the actions, expected results, steps and organisations of the
plans they take part in, whatever the capitals, accents or apostrophes they type; never anything of a plan
they are not in."""

import re

from django.urls import reverse

from partners.models import Organisation
from plans.models import Action
from suivi.models import Step
from tests.factories import make_plan

SEARCH = reverse("recherche:search")


def search(client, text, **headers):
    response = client.get(SEARCH, {"q": text}, **headers)
    assert response.status_code == 200
    return response.content.decode()


def section(page, kind):
    """The links of one group of results (« Actions », « Étapes réalisées »…)."""
    match = re.search(rf'<h2 id="titre-trouve-{kind}">.*?</section>', page, re.S)
    return match.group(0) if match else ""


def recorded_step(plan, code, text, acronym="ALL"):
    return Step.objects.create(
        action=Action.objects.get(plan=plan, code=code),
        organisation=Organisation.objects.get(acronym=acronym),
        description=text,
    )


def test_a_partner_finds_an_action_without_typing_its_accents_or_capitals(client, partner, lanaudiere):
    client.force_login(partner)
    page = search(client, "RECENSER la documentation LIEE a l'habitation")
    actions = section(page, "actions")
    assert 'href="/plans/lanaudiere-2024-2026/actions/3.1.1/"' in actions
    assert "Recenser la documentation liée à l’habitation." in actions


def test_the_words_may_come_in_any_order(client, partner, lanaudiere):
    client.force_login(partner)
    assert "3.1.1" in section(search(client, "habitation recenser"), "actions")


def test_an_action_is_found_by_its_code(client, partner, lanaudiere):
    client.force_login(partner)
    actions = section(search(client, "3.1.1"), "actions")
    assert re.findall(r'<span class="code">([\d.]+)</span>', actions) == ["3.1.1"]


def test_expected_results_steps_and_organisations_are_grouped_by_kind(client, partner, lanaudiere):
    recorded_step(lanaudiere, "3.1.1", "Collecte des études municipales sur le logement")
    client.force_login(partner)
    page = search(client, "études")
    steps = section(page, "etapes")
    assert "Collecte des études municipales sur le logement" in steps
    assert "#etape-" in steps
    organisations = section(search(client, "action-logement"), "organisations")
    assert "Action-Logement Lanaudière (ALL)" in organisations
    assert "/organisations/" in organisations
    results = section(search(client, "documentation"), "resultats")
    assert '<span class="code">3.' in results


def test_an_organisation_is_found_by_its_acronym(client, partner, lanaudiere):
    client.force_login(partner)
    assert "Action-Logement Lanaudière" in section(search(client, "all"), "organisations")


def test_steps_of_other_organisations_of_the_plan_are_found_as_the_plan_shows_them(client, other_partner, lanaudiere):
    recorded_step(lanaudiere, "3.1.1", "Inventaire des rapports régionaux")
    client.force_login(other_partner)  # the TPDSL: the plan's steps are everyone's in the plan
    assert "Inventaire des rapports régionaux" in section(search(client, "inventaire"), "etapes")


def test_an_outsider_finds_nothing_of_lanaudiere(client, outsider, lanaudiere):
    recorded_step(lanaudiere, "3.1.1", "Inventaire des rapports régionaux")
    client.force_login(outsider)
    for text in ("habitation", "inventaire", "3.1.1", "action-logement"):
        page = search(client, text)
        assert "Rien ne correspond" in page
        assert 'class="found"' not in page


def test_a_coordinator_of_another_plan_finds_nothing_of_lanaudiere(client, other_coordinator, lanaudiere):
    recorded_step(lanaudiere, "3.1.1", "Inventaire des rapports régionaux")
    client.force_login(other_coordinator)
    for text in ("habitation", "inventaire", "3.1.1", "action-logement"):
        page = search(client, text)
        assert "lanaudiere-2024-2026" not in page
        assert 'class="found"' not in page


def test_a_partner_finds_nothing_of_a_plan_they_are_not_in(client, partner, lanaudiere):
    make_plan("plan-voisin", actions=3)
    client.force_login(partner)
    page = search(client, "réaliser quelque chose")  # every action of that plan says so
    assert "plan-voisin" not in page
    assert "Organisation plan-voisin" not in search(client, "organisation plan-voisin")


def test_a_person_in_two_plans_sees_which_plan_each_result_is_from(client, partner, lanaudiere):
    other = make_plan("plan-voisin", actions=3)
    partner.plan_roles.create(plan=other, role="partner")
    client.force_login(partner)
    actions = section(search(client, "réaliser quelque chose"), "actions")
    assert "/plans/plan-voisin/actions/" in actions
    assert "Plan plan-voisin" in actions


def test_archived_actions_are_not_found(client, partner, lanaudiere):
    Action.objects.get(plan=lanaudiere, code="3.1.1").archive()
    client.force_login(partner)
    assert "Recenser la documentation liée" not in search(client, "recenser la documentation")


def test_as_one_types_only_the_results_come_back(client, partner, lanaudiere):
    client.force_login(partner)
    response = client.get(SEARCH, {"q": "habitation"}, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="resultats"')
    assert "<h1>" not in fragment
    assert "HX-Request" in response["Vary"]


def test_without_javascript_the_page_has_a_plain_form(client, partner, lanaudiere):
    client.force_login(partner)
    page = search(client, "habitation")
    assert re.search(r'<form class="search-page-form" method="get" action="/recherche/"', page)
    assert 'value="habitation"' in page


def test_a_search_box_is_in_the_plans_navigation_and_on_the_home_page(client, partner, lanaudiere):
    client.force_login(partner)
    for url in (lanaudiere.get_absolute_url(), reverse("plans:home")):
        assert re.search(r'<form class="search-form" method="get" action="/recherche/" role="search">', client.get(url).content.decode())


def test_one_letter_asks_for_more_and_bad_input_is_no_error(client, partner, lanaudiere):
    client.force_login(partner)
    assert "Tapez au moins deux lettres." in search(client, "a")
    assert "Tapez au moins deux lettres." not in search(client, "")
    assert "Rien ne correspond" in search(client, "zz\x00zz")
    assert "Rien ne correspond" in search(client, "%_%")  # no wildcard: found literally, so nothing
    long = search(client, "habitation " * 50)
    assert 'maxlength="100"' in long


def test_a_long_list_is_cut_and_says_so(client, coordinator, lanaudiere):
    for n in range(25):
        recorded_step(lanaudiere, "3.1.1", f"Rencontre numéro {n}")
    client.force_login(coordinator)
    page = search(client, "rencontre numero")
    assert len(re.findall(r"#etape-\d+", section(page, "etapes"))) == 20
    assert "Seuls les 20 premiers de chaque sorte sont montrés" in page


def test_the_search_asks_the_same_number_of_queries_on_a_large_plan(client, coordinator, django_assert_max_num_queries):
    big = make_plan("grand-plan", actions=2000)
    small = make_plan("petit-plan", actions=37)
    counts = []
    for plan in (small, big):
        coordinator.plan_roles.all().delete()
        coordinator.plan_roles.create(plan=plan, role="coordinator")
        client.force_login(coordinator)
        with django_assert_max_num_queries(12) as captured:
            search(client, "réaliser")
        counts.append(len(captured))
    assert counts[0] == counts[1]
