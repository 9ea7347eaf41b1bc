"""SQLite shared by gunicorn's workers and the tasks worker: while one person's change is being written, others
still read, and a second change waits its turn instead of failing with « database is locked ».

Each test runs its people in threads, each with its own connection, outside any test transaction
(`transactional_db`): as separate processes would meet in the database file."""

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from partners.models import Organisation
from plans.models import Action
from suivi.models import Step
from tableur import spreadsheets

from .spreadsheet_helpers import row, xlsx

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking only")

SLUG = "lanaudiere-2024-2026"


class LongChange(threading.Thread):
    """Someone whose change stays in an open transaction for `seconds` (a slow form, a big import)."""

    def __init__(self, seconds=2.0):
        super().__init__()
        self.seconds, self.started, self.errors, self.committed_at = seconds, threading.Event(), [], None

    def run(self):
        try:
            with transaction.atomic():
                Organisation.objects.create(name="Écrite d’abord", acronym="PREMIER")
                self.started.set()
                time.sleep(self.seconds)
            self.committed_at = time.monotonic()
        except Exception as error:  # reported to the test, which asserts there is none
            self.errors.append(error)
            self.started.set()
        finally:
            connections.close_all()  # this thread's connection


def test_the_database_is_in_wal_mode_with_immediate_transactions_and_a_busy_timeout(transactional_db):
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert cursor.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
        assert cursor.execute("PRAGMA busy_timeout").fetchone() == (20_000,)
    assert connection.transaction_mode == "IMMEDIATE"


def test_during_a_long_change_a_reader_reads_at_once_and_a_second_writer_waits_then_succeeds(transactional_db):
    first = LongChange()
    first.start()
    assert first.started.wait(30)

    # A reader sees the database as it was, without waiting for the change to end.
    before = Organisation.objects.count()
    assert not Organisation.objects.filter(acronym="PREMIER").exists()
    assert first.is_alive(), "the reader waited for the writer"

    # A second writer reads, then writes, as a view does: it waits for the first one, then goes on.
    with transaction.atomic():
        count = Organisation.objects.count()
        Organisation.objects.create(name="Écrite ensuite", acronym="SECOND")
    finished_at = time.monotonic()
    first.join()

    assert first.errors == []
    assert first.committed_at is not None and finished_at > first.committed_at
    assert set(Organisation.objects.filter(acronym__in=["PREMIER", "SECOND"]).values_list("acronym", flat=True)) == {
        "PREMIER",
        "SECOND",
    }
    assert count == before + 1  # its transaction began once the first change had committed


def test_without_immediate_transactions_that_second_writer_would_fail(transactional_db):
    """Why the setting: a transaction that began by reading cannot write once another change commits."""
    first = LongChange()
    first.start()
    assert first.started.wait(30)
    connection.ensure_connection()
    connection.transaction_mode = None  # SQLite's default, DEFERRED
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            with transaction.atomic():
                Organisation.objects.count()
                Organisation.objects.create(name="Écrite ensuite", acronym="SECOND")
    finally:
        connection.transaction_mode = "IMMEDIATE"
        first.join()
    assert not Organisation.objects.filter(acronym="SECOND").exists()


def test_a_partner_records_a_step_while_the_coordinator_previews_a_spreadsheet(client, transactional_db, monkeypatch):
    """django-import-export's dry run would hold the write lock for the whole preview; ours writes nothing."""
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.get(username="coordo")
    outcomes = []

    def record_a_step():
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 200")  # fail fast if the preview holds the lock
            Step.objects.create(
                action=Action.objects.get(plan__slug=SLUG, code="3.1.1"),
                organisation=Organisation.objects.get(acronym="ALL"),
                done_on=timezone.localdate(),
                description="Notée pendant l’aperçu",
            )
            outcomes.append("écrite")
        except OperationalError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    preview_levels = spreadsheets.import_levels

    def levels_then_a_partner_writes(*args, **kwargs):
        preview_levels(*args, **kwargs)
        # Still inside the preview: whatever it opened is open now.
        partner = threading.Thread(target=record_a_step)
        partner.start()
        partner.join()

    monkeypatch.setattr(spreadsheets, "import_levels", levels_then_a_partner_writes)
    client.force_login(coordinator)
    upload = SimpleUploadedFile("plan.xlsx", xlsx([row(action_texte="Texte revu")]))
    page = client.post(reverse("tableur:spreadsheet", args=[SLUG]), {"file": upload})

    assert page.status_code == 200 and page.context["report"].ok
    assert outcomes == ["écrite"]
    assert Step.objects.filter(description="Notée pendant l’aperçu").exists()
    assert Action.objects.get(plan__slug=SLUG, code="1.1.1").text != "Texte revu"  # the preview wrote nothing
