"""Backups of the whole instance (every plan, organisation and account, and the uploaded files), for the
`backup` and `restore` commands. Instance-wide, like the organisations and accounts this app holds: no
plan owns a backup.

An archive is a plain tar file:
- `database.dump` (PostgreSQL: `pg_dump --format=custom`, one consistent snapshot) or `database.sqlite3`
  (SQLite: the online backup API, a consistent copy even while the app writes; never the live file);
- `media/<name>`: every file of Django's default storage, read through the storage API so that an
  S3-compatible storage is backed up the same way as a folder;
- `manifest.json`: the engine, the migrations applied, the date, and each member's size and sha256.

The database is snapshotted first, then the files are read: a file uploaded meanwhile is in the archive
without a row pointing to it (harmless); files are never deleted by the app while steps keep them.
A restore goes into an empty database only (one that holds no data: a new one, or one that only
`migrate` has touched), of the same engine; a database that holds data is refused, never overwritten.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

import django
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
ENGINES = {"django.db.backends.postgresql": "postgresql", "django.db.backends.sqlite3": "sqlite"}
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
DATABASE_MEMBERS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# What `migrate` writes into a new database: a database holding only these holds no data.
MIGRATE_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore refused or failed; the message is for the person at the command line."""


def engine_of(connection):
    engine = ENGINES.get(connection.settings_dict["ENGINE"])
    if engine is None:
        raise BackupError(_("Seules les bases PostgreSQL et SQLite se sauvegardent."))
    return engine


def sha256_of(stream):
    """The sha256 and size of what a file holds, read in chunks from where it is."""
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def storage_names(storage, directory=""):
    """Every file of the storage, through its API (listdir), as the names FileFields hold."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:  # a folder storage whose folder was never created: nothing uploaded yet
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for name in sorted(directories):
        yield from storage_names(storage, f"{directory}/{name}" if directory else name)


def applied_migrations(connection):
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


# PostgreSQL: pg_dump and pg_restore, with the connection settings of DATABASES; the password goes in the
# environment (PGPASSWORD), never on the command line, where any user of the machine reads it (ps).


def postgresql_tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("%(tool)s est introuvable : installez le client PostgreSQL de la version du serveur (apt-get install postgresql-client-15).")
            % {"tool": name}
        )
    return path


def postgresql_arguments(settings):
    arguments = []
    for option, key in [("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")]:
        if settings.get(key):
            arguments += [option, str(settings[key])]
    return arguments + ["--dbname", settings["NAME"]]


def postgresql_environment(settings):
    environment = dict(os.environ)
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = settings["PASSWORD"]
    options = settings.get("OPTIONS", {})
    if options.get("sslmode"):
        environment["PGSSLMODE"] = options["sslmode"]
    return environment


def run_postgresql_tool(name, arguments, settings):
    completed = subprocess.run(
        [postgresql_tool(name), *arguments, *postgresql_arguments(settings)],
        env=postgresql_environment(settings),
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise BackupError(
            _("%(tool)s a échoué : %(error)s") % {"tool": name, "error": completed.stderr.strip() or completed.returncode}
        )


def sqlite_path(connection):
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError(_("Une base SQLite en mémoire ne se sauvegarde pas."))
    return name


def snapshot_database(connection, engine, path):
    if engine == "postgresql":
        run_postgresql_tool("pg_dump", ["--format=custom", f"--file={path}"], connection.settings_dict)
        return
    # A connection of its own, outside any transaction Django holds: the copy is the database as
    # committed, read in one pass (the backup API then holds a read lock, so the copy is consistent).
    source = sqlite3.connect(sqlite_path(connection), timeout=30)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def add_member(archive, name, stream):
    """Add a file to the archive from a stream whose size is not known in advance (a storage's file):
    copied to a temporary file first (in memory up to 10 MB), then added. Returns (sha256, size)."""
    with tempfile.SpooledTemporaryFile(max_size=10 * CHUNK) as copy:
        digest, size = hashlib.sha256(), 0
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            copy.write(chunk)
        copy.seek(0)
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, int(timezone.now().timestamp()), 0o600
        archive.addfile(info, copy)
    return digest.hexdigest(), size


def write_backup(output, alias="default", storage=None):
    """Write the archive to `output` (a path); returns its manifest. The archive appears only once
    complete: it is written beside, then renamed."""
    storage = storage or default_storage
    connection = connections[alias]
    engine = engine_of(connection)
    output = Path(output)
    partial = output.with_name(output.name + ".partiel")
    manifest = {
        "format": FORMAT,
        "engine": engine,
        "created_at": timezone.now().isoformat(),
        "django": django.get_version(),
        "migrations": applied_migrations(connection),
    }
    try:
        with tempfile.TemporaryDirectory() as work, tarfile.open(partial, "w") as archive:
            dump = Path(work) / DATABASE_MEMBERS[engine]
            snapshot_database(connection, engine, dump)
            with dump.open("rb") as stream:
                digest, size = add_member(archive, dump.name, stream)
            manifest["database"] = {"name": dump.name, "size": size, "sha256": digest}
            manifest["files"] = []
            for name in storage_names(storage):
                with storage.open(name, "rb") as stream:
                    digest, size = add_member(archive, MEDIA + name, stream)
                manifest["files"].append({"name": name, "size": size, "sha256": digest})
            content = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            add_member(archive, MANIFEST, io.BytesIO(content))  # last: it lists what is before it
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, output)
    return manifest


def read_manifest(archive):
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, ValueError, AttributeError):
        raise BackupError(_("Ce fichier n’est pas une sauvegarde de Chantier : il n’a pas de manifest.json lisible.")) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(_("Cette sauvegarde est d’un format que cette version de Chantier ne lit pas."))
    return manifest


def open_archive(path):
    try:
        return tarfile.open(path, "r:")
    except FileNotFoundError:
        raise BackupError(_("Le fichier %(path)s n’existe pas.") % {"path": path}) from None
    except tarfile.TarError:
        raise BackupError(_("Ce fichier n’est pas une sauvegarde de Chantier (une archive tar).")) from None


def data_table(connection):
    """The first table that holds a row other than what `migrate` writes itself; None if none does."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in MIGRATE_TABLES:
                continue
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
            if cursor.fetchone():
                return table
    return None


def check_can_restore(archive, manifest, connection, engine):
    """Refuse, before anything is written, an archive of the other engine, from a newer Chantier, or
    damaged, or a database that holds data."""
    if manifest["engine"] != engine:
        raise BackupError(
            _(
                "Cette sauvegarde vient d’une base %(theirs)s ; la base visée est %(ours)s. Une sauvegarde se "
                "restaure sur le même moteur de base de données."
            )
            % {"theirs": ENGINE_NAMES.get(manifest["engine"], manifest["engine"]), "ours": ENGINE_NAMES[engine]}
        )
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(
            _("Cette sauvegarde vient d’une version plus récente de Chantier (migrations inconnues ici : %(names)s).")
            % {"names": ", ".join(unknown[:5])}
        )
    table = data_table(connection)
    if table is not None:
        raise BackupError(
            _(
                "La base visée contient déjà des données (table %(table)s) : une sauvegarde se restaure dans une "
                "base vide (créez-en une nouvelle), jamais par-dessus des données."
            )
            % {"table": table}
        )
    member = manifest["database"]
    try:
        digest, size = sha256_of(archive.extractfile(member["name"]))
    except KeyError:
        raise BackupError(_("La sauvegarde est incomplète : la base de données n’y est pas.")) from None
    if digest != member["sha256"]:
        raise BackupError(_("La sauvegarde est abîmée : la base de données ne correspond pas à sa somme de contrôle."))


def restore_files(archive, manifest, storage):
    """Put each file back into the storage under its own name (the name the database holds). A file
    already there with the same content is left as it is (a restore run again); one with another content
    is refused. Returns how many files were written."""
    written = 0
    for entry in manifest["files"]:
        name = entry["name"]
        try:
            stream = archive.extractfile(MEDIA + name)
        except KeyError:
            raise BackupError(_("La sauvegarde est incomplète : le fichier %(name)s n’y est pas.") % {"name": name}) from None
        with tempfile.SpooledTemporaryFile(max_size=10 * CHUNK) as copy:
            shutil.copyfileobj(stream, copy, CHUNK)
            copy.seek(0)
            if sha256_of(copy)[0] != entry["sha256"]:
                raise BackupError(_("La sauvegarde est abîmée : le fichier %(name)s ne correspond pas à sa somme de contrôle.") % {"name": name})
            copy.seek(0)
            try:
                if storage.exists(name):
                    with storage.open(name, "rb") as present:
                        if sha256_of(present)[0] != entry["sha256"]:
                            raise BackupError(
                                _("Le stockage des fichiers contient déjà un autre fichier %(name)s : restaurez dans un stockage vide.")
                                % {"name": name}
                            )
                    continue
                saved = storage.save(name, File(copy, name=name))
            except SuspiciousFileOperation:
                raise BackupError(_("La sauvegarde nomme un fichier hors du stockage : %(name)s.") % {"name": name}) from None
        if saved != name:
            raise BackupError(_("Le fichier %(name)s n’a pas pu reprendre son nom dans le stockage.") % {"name": name})
        written += 1
    return written


def restore_database(archive, manifest, connection, engine):
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "database"
        with dump.open("wb") as target:
            shutil.copyfileobj(archive.extractfile(manifest["database"]["name"]), target, CHUNK)
        if engine == "postgresql":
            # --clean --if-exists: a database that only `migrate` touched has the tables already, empty.
            # One transaction: a restore that fails leaves the database as it was.
            run_postgresql_tool(
                "pg_restore",
                ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", str(dump)],
                connection.settings_dict,
            )
        else:
            # The backup API again, into the database Django opens (a new file if it did not exist):
            # it replaces the whole database at once.
            connection.close()
            source = sqlite3.connect(dump)
            target = sqlite3.connect(sqlite_path(connection), timeout=30)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
    connection.close()  # the next query opens the restored database afresh


def restore_backup(path, alias="default", storage=None, dry_run=False):
    """Restore the archive at `path` into the empty database `alias` and the files into the storage.
    Returns (manifest, files written, migrations still to apply)."""
    storage = storage or default_storage
    connection = connections[alias]
    engine = engine_of(connection)
    with open_archive(path) as archive:
        manifest = read_manifest(archive)
        check_can_restore(archive, manifest, connection, engine)
        if dry_run:
            return manifest, 0, []
        written = restore_files(archive, manifest, storage)
        restore_database(archive, manifest, connection, engine)
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return manifest, written, [f"{migration.app_label}.{migration.name}" for migration, _backwards in pending]
