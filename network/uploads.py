"""Uploaded files, for every feature that keeps some (practices' attachments, events' materials): the type is read
from the content (never from the name), each file has a size limit, files get generated names in the feature's
folder under UPLOAD_FOLDER, are written before the commit and removed if it fails, and are downloaded with their
original name under headers that never let them run as a page of ours.

A feature names the kinds of file it accepts (FileKinds) and registers its folder with the column that names its
files (register_store), so that a backup copies the files its database snapshot names (network/backup.py).
"""
from __future__ import annotations

import io
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l

from network.extensions import db

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

PDF, ODT, DOCX = "application/pdf", "application/vnd.oasis.opendocument.text", \
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODP, PPTX = "application/vnd.oasis.opendocument.presentation", \
    "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PNG, JPEG = "image/png", "image/jpeg"

# content type -> (file extension, human name): every kind the platform knows.
TYPES = {
    PDF: (".pdf", "PDF"),
    ODT: (".odt", "ODT"),
    DOCX: (".docx", "DOCX"),
    ODP: (".odp", "ODP"),
    PPTX: (".pptx", "PPTX"),
    PNG: (".png", "PNG"),
    JPEG: (".jpg", "JPEG"),
}
# Images and PDFs are shown in the browser; other documents are always downloaded.
INLINE_TYPES = {PNG, JPEG, PDF}


@dataclass(frozen=True)
class FileKinds:
    """The kinds of file a feature accepts, and how it says that a file is none of them (a lazy text with
    %(name)s, the file's name)."""

    types: tuple[str, ...]
    refusal: object

    @property
    def names(self) -> str:
        return ", ".join(TYPES[t][1] for t in self.types)


# Documents and pictures: what practices accept.
DOCUMENTS = FileKinds((PDF, ODT, DOCX, PNG, JPEG), _l("“%(name)s” is not a PDF, ODT, DOCX, PNG or JPEG file."))


class AttachmentError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


@dataclass
class Upload:
    """A checked file, held in memory until what it belongs to is saved."""

    original_name: str
    content_type: str
    content: bytes


def sniff_type(content: bytes) -> str | None:
    """The content type from the file's own bytes, or None when it is not a kind the platform knows."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    declared = archive.read("mimetype").strip().decode("ascii", "replace")
                    return declared if declared in (ODT, ODP) else None
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return DOCX
                if "[Content_Types].xml" in names and "ppt/presentation.xml" in names:
                    return PPTX
        except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
            return None
    return None


def clean_name(name: str, default: str = "attachment") -> str:
    """The person's file name, kept for download only: no folders, no control characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    return name[:200] or default


def max_bytes() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def check_upload(filename: str, stream, kinds: FileKinds = DOCUMENTS) -> Upload:
    """Read and check one uploaded file; AttachmentError says what is wrong with it."""
    limit = max_bytes()
    content = stream.read(limit + 1)
    name = clean_name(filename)
    if not content:
        raise AttachmentError(_l("“%(name)s” is empty.", name=name))
    if len(content) > limit:
        raise AttachmentError(_l("“%(name)s” is larger than %(mb)d MB.", name=name, mb=limit // (1024 * 1024)))
    content_type = sniff_type(content)
    if content_type not in kinds.types:
        raise AttachmentError(str(kinds.refusal) % {"name": name})
    extension = TYPES[content_type][0]
    if not name.lower().endswith((extension, ".jpeg") if extension == ".jpg" else extension):
        raise AttachmentError(
            _l("“%(name)s” is a %(kind)s file but its name says otherwise; rename it to end in %(ext)s.",
               name=name, kind=TYPES[content_type][1], ext=extension)
        )
    return Upload(original_name=name, content_type=content_type, content=content)


def check_uploads(files, kinds: FileKinds = DOCUMENTS) -> tuple[list[Upload], list[str]]:
    """All files of a form's file field: the good ones, and a message for each bad one."""
    uploads, errors = [], []
    for storage in files or []:
        if storage is None or not getattr(storage, "filename", ""):
            continue  # the empty file input of a form sent without a file
        try:
            uploads.append(check_upload(storage.filename, storage.stream, kinds))
        except AttachmentError as error:
            errors.append(error.message)
    return uploads, errors


# --- the folders ------------------------------------------------------------------------------------------

# folder name -> the column naming its files (stored names), for backups.
_stores: dict[str, object] = {}


def register_store(name: str, column) -> None:
    """From a feature's plug: its folder under UPLOAD_FOLDER and the column holding the stored names of its files."""
    _stores[name] = column


def stores() -> dict[str, object]:
    return dict(_stores)


def folder(name: str) -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def write(name: str, upload: Upload) -> str:
    """Write the file under a random name in the folder; returns that name (to keep in the row)."""
    stored_name = secrets.token_hex(16) + TYPES[upload.content_type][0]
    target = folder(name) / stored_name
    temporary = target.with_suffix(target.suffix + ".part")
    temporary.write_bytes(upload.content)
    temporary.replace(target)  # never a half-written file under the final name
    return stored_name


def remove_files(name: str, stored_names) -> None:
    for stored in stored_names:
        try:
            (folder(name) / stored).unlink()
        except FileNotFoundError:
            pass


class writing:
    """Context manager: files written through it (its write()) are removed again, and the session rolled back, if
    the block (its commit) fails."""

    def __init__(self, name: str):
        self.name = name
        self.stored: list[str] = []

    def write(self, upload: Upload) -> str:
        stored = write(self.name, upload)
        self.stored.append(stored)
        return stored

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            db.session.rollback()
            remove_files(self.name, self.stored)
        return False


def send(name: str, stored_name: str, content_type: str, original_name: str, private: bool,
         attachment: bool = False):
    """The file as a download (images and PDFs shown in the browser unless `attachment`), under its original
    name; 404 when it is missing. `private`: not for everyone, so no cache keeps it."""
    path = folder(name) / stored_name
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=content_type, download_name=clean_name(original_name),
                         as_attachment=attachment or content_type not in INLINE_TYPES, max_age=0)
    # A file is never a page of ours: no scripts, no plugins, even if a browser tried to render it.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store" if private else "private"
    return response
