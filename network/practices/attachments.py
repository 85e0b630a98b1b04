"""Attachment files: the type is read from the content (not the name), files get generated names under
UPLOAD_FOLDER/practices/, and files are written before the commit and removed if it fails."""
from __future__ import annotations

import io
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from network.extensions import db
from network.practices.models import Attachment, Practice

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# content type -> (file extension, human name)
ALLOWED = {
    "application/pdf": (".pdf", "PDF"),
    "application/vnd.oasis.opendocument.text": (".odt", "ODT"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx", "DOCX"),
    "image/png": (".png", "PNG"),
    "image/jpeg": (".jpg", "JPEG"),
}
# Images are shown in the browser; documents are always downloaded.
INLINE_TYPES = {"image/png", "image/jpeg", "application/pdf"}


class AttachmentError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


@dataclass
class Upload:
    """A checked file, held in memory until the practice it belongs to is saved."""

    original_name: str
    content_type: str
    content: bytes


def sniff_type(content: bytes) -> str | None:
    """The content type from the file's own bytes, or None when it is not an accepted kind."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                    return "application/vnd.oasis.opendocument.text"
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
            return None
    return None


def _clean_name(name: str) -> str:
    """The person's file name, kept for download only: no folders, no control characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    return name[:200] or "attachment"


def max_bytes() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def check_upload(filename: str, stream) -> Upload:
    """Read and check one uploaded file; AttachmentError says what is wrong with it."""
    limit = max_bytes()
    content = stream.read(limit + 1)
    name = _clean_name(filename)
    if not content:
        raise AttachmentError(_l("“%(name)s” is empty.", name=name))
    if len(content) > limit:
        raise AttachmentError(_l("“%(name)s” is larger than %(mb)d MB.", name=name, mb=limit // (1024 * 1024)))
    content_type = sniff_type(content)
    if content_type is None:
        raise AttachmentError(_l("“%(name)s” is not a PDF, ODT, DOCX, PNG or JPEG file.", name=name))
    extension = ALLOWED[content_type][0]
    if not name.lower().endswith((extension, ".jpeg") if extension == ".jpg" else extension):
        raise AttachmentError(
            _l("“%(name)s” is a %(kind)s file but its name says otherwise; rename it to end in %(ext)s.",
               name=name, kind=ALLOWED[content_type][1], ext=extension)
        )
    return Upload(original_name=name, content_type=content_type, content=content)


def check_uploads(files) -> tuple[list[Upload], list[str]]:
    """All files of a form's file field: the good ones, and a message for each bad one."""
    uploads, errors = [], []
    for storage in files or []:
        if storage is None or not getattr(storage, "filename", ""):
            continue  # the empty file input of a form sent without a file
        try:
            uploads.append(check_upload(storage.filename, storage.stream))
        except AttachmentError as error:
            errors.append(error.message)
    return uploads, errors


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "practices"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(attachment: Attachment) -> Path:
    return folder() / attachment.stored_name


def stage(practice: Practice, uploads: list[Upload], actor) -> list[str]:
    """Write the files and add their rows to the session. Returns the stored names, so that the caller
    can remove the files if the commit fails (see saving())."""
    stored_names = []
    for upload in uploads:
        stored_name = secrets.token_hex(16) + ALLOWED[upload.content_type][0]
        target = folder() / stored_name
        temporary = target.with_suffix(target.suffix + ".part")
        temporary.write_bytes(upload.content)
        temporary.replace(target)  # never a half-written file under the final name
        stored_names.append(stored_name)
        practice.attachments.append(Attachment(
            original_name=upload.original_name, stored_name=stored_name, content_type=upload.content_type,
            size=len(upload.content), uploaded_by_id=getattr(actor, "id", None),
        ))
    return stored_names


def remove_files(stored_names) -> None:
    for name in stored_names:
        try:
            (folder() / name).unlink()
        except FileNotFoundError:
            pass


class saving:
    """Context manager: files staged inside it are removed again if the block (its commit) fails."""

    def __init__(self):
        self.stored: list[str] = []

    def stage(self, practice, uploads, actor) -> None:
        self.stored += stage(practice, uploads, actor)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            db.session.rollback()
            remove_files(self.stored)
        return False


def delete_attachment(actor, attachment: Attachment) -> None:
    from network import audit

    stored = attachment.stored_name
    audit.record(actor, "attachment.deleted", attachment.practice, file=attachment.original_name)
    db.session.delete(attachment)
    db.session.commit()
    remove_files([stored])


def orphaned_files() -> list[str]:
    """Files in the folder that no attachment row names (for the `practices cleanup` check)."""
    from sqlalchemy import select

    known = set(db.session.scalars(select(Attachment.stored_name)))
    return sorted(p.name for p in folder().iterdir() if p.is_file() and p.name not in known)
