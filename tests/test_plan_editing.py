"""The coordinator edits the plan in the browser: items added, changed, moved, deleted or archived and
restored, partners, the plan's settings, a new plan; nobody else can, and nothing is overwritten silently."""

import pytest
from django.urls import reverse

from partners.models import Organisation
from plans.models import Action, ActionPartner, Axis, ExpectedResult, Objective, Plan, PlanRole
from suivi.models import Step
from tests.factories import make_plan

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def action(plan, code):
    return Action.objects.get(plan=plan, code=code)


def url(name, plan, *args):
    return reverse(f"plans:{name}", args=[plan.slug, *args])


def snapshot(plan):
    """Everything an edit could change: every item's place, texts, version and archive date, the partner
    links, the plan's settings, and how many history rows there are."""
    items = [
        list(model.objects.filter(plan=plan).order_by("pk").values_list("pk", "code", "number", field, "version", "archived_at"))
        for model, field in ((Axis, "title"), (Objective, "title"), (Action, "text"), (ExpectedResult, "text"))
    ]
    links = list(ActionPartner.objects.filter(action__plan=plan).order_by("pk").values_list("action", "organisation", "role", "position"))
    settings = Plan.objects.filter(pk=plan.pk).values_list("title", "last_year", "version").get()
    history = [model.history.count() for model in (Axis, Objective, Action, ExpectedResult, Plan)]
    return items, links, settings, history, Plan.objects.count()


def writes(plan):
    """(description, url, data) for every address that writes, each valid for the coordinator."""
    one = action(plan, "1.1.1")
    archived = action(plan, "1.1.2")
    archived.archive()
    return [
        ("edit", url("edit_item", plan, "actions", one.pk), {"text": "Autre texte", "version": one.version}),
        ("add", url("add_item", plan, "actions"), {"parent": one.objective_id, "text": "Nouvelle", "position": 1}),
        ("move", url("move_item", plan, "actions", one.pk), {"direction": "down"}),
        ("move to", url("move_item", plan, "actions", one.pk), {"position": 3}),
        ("delete", url("delete_item", plan, "actions", one.pk), {}),
        ("archive", url("archive_item", plan, "actions", one.pk), {}),
        ("restore", url("restore_item", plan, "actions", archived.pk), {}),
        ("settings", url("plan_settings", plan), {"title": "Autre", "first_year": 2024, "last_year": 2026,
                                                   "reporting_year_start_month": 4, "stale_after_months": 4, "version": 1}),
        ("copy", reverse("plans:new_plan"), {"title": "Copie", "slug": "copie", "first_year": 2027, "last_year": 2029,
                                             "source": plan.pk}),
    ]


@pytest.mark.parametrize("who, expected", [
    ("partner", 403),
    ("committee_member", 403),
    ("outsider", 404),  # no role in the plan: its existence is not revealed (plans.views.get_plan_for)
    ("other_coordinator", 404),
    ("anonymous", 302),
])
def test_only_the_coordinator_of_the_plan_may_write(client, request, lanaudiere, who, expected):
    requests = writes(lanaudiere)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    before = snapshot(lanaudiere)
    for description, address, data in requests:
        if description == "copy" and who == "other_coordinator":
            # Any coordinator may start a plan, but not from a plan they do not coordinate.
            response = client.post(address, data)
            assert response.status_code == 200, description
            assert "source" in response.context["form"].errors
            continue
        response = client.post(address, data)
        status = 403 if description == "copy" and who in ("partner", "committee_member", "outsider") else expected
        assert response.status_code == status, description
        if status == 302:
            assert response.url.startswith(reverse("login")), description
    assert snapshot(lanaudiere) == before


@pytest.mark.parametrize("who", ["partner", "committee_member"])
def test_people_who_may_not_edit_see_no_controls_and_no_forms(client, request, lanaudiere, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(lanaudiere.get_absolute_url()).content.decode()
    assert "Modifier" not in page and "Ajouter une action" not in page
    assert f'href="{url("plan_settings", lanaudiere)}"' not in page  # no « Réglages » in the plan's navigation
    one = action(lanaudiere, "1.1.1")
    assert client.get(url("edit_item", lanaudiere, "actions", one.pk)).status_code == 403
    assert client.get(url("plan_settings", lanaudiere)).status_code == 403
    assert client.get(url("archived", lanaudiere)).status_code == 403


def test_coordinator_sees_the_controls(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    page = client.get(lanaudiere.get_absolute_url()).content.decode()
    assert page.count('class="edit-link"') == 4 + 12 + 37 + 40
    assert "Ajouter un axe" in page
    assert f'<a href="{url("plan_settings", lanaudiere)}">Réglages</a>' in page  # in the plan's navigation


def test_coordinator_edits_an_action_without_javascript(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    one = action(lanaudiere, "1.1.1")
    page = client.get(url("edit_item", lanaudiere, "actions", one.pk))
    assert "<html" in page.content.decode() and 'name="version" value="1"' in page.content.decode()

    response = client.post(
        url("edit_item", lanaudiere, "actions", one.pk),
        {"text": "Mobiliser encore plus", "period_start": 2025, "period_end": 2026, "version": 1},
    )

    assert response.status_code == 302
    assert response.url == lanaudiere.get_absolute_url() + "#action-1.1.1"
    one.refresh_from_db()
    assert (one.text, one.period, one.version) == ("Mobiliser encore plus", "2025-2026", 2)
    latest = one.history.latest()
    assert latest.history_user == coordinator and latest.text == "Mobiliser encore plus"


def test_with_htmx_the_form_is_a_fragment_and_the_save_answers_with_the_plan(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    one = action(lanaudiere, "1.1.1")
    fragment = client.get(url("edit_item", lanaudiere, "actions", one.pk), headers=HTMX)
    assert "<html" not in fragment.content.decode()
    assert 'id="panel-actions-%d"' % one.pk in fragment.content.decode()
    assert 'hx-select="article.plan"' in fragment.content.decode()
    assert "Ajouter un résultat attendu à l’action 1.1.1" in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]

    response = client.post(url("edit_item", lanaudiere, "actions", one.pk), {"text": "Texte neuf", "version": 1}, headers=HTMX)

    assert response.status_code == 200
    assert '<article class="plan">' in response.content.decode() and "Texte neuf" in response.content.decode()


def test_errors_are_in_french_at_the_field_and_stay_in_the_open_form(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    one = action(lanaudiere, "1.1.1")
    response = client.post(
        url("edit_item", lanaudiere, "actions", one.pk),
        {"text": "", "period_start": 2026, "period_end": 2025, "version": 1},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#panel-actions-{one.pk}"
    form = response.context["form"]
    assert form.errors["text"] == ["Ce champ est obligatoire."]
    assert form.errors["period_end"] == ["L’année de fin ne peut pas précéder l’année de début."]
    one.refresh_from_db()
    assert one.version == 1 and one.text.startswith("Accentuer")


def test_adding_an_action_at_position_1_renumbers_the_others_and_their_results(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    objective = Objective.objects.get(plan=lanaudiere, code="1.1")
    before = list(objective.actions.order_by("number").values_list("pk", flat=True))
    result = ExpectedResult.objects.get(plan=lanaudiere, code="1.1.1.1")

    response = client.post(
        url("add_item", lanaudiere, "actions"), {"parent": objective.pk, "text": "Tout d’abord", "position": 1}
    )

    assert response.status_code == 302
    assert response.url.endswith("#action-1.1.1")
    assert action(lanaudiere, "1.1.1").text == "Tout d’abord"
    for n, pk in enumerate(before, start=2):
        assert Action.objects.get(pk=pk).code == f"1.1.{n}"
    result.refresh_from_db()
    assert result.code == "1.1.2.1"
    # The shifted siblings' new codes are in their history, with who did it.
    shifted = Action.objects.get(pk=before[0]).history.latest()
    assert (shifted.code, shifted.history_user) == ("1.1.2", coordinator)


def test_adding_an_axis_and_a_result(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    client.post(url("add_item", lanaudiere, "axes"), {"title": "Un cinquième axe"})
    assert Axis.objects.get(plan=lanaudiere, code="5").title == "Un cinquième axe"
    one = action(lanaudiere, "1.1.1")
    client.post(url("add_item", lanaudiere, "resultats") + f"?parent={one.pk}", {"parent": one.pk, "text": "Un résultat"})
    assert ExpectedResult.objects.get(plan=lanaudiere, code="1.1.1.2").text == "Un résultat"


def test_moving_an_objective_up_renumbers_its_actions_and_results(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    objective = Objective.objects.get(plan=lanaudiere, code="3.2")
    actions = list(objective.actions.order_by("number").values_list("pk", flat=True))

    response = client.post(url("move_item", lanaudiere, "objectifs", objective.pk), {"direction": "up"})

    assert response.url.endswith("#objectif-3.1")
    assert Objective.objects.get(pk=objective.pk).code == "3.1"
    assert [Action.objects.get(pk=pk).code for pk in actions] == [f"3.1.{n}" for n in range(1, len(actions) + 1)]
    assert ExpectedResult.objects.filter(action_id=actions[0]).first().code.startswith("3.1.1.")
    assert Objective.objects.get(plan=lanaudiere, code="3.2").title != objective.title


def test_moving_to_a_position(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    one = action(lanaudiere, "3.3.1")
    client.post(url("move_item", lanaudiere, "actions", one.pk), {"position": "4"})
    assert Action.objects.get(pk=one.pk).code == "3.3.4"
    assert sorted(Objective.objects.get(plan=lanaudiere, code="3.3").actions.values_list("number", flat=True)) == list(range(1, 8))


def test_deleting_an_action_with_nothing_recorded_deletes_it(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    one = action(lanaudiere, "1.1.1")
    assert "Supprimer" in client.get(url("delete_item", lanaudiere, "actions", one.pk)).content.decode()

    response = client.post(url("delete_item", lanaudiere, "actions", one.pk), follow=True)

    assert not Action.objects.filter(pk=one.pk).exists()
    assert "1.1.1\u00a0: supprimé." in response.content.decode()
    assert action(lanaudiere, "1.1.1").pk != one.pk  # 1.1.2 moved up


def test_deleting_an_action_with_a_step_archives_it_and_it_can_be_restored(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    one = action(lanaudiere, "3.1.1")
    step = Step.objects.create(action=one, description="Rencontre", organisation=Organisation.objects.get(acronym="ALL"))

    response = client.post(url("delete_item", lanaudiere, "actions", one.pk), follow=True)

    one.refresh_from_db()
    assert one.archived_at is not None and Step.objects.filter(pk=step.pk).exists()
    assert "archivé plutôt que supprimé" in response.content.decode()
    assert 'id="action-3.1.1"' in response.content.decode()  # the next one took its code
    archives = client.get(url("archived", lanaudiere)).content.decode()
    assert one.text in archives

    client.post(url("restore_item", lanaudiere, "actions", one.pk))

    one.refresh_from_db()
    last = Objective.objects.get(plan=lanaudiere, code="3.1").actions.active().count()
    assert one.archived_at is None and one.code == f"3.1.{last}"


def test_archiving_an_objective_hides_it_and_its_actions_and_renumbers_the_next(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    objective = Objective.objects.get(plan=lanaudiere, code="2.1")
    actions = list(objective.actions.values_list("text", flat=True))
    next_title = Objective.objects.get(plan=lanaudiere, code="2.2").title

    response = client.post(url("archive_item", lanaudiere, "objectifs", objective.pk), follow=True)

    page = response.content.decode()
    assert "2.1\u00a0: archivé." in page
    assert objective.title not in page and actions[0] not in page
    assert Objective.objects.get(plan=lanaudiere, code="2.1").title == next_title
    assert Action.objects.filter(objective=objective).count() == len(actions)  # kept, below the archived one
    assert objective.title in client.get(url("archived", lanaudiere)).content.decode()


def test_a_save_from_an_older_version_is_refused_and_shows_the_other_version(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    one = action(lanaudiere, "1.1.1")
    theirs = Action.objects.get(pk=one.pk)
    theirs.text = "La version de ma collègue"
    theirs.save_from_version(1)

    response = client.post(url("edit_item", lanaudiere, "actions", one.pk), {"text": "Ma version", "version": 1})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Quelqu’un d’autre a enregistré cet élément" in page
    assert "La version de ma collègue" in page  # theirs, shown
    assert "Ma version" in page  # mine, kept in the form
    assert 'name="version" value="2"' in page
    one.refresh_from_db()
    assert (one.text, one.version) == ("La version de ma collègue", 2)

    # Saving again, knowingly, replaces theirs.
    client.post(url("edit_item", lanaudiere, "actions", one.pk), {"text": "Ma version", "version": 2})
    one.refresh_from_db()
    assert (one.text, one.version) == ("Ma version", 3)


def test_history_shows_who_when_and_before_after(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    result = ExpectedResult.objects.get(plan=lanaudiere, code="1.1.1.1")
    old = result.text
    client.post(url("edit_item", lanaudiere, "resultats", result.pk), {"text": "Nouveau résultat", "version": 1})

    page = client.get(url("item_history", lanaudiere, "resultats", result.pk)).content.decode()

    assert "coordo" in page and "modification" in page
    assert "Nouveau résultat" in page and old in page.replace("&#x27;", "'")
    assert page.index("Nouveau résultat") < page.index("création")  # newest first


def test_partners_keep_their_order_and_the_lead(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    one = action(lanaudiere, "3.3.2")  # Habeo, OMH Joliette, DSP, OMHLS
    existing = [link.organisation for link in one.partner_links.order_by("position")]
    assert existing
    added = Organisation.objects.get(acronym="FRAPRU")

    client.post(
        url("edit_item", lanaudiere, "actions", one.pk),
        {"text": one.text, "version": 1, "partners": [added.pk] + [org.pk for org in existing], "lead": added.pk},
    )

    links = list(one.partner_links.order_by("position"))
    assert [link.organisation for link in links] == existing + [added]
    assert [link.role for link in links] == ["partner"] * len(existing) + ["lead"]
    history = client.get(url("item_history", lanaudiere, "actions", one.pk)).content.decode()
    assert "ajout" in history and str(added) in history and "Porteur" in history

    response = client.post(
        url("edit_item", lanaudiere, "actions", one.pk),
        {"text": one.text, "version": 2, "partners": [existing[0].pk], "lead": added.pk},
    )
    assert "Le porteur doit faire partie des organismes partenaires choisis." in response.content.decode()
    assert one.partner_links.count() == len(existing) + 1


def test_plan_settings(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    data = {
        "title": "", "region": "Lanaudière", "first_year": 2024, "last_year": 2023, "priority": "", "mission": "",
        "values": "Solidarité\nRespect", "follow_up": "", "reporting_year_start_month": 4, "stale_after_months": 3,
        "reminder_frequency": "monthly", "language": "fr-ca", "version": 1,
    }
    response = client.post(url("plan_settings", lanaudiere), data)
    assert response.context["form"].errors == {
        "title": ["Ce champ est obligatoire."],
        "last_year": ["La dernière année ne peut pas précéder la première."],
    }
    assert Plan.objects.get(pk=lanaudiere.pk).title == lanaudiere.title

    response = client.post(url("plan_settings", lanaudiere), {**data, "title": "Plan révisé", "last_year": 2027, "committee_may_validate": "on"})

    assert response.status_code == 302
    plan = Plan.objects.get(pk=lanaudiere.pk)
    assert (plan.title, plan.last_year, plan.values, plan.stale_after_months, plan.committee_may_validate, plan.version) == (
        "Plan révisé", 2027, ["Solidarité", "Respect"], 3, True, 2
    )
    stale = client.post(url("plan_settings", lanaudiere), {**data, "title": "Encore", "last_year": 2027})
    assert "Quelqu’un d’autre a enregistré" in stale.content.decode()
    assert Plan.objects.get(pk=lanaudiere.pk).title == "Plan révisé"

    history = client.get(url("plan_history", lanaudiere)).content.decode()
    assert "Plan révisé" in history and "coordo" in history and "Dernière année" in history


def test_new_plan_empty_or_copied(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    client.post(reverse("plans:new_plan"), {"title": "Plan vide", "slug": "vide", "first_year": 2027, "last_year": 2029})
    empty = Plan.objects.get(slug="vide")
    assert empty.axes.count() == 0
    assert PlanRole.objects.get(plan=empty, user=coordinator).role == "coordinator"

    response = client.post(
        reverse("plans:new_plan"),
        {"title": "Plan 2027-2029", "slug": "lanaudiere-2027-2029", "first_year": 2027, "last_year": 2029, "source": lanaudiere.pk},
    )

    copy = Plan.objects.get(slug="lanaudiere-2027-2029")
    assert response.url == copy.get_absolute_url()
    assert (copy.axes.count(), copy.objectives.count(), copy.actions.count(), copy.results.count()) == (4, 12, 37, 40)
    assert copy.mission == lanaudiere.mission

    again = client.post(reverse("plans:new_plan"), {"title": "X", "slug": "vide", "first_year": 2029, "last_year": 2027})
    assert "slug" in again.context["form"].errors and "last_year" in again.context["form"].errors


@pytest.mark.parametrize("view", ["edit", "add", "history", "move", "save", "archive", "delete", "settings", "archived"])
def test_editing_views_run_the_same_queries_for_37_and_2000_actions(client, django_assert_max_num_queries, coordinator, view):
    counts = []
    for size in (37, 2000):
        plan = make_plan(f"plan-{size}", actions=size)
        coordinator.plan_roles.create(plan=plan, role="coordinator")
        client.force_login(coordinator)
        objective = Objective.objects.get(plan=plan, code="1.1")
        first = objective.actions.get(number=1)
        requests = {
            "edit": lambda: client.get(url("edit_item", plan, "actions", first.pk)),
            "add": lambda: client.get(url("add_item", plan, "actions") + f"?parent={objective.pk}"),
            "history": lambda: client.get(url("item_history", plan, "actions", first.pk)),
            "move": lambda: client.post(url("move_item", plan, "actions", first.pk), {"position": 99}),
            "save": lambda: client.post(url("edit_item", plan, "actions", first.pk), {"text": "x", "version": 1}),
            "archive": lambda: client.post(url("archive_item", plan, "actions", first.pk)),
            "delete": lambda: client.post(url("delete_item", plan, "actions", first.pk)),
            "settings": lambda: client.get(url("plan_settings", plan)),
            "archived": lambda: client.get(url("archived", plan)),
        }
        with django_assert_max_num_queries(45) as captured:  # deleting an action asks what still points at it: steps, planned steps, check-ins, meetings
            response = requests[view]()
        assert response.status_code in (200, 302)
        counts.append(len(captured))
    assert counts[0] == counts[1]
