"""History is what happened: nobody edits or deletes a history row, in the admin either. An instance
administrator with every permission the database knows (those of the historical models included) and a
superuser both find the admin's addresses for history rows missing, and simple-history's « revert » (a
POST on a past version's page) refused: the row and its history stay as they were."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import registered_models

from lib.admin import HistoryAdmin
from partners.models import InstanceAdministrator, Organisation
from plans.models import Membership, Plan


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("admin-test", "admin@example.org", "motdepasse-test")


@pytest.fixture
def instance_administrator(db):
    person = get_user_model().objects.create_user("admin-instance", password="motdepasse-test", is_staff=True)
    person.user_permissions.set(Permission.objects.all())
    InstanceAdministrator.objects.create(user=person)
    return person


def history_of(model, pk):
    return list(model.history.filter(id=pk).order_by("history_id").values())


@pytest.fixture
def renamed_organisation(db):
    """An organisation with two versions in its history: created, then renamed."""
    organisation = Organisation.objects.create(name="Office municipal d’habitation de Joliette")
    organisation.name = "Office d’habitation de Joliette"
    organisation.save()
    return organisation


@pytest.mark.parametrize("who", ["superuser", "instance_administrator"])
def test_the_admin_has_no_page_to_change_or_delete_a_history_row(client, request, who, lanaudiere):
    client.force_login(request.getfixturevalue(who))
    row = Plan.history.filter(id=lanaudiere.pk).earliest()
    before = history_of(Plan, lanaudiere.pk)
    for address in (f"/admin/plans/historicalplan/{row.history_id}/change/", f"/admin/plans/historicalplan/{row.history_id}/delete/"):
        assert client.post(address, {"title": "Réécrit", "post": "yes"}).status_code == 404
    assert client.post("/admin/plans/historicalplan/add/", {"title": "Inventé"}).status_code == 404
    assert history_of(Plan, lanaudiere.pk) == before


@pytest.mark.parametrize("who", ["superuser", "instance_administrator"])
def test_reverting_to_a_past_version_is_refused_and_changes_nothing(client, request, who, renamed_organisation):
    organisation = renamed_organisation
    client.force_login(request.getfixturevalue(who))
    first = organisation.history.earliest()
    before = history_of(Organisation, organisation.pk)
    address = reverse("admin:partners_organisation_simple_history", args=[organisation.pk, first.history_id])

    page = client.get(address)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # no button to revert
    response = client.post(address, {"name": first.name, "acronym": "", "kind": first.kind, "website": ""})

    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.name == "Office d’habitation de Joliette"
    assert history_of(Organisation, organisation.pk) == before


def test_a_membership_history_cannot_be_reverted_either(client, superuser, partner, lanaudiere):
    membership = Membership.objects.get(user=partner, plan=lanaudiere)
    version = membership.history.earliest()
    client.force_login(superuser)
    address = reverse("admin:plans_membership_simple_history", args=[membership.pk, version.history_id])
    assert client.post(address, {"user": partner.pk, "organisation": membership.organisation_id}).status_code == 403
    assert Membership.objects.get(pk=membership.pk).organisation_id == membership.organisation_id


def test_no_admin_page_is_registered_for_a_historical_model_and_every_history_admin_is_read_only():
    historical = {getattr(model, model._meta.simple_history_manager_attribute).model for model in registered_models.values()}
    for model, model_admin in admin.site._registry.items():
        assert model not in historical, f"{model.__name__} a une page d’admin : l’historique se lirait et s’écrirait"
        if isinstance(model_admin, SimpleHistoryAdmin):
            assert isinstance(model_admin, HistoryAdmin), f"{type(model_admin).__name__} permet « revert »"
    for model in historical:
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[1])
