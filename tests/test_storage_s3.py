"""Uploaded files on an S3-compatible service, as several app servers need them: a real local server
(moto's server mode, in its own process on loopback), the storage chosen by the README's S3_* variables.
Files come back byte for byte through the app's permission-checked views; the bucket's address is never
given out."""

import datetime
import runpy
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bilans import tasks
from bilans.models import Bilan
from partners.models import Organisation
from plans.models import Action, PlanRole
from suivi.models import Step, StepFile
from tests.conftest import make_person

BASE_DIR = Path(__file__).resolve().parent.parent
SLUG = "lanaudiere-2024-2026"
BUCKET = "chantier-essais"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on a free loopback port, with one empty bucket; stopped at the end of the session."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("Le serveur S3 de moto n’a pas démarré.")
            time.sleep(0.2)
    bucket = boto3.resource(
        "s3", endpoint_url=endpoint, aws_access_key_id="essai", aws_secret_access_key="essai", region_name="us-east-1"
    ).Bucket(BUCKET)
    bucket.create()
    yield endpoint, bucket
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    """The storage the settings build from the README's variables, pointed at the local server; the bucket
    is emptied after each test."""
    endpoint, bucket = s3_server
    for name, value in {
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "essai",
        "S3_SECRET_ACCESS_KEY": "essai",
    }.items():
        monkeypatch.setenv(name, value)
    built = runpy.run_path(str(BASE_DIR / "chantier" / "settings.py"))["STORAGES"]["default"]
    assert built["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "default": built}
    yield bucket
    bucket.objects.all().delete()


def stored(bucket, key):
    return bucket.Object(key).get()["Body"].read()


def post_step(client, *files):
    data = {
        "description": "Assemblée publique",
        "done_on": timezone.localdate().isoformat(),
        "organisation": Organisation.objects.get(acronym="ALL").pk,
        "files": list(files),
    }
    return client.post(reverse("suivi:add_step", args=[SLUG, "3.1.1"]), data)


def download(client, stored_file):
    return client.get(reverse("suivi:step_file", args=[SLUG, stored_file.pk]))


def test_a_partners_file_goes_to_the_bucket_and_the_coordinator_downloads_it_byte_for_byte(
    client, bucket, partner, coordinator
):
    content = PDF + bytes(range(256)) * 200  # every byte value, 50 kB
    client.force_login(partner)
    assert post_step(client, SimpleUploadedFile("compte-rendu.pdf", content, content_type="application/pdf")).status_code == 302
    stored_file = StepFile.objects.get()
    step = stored_file.step
    assert stored_file.file.name == f"etapes/{step.action.plan_id}/{step.pk}/compte-rendu.pdf"
    assert stored(bucket, stored_file.file.name) == content

    client.force_login(coordinator)
    response = download(client, stored_file)
    assert response.status_code == 200  # served by the app, not a redirect to the bucket
    assert b"".join(response.streaming_content) == content
    assert 'filename="compte-rendu.pdf"' in response["Content-Disposition"]


def test_people_outside_the_plan_get_nothing_from_the_bucket(client, bucket, partner, outsider, other_plan):
    client.force_login(partner)
    post_step(client, SimpleUploadedFile("compte-rendu.pdf", PDF, content_type="application/pdf"))
    stored_file = StepFile.objects.get()
    # A partner of another organisation, in another coalition's plan.
    elsewhere = make_person("partenaire-ailleurs", other_plan, PlanRole.Role.PARTNER, Organisation.objects.get(acronym="TPDSL"))

    for person in [elsewhere, outsider]:
        client.force_login(person)
        response = download(client, stored_file)
        assert response.status_code == 404
        assert PDF not in response.content
    client.logout()
    assert download(client, stored_file).status_code == 302  # to the sign-in page
    assert [item.key for item in bucket.objects.all()] == [stored_file.file.name]  # still there, unchanged
    assert stored(bucket, stored_file.file.name) == PDF


def test_two_files_of_one_name_are_two_objects(client, bucket, partner):
    client.force_login(partner)
    post_step(client, SimpleUploadedFile("photo.pdf", PDF, content_type="application/pdf"))
    post_step(client, SimpleUploadedFile("photo.pdf", PDF + b"%deuxieme", content_type="application/pdf"))
    first, second = StepFile.objects.order_by("pk")
    assert first.file.name != second.file.name
    assert download(client, first).getvalue() == PDF
    assert download(client, second).getvalue() == PDF + b"%deuxieme"


def test_a_refused_file_leaves_nothing_in_the_bucket(client, bucket, partner):
    client.force_login(partner)
    response = post_step(
        client,
        SimpleUploadedFile("compte-rendu.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("facture.pdf", b"#!/bin/sh\necho bonjour\n", content_type="application/pdf"),
    )
    assert response.status_code == 422
    assert not Step.objects.exists() and not StepFile.objects.exists()
    assert list(bucket.objects.all()) == []


def test_deleting_a_step_deletes_its_objects(client, bucket, partner, django_capture_on_commit_callbacks):
    client.force_login(partner)
    post_step(client, SimpleUploadedFile("compte-rendu.pdf", PDF, content_type="application/pdf"))
    step = Step.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("suivi:delete_step", args=[SLUG, step.pk])).status_code == 302
    assert list(bucket.objects.all()) == []


def test_a_missing_object_is_a_french_404_not_a_500(client, bucket, partner):
    client.force_login(partner)
    post_step(client, SimpleUploadedFile("compte-rendu.pdf", PDF, content_type="application/pdf"))
    stored_file = StepFile.objects.get()
    bucket.Object(stored_file.file.name).delete()
    response = download(client, stored_file)
    assert response.status_code == 404
    assert "Cette page n’existe pas" in response.content.decode()


def test_a_bilans_pdf_is_stored_in_the_bucket_and_downloaded_by_the_committee(
    client, bucket, lanaudiere, committee_member, outsider, monkeypatch
):
    # The layout itself is tested in test_bilan_document; here, only where its result is kept.
    monkeypatch.setattr(tasks, "render_pdf", lambda data, on_progress=None, **options: PDF)
    bilan = Bilan.create_draft(lanaudiere, datetime.date(2024, 4, 1), datetime.date(2025, 3, 31), year=2024)
    tasks.prepare_bilan.call(bilan.pk)
    bilan.refresh_from_db()
    assert bilan.is_ready and bilan.pdf.name.startswith(f"bilans/{lanaudiere.pk}/")
    assert stored(bucket, bilan.pdf.name) == PDF

    url = reverse("bilans:pdf", args=[SLUG, bilan.pk])
    client.force_login(committee_member)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_spreadsheet_waits_in_the_bucket_between_preview_and_import(client, bucket, coordinator):
    """Another app server may take the confirmation: the file cannot wait on one server's disk."""
    client.force_login(coordinator)
    export = client.get(reverse("tableur:spreadsheet_export", args=[SLUG, "xlsx"])).content
    dataset = tablib.Dataset().load(export, format="xlsx")
    rows = [list(line) for line in dataset]
    for line in rows:
        if line[dataset.headers.index("action")] == "1.1.1":
            line[dataset.headers.index("action_texte")] = "Texte revu"
    content = tablib.Dataset(*rows, headers=dataset.headers).export("xlsx")

    page = client.post(reverse("tableur:spreadsheet", args=[SLUG]), {"file": SimpleUploadedFile("plan.xlsx", content)})
    assert page.status_code == 200 and "token" in page.context
    [kept] = list(bucket.objects.filter(Prefix="django-import-export/"))
    assert stored(bucket, kept.key) == content

    confirmed = client.post(reverse("tableur:spreadsheet_confirm", args=[SLUG]), {"token": page.context["token"]})
    assert confirmed.status_code == 302
    assert Action.objects.get(plan__slug=SLUG, code="1.1.1").text == "Texte revu"
    assert list(bucket.objects.all()) == []
