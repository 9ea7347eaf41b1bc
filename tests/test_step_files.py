"""A step keeps its proof: files checked by their content, stored through Django's storage, and served
only to the people of the plan."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from partners.models import Organisation
from suivi.models import Step, StepFile

SLUG = "lanaudiere-2024-2026"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def post_step(client, *files):
    data = {
        "description": "Assemblée publique",
        "done_on": timezone.localdate().isoformat(),
        "organisation": Organisation.objects.get(acronym="ALL").pk,
        "files": list(files),
    }
    return client.post(reverse("suivi:add_step", args=[SLUG, "3.1.1"]), data)


def test_partner_attaches_a_pdf_and_a_photo(client, partner, media):
    client.force_login(partner)
    response = post_step(
        client,
        SimpleUploadedFile("compte-rendu.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("photo.png", png(), content_type="image/png"),
    )
    assert response.status_code == 302
    files = list(Step.objects.get().files.order_by("name"))
    assert [(f.name, f.content_type) for f in files] == [
        ("compte-rendu.pdf", "application/pdf"),
        ("photo.png", "image/png"),
    ]
    assert (media / files[0].file.name).read_bytes() == PDF


def test_a_file_that_only_pretends_to_be_a_pdf_is_refused_and_nothing_is_stored(client, partner, media):
    client.force_login(partner)
    response = post_step(
        client,
        SimpleUploadedFile("compte-rendu.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("facture.pdf", b"#!/bin/sh\necho bonjour\n", content_type="application/pdf"),
    )
    assert response.status_code == 422
    assert "«\u00a0facture.pdf\u00a0» n’est pas un type de fichier accepté." in response.content.decode()
    assert not Step.objects.exists() and not StepFile.objects.exists()
    assert not any(media.rglob("*.pdf"))


def test_a_file_over_the_limit_is_refused(client, partner, settings, media):
    settings.STEP_FILE_MAX_BYTES = 100_000
    client.force_login(partner)
    response = post_step(client, SimpleUploadedFile("gros.pdf", PDF + b" " * 160_000, content_type="application/pdf"))
    assert response.status_code == 422
    assert "«\u00a0gros.pdf\u00a0» pèse 0,2\u00a0Mo\u00a0: un fichier ne peut dépasser 0,1\u00a0Mo." in response.content.decode()
    assert not Step.objects.exists()


def test_only_people_of_the_plan_download_files(
    client, partner, committee_member, outsider, other_coordinator, lanaudiere
):
    client.force_login(partner)
    post_step(client, SimpleUploadedFile("compte-rendu.pdf", PDF, content_type="application/pdf"))
    url = reverse("suivi:step_file", args=[SLUG, StepFile.objects.get().pk])

    client.force_login(committee_member)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert 'filename="compte-rendu.pdf"' in response["Content-Disposition"]

    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_removing_a_file_from_a_step_removes_it_from_storage(client, partner, media, django_capture_on_commit_callbacks):
    client.force_login(partner)
    post_step(client, SimpleUploadedFile("compte-rendu.pdf", PDF, content_type="application/pdf"))
    step, stored = Step.objects.get(), StepFile.objects.get()
    data = {
        "description": step.description,
        "done_on": step.done_on.isoformat(),
        "organisation": step.organisation_id,
        "remove_file": [str(stored.pk), "pas-un-nombre", "²", "9" * 30],
        "version": step.version,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("suivi:edit_step", args=[SLUG, step.pk]), data)
    assert response.status_code == 302
    assert not StepFile.objects.exists()
    assert not any(media.rglob("*.pdf"))


def test_deleting_a_step_removes_its_files(client, partner, media, django_capture_on_commit_callbacks):
    client.force_login(partner)
    post_step(client, SimpleUploadedFile("compte-rendu.pdf", PDF, content_type="application/pdf"))
    step = Step.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("suivi:delete_step", args=[SLUG, step.pk]))
    assert not Step.objects.exists() and not StepFile.objects.exists()
    assert not any(media.rglob("*.pdf"))
