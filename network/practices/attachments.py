"""A practice's attachment files, kept with network.uploads (the checks, storage and downloads every feature's
files share): documents and pictures (uploads.DOCUMENTS) under UPLOAD_FOLDER/practices/, written before the commit
and removed if it fails."""
from __future__ import annotations

from network import uploads
from network.extensions import db
from network.practices.models import Attachment, Practice
from network.uploads import (  # noqa: F401 (the names practices' callers use)
    DEFAULT_MAX_BYTES,
    INLINE_TYPES,
    AttachmentError,
    Upload,
    check_upload,
    check_uploads,
    max_bytes,
    sniff_type,
)

FOLDER = "practices"
# content type -> (file extension, human name): the kinds a practice accepts.
ALLOWED = {content_type: uploads.TYPES[content_type] for content_type in uploads.DOCUMENTS.types}


def folder():
    return uploads.folder(FOLDER)


def path_of(attachment: Attachment):
    return folder() / attachment.stored_name


def stage(practice: Practice, files: list[Upload], actor, writer=None) -> list[str]:
    """Write the files and add their rows to the session. Returns the stored names, so that the caller
    can remove the files if the commit fails (see saving())."""
    stored_names = []
    for upload in files:
        stored_name = writer.write(upload) if writer is not None else uploads.write(FOLDER, upload)
        stored_names.append(stored_name)
        practice.attachments.append(Attachment(
            original_name=upload.original_name, stored_name=stored_name, content_type=upload.content_type,
            size=len(upload.content), uploaded_by_id=getattr(actor, "id", None),
        ))
    return stored_names


def remove_files(stored_names) -> None:
    uploads.remove_files(FOLDER, stored_names)


class saving(uploads.writing):
    """Context manager: files staged inside it are removed again if the block (its commit) fails."""

    def __init__(self):
        super().__init__(FOLDER)

    def stage(self, practice, files, actor) -> None:
        stage(practice, files, actor, writer=self)


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
