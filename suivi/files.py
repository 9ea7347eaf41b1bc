"""The files people join to a step or to a meeting's minutes (`AttachedFile`): one bound on what a page
takes, one check of each file (its size, its type from its first bytes), one way to serve a file, one
way to delete some."""

import filetype
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lib.uploads import accepts_files

# A view that takes files: each at most STEP_FILE_MAX_BYTES, at most STEP_FILES_MAX of them (lib/uploads.py).
accepts_attached_files = accepts_files(lambda: settings.STEP_FILE_MAX_BYTES, lambda: settings.STEP_FILES_MAX)


# What a file may be (a step's proof, a meeting's minutes), recognised from the file's first bytes, never from its name.
ACCEPTED_FILE_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}


def megabytes(size):
    """10 000 000 → "10", 11 534 336 → "11,5" (French decimal comma)."""
    value = round(size / 1_000_000, 1)
    return formats.number_format(int(value) if value.is_integer() else value)


def plan_files_size(plan):
    """The bytes all the plan's files take in storage (its steps', its meetings'): each kind of
    AttachedFile says which of its files are the plan's (`of_plan`)."""
    from .models import AttachedFile

    kinds = [model for model in apps.get_models() if issubclass(model, AttachedFile)]
    return sum(kind.objects.of_plan(plan).total_size() for kind in kinds)


def check_room_in_plan(plan, uploads, freed=0):
    """Refuses uploads that would take the plan's files past PLAN_FILES_MAX_BYTES (what is removed in the same
    form, `freed`, makes room first)."""
    used = plan_files_size(plan) - freed
    adding, quota = sum(upload.size for upload in uploads), settings.PLAN_FILES_MAX_BYTES
    if used + adding > quota:
        raise ValidationError(
            _("Les fichiers de ce plan (étapes et réunions) occupent déjà %(used)s Mo sur les %(max)s Mo permis : "
              "ces %(size)s Mo de plus ne peuvent être joints. Demandez à la coordination de faire de la place."),
            params={"used": megabytes(used), "max": megabytes(quota), "size": megabytes(adding)},
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe), each checked on its own."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [self.check(super(MultipleFileField, self).clean(file, initial)) for file in files]

    def check(self, upload):
        if upload.size > settings.STEP_FILE_MAX_BYTES:
            raise ValidationError(
                _("« %(name)s » pèse %(size)s Mo : un fichier ne peut dépasser %(max)s Mo."),
                params={"name": upload.name, "size": megabytes(upload.size), "max": megabytes(settings.STEP_FILE_MAX_BYTES)},
            )
        kind = filetype.guess(upload.read(8192))
        upload.seek(0)
        if kind is None or kind.mime not in ACCEPTED_FILE_TYPES:
            raise ValidationError(
                _(
                    "« %(name)s » n’est pas un type de fichier accepté. Joignez un PDF, une image (JPEG, PNG, "
                    "GIF, WebP) ou un document de bureautique (Word, Excel, PowerPoint, OpenDocument)."
                ),
                params={"name": upload.name},
            )
        upload.detected_type = kind.mime
        return upload


def serve(stored):
    """The file to download under the name it was given; 404 when storage has lost it. The view has
    checked that the person may read it."""
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("Ce fichier n’est plus disponible.")) from None
    return FileResponse(handle, as_attachment=True, filename=stored.name, content_type=stored.content_type)


def delete_files(stored_files):
    """Delete these files' rows, and the files in storage once the transaction has committed (a rollback
    must not leave rows pointing at nothing)."""
    stored_files = list(stored_files)
    for stored in stored_files:
        transaction.on_commit(lambda stored=stored: stored.file.storage.delete(stored.file.name))
    if stored_files:
        type(stored_files[0]).objects.filter(pk__in=[stored.pk for stored in stored_files]).delete()
