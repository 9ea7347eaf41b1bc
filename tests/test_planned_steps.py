"""Steps planned ahead: the coordinator or a partner plans what an organisation will do on an action and by
when; the partner ticks it off in one click when it is done (it becomes a step waiting for validation),
unticks it before validation, moves it or drops it with a reason; everyone of the plan sees them."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lib.history import history_entries
from partners.models import Organisation
from suivi.models import PlannedStep, Step
from suivi.planned_views import HIDDEN_IN_HISTORY

SLUG = "lanaudiere-2024-2026"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
TODAY = timezone.localdate


@pytest.fixture
def own_action(lanaudiere):
    """3.1.1: ALL's (the partner's), not the TPDSL's."""
    return lanaudiere.actions.get(code="3.1.1")


@pytest.fixture
def tpdsl_action(lanaudiere):
    """1.1.1: the TPDSL's, not ALL's."""
    return lanaudiere.actions.get(code="1.1.1")


def days(n):
    return TODAY() + datetime.timedelta(days=n)


def plan_step(action, organisation, due_on=None, description="Rencontrer les élus de la MRC", by=None):
    return PlannedStep.objects.create(
        action=action, organisation=organisation, description=description, due_on=due_on or days(14), planned_by=by
    )


def post_plan(client, code, **data):
    payload = {"prevue-description": "Tenir la table de concertation", "prevue-due_on": days(30).isoformat()}
    payload.update({f"prevue-{key}": value for key, value in data.items()})
    return client.post(reverse("suivi:add_planned_step", args=[SLUG, code]), payload)


def tick(client, planned, htmx=False, **data):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("suivi:tick_planned_step", args=[SLUG, planned.pk]), data, headers=headers)


def untick(client, planned, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("suivi:untick_planned_step", args=[SLUG, planned.pk]), headers=headers)


def change(client, planned, **data):
    return client.post(reverse("suivi:change_planned_step", args=[SLUG, planned.pk]), data)


def state(planned):
    """What the database holds of a planned step and the steps, to check a refusal changed nothing."""
    planned.refresh_from_db()
    return (planned.due_on, planned.step_id, planned.dropped_at, planned.reason, Step.objects.count(),
            planned.history.count())


# Planning ------------------------------------------------------------------------------------------------


def test_partner_plans_a_step_and_sees_it_upcoming_on_the_action_and_in_my_actions(client, partner, own_action, all_org):
    client.force_login(partner)
    result = own_action.results.get()
    response = post_plan(client, "3.1.1", organisation=all_org.pk, results=[result.pk])
    planned = PlannedStep.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#prevue-{planned.pk}")
    assert (planned.action, planned.organisation, planned.planned_by) == (own_action, all_org, partner)
    assert list(planned.results.all()) == [result]
    assert planned.state == PlannedStep.State.UPCOMING

    page = client.get(own_action.get_absolute_url()).content.decode()
    assert "Tenir la table de concertation" in page and "À venir" in page
    mine = client.get(reverse("suivi:my_actions", args=[SLUG])).content.decode()
    assert "Tenir la table de concertation" in mine and "C’est fait" in mine


def test_coordinator_plans_for_any_partner_organisation_of_the_action(client, coordinator, own_action):
    client.force_login(coordinator)
    response = post_plan(client, "3.1.1", organisation=Organisation.objects.get(acronym="ALL").pk)
    assert response.status_code == 302
    assert PlannedStep.objects.get().planned_by == coordinator


def test_a_planned_step_in_the_past_or_without_description_is_refused_at_its_field(client, partner, own_action, all_org):
    client.force_login(partner)
    response = post_plan(client, "3.1.1", organisation=all_org.pk, due_on=days(-1).isoformat(), description="")
    assert response.status_code == 422
    page = response.content.decode()
    assert "Une étape prévue l’est pour aujourd’hui ou plus tard." in page
    assert "Ce champ est obligatoire." in page
    assert not PlannedStep.objects.exists()
    response = post_plan(client, "3.1.1", organisation=all_org.pk, due_on="31 février")
    assert response.status_code == 422 and not PlannedStep.objects.exists()


def test_partner_cannot_plan_for_another_organisation_nor_on_an_action_not_theirs(
    client, partner, own_action, tpdsl_action, all_org, tpdsl
):
    client.force_login(partner)
    assert post_plan(client, "3.1.1", organisation=tpdsl.pk).status_code == 422
    assert post_plan(client, "1.1.1", organisation=all_org.pk).status_code == 403
    assert not PlannedStep.objects.exists()


@pytest.mark.parametrize("person, status", [("other_coordinator", 404), ("outsider", 404), ("committee_member", 403)])
def test_people_without_a_part_in_the_action_cannot_plan(client, request, person, status, own_action, all_org):
    client.force_login(request.getfixturevalue(person))
    assert post_plan(client, "3.1.1", organisation=all_org.pk).status_code == status
    assert not PlannedStep.objects.exists()


def test_nothing_is_planned_ticked_or_moved_in_an_archived_plan(client, partner, coordinator, lanaudiere, own_action, all_org):
    planned = plan_step(own_action, all_org)
    lanaudiere.archive()
    lanaudiere.refresh_from_db()
    assert lanaudiere.is_archived
    before = state(planned)
    client.force_login(partner)
    assert post_plan(client, "3.1.1", organisation=all_org.pk).status_code == 403
    assert tick(client, planned).status_code == 403
    assert change(client, planned, **{"abandon-reason": "Plus de budget"}).status_code == 403
    assert state(planned) == before and PlannedStep.objects.count() == 1


# Ticking off ---------------------------------------------------------------------------------------------


def test_partner_ticks_a_planned_step_off_without_javascript_and_it_waits_for_validation(client, partner, own_action, all_org):
    planned = plan_step(own_action, all_org)
    planned.results.set([own_action.results.get()])
    client.force_login(partner)
    response = tick(client, planned)
    assert response.status_code == 302
    planned.refresh_from_db()
    step = planned.step
    assert (step.done_on, step.description, step.organisation, step.author, step.review) == (
        TODAY(), "Rencontrer les élus de la MRC", all_org, partner, Step.Review.PENDING
    )
    assert list(step.results.all()) == [own_action.results.get()]
    assert planned.state == PlannedStep.State.DONE
    page = client.get(response["Location"]).content.decode()
    assert "Étape cochée" in page and "Décocher" in page and "À valider" in page


def test_ticking_with_htmx_swaps_the_row(client, partner, own_action, all_org):
    planned = plan_step(own_action, all_org)
    client.force_login(partner)
    response = tick(client, planned, htmx=True)
    assert response.status_code == 200
    row = response.content.decode()
    assert row.lstrip().startswith(f'<li class="planned-step state-done" id="prevue-{planned.pk}">')
    assert "Réalisée" in row and "Décocher" in row and "<html" not in row
    assert Step.objects.count() == 1


def test_a_tick_carries_its_date_note_link_and_file(client, partner, own_action, all_org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    planned = plan_step(own_action, all_org)
    client.force_login(partner)
    response = tick(client, planned, done_on=days(-3).isoformat(), note="Douze élus présents",
                    link="https://example.org/cr", files=SimpleUploadedFile("cr.pdf", PDF))
    assert response.status_code == 302
    step = Step.objects.get()
    assert step.done_on == days(-3)
    assert step.description == "Rencontrer les élus de la MRC\n\nDouze élus présents"
    assert step.link == "https://example.org/cr"
    assert [stored.name for stored in step.files.all()] == ["cr.pdf"]


def test_a_step_of_year_one_or_a_planned_step_of_year_9999_is_refused_at_the_field(client, partner, own_action, all_org):
    planned = plan_step(own_action, all_org)
    client.force_login(partner)
    before = state(planned)
    response = tick(client, planned, done_on="0001-01-01")
    assert response.status_code == 422 and "Indiquez une date entre 2000 et 2100." in response.content.decode()
    assert state(planned) == before
    response = client.post(reverse("suivi:add_planned_step", args=[own_action.plan.slug, own_action.code]), {
        "prevue-description": "Rencontre", "prevue-organisation": all_org.pk, "prevue-due_on": "9999-12-31",
    })
    assert response.status_code == 422 and "Indiquez une date entre 2000 et 2100." in response.content.decode()
    assert PlannedStep.objects.filter(action=own_action).count() == 1


def test_a_tick_in_the_future_is_refused_at_the_field_with_and_without_javascript(client, partner, own_action, all_org):
    planned = plan_step(own_action, all_org)
    client.force_login(partner)
    before = state(planned)
    response = tick(client, planned, done_on=days(1).isoformat())
    assert response.status_code == 422
    assert "Une étape réalisée ne peut pas être datée dans le futur." in response.content.decode()
    response = tick(client, planned, htmx=True, done_on=days(1).isoformat(), link="pas une adresse")
    assert response.status_code == 200  # htmx swaps the row with its errors
    row = response.content.decode()
    assert "Une étape réalisée ne peut pas être datée dans le futur." in row and "Saisissez une URL valide." in row
    assert state(planned) == before


def test_a_second_tick_changes_nothing(client, partner, own_action, all_org):
    planned = plan_step(own_action, all_org)
    client.force_login(partner)
    tick(client, planned)
    before = state(planned)
    assert tick(client, planned).status_code == 302
    assert state(planned) == before


@pytest.mark.parametrize("person, status", [("other_partner", 403), ("committee_member", 403),
                                            ("other_coordinator", 404), ("outsider", 404)])
def test_others_cannot_tick_the_organisations_planned_step(client, request, person, status, own_action, all_org):
    planned = plan_step(own_action, all_org)
    before = state(planned)
    client.force_login(request.getfixturevalue(person))
    assert tick(client, planned).status_code == status
    assert tick(client, planned, htmx=True).status_code == status
    assert state(planned) == before


def test_partner_of_another_organisation_sees_it_on_the_action_page_without_controls(client, other_partner, own_action, all_org):
    planned = plan_step(own_action, all_org)
    client.force_login(other_partner)
    page = client.get(own_action.get_absolute_url()).content.decode()
    assert "Rencontrer les élus de la MRC" in page
    assert reverse("suivi:tick_planned_step", args=[SLUG, planned.pk]) not in page
    assert reverse("suivi:change_planned_step", args=[SLUG, planned.pk]) not in page
    mine = client.get(reverse("suivi:my_actions", args=[SLUG])).content.decode()
    assert "Rencontrer les élus de la MRC" not in mine


# Unticking ---------------------------------------------------------------------------------------------


def test_a_step_ticked_in_my_actions_stays_there_to_be_unticked_until_it_is_validated(
    client, partner, coordinator, own_action, all_org
):
    planned = plan_step(own_action, all_org)
    client.force_login(partner)
    tick(client, planned)
    untick_url = reverse("suivi:untick_planned_step", args=[SLUG, planned.pk])
    mine = client.get(reverse("suivi:my_actions", args=[SLUG])).content.decode()
    assert "Rencontrer les élus de la MRC" in mine and untick_url in mine  # after a reload too
    planned.refresh_from_db()
    planned.step.set_review(Step.Review.VALIDATED, by=coordinator)
    mine = client.get(reverse("suivi:my_actions", args=[SLUG])).content.decode()
    assert untick_url not in mine and f'id="prevue-{planned.pk}"' not in mine  # done: it leaves the list


def test_unticking_before_validation_removes_the_step_and_opens_the_planned_step_again(client, partner, own_action, all_org):
    planned = plan_step(own_action, all_org)
    client.force_login(partner)
    tick(client, planned)
    response = untick(client, planned, htmx=True)
    assert response.status_code == 200 and "C’est fait" in response.content.decode()
    planned.refresh_from_db()
    assert planned.step is None and planned.is_open and not Step.objects.exists()
    tick(client, planned)
    assert untick(client, planned).status_code == 302
    assert not Step.objects.exists()


def test_unticking_after_validation_is_refused_with_a_clear_message(client, partner, coordinator, own_action, all_org):
    planned = plan_step(own_action, all_org)
    client.force_login(partner)
    tick(client, planned)
    planned.refresh_from_db()
    planned.step.set_review(Step.Review.VALIDATED, by=coordinator)
    before = state(planned)
    response = untick(client, planned)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Cette étape a été validée par la coordination : elle ne se décoche plus." in page
    row = untick(client, planned, htmx=True).content.decode()
    assert "elle ne se décoche plus" in row
    assert state(planned) == before


def test_partner_of_another_organisation_cannot_untick(client, partner, other_partner, own_action, all_org):
    planned = plan_step(own_action, all_org)
    client.force_login(partner)
    tick(client, planned)
    before = state(planned)
    client.force_login(other_partner)
    assert untick(client, planned).status_code == 403
    assert state(planned) == before


# Moving, dropping, and the history -----------------------------------------------------------------------


def test_moving_a_planned_step_needs_a_reason_and_shows_in_its_history(client, partner, own_action, all_org):
    planned = plan_step(own_action, all_org)
    client.force_login(partner)
    assert client.get(reverse("suivi:change_planned_step", args=[SLUG, planned.pk])).status_code == 200
    before = state(planned)
    response = change(client, planned, **{"report-due_on": days(60).isoformat(), "report-reason": " "})
    assert response.status_code == 422
    assert "Indiquez pourquoi l’étape est reportée." in response.content.decode()
    assert state(planned) == before

    response = change(client, planned, **{"report-due_on": days(60).isoformat(), "report-reason": "Élections municipales"})
    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.due_on, planned.reason) == (days(60), "Élections municipales")
    history = client.get(reverse("suivi:planned_step_history", args=[SLUG, planned.pk])).content.decode()
    assert "Élections municipales" in history and "Prévue pour le" in history
    latest = history_entries(planned, HIDDEN_IN_HISTORY)[0]
    assert latest["record"].history_user == partner
    assert {change.field for change in latest["changes"]} == {"prévue pour le", "raison du report ou de l’abandon"}


def test_dropping_a_planned_step_needs_a_reason_and_it_no_longer_counts_as_to_do(client, coordinator, own_action, all_org):
    planned = plan_step(own_action, all_org, due_on=days(-5))
    assert list(PlannedStep.objects.overdue()) == [planned]
    client.force_login(coordinator)
    assert change(client, planned, **{"abandon-reason": ""}).status_code == 422
    response = change(client, planned, **{"abandon-reason": "Le partenaire s’est retiré"})
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.state == PlannedStep.State.DROPPED and planned.reason == "Le partenaire s’est retiré"
    assert not PlannedStep.objects.overdue().exists()
    page = client.get(own_action.get_absolute_url()).content.decode()
    assert "Abandonnée le" in page and "Le partenaire s’est retiré" in page
    # Dropped, it is neither ticked nor moved any more.
    assert tick(client, planned).status_code == 403
    assert client.get(reverse("suivi:change_planned_step", args=[SLUG, planned.pk])).status_code == 403


@pytest.mark.parametrize("person, status", [("other_partner", 403), ("committee_member", 403),
                                            ("other_coordinator", 404), ("outsider", 404)])
def test_others_cannot_move_or_drop(client, request, person, status, own_action, all_org):
    planned = plan_step(own_action, all_org)
    before = state(planned)
    client.force_login(request.getfixturevalue(person))
    assert change(client, planned, **{"report-due_on": days(60).isoformat(), "report-reason": "Non"}).status_code == status
    assert change(client, planned, **{"abandon-reason": "Non"}).status_code == status
    assert state(planned) == before


# What the plan shows, and what the reminders and meetings read --------------------------------------------


def test_the_plan_page_shows_overdue_and_upcoming_planned_steps(client, committee_member, own_action, all_org):
    plan_step(own_action, all_org, due_on=days(-2), description="Déposer la demande de subvention")
    plan_step(own_action, all_org, due_on=days(10), description="Visiter le site")
    client.force_login(committee_member)
    page = client.get(reverse("plans:detail", args=[SLUG])).content.decode()
    assert "En retard (1)" in page and "Déposer la demande de subvention" in page
    assert "À venir (1)" in page and "Visiter le site" in page


def test_due_soon_and_overdue_querysets(own_action, all_org, coordinator):
    late = plan_step(own_action, all_org, due_on=days(-1))
    soon = plan_step(own_action, all_org, due_on=days(7))
    later = plan_step(own_action, all_org, due_on=days(40))
    done = plan_step(own_action, all_org, due_on=days(3))
    done.step = Step.objects.create(action=own_action, organisation=all_org, description="Fait", done_on=TODAY())
    done.save()
    assert list(PlannedStep.objects.overdue()) == [late]
    assert list(PlannedStep.objects.due_soon(7)) == [soon]
    assert set(PlannedStep.objects.due_soon(60)) == {soon, later}
    assert PlannedStep.objects.in_period(days(-1), days(7)).count() == 3
    axis = own_action.objective.axis_id
    assert PlannedStep.objects.in_period(days(-30), days(60)).counts_by_axis() == {axis: (4, 1)}


# The bilan ---------------------------------------------------------------------------------------------


def test_the_bilan_counts_per_axis_the_steps_planned_in_the_year_and_those_done(lanaudiere, own_action, tpdsl_action, all_org, tpdsl):
    from bilans.documents import gather, render_html

    start, end = datetime.date(2024, 4, 1), datetime.date(2025, 3, 31)
    done = plan_step(own_action, all_org, due_on=datetime.date(2024, 6, 1))
    done.step = Step.objects.create(action=own_action, organisation=all_org, description="Fait", done_on=datetime.date(2024, 6, 2))
    done.save()
    plan_step(own_action, all_org, due_on=datetime.date(2025, 1, 10))  # planned in the year, not done
    dropped = plan_step(own_action, all_org, due_on=datetime.date(2024, 9, 1))
    dropped.drop("Plus de budget", by=None)  # dropped: not counted as planned
    plan_step(own_action, all_org, due_on=datetime.date(2025, 6, 1))  # the next year
    plan_step(tpdsl_action, tpdsl, due_on=datetime.date(2024, 5, 1))

    data = gather(lanaudiere, start, end)
    by_axis = {axis["code"]: (axis["planned_count"], axis["planned_done_count"]) for axis in data["axes"]}
    assert by_axis["3"] == (2, 1)
    assert by_axis["1"] == (1, 0)
    assert by_axis["2"] == (0, 0)
    assert (data["planned_count"], data["planned_done_count"]) == (3, 1)
    html = render_html(data, for_print=False)
    assert "Étapes prévues" in html and "dont réalisées" in html


# The partner's spreadsheet ------------------------------------------------------------------------------


def sheet_rows(client):
    import tablib

    from tableur.spreadsheets import partner_column

    response = client.get(reverse("tableur:partner_sheet_download", args=[SLUG]))
    assert response.status_code == 200
    dataset = tablib.Dataset().load(response.content, format="xlsx")
    assert {"N° de l’étape prévue", "Étape prévue", "Prévue pour le", "Faite le"} <= set(dataset.headers)
    # By the columns' technical names, which an upload still reads (sheets downloaded before the French headers).
    dataset.headers = [partner_column(header) for header in dataset.headers]
    return dataset


def filled(dataset, marks):
    """The sheet with « faite_le » filled on the rows of these planned steps: {pk: value}."""
    import tablib

    headers = dataset.headers
    rows = [list(line) for line in dataset]
    for line in rows:
        number = line[headers.index("prevue")]
        if number not in ("", None) and int(number) in marks:
            line[headers.index("faite_le")] = marks[int(number)]
    return tablib.Dataset(*rows, headers=headers).export("xlsx")


def upload_sheet(client, content):
    return client.post(reverse("tableur:partner_sheet", args=[SLUG]),
                       {"file": SimpleUploadedFile("feuille.xlsx", content)})


def test_partner_ticks_planned_steps_in_the_spreadsheet_previews_and_confirms(
    client, partner, own_action, tpdsl_action, all_org, tpdsl, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    first = plan_step(own_action, all_org, due_on=days(-3), description="=HYPERLINK(\"https://example.org\")")
    second = plan_step(own_action, all_org, due_on=days(5), description="Rédiger le recensement")
    untouched = plan_step(own_action, all_org, due_on=days(20), description="Publier le recensement")
    theirs = plan_step(tpdsl_action, tpdsl, description="Étape de la TPDSL")
    client.force_login(partner)

    dataset = sheet_rows(client)
    listed = {int(line["prevue"]): line for line in dataset.dict if line["prevue"] not in ("", None)}
    assert set(listed) == {first.pk, second.pk, untouched.pk}  # the organisation's own, open ones
    assert listed[first.pk]["prevue_texte"].startswith("'=")  # written neutralised, never a live formula
    assert listed[second.pk]["action"] == "3.1.1" and listed[second.pk]["prevue_texte"] == "Rédiger le recensement"

    content = filled(dataset, {first.pk: "oui", second.pk: days(-1).strftime("%d/%m/%Y")})
    steps_before = Step.objects.count()
    page = upload_sheet(client, content)
    report = page.context["report"]
    assert report.ok, report.errors
    assert [(planned.pk, form.cleaned_data["done_on"]) for _row, planned, form in report.ticks] == [
        (first.pk, TODAY()), (second.pk, days(-1))
    ]
    assert "2 étapes prévues à cocher comme réalisées" in page.content.decode()
    assert Step.objects.count() == steps_before  # the preview writes nothing

    response = client.post(reverse("tableur:partner_sheet_confirm", args=[SLUG]), {"token": page.context["token"]})
    assert response.status_code == 302
    for planned in (first, second, untouched, theirs):
        planned.refresh_from_db()
    assert first.step.done_on == TODAY() and second.step.done_on == days(-1)
    assert {first.step.review, second.step.review} == {Step.Review.PENDING}
    assert first.step.author == partner and first.step.organisation == all_org
    assert untouched.is_open and theirs.is_open

    # The same sheet again ticks nothing twice.
    again = upload_sheet(client, content).context["report"]
    assert again.ticks == [] and again.ok


def test_a_sheet_cannot_tick_another_organisations_planned_step_nor_in_the_future(
    client, partner, own_action, tpdsl_action, all_org, tpdsl
):
    import tablib

    mine = plan_step(own_action, all_org)
    theirs = plan_step(tpdsl_action, tpdsl, description="Étape de la TPDSL")
    client.force_login(partner)
    dataset = sheet_rows(client)
    headers = dataset.headers
    rows = [list(line) for line in dataset]
    row = next(line for line in rows if line[headers.index("prevue")] == mine.pk)
    row[headers.index("faite_le")] = days(2).isoformat()
    stolen = [""] * len(headers)
    stolen[headers.index("action")] = "3.1.1"
    stolen[headers.index("prevue")] = theirs.pk
    stolen[headers.index("faite_le")] = "oui"
    rows.append(stolen)
    before = (state(mine), state(theirs))
    page = upload_sheet(client, tablib.Dataset(*rows, headers=headers).export("xlsx"))
    report = page.context["report"]
    messages = [str(error) for error in report.errors]
    assert any("ne peut pas être datée dans le futur" in message for message in messages), messages
    assert any(f"aucune étape prévue n° {theirs.pk} de votre organisme" in message for message in messages), messages
    assert "token" not in page.context
    assert (state(mine), state(theirs)) == before
