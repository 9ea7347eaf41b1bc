"""Two people change one step, or one action's status, from the same page: the second is told, with what
the first saved, and overwrites nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Organisation
from plans.models import PlanRole
from suivi.models import Step
from tests.conftest import make_person

SLUG = "lanaudiere-2024-2026"


@pytest.fixture
def step(lanaudiere, partner):
    return Step.objects.create(
        action=lanaudiere.actions.get(code="3.1.1"),
        organisation=Organisation.objects.get(acronym="ALL"),
        author=partner,
        description="Rencontre des élus",
        done_on=timezone.localdate(),
    )


@pytest.fixture
def colleague(lanaudiere):
    """Another partner of Action-Logement Lanaudière."""
    return make_person("collegue-all", lanaudiere, PlanRole.Role.PARTNER, Organisation.objects.get(acronym="ALL"))


def edit(client, step, description, version):
    data = {
        "description": description,
        "done_on": step.done_on.isoformat(),
        "organisation": step.organisation_id,
        "version": version,
    }
    return client.post(reverse("suivi:edit_step", args=[SLUG, step.pk]), data)


def test_the_second_of_two_people_editing_a_step_is_told_and_overwrites_nothing(client, partner, colleague, step):
    url = reverse("suivi:edit_step", args=[SLUG, step.pk])
    client.force_login(partner)
    assert f'name="version" value="{step.version}"' in client.get(url).content.decode()
    opened_on = step.version  # both open the form on the same version

    client.force_login(colleague)
    assert edit(client, step, "Rencontre des élus de la MRC de Joliette", opened_on).status_code == 302

    client.force_login(partner)
    response = edit(client, step, "Rencontre des élus (compte rendu joint)", opened_on)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Quelqu’un d’autre a enregistré cette étape pendant que vous la modifiiez" in html
    assert "Rencontre des élus de la MRC de Joliette" in html  # the other's change, shown
    assert "Rencontre des élus (compte rendu joint)" in html  # their own typing, kept in the form
    step.refresh_from_db()
    assert step.description == "Rencontre des élus de la MRC de Joliette"
    assert step.history.count() == 2  # created, then the colleague's change: nothing else written

    # Saving again from the page they were shown replaces it knowingly.
    assert edit(client, step, "Rencontre des élus (compte rendu joint)", step.version).status_code == 302
    step.refresh_from_db()
    assert step.description == "Rencontre des élus (compte rendu joint)"


def test_a_step_edit_without_its_version_is_refused(client, partner, step):
    client.force_login(partner)
    data = {"description": "Sans version", "done_on": step.done_on.isoformat(), "organisation": step.organisation_id}
    response = client.post(reverse("suivi:edit_step", args=[SLUG, step.pk]), data)
    assert response.status_code == 200
    step.refresh_from_db()
    assert step.description == "Rencontre des élus"


def test_a_review_between_opening_and_saving_is_not_undone_silently(client, partner, coordinator, step):
    """The coordinator validates while the partner edits: the partner's save from before is refused."""
    opened_on = step.version
    client.force_login(coordinator)
    data = {"description": "Rencontre des élus — validée", "done_on": step.done_on.isoformat(),
            "organisation": step.organisation_id, "version": opened_on}
    assert client.post(reverse("suivi:edit_step", args=[SLUG, step.pk]), data).status_code == 302
    client.force_login(partner)
    assert edit(client, step, "Autre chose", opened_on).status_code == 409
    step.refresh_from_db()
    assert step.description == "Rencontre des élus — validée"


def test_two_coordinators_setting_an_action_status_the_second_is_told(client, coordinator, lanaudiere):
    action = lanaudiere.actions.get(code="3.1.1")
    second = make_person("coordo-2", lanaudiere, PlanRole.Role.COORDINATOR)
    url = reverse("suivi:action_status", args=[SLUG, action.code])
    opened_on = action.version

    client.force_login(coordinator)
    assert client.post(url, {"status": "ongoing", "reason": "Veille permanente", "version": opened_on}).status_code == 302

    client.force_login(second)
    response = client.post(url, {"status": "abandoned", "reason": "Plus de financement", "version": opened_on})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Quelqu’un d’autre a modifié cette action pendant que vous en fixiez l’état" in html
    assert "Veille permanente" in html  # the status as the other set it, in the form
    action.refresh_from_db()
    assert (action.status, action.status_reason) == ("ongoing", "Veille permanente")


def test_an_action_edited_in_the_plan_meanwhile_refuses_an_older_status(client, coordinator, lanaudiere):
    action = lanaudiere.actions.get(code="3.1.1")
    opened_on = action.version
    client.force_login(coordinator)
    edit_url = reverse("plans:edit_item", args=[SLUG, "actions", action.pk])
    data = {"text": "Recenser la documentation", "period_start": "", "period_end": "", "version": opened_on}
    assert client.post(edit_url, data).status_code == 302
    url = reverse("suivi:action_status", args=[SLUG, action.code])
    assert client.post(url, {"status": "abandoned", "reason": "Fini", "version": opened_on}).status_code == 409
    action.refresh_from_db()
    assert (action.text, action.status_is_manual) == ("Recenser la documentation", False)


def test_a_review_takes_a_new_version_of_the_step(coordinator, step):
    opened_on = step.version
    step.set_review(Step.Review.VALIDATED, by=coordinator)
    assert step.version == opened_on + 1
    step.refresh_from_db()
    assert step.version == opened_on + 1
    step.set_review(Step.Review.RETURNED, by=coordinator, comment="Joignez le compte rendu.")
    step.refresh_from_db()
    assert step.version == opened_on + 2


def test_a_partner_saving_a_step_sent_back_meanwhile_is_told_and_overwrites_nothing(client, partner, coordinator, step):
    client.force_login(partner)
    opened_on = step.version  # the partner opens the form
    client.force_login(coordinator)
    assert client.post(
        reverse("suivi:return_step", args=[SLUG, step.pk]), {"comment": "Précisez la date."}
    ).status_code == 302

    client.force_login(partner)
    response = edit(client, step, "Rencontre des élus (version du partenaire)", opened_on)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Quelqu’un d’autre a enregistré cette étape pendant que vous la modifiiez" in html
    assert "Précisez la date." in html  # the coordination's comment, which they had not seen
    assert "Rencontre des élus (version du partenaire)" in html  # their typing, kept
    step.refresh_from_db()
    assert (step.description, step.review, step.review_comment) == ("Rencontre des élus", "returned", "Précisez la date.")


def test_a_partner_saving_a_step_validated_meanwhile_is_told_and_changes_nothing(client, partner, coordinator, step):
    client.force_login(partner)
    opened_on = step.version
    client.force_login(coordinator)
    assert client.post(reverse("suivi:validate_step", args=[SLUG, step.pk])).status_code == 302

    client.force_login(partner)
    response = edit(client, step, "Rencontre des élus (version du partenaire)", opened_on)
    assert response.status_code == 409
    html = response.content.decode()
    assert "La coordination a validé cette étape pendant que vous la modifiiez" in html
    assert "Rencontre des élus (version du partenaire)" in html
    assert 'name="description"' not in html  # nothing to save again: a validated step is the coordination's
    step.refresh_from_db()
    assert (step.description, step.review) == ("Rencontre des élus", "validated")


def test_a_form_opened_on_the_validated_step_is_refused_plainly(client, partner, other_partner, coordinator, step):
    step.set_review(Step.Review.VALIDATED, by=coordinator)
    client.force_login(partner)
    assert edit(client, step, "Après coup", step.version).status_code == 403
    client.force_login(other_partner)  # not their organisation's step, whatever the version
    assert edit(client, step, "Après coup", step.version - 1).status_code == 403
    step.refresh_from_db()
    assert step.description == "Rencontre des élus"
