"""A partner records what their organisation did; the coordination reviews it; everyone sees the plan move."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Organisation
from plans.models import Action, ExpectedResult, Role
from suivi.models import Step
from tests.conftest import make_person

SLUG = "lanaudiere-2024-2026"


@pytest.fixture
def own_action(lanaudiere):
    """3.1.1: Action-Logement Lanaudière is a partner through objective 3.1."""
    return lanaudiere.actions.get(code="3.1.1")


def record(client, code, **data):
    payload = {"description": "Rencontre avec les élus de la MRC", "done_on": timezone.localdate().isoformat()}
    payload.update(data)
    return client.post(reverse("suivi:add_step", args=[SLUG, code]), payload)


def test_partner_records_a_step_on_their_action_and_it_waits_for_validation(client, partner, own_action, all_org):
    client.force_login(partner)
    result = own_action.results.get()
    response = record(client, "3.1.1", organisation=all_org.pk, link="https://example.org/cr", results=[result.pk])
    assert response.status_code == 302
    step = Step.objects.get()
    assert (step.action, step.organisation, step.author, step.review) == (own_action, all_org, partner, "pending")
    assert list(step.results.all()) == [result]
    own_action.refresh_from_db()
    assert own_action.status == Action.Status.IN_PROGRESS

    page = client.get(own_action.get_absolute_url())
    assert "Rencontre avec les élus de la MRC" in page.content.decode()
    assert "À valider" in page.content.decode()


def test_date_defaults_to_today_and_cannot_be_in_the_future(client, partner, own_action, all_org):
    client.force_login(partner)
    page = client.get(own_action.get_absolute_url())
    assert page.context["form"]["done_on"].value() == datetime.date.today()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = record(client, "3.1.1", organisation=all_org.pk, done_on=tomorrow.isoformat())
    assert response.status_code == 422
    assert "Une étape réalisée ne peut pas être datée dans le futur." in response.content.decode()
    assert not Step.objects.exists()


def test_empty_description_is_refused_at_the_field(client, partner, all_org, own_action):
    client.force_login(partner)
    response = record(client, "3.1.1", organisation=all_org.pk, description="")
    assert response.status_code == 422
    assert response.context["form"].errors["description"] == ["Ce champ est obligatoire."]
    assert not Step.objects.exists()


def test_partner_cannot_record_for_another_organisation(client, partner, tpdsl, own_action):
    client.force_login(partner)
    response = record(client, "3.1.1", organisation=tpdsl.pk)
    assert response.status_code == 422
    assert "organisation" in response.context["form"].errors
    assert not Step.objects.exists()


def test_coordinator_records_for_any_partner_of_the_action_and_it_counts_at_once(client, coordinator, own_action):
    habeo = Organisation.objects.get(name__startswith="Habeo")
    client.force_login(coordinator)
    assert record(client, "3.1.1", organisation=habeo.pk).status_code == 302
    step = Step.objects.get()
    assert (step.organisation, step.review, step.reviewed_by) == (habeo, Step.Review.VALIDATED, coordinator)


def test_once_validated_a_step_is_changed_only_by_the_coordination(client, partner, coordinator, own_action, all_org):
    step = Step.objects.create(action=own_action, description="Atelier", organisation=all_org, author=partner)
    step.set_review(Step.Review.VALIDATED, by=coordinator)
    client.force_login(partner)
    assert client.get(reverse("suivi:edit_step", args=[SLUG, step.pk])).status_code == 403
    assert client.post(reverse("suivi:delete_step", args=[SLUG, step.pk])).status_code == 403
    assert Step.objects.get().description == "Atelier"
    assert reverse("suivi:edit_step", args=[SLUG, step.pk]) not in client.get(own_action.get_absolute_url()).content.decode()


def test_committee_reviews_only_when_the_plan_allows_it(client, committee_member, partner, lanaudiere, own_action, all_org):
    Step.objects.create(action=own_action, description="Atelier", organisation=all_org, author=partner)
    queue = reverse("suivi:steps_to_review", args=[SLUG])
    client.force_login(committee_member)
    assert client.get(queue).status_code == 403
    lanaudiere.committee_may_validate = True
    lanaudiere.save()
    assert "Atelier" in client.get(queue).content.decode()
    step = Step.objects.get()
    response = client.post(reverse("suivi:validate_step", args=[SLUG, step.pk]), {"next": queue})
    assert client.get(response.url).status_code == 200  # an empty queue, not an error
    client.force_login(partner)
    assert client.get(queue).status_code == 403


def test_adding_or_archiving_a_result_makes_the_status_follow(coordinator, own_action):
    result = own_action.results.get()
    result.achieved_on = timezone.localdate()
    result.save()
    own_action.refresh_status()
    assert own_action.status == Action.Status.DONE
    new = ExpectedResult(action=own_action, text="Un deuxième résultat")
    new.insert_at()
    own_action.refresh_from_db()
    assert (own_action.progress(), own_action.status) == (50, Action.Status.IN_PROGRESS)
    new.archive()
    own_action.refresh_from_db()
    assert own_action.status == Action.Status.DONE


def test_ticking_a_result_moves_progress_and_status_and_can_be_undone(client, partner, lanaudiere):
    action = lanaudiere.actions.get(code="3.2.2")  # two expected results
    first, second = action.results.order_by("number")
    client.force_login(partner)
    url = reverse("suivi:toggle_result", args=[SLUG, first.pk])

    client.post(url, {"achieved": "1"})
    first.refresh_from_db()
    action.refresh_from_db()
    assert (first.achieved_on, first.achieved_by) == (timezone.localdate(), partner)
    assert action.progress() == 50
    assert action.status == Action.Status.IN_PROGRESS

    client.post(reverse("suivi:toggle_result", args=[SLUG, second.pk]), {"achieved": "1"})
    action.refresh_from_db()
    assert (action.progress(), action.status) == (100, Action.Status.DONE)

    client.post(url, {"achieved": "0"})  # undo
    first.refresh_from_db()
    action.refresh_from_db()
    assert first.achieved_on is None and first.achieved_by is None
    assert (action.progress(), action.status) == (50, Action.Status.IN_PROGRESS)


def test_ticking_with_htmx_returns_the_results_fragment(client, partner, own_action):
    client.force_login(partner)
    result = own_action.results.get()
    response = client.post(
        reverse("suivi:toggle_result", args=[SLUG, result.pk]), {"achieved": "1"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="resultats"')
    assert 'value="100"' in html and "Annuler l’atteinte" in html
    assert "Réalisée" in html  # the status is in the fragment too


def test_a_second_click_from_a_page_left_open_changes_nothing(client, partner, own_action):
    """Two tabs, or a double submit: both say "achieved", the result stays achieved."""
    client.force_login(partner)
    result = own_action.results.get()
    url = reverse("suivi:toggle_result", args=[SLUG, result.pk])
    client.post(url, {"achieved": "1"})
    client.post(url, {"achieved": "1"})
    result.refresh_from_db()
    assert result.is_achieved


def test_coordinator_validates_a_step_and_the_proof_is_kept(client, coordinator, partner, own_action, all_org):
    step = Step.objects.create(action=own_action, description="Atelier", organisation=all_org, author=partner)
    client.force_login(coordinator)
    client.post(reverse("suivi:validate_step", args=[SLUG, step.pk]))
    step.refresh_from_db()
    assert (step.review, step.reviewed_by) == (Step.Review.VALIDATED, coordinator)
    assert step.reviewed_at is not None
    assert list(Step.objects.validated()) == [step]


def test_coordinator_sends_a_step_back_with_a_comment_the_partner_sees(client, coordinator, partner, own_action, all_org):
    step = Step.objects.create(action=own_action, description="Atelier", organisation=all_org, author=partner)
    client.force_login(coordinator)
    response = client.post(reverse("suivi:return_step", args=[SLUG, step.pk]), {"comment": ""})
    step.refresh_from_db()
    assert step.review == Step.Review.PENDING  # no comment, nothing changes
    client.post(reverse("suivi:return_step", args=[SLUG, step.pk]), {"comment": "Précisez la date de l’atelier."})
    step.refresh_from_db()
    assert (step.review, step.review_comment) == (Step.Review.RETURNED, "Précisez la date de l’atelier.")

    client.force_login(partner)
    page = client.get(reverse("suivi:my_actions", args=[SLUG])).content.decode()
    assert "Précisez la date de l’atelier." in page
    # Corrected by the partner, it goes back to the coordination.
    response = client.post(
        reverse("suivi:edit_step", args=[SLUG, step.pk]),
        {"description": "Atelier du 3 mars", "done_on": step.done_on.isoformat(), "organisation": all_org.pk,
         "version": step.version},
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.description, step.review) == ("Atelier du 3 mars", Step.Review.PENDING)


def test_coordinator_sets_an_ongoing_status_with_a_reason(client, coordinator, own_action):
    client.force_login(coordinator)
    url = reverse("suivi:action_status", args=[SLUG, "3.1.1"])
    response = client.post(url, {"status": "ongoing", "reason": "", "version": own_action.version})
    assert response.status_code == 422
    assert "Indiquez la raison de cet état." in response.content.decode()
    client.post(url, {"status": "ongoing", "reason": "Veille permanente", "version": own_action.version})
    own_action.refresh_from_db()
    assert (own_action.status, own_action.status_is_manual, own_action.status_reason) == (
        "ongoing",
        True,
        "Veille permanente",
    )
    # A manual status no longer follows the results…
    result = own_action.results.get()
    client.post(reverse("suivi:toggle_result", args=[SLUG, result.pk]), {"achieved": "1"})
    own_action.refresh_from_db()
    assert own_action.status == "ongoing"
    # …until the coordination hands it back.
    client.post(url, {"status": "auto", "reason": "", "version": own_action.version})
    own_action.refresh_from_db()
    assert (own_action.status, own_action.status_is_manual) == ("done", False)


def test_my_actions_lists_the_partner_actions_by_axis(client, partner):
    client.force_login(partner)
    response = client.get(reverse("suivi:my_actions", args=[SLUG]))
    codes = [action.code for action in response.context["actions"]]
    assert codes == ["3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2", "3.3.3"]
    html = response.content.decode()
    assert "Axe 3\u00a0: " in html and "Axe 1\u00a0: " not in html


def test_my_actions_shows_steps_newest_first_and_what_others_did(client, partner, own_action, all_org, tpdsl):
    Step.objects.create(action=own_action, description="Première rencontre", organisation=all_org,
                        done_on=datetime.date(2025, 1, 10))
    Step.objects.create(action=own_action, description="Deuxième rencontre", organisation=all_org,
                        done_on=datetime.date(2025, 6, 10))
    other_action = own_action.plan.actions.get(code="1.1.1")
    Step.objects.create(action=other_action, description="Forum régional", organisation=tpdsl)
    client.force_login(partner)
    html = client.get(reverse("suivi:my_actions", args=[SLUG])).content.decode()
    assert "Forum régional" in html
    opened = open_latest_steps(client, "3.1.1")
    assert opened.index("Deuxième rencontre") < opened.index("Première rencontre")


def open_latest_steps(client, code):
    """What htmx asks when a partner opens an action's list of steps on « Mes actions »."""
    url = reverse("suivi:my_actions", args=[SLUG])
    return client.get(url, {"action": code}, headers={"HX-Request": "true"}).content.decode()


def test_my_actions_draws_an_action_s_steps_when_its_list_is_opened(client, partner, own_action, all_org):
    for n in range(1, 6):
        Step.objects.create(action=own_action, description=f"Rencontre numéro {n}", organisation=all_org,
                            done_on=datetime.date(2025, 1, n))
    client.force_login(partner)
    url = reverse("suivi:my_actions", args=[SLUG])
    html = client.get(url).content.decode()
    # Closed, the list says how many steps there are and, without JavaScript, leads to them.
    assert "5 étapes inscrites" in html and "Rencontre numéro" not in html
    assert 'href="/plans/lanaudiere-2024-2026/actions/3.1.1/#titre-etapes">Voir les étapes de l’action 3.1.1' in html
    assert f'hx-get="{url}?action=3.1.1" hx-trigger="toggle once"' in html
    # Opened: the three latest, newest first, and the way to the others.
    opened = open_latest_steps(client, "3.1.1")
    assert "<html" not in opened
    assert [n for n in range(1, 6) if f"Rencontre numéro {n}<" in opened] == [3, 4, 5]
    assert opened.index("numéro 5") < opened.index("numéro 4") < opened.index("numéro 3")
    assert "Toutes les étapes de cette action" in opened
    # The same address without htmx is the whole page.
    assert "<html" in client.get(url, {"action": "3.1.1"}).content.decode()


def test_my_actions_shows_at_once_the_list_of_an_action_whose_latest_step_was_sent_back(
    client, coordinator, partner, own_action, all_org
):
    Step.objects.create(action=own_action, description="Atelier de janvier", organisation=all_org,
                        done_on=datetime.date(2025, 1, 10))
    returned = Step.objects.create(action=own_action, description="Atelier de mars", organisation=all_org,
                                   done_on=datetime.date(2025, 3, 10))
    returned.set_review(Step.Review.RETURNED, by=coordinator, comment="Joignez le compte rendu.")
    other = own_action.plan.actions.get(code="3.1.2")
    Step.objects.create(action=other, description="Visite du terrain", organisation=all_org)
    client.force_login(partner)
    html = client.get(reverse("suivi:my_actions", args=[SLUG])).content.decode()
    # The returned step first, with the coordination's comment; then open under its action, with the one before.
    assert html.index("Étapes renvoyées par la coordination") < html.index("Atelier de mars")
    assert "Joignez le compte rendu." in html
    assert html.count("Atelier de mars") == 2 and "Atelier de janvier" in html
    assert "<details open><summary>2 étapes inscrites</summary>" in html
    # The other action's list waits to be opened.
    assert "Visite du terrain" not in html and "Voir l’étape de l’action 3.1.2" in html


def test_a_partner_opens_the_list_of_their_own_actions_only(client, partner, other_partner, coordinator, lanaudiere,
                                                            all_org, tpdsl):
    theirs = lanaudiere.actions.get(code="1.1.1")  # TPDSL's, not ALL's
    Step.objects.create(action=theirs, description="Forum régional", organisation=tpdsl)
    client.force_login(partner)
    for code in ["1.1.1", "9.9.9", "", "3.1.1\x00", "'; --"]:
        response = client.get(reverse("suivi:my_actions", args=[SLUG]), {"action": code}, headers={"HX-Request": "true"})
        assert response.status_code == 404, code
    client.force_login(other_partner)
    assert "Forum régional" in open_latest_steps(client, "1.1.1")
    client.force_login(coordinator)  # the coordination acts for no organisation: no « Mes actions »
    response = client.get(reverse("suivi:my_actions", args=[SLUG]), {"action": "1.1.1"}, headers={"HX-Request": "true"})
    assert response.status_code == 403


def test_plan_page_shows_latest_steps_and_progress(client, committee_member, own_action, all_org):
    Step.objects.create(action=own_action, description="Visite de chantier", organisation=all_org)
    result = own_action.results.get()
    result.achieved_on = timezone.localdate()
    result.save()
    client.force_login(committee_member)
    html = client.get(reverse("plans:detail", args=[SLUG])).content.decode()
    assert "Visite de chantier" in html
    assert 'aria-label="Avancement de l’action">100\u00a0%' in html


def test_steps_list_filters_by_organisation_and_period(client, coordinator, own_action, all_org, tpdsl):
    Step.objects.create(action=own_action, description="Étape ALL 2024", organisation=all_org,
                        done_on=datetime.date(2024, 5, 1))
    Step.objects.create(action=own_action, description="Étape ALL 2025", organisation=all_org,
                        done_on=datetime.date(2025, 5, 1))
    Step.objects.create(action=own_action, description="Étape TPDSL", organisation=tpdsl,
                        done_on=datetime.date(2025, 5, 1))
    client.force_login(coordinator)
    url = reverse("suivi:steps", args=[SLUG])
    by_org = client.get(url, {"organisation": all_org.pk}).content.decode()
    assert "Étape ALL 2024" in by_org and "Étape ALL 2025" in by_org and "Étape TPDSL" not in by_org
    by_period = client.get(url, {"start": "2025-01-01", "end": "2025-12-31"}).content.decode()
    assert "Étape ALL 2024" not in by_period and "Étape TPDSL" in by_period
    assert "2 étapes" in by_period
    wrong = client.get(url, {"start": "pas une date"}).content.decode()
    assert "Un filtre n’est pas valable" in wrong


def test_steps_list_pages_a_page_at_a_time(client, coordinator, own_action, all_org):
    Step.objects.bulk_create(
        Step(action=own_action, description=f"Étape {n}", organisation=all_org, done_on=datetime.date(2025, 1, 1))
        for n in range(30)
    )
    client.force_login(coordinator)
    url = reverse("suivi:steps", args=[SLUG])
    first = client.get(url, {"organisation": all_org.pk}).content.decode()
    assert first.count('<li class="step') == 25 and "Page 1 de 2" in first
    assert f"?organisation={all_org.pk}&amp;page=2" in first
    second = client.get(url, {"organisation": all_org.pk, "page": 2}).content.decode()
    assert second.count('<li class="step') == 5


def test_action_page_shows_its_steps_a_page_at_a_time_newest_first(client, partner, own_action, all_org):
    Step.objects.bulk_create(
        Step(action=own_action, description=f"Étape {n}", organisation=all_org, done_on=datetime.date(2025, 1, 1 + n))
        for n in range(30)
    )
    client.force_login(partner)
    url = own_action.get_absolute_url()
    first = client.get(url).content.decode()
    assert first.count('<li class="step') == 25 and "Étapes réalisées <span class=\"meta\">(30)</span>" in first
    assert "Étape 29<" in first and "Étape 5<" in first and "Étape 4<" not in first
    assert 'href="?page=2"' in first and "Page 1 de 2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('<li class="step') == 5 and "Étape 0<" in second and "Étape 29<" not in second


def test_review_queue_pages_a_page_at_a_time_oldest_first(client, coordinator, own_action, all_org):
    Step.objects.bulk_create(
        Step(action=own_action, description=f"Étape {n}", organisation=all_org, done_on=datetime.date(2025, 1, 1))
        for n in range(30)
    )
    validated = Step.objects.create(action=own_action, description="Déjà validée", organisation=all_org)
    validated.set_review(Step.Review.VALIDATED, by=coordinator)
    client.force_login(coordinator)
    url = reverse("suivi:steps_to_review", args=[SLUG])
    first = client.get(url).content.decode()
    assert first.count('<li class="step') == 25 and "Page 1 de 2" in first
    assert "30 étapes attendent la validation, les plus anciennes en premier." in first
    assert 'href="?page=2"' in first and "Suivantes" in first and "Précédentes" not in first
    assert "Étape 0<" in first and "Étape 24<" in first and "Étape 25<" not in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('<li class="step') == 5 and "Étape 29<" in second and "Déjà validée" not in second
    assert 'href="?page=1"' in second and "Page 2 de 2" in second

    # Validating from the second page comes back to it.
    last = Step.objects.get(description="Étape 29")
    response = client.post(reverse("suivi:validate_step", args=[SLUG, last.pk]), {"next": f"{url}?page=2"})
    assert response.url == f"{url}?page=2"
    assert client.get(response.url).content.decode().count('<li class="step') == 4


def test_stale_actions_are_flagged_after_the_plan_delay(lanaudiere, all_org):
    action = lanaudiere.actions.get(code="3.1.1")  # 2024-2025
    today = datetime.date(2025, 9, 1)
    assert action in lanaudiere.stale_actions(today)  # begun in 2024, nothing ever written
    Step.objects.create(action=action, description="Relance", organisation=all_org, done_on=datetime.date(2025, 7, 1))
    assert action not in lanaudiere.stale_actions(today)
    assert action in lanaudiere.stale_actions(datetime.date(2025, 11, 2))  # four months later
    lanaudiere.stale_after_months = 6
    lanaudiere.save()
    assert action not in lanaudiere.stale_actions(datetime.date(2025, 11, 2))
    not_begun = lanaudiere.actions.get(code="3.1.2")  # 2025-2026
    assert not_begun not in lanaudiere.stale_actions(datetime.date(2024, 12, 1))


def test_stale_actions_page_lists_them_for_the_coordinator(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    html = client.get(reverse("suivi:stale_actions", args=[SLUG])).content.decode()
    assert "Actions à relancer" in html and "3.1.1" in html


def test_my_actions_keeps_a_constant_query_count(client, django_assert_max_num_queries, db):
    from tests.factories import make_plan

    counts = []
    for size in (37, 2000):
        plan = make_plan(f"taille-{size}", actions=size)
        organisation = Organisation.objects.get(acronym=f"O-taille-{size}-0")
        person = make_person(f"p{size}", plan, Role.PARTNER, organisation)
        actions = list(Action.objects.filter(plan=plan).for_organisation(organisation)[:50])
        Step.objects.bulk_create(
            Step(action=actions[i % len(actions)], description=f"Étape {i}", organisation=organisation,
                 done_on=datetime.date(2025, 1, 1))
            for i in range(10_000 if size == 2000 else 50)
        )
        client.force_login(person)
        with django_assert_max_num_queries(20) as queries:
            assert client.get(reverse("suivi:my_actions", args=[plan.slug])).status_code == 200
        url = reverse("suivi:my_actions", args=[plan.slug])
        with django_assert_max_num_queries(20) as opening:  # an action's list, opened
            assert client.get(url, {"action": actions[0].code}, headers={"HX-Request": "true"}).status_code == 200
        counts.append((len(queries), len(opening)))
    assert counts[0] == counts[1]


def test_action_page_keeps_a_constant_query_count(client, django_assert_max_num_queries, db):
    from tests.factories import make_plan

    counts = []
    for size in (37, 2000):
        plan = make_plan(f"page-{size}", actions=size)
        person = make_person(f"c{size}", plan, Role.COORDINATOR)
        action = plan.actions.get(code="1.1.1")
        organisation = action.partner_links_in_effect[0].organisation
        Step.objects.bulk_create(
            Step(action=action, description=f"Étape {i}", organisation=organisation) for i in range(5)
        )
        client.force_login(person)
        # 29: the planned steps' section adds three (its list, and its form's organisations and results), the
        # check-ins and the meetings about the action one each, the page of steps its count, the header its
        # unread notices.
        with django_assert_max_num_queries(29) as queries:
            assert client.get(action.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_result_rows_stay_consistent_in_the_database(lanaudiere):
    result = ExpectedResult.objects.filter(plan=lanaudiere).first()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ExpectedResult.objects.filter(pk=result.pk).update(achieved_by=make_person("x"), achieved_on=None)


def test_every_list_of_steps_offers_the_review_to_whoever_reviews_and_to_nobody_else(
    client, coordinator, committee_member, partner, lanaudiere, own_action, all_org
):
    step = Step.objects.create(action=own_action, description="Atelier", organisation=all_org)
    validate, send_back = (reverse(name, args=[SLUG, step.pk]) for name in ("suivi:validate_step", "suivi:return_step"))
    lists = [reverse("plans:detail", args=[SLUG]), reverse("suivi:steps", args=[SLUG]), own_action.get_absolute_url()]
    queue = reverse("suivi:steps_to_review", args=[SLUG])

    def pages(person, urls):
        client.force_login(person)
        return [client.get(url).content.decode() for url in urls]

    for html in pages(coordinator, [*lists, queue]):
        assert validate in html and send_back in html
    for html in pages(committee_member, lists):
        assert validate not in html
    lanaudiere.committee_may_validate = True
    lanaudiere.save()
    for html in pages(committee_member, [*lists, queue]):
        assert validate in html and send_back in html
    for html in pages(partner, lists) + [open_latest_steps(client, "3.1.1")]:
        assert "Atelier" in html and validate not in html and send_back not in html
    lanaudiere.archived_at = timezone.now()  # nothing is reviewed in an archived plan
    lanaudiere.save()
    for html in pages(coordinator, lists):
        assert "Atelier" in html and validate not in html
