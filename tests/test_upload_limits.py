"""Uploads stay within bounds: a file past its page's limit is not stored (the person is told at the field),
a request larger than its page could legitimately be is refused unread, someone not signed in uploads
nothing, a step has at most STEP_FILES_MAX files and a plan's files at most PLAN_FILES_MAX_BYTES.

Big requests are streamed to the application (never built in memory), and `CountingHandler`, placed
after lib/uploads.py's handler and before Django's, counts the bytes that reach Django's handlers: what
would be written to memory or to a temporary file.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import reverse
from django.utils import timezone

from partners.models import Organisation
from suivi.models import Step, StepFile

SLUG = "lanaudiere-2024-2026"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
MB = 1_000_000


class CountingHandler(FileUploadHandler):
    """Counts the bytes of files that go on to Django's storing handlers."""

    stored = 0

    def receive_data_chunk(self, raw_data, start):
        CountingHandler.stored += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


@pytest.fixture(autouse=True)
def counted_uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.FILE_UPLOAD_HANDLERS = [
        "lib.uploads.BoundedUploadHandler",
        "tests.test_upload_limits.CountingHandler",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    CountingHandler.stored = 0
    return tmp_path


class StreamedBody:
    """A multipart body of `fields` and one file of `size` bytes, produced as it is read."""

    boundary = "limite-de-test"

    def __init__(self, fields, file_field, file_name, size):
        head = b"".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        )
        head += (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode() + PDF
        self.parts = [head, size - len(PDF), f"\r\n--{self.boundary}--\r\n".encode()]
        self.length = len(head) + size - len(PDF) + len(self.parts[2])
        self.read_so_far = 0

    def read(self, size=-1):
        size = self.length - self.read_so_far if size is None or size < 0 else size
        out = bytearray()
        while len(out) < size and self.parts:
            part = self.parts[0]
            wanted = size - len(out)
            if isinstance(part, int):  # padding of the file
                taken = min(part, wanted)
                out += b" " * taken
                self.parts[0] = part - taken
                done = self.parts[0] == 0
            else:
                out += part[:wanted]
                self.parts[0] = part[wanted:]
                done = not self.parts[0]
            if done:
                self.parts.pop(0)
        self.read_so_far += len(out)
        return bytes(out)

    def readline(self, size=-1):  # WSGI asks for it; multipart parsing reads in blocks
        raise NotImplementedError


def streamed_post(client, url, body):
    environ = client._base_environ(
        REQUEST_METHOD="POST",
        PATH_INFO=url,
        CONTENT_TYPE=f"multipart/form-data; boundary={body.boundary}",
        CONTENT_LENGTH=str(body.length),
        **{"wsgi.input": body},
    )
    return client.handler(environ)


def step_fields(**extra):
    return {
        "description": "Assemblée publique",
        "done_on": timezone.localdate().isoformat(),
        "organisation": Organisation.objects.get(acronym="ALL").pk,
        **extra,
    }


def test_a_150_mb_step_file_is_refused_before_anything_is_read(client, partner):
    client.force_login(partner)
    body = StreamedBody(step_fields(), "files", "gros.pdf", 150 * MB)
    response = streamed_post(client, reverse("suivi:add_step", args=[SLUG, "3.1.1"]), body)
    assert response.status_code == 400
    assert body.read_so_far == 0 and CountingHandler.stored == 0
    assert not Step.objects.exists()
    # The partner reads why, in French, and what to do.
    page = response.content.decode()
    assert "Demande refusée" in page and "fichiers joints dépassent la taille permise" in page


def test_an_anonymous_sign_in_with_a_150_mb_part_is_refused_unread(client):
    body = StreamedBody({"username": "coordo", "password": "x"}, "piece", "gros.pdf", 150 * MB)
    response = streamed_post(client, reverse("login"), body)
    assert response.status_code == 400
    assert body.read_so_far == 0 and CountingHandler.stored == 0


def test_a_file_past_the_limit_is_stored_no_further_and_refused_at_the_field(client, partner, settings, counted_uploads):
    settings.STEP_FILE_MAX_BYTES = 1 * MB
    client.force_login(partner)
    body = StreamedBody(step_fields(), "files", "rapport.pdf", 6 * MB)  # under the request's cap: read to its end
    response = streamed_post(client, reverse("suivi:add_step", args=[SLUG, "3.1.1"]), body)
    assert response.status_code == 422
    assert "«\u00a0rapport.pdf\u00a0» pèse 6\u00a0Mo\u00a0: un fichier ne peut dépasser 1\u00a0Mo." in response.content.decode()
    # What reached Django's handlers: the file up to its limit (64 kB chunks), none of the 5 MB after it.
    assert CountingHandler.stored <= 1 * MB
    assert body.read_so_far == body.length  # the whole request read: the browser gets the page, no reset
    assert not Step.objects.exists() and not any(counted_uploads.rglob("*"))


def test_a_file_within_the_limit_is_stored_whole(client, partner):
    client.force_login(partner)
    body = StreamedBody(step_fields(), "files", "rapport.pdf", 3 * MB)
    response = streamed_post(client, reverse("suivi:add_step", args=[SLUG, "3.1.1"]), body)
    assert response.status_code == 302
    assert StepFile.objects.get().size == 3 * MB


def test_a_page_that_takes_no_file_stores_none(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    page = client.post(
        reverse("plans:objective", args=[SLUG, "1.1"]), {"piece": SimpleUploadedFile("a.pdf", PDF * 100)}
    )
    assert page.status_code in (200, 405)
    assert CountingHandler.stored == 0


def post_files(client, *files):
    data = {**step_fields(), "files": list(files)}
    return client.post(reverse("suivi:add_step", args=[SLUG, "3.1.1"]), data)


def pdf(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_a_step_takes_at_most_the_files_allowed(client, partner, settings):
    settings.STEP_FILES_MAX = 3
    client.force_login(partner)
    response = post_files(client, *(pdf(f"piece-{n}.pdf") for n in range(4)))
    assert response.status_code == 422
    assert "Une étape a au plus 3 fichiers joints : celle-ci en aurait 4." in response.content.decode()
    assert not Step.objects.exists() and not StepFile.objects.exists()
    assert post_files(client, *(pdf(f"piece-{n}.pdf") for n in range(3))).status_code == 302


def test_editing_a_step_counts_the_files_it_keeps(client, partner, settings):
    settings.STEP_FILES_MAX = 2
    client.force_login(partner)
    post_files(client, pdf("a.pdf"), pdf("b.pdf"))
    step = Step.objects.get()
    url = reverse("suivi:edit_step", args=[SLUG, step.pk])
    data = {**step_fields(), "version": step.version, "files": [pdf("c.pdf")]}
    response = client.post(url, data)
    assert "Une étape a au plus 2 fichiers joints : celle-ci en aurait 3." in response.content.decode()
    assert sorted(StepFile.objects.values_list("name", flat=True)) == ["a.pdf", "b.pdf"]
    # Taking one away in the same submission makes room.
    removed = step.files.get(name="a.pdf").pk
    response = client.post(url, {**data, "files": [pdf("c.pdf")], "remove_file": [removed]})
    assert response.status_code == 302
    assert sorted(StepFile.objects.values_list("name", flat=True)) == ["b.pdf", "c.pdf"]


def test_a_plan_over_its_storage_quota_takes_no_more_files(client, partner, settings, lanaudiere):
    client.force_login(partner)
    post_files(client, pdf("ancien.pdf"))
    settings.PLAN_FILES_MAX_BYTES = len(PDF) * 2 - 1
    before = list(StepFile.objects.values_list("pk", "size"))
    response = post_files(client, pdf("nouveau.pdf"))
    assert response.status_code == 422
    assert "Les fichiers de ce plan (étapes et réunions) occupent déjà" in response.content.decode()
    assert list(StepFile.objects.values_list("pk", "size")) == before and Step.objects.count() == 1


def test_a_name_of_200_accented_letters_is_stored_short_and_shown_whole(client, partner, counted_uploads):
    client.force_login(partner)
    name = "é" * 200 + ".pdf"
    response = post_files(client, pdf(name))
    assert response.status_code == 302
    stored = StepFile.objects.get()
    assert stored.name == "é" * 196 + ".pdf"  # as given, cut to the 200 characters the page shows
    stored_name = stored.file.name.rsplit("/", 1)[1]
    assert stored_name.endswith(".pdf") and len(stored_name.encode()) <= 110
    assert (counted_uploads / stored.file.name).read_bytes() == PDF
