"""People see the plans they take part in, as a tree; nobody else sees them."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_plan


def plan_url(plan):
    return reverse("plans:detail", args=[plan.slug])


def test_anonymous_visitor_is_sent_to_sign_in(client, lanaudiere):
    response = client.get(plan_url(lanaudiere))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_sign_in_page_is_in_french(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Nom d’utilisateur" in response.content.decode()
    assert "Se connecter" in response.content.decode()


def test_home_lists_the_plans_of_the_person(client, partner, lanaudiere):
    other = make_plan("autre-plan", actions=3)
    client.force_login(partner)
    page = client.get(reverse("plans:home")).content.decode()
    assert lanaudiere.title in page
    assert other.title not in page


def test_person_without_role_cannot_see_the_plan(client, outsider, lanaudiere):
    client.force_login(outsider)
    assert client.get(plan_url(lanaudiere)).status_code == 404
    assert lanaudiere.title not in client.get(reverse("plans:home")).content.decode()


def test_superuser_sees_every_plan(client, django_user_model, lanaudiere):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "motdepasse-test")
    client.force_login(admin)
    assert client.get(plan_url(lanaudiere)).status_code == 200


@pytest.mark.parametrize("person", ["coordinator", "partner", "committee_member"])
def test_each_role_reads_the_whole_lanaudiere_plan(client, request, person, lanaudiere):
    client.force_login(request.getfixturevalue(person))
    page = client.get(plan_url(lanaudiere)).content.decode()
    assert len(re.findall(r'<section class="axis"', page)) == 4
    assert len(re.findall(r'<section class="objective"', page)) == 12
    assert len(re.findall(r'<li class="action"', page)) == 37
    assert len(re.findall(r'<li class="result', page)) == 40
    assert "Axe 3\u00a0: Documentation, veille et transfert de connaissance et d’actions" in page
    assert "Favoriser le maintien à domicile des aînés et des personnes en situation d&#x27;handicap" in page
    assert "Justice sociale et climatique" in page


def test_plan_page_shows_partners_and_reference_periods(client, partner, lanaudiere):
    client.force_login(partner)
    page = client.get(plan_url(lanaudiere)).content.decode()
    action = page.split('id="action-2.2.3"')[1].split("</li>")[0]
    assert '<span class="period" title="Année de référence">2026</span>' in action
    objective = page.split('id="objectif-3.3"')[1].split('id="action-3.3.1"')[0]
    assert 'title="Table des partenaires du développement social de Lanaudière">TPDSL' in objective
    own = page.split('id="action-3.3.3"')[1].split("</li>")[0]
    assert "Partenaires de l’action" in own
    assert 'title="Action-Logement Lanaudière">ALL' in own


def test_acronym_page_lists_the_plans_acronyms(client, partner, lanaudiere):
    client.force_login(partner)
    page = client.get(reverse("plans:acronyms", args=[lanaudiere.slug])).content.decode()
    assert "<dt>FOBNLH3L</dt><dd>Fédération des OBNL habitation Lanaudière, Laurentides, Laval</dd>" in page
    assert "<dt>OMH</dt><dd>Office municipal d’habitation</dd>" in page


def test_plan_page_query_count_does_not_grow_with_the_plan(
    client, django_assert_max_num_queries, coordinator, settings
):
    settings.PLAN_PAGE_INLINE_ACTIONS = 5000  # every action on the page, at both sizes
    big = make_plan("grand-plan", actions=2000)
    small = make_plan("petit-plan", actions=37)
    for plan in (small, big):
        coordinator.plan_roles.create(plan=plan, role="coordinator")
    client.force_login(coordinator)
    counts = []
    for plan in (small, big):
        # 17 for the tree; the overview adds its steps' counts and the visit's upsert, the navigation its
        # counts, the header its unread notices (the last visit is read with the plan), the planned steps
        # their two lists and counts.
        with django_assert_max_num_queries(24) as captured:
            response = client.get(plan_url(plan))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert response.content.decode().count('<li class="action"') == 2000


def test_a_large_plan_loads_each_objective_actions_as_they_come_into_view(
    client, django_assert_max_num_queries, coordinator, settings
):
    settings.PLAN_PAGE_INLINE_ACTIONS = 300
    big = make_plan("grand-plan", actions=2000)
    coordinator.plan_roles.create(plan=big, role="coordinator")
    client.force_login(coordinator)
    page = client.get(plan_url(big)).content.decode()
    assert '<li class="action"' not in page
    objective_url = reverse("plans:objective", args=[big.slug, "1.1"])
    assert f'hx-get="{objective_url}" hx-trigger="revealed"' in page
    assert "Voir les 100 actions de l’objectif 1.1" in page  # the link that works without JavaScript

    counts = []
    for code in ("1.1", "4.5"):
        with django_assert_max_num_queries(16) as captured:
            fragment = client.get(reverse("plans:objective", args=[big.slug, code]), headers={"HX-Request": "true"})
        assert fragment.status_code == 200
        counts.append(len(captured))
        html = fragment.content.decode()
        assert html.count('<li class="action"') == 100
        assert "<html" not in html
    assert counts[0] == counts[1]
    full_page = client.get(objective_url).content.decode()
    assert "<html" in full_page and full_page.count('<li class="action"') == 100


def test_objective_page_is_refused_to_people_outside_the_plan(client, outsider, lanaudiere):
    client.force_login(outsider)
    assert client.get(reverse("plans:objective", args=[lanaudiere.slug, "1.1"])).status_code == 404
