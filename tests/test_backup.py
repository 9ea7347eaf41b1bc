"""A coordinator backs the instance up (`manage.py backup`) and brings it back on a new server
(`manage.py restore`): the plan, its steps and their files, the history and the adopted bilan come back
exactly; a restore over data, from the other engine or from a damaged archive is refused and writes
nothing.

The restored database is a new one beside the test database (a new SQLite file, or a database created
on the PostgreSQL server), reached through a second connection alias."""

import datetime
import io
import json
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import load_backend
from django.urls import reverse
from django.utils import timezone

from bilans.models import Bilan
from partners import backups
from partners.models import Organisation
from plans.models import Plan
from suivi.models import Step, StepFile

SLUG = "lanaudiere-2024-2026"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
BILAN_PDF = b"%PDF-1.7\n% bilan adopte\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
RESTORED = "restored"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def new_database(tmp_path):
    """An empty database beside the test database, as the alias "restored": a new SQLite file, or a new
    PostgreSQL database (the chantier role may create databases). Dropped afterwards."""
    settings_dict = dict(connection.settings_dict)
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        settings_dict["NAME"] = f"{connection.settings_dict['NAME']}_restored"
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {settings_dict['NAME']}")
            cursor.execute(f"CREATE DATABASE {settings_dict['NAME']}")
    else:
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    # A connection made here rather than in settings.DATABASES: the test database's creation and the
    # test's transaction leave it alone, and the restore writes to it for real.
    connections[RESTORED] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, RESTORED)
    yield connections[RESTORED]
    connections[RESTORED].close()
    del connections[RESTORED]
    if postgresql:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {settings_dict['NAME']}")


def row_counts(alias):
    db = connections[alias]
    quote = db.ops.quote_name
    with db.cursor() as cursor:
        counts = {}
        for table in sorted(db.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def history_rows(alias):
    rows = Step.history.model.objects.using(alias).order_by("history_id")
    return list(rows.values_list("history_id", "id", "description", "review", "history_type", "history_user_id"))


def record_work(client, partner, coordinator):
    """What a plan holds after a year: a step with two files, validated, and an adopted bilan."""
    client.force_login(partner)
    response = client.post(
        reverse("suivi:add_step", args=[SLUG, "3.1.1"]),
        {
            "description": "Assemblée publique à Joliette « logement pour tous »",
            "done_on": timezone.localdate().isoformat(),
            "organisation": Organisation.objects.get(acronym="ALL").pk,
            "files": [
                SimpleUploadedFile("compte-rendu.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("annexe été.pdf", PDF + b"% annexe\n", content_type="application/pdf"),
            ],
        },
    )
    assert response.status_code == 302
    step = Step.objects.get()
    client.force_login(coordinator)
    assert client.post(reverse("suivi:validate_step", args=[SLUG, step.pk])).status_code == 302
    bilan = Bilan(
        plan=Plan.objects.get(slug=SLUG), version=1, year=2024, starts_on=datetime.date(2024, 4, 1),
        ends_on=datetime.date(2025, 3, 31), rendering=Bilan.Rendering.READY, state=Bilan.State.ADOPTED,
        adopted_on=datetime.date(2025, 6, 12), adopted_at_meeting="Comité de coordination du 12 juin 2025",
        adopting_body="le comité de coordination", data={"actions": 37},
    )
    bilan.pdf.save("bilan-2024.pdf", ContentFile(BILAN_PDF), save=False)
    bilan.save()
    return step


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_new_database_gives_back_the_plan_its_steps_files_history_and_bilan(
    client, partner, coordinator, media, new_database, settings, tmp_path
):
    step = record_work(client, partner, coordinator)
    files = {stored.file.name: stored.file.read() for stored in StepFile.objects.all()}
    assert len(files) == 2
    counts, history = row_counts("default"), history_rows("default")
    assert len(history) == 2  # recorded, then validated

    archive = tmp_path / "chantier.tar"
    call_command("backup", output=str(archive), stdout=io.StringIO())

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = tar.getnames()
    assert manifest["engine"] == ("postgresql" if connection.vendor == "postgresql" else "sqlite")
    assert "suivi.0003_steps_protect_their_people" in manifest["migrations"]
    assert sorted(entry["name"] for entry in manifest["files"]) == sorted([*files, Bilan.objects.get().pdf.name])
    assert all(f"media/{entry['name']}" in names for entry in manifest["files"])

    # A new server: an empty database, an empty storage.
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    output = io.StringIO()
    call_command("restore", str(archive), database=RESTORED, stdout=output)
    assert "restaurée" in output.getvalue()

    assert row_counts(RESTORED) == counts
    assert list(Step.objects.using(RESTORED).values_list("pk", "description", "review")) == [
        (step.pk, "Assemblée publique à Joliette « logement pour tous »", Step.Review.VALIDATED)
    ]
    assert history_rows(RESTORED) == history
    restored_files = StepFile.objects.using(RESTORED).all()
    assert {stored.file.name: stored.file.read() for stored in restored_files} == files
    assert (tmp_path / "restored-media").is_dir()
    bilan = Bilan.objects.using(RESTORED).get(state=Bilan.State.ADOPTED)
    assert bilan.adopted_at_meeting == "Comité de coordination du 12 juin 2025"
    assert bilan.pdf.read() == BILAN_PDF


@pytest.fixture
def archive(db, media, tmp_path):
    """A backup of the shared data (committed once per session), with one uploaded file."""
    default_storage.save("etapes/1/1/proces-verbal.pdf", ContentFile(PDF))
    path = tmp_path / "chantier.tar"
    call_command("backup", output=str(path), stdout=io.StringIO())
    return path


def rewritten(archive, tmp_path, change_manifest=None, change_member=None):
    """A copy of the archive with its manifest or one member's bytes changed."""
    copy = tmp_path / "copy.tar"
    with tarfile.open(archive) as source, tarfile.open(copy, "w") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name == "manifest.json" and change_manifest:
                manifest = json.loads(content)
                change_manifest(manifest)
                content = json.dumps(manifest).encode()
            elif change_member and member.name == change_member[0]:
                content = change_member[1](content)
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    return copy


def test_a_restore_over_a_database_that_holds_data_is_refused_and_changes_nothing(archive, settings, tmp_path, lanaudiere):
    settings.MEDIA_ROOT = tmp_path / "other-media"
    counts = row_counts("default")
    with pytest.raises(CommandError, match="contient déjà des données"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert row_counts("default") == counts
    assert not (tmp_path / "other-media").exists()


def test_a_restore_into_a_database_of_the_other_engine_is_refused_with_a_clear_message(
    archive, new_database, settings, tmp_path
):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    copy = rewritten(archive, tmp_path, change_manifest=lambda manifest: manifest.update(engine=other))
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with pytest.raises(CommandError, match="Une sauvegarde se restaure sur le même moteur de base de données"):
        call_command("restore", str(copy), database=RESTORED, stdout=io.StringIO())
    assert row_counts(RESTORED) == {}
    assert not (tmp_path / "restored-media").exists()


def test_a_damaged_file_in_the_archive_is_refused_before_the_database_is_restored(
    archive, new_database, settings, tmp_path
):
    copy = rewritten(archive, tmp_path, change_member=("media/etapes/1/1/proces-verbal.pdf", lambda content: content[:-1] + b"X"))
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with pytest.raises(CommandError, match="abîmée : le fichier etapes/1/1/proces-verbal.pdf"):
        call_command("restore", str(copy), database=RESTORED, stdout=io.StringIO())
    assert row_counts(RESTORED) == {}
    assert not (tmp_path / "restored-media" / "etapes/1/1/proces-verbal.pdf").exists()


def test_an_archive_from_a_newer_chantier_is_refused(archive, new_database, tmp_path):
    copy = rewritten(archive, tmp_path, change_manifest=lambda manifest: manifest["migrations"].append("plans.9999_futur"))
    with pytest.raises(CommandError, match="version plus récente de Chantier"):
        call_command("restore", str(copy), database=RESTORED, stdout=io.StringIO())
    assert row_counts(RESTORED) == {}


def test_a_dry_run_checks_the_archive_and_writes_nothing(archive, new_database, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    output = io.StringIO()
    call_command("restore", str(archive), database=RESTORED, dry_run=True, stdout=output)
    assert "peut être restaurée ici, avec 1 fichier. Rien n’a été écrit." in output.getvalue()
    assert row_counts(RESTORED) == {}
    assert not (tmp_path / "restored-media").exists()


def test_a_file_that_is_not_a_backup_is_refused(db, tmp_path):
    path = tmp_path / "notes.tar"
    path.write_bytes(b"pas une archive")
    with pytest.raises(CommandError, match="n’est pas une sauvegarde de Chantier"):
        call_command("restore", str(path), stdout=io.StringIO())


def test_the_backup_is_written_only_once_complete(db, media, tmp_path, monkeypatch):
    def broken_storage(storage, directory=""):
        raise OSError("stockage injoignable")
        yield

    monkeypatch.setattr(backups, "storage_names", broken_storage)
    with pytest.raises(OSError):
        call_command("backup", output=str(tmp_path / "chantier.tar"), stdout=io.StringIO())
    assert list(tmp_path.glob("chantier.tar*")) == []


def test_without_pg_dump_the_backup_says_what_to_install(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError, match="pg_dump est introuvable : installez le client PostgreSQL"):
        backups.postgresql_tool("pg_dump")


def test_the_postgresql_password_goes_through_the_environment_never_the_command_line(monkeypatch):
    seen = {}

    class Completed:
        returncode = 0
        stderr = ""

    def run(arguments, env, **kwargs):
        seen.update(arguments=arguments, env=env)
        return Completed()

    monkeypatch.setattr(backups.subprocess, "run", run)
    monkeypatch.setattr(backups.shutil, "which", lambda name: f"/usr/bin/{name}")
    settings_dict = {"NAME": "chantier", "USER": "chantier", "PASSWORD": "s3cret-mot", "HOST": "db", "PORT": 5432}
    backups.run_postgresql_tool("pg_dump", ["--format=custom"], settings_dict)
    assert not any("s3cret-mot" in argument for argument in seen["arguments"])
    assert seen["env"]["PGPASSWORD"] == "s3cret-mot"
    assert seen["arguments"][:2] == ["/usr/bin/pg_dump", "--format=custom"]
    assert seen["arguments"][-2:] == ["--dbname", "chantier"]
