"""Uploads read within bounds: a request never makes the server store more than the largest file its
page legitimately takes, and the person who sends a file too large learns it at the form's field.

Each view that takes files says so with `@accepts_files(largest, count)`; every other view, and every
request of someone not signed in, takes none. `BoundedUploadHandler`, first in FILE_UPLOAD_HANDLERS:
- refuses a request whose Content-Length is over what its page can legitimately receive (`count` files
  of `largest` bytes and the form's fields) before reading any of it (400, RequestDataTooBig);
- passes each file on to Django's handlers (memory, then a temporary file) until it goes past `largest`
  bytes; from there the rest of the file is read and counted but goes nowhere, what was stored of it
  is dropped, and the form receives a `RefusedFile` of the file's real size and no content: its own
  size check then gives the French message at the field (the request was read to its end, so the
  browser gets that page rather than a connection reset).
"""

import io
import os

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


def accepts_files(largest, count=1):
    """Mark a view as taking up to `count` files of at most `largest()` bytes each (callables: read at
    each request, so that a changed setting applies)."""

    def mark(view):
        view.upload_limits = (largest, count)
        return view

    return mark


def upload_limits(request):
    """(largest file, files) this request's page takes: (0, 0) for someone not signed in, or a page that
    takes no file."""
    match = getattr(request, "resolver_match", None)
    limits = getattr(match.func, "upload_limits", None) if match else None
    user = getattr(request, "user", None)
    if limits is None or user is None or not user.is_authenticated:
        return 0, 0
    largest, count = limits
    return largest(), count() if callable(count) else count


class RefusedFile(UploadedFile):
    """A file that went past its page's limit: its name and real size, none of its content."""

    refused = True

    def __init__(self, field_name, name, content_type, size):
        super().__init__(io.BytesIO(), name, content_type, size)
        self.field_name = field_name


class BoundedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.largest, count = upload_limits(self.request)
        # Room for the form's fields beside its files: Django's own bound on fields.
        if content_length > self.largest * count + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise RequestDataTooBig(f"Upload of {content_length} bytes refused before reading (page limit)")
        return None  # let Django parse it

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.over = False

    def receive_data_chunk(self, raw_data, start):
        if not self.over and start + len(raw_data) > self.largest:
            self.over = True
        return None if self.over else raw_data  # None: the handlers after this one never see the chunk

    def file_complete(self, file_size):
        if not self.over:
            return None  # the next handler gives the file
        for handler in self.request.upload_handlers:  # what they stored of it before it went past the limit
            stored = getattr(handler, "file", None)
            if handler is not self and stored is not None:
                stored.close()
        return RefusedFile(self.field_name, self.file_name, self.content_type, file_size)


def short_file_name(name, max_bytes=100):
    """A file name for storage at most `max_bytes` long in UTF-8, its extension kept: file systems count
    bytes (255 at most for a name), and 200 « é » are 400 of them. People see the name as they gave it
    (`shown_file_name`)."""
    stem, extension = split_extension(name)
    stem = stem.encode()[: max_bytes - len(extension.encode())].decode("utf-8", errors="ignore")
    return (stem or "fichier") + extension


def shown_file_name(name, max_length=200):
    """The name people gave the file, cut to `max_length` characters if it must be, its extension kept."""
    if len(name) <= max_length:
        return name
    stem, extension = split_extension(name)
    return stem[: max_length - len(extension)] + extension


def split_extension(name):
    stem, extension = os.path.splitext(name)
    if len(extension.encode()) > 16:  # not an extension a program would know: part of the name
        return name, ""
    return stem, extension
