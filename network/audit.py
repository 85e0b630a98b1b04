"""The audit log: who approved, published, hid, deleted or changed roles, and when."""
from __future__ import annotations

from datetime import datetime

from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.types import UTCDateTime, utcnow

# How the log page names what it stores (details as JSON: {"before": [], "after": ["evaluator"]}), in the reader's
# language. A code this table does not know is shown as stored.
ACTIONS = {
    "api_token.created": _l("API token created"), "api_token.revoked": _l("API token revoked"),
    "application.create": _l("Application sent"), "application.update": _l("Application changed"),
    "application.endorse": _l("Application endorsed"), "application.decline": _l("Application declined"),
    "application.withdraw": _l("Application withdrawn"),
    "attachment.deleted": _l("Attachment deleted"),
    "certificate.issued": _l("Certificate issued"), "certificate.revoked": _l("Certificate revoked"),
    "collection.created": _l("Collection created"), "collection.deleted": _l("Collection deleted"),
    "collection.edition_published": _l("Edition published"), "collection.editor_added": _l("Editor added"),
    "collection.editor_removed": _l("Editor removed"),
    "collection.practice_withdrawn": _l("Practice withdrawn from a collection"),
    "comment.hidden": _l("Comment hidden"), "comment.restored": _l("Comment restored"),
    "course.created": _l("Course created"), "course.published": _l("Course published"),
    "course.archived": _l("Course archived"), "course.deleted": _l("Course deleted"),
    "course.attachment_added": _l("Lesson file added"), "course.attachment_removed": _l("Lesson file removed"),
    "course.cohort_created": _l("Cohort created"),
    "essay.start": _l("Essay started"), "essay.submit": _l("Essay submitted"), "essay.publish": _l("Essay published"),
    "essay.return": _l("Essay returned"), "essay.assess": _l("Essay assessed"),
    "essay.display": _l("How the essay appears changed"), "rubric.update": _l("Rubric changed"),
    "event.create": _l("Event created"), "event.update": _l("Event changed"), "event.ended": _l("Event ended"),
    "event.register": _l("Registration"), "event.cancel_registration": _l("Registration cancelled"),
    "event.approve": _l("Registration approved"), "event.decline": _l("Registration declined"),
    "event.moved_up": _l("Moved up from the waiting list"), "event.attendance": _l("Attendance taken"),
    "event.session_add": _l("Session added"), "event.session_update": _l("Session changed"),
    "event.session_move": _l("Session moved"), "event.session_delete": _l("Session deleted"),
    "event.material_add": _l("Material added"), "event.material_link": _l("Link added"),
    "event.material_delete": _l("Material deleted"),
    "institution.created": _l("Institution created"), "institution.updated": _l("Institution changed"),
    "membership.approved": _l("Membership approved"), "membership.declined": _l("Membership declined"),
    "offer.create": _l("Hosting offer created"), "offer.update": _l("Hosting offer changed"),
    "partnership.created": _l("Partnership created"), "partnership.updated": _l("Partnership changed"),
    "partnership.targets": _l("Targets changed"), "report.version_published": _l("Report published"),
    "practice.published": _l("Practice published"), "practice.draft": _l("Practice back to draft"),
    "practice.archived": _l("Practice archived"), "practice.deleted": _l("Practice deleted"),
    "practice.reviewed": _l("Practice reviewed"), "practice.review_withdrawn": _l("Review withdrawn"),
    "practices.imported": _l("Practices imported"),
    "user.created": _l("Account created"), "user.deleted": _l("Account deleted"),
    "user.roles_changed": _l("Roles changed"),
    "visit.propose": _l("Visit proposed"), "visit.confirm": _l("Visit confirmed"),
    "visit.complete": _l("Visit completed"), "visit.record": _l("Past visit recorded"),
    "visit.cancel": _l("Visit cancelled"), "visit.programme": _l("Visit programme changed"),
}
TARGETS = {
    "user": _l("Account"), "apitoken": _l("API token"), "institution": _l("Institution"),
    "partnership": _l("Partnership"), "practice": _l("Practice"), "collection": _l("Collection"),
    "essay": _l("Essay"), "event": _l("Event"), "course": _l("Course"), "certificate": _l("Certificate"),
    "hostingoffer": _l("Hosting offer"), "mobilityapplication": _l("Application"), "visit": _l("Visit"),
}
DETAILS = {
    "before": _l("Before"), "after": _l("After"), "roles": _l("Roles"), "institution": _l("Institution"),
    "reason": _l("Reason"), "display": _l("How it appears"), "criteria": _l("Criteria"), "status": _l("Status"),
    "changed": _l("Changed"), "added": _l("Added"), "removed": _l("Removed"), "participants": _l("Participants"),
    "session": _l("Session"), "material": _l("Material"), "file": _l("File"), "title": _l("Title"),
    "link": _l("Link"), "page": _l("Page"), "number": _l("Number"), "kind": _l("Kind"), "subject": _l("Subject"),
    "owner_id": _l("Owner"), "user_id": _l("Account"), "registration": _l("Registration"),
    "comment_id": _l("Comment"), "flags_resolved": _l("Flags resolved"), "was_hidden": _l("Was hidden"),
    "practice_id": _l("Practice"), "practice_title": _l("Practice"), "lesson": _l("Lesson"),
    "attachment": _l("Attachment"), "cohort": _l("Cohort"), "event": _l("Event"), "created": _l("Created"),
    "updated": _l("Updated"), "unchanged": _l("Unchanged"), "rejected": _l("Rejected"),
}
# Values that are codes, per detail: the roles, an essay's display, a registration's status.
VALUES = {
    "display": {"named": _l("Under the author's name"), "anonymous": _l("Anonymously"),
                "private": _l("For the evaluators only")},
    "status": {"pending": _l("Waiting for approval"), "approved": _l("Registered"),
               "waiting": _l("On the waiting list"), "declined": _l("Declined"), "cancelled": _l("Cancelled")},
}
ROLE_DETAILS = ("before", "after", "roles")
ID_DETAILS = ("registration", "material", "session", "lesson", "attachment", "page", "event", "number")
FORMER_MEMBER = "former member"  # what a deleted account leaves in labels (network.auth.services.FORMER_MEMBER)


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # SET NULL: a deleted account's actions stay in the log, shown as "former member".
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Tells a deleted member's action (actor_id now empty) from one made by the system or command line.
    by_person: Mapped[bool] = mapped_column(Boolean, default=False)
    action: Mapped[str] = mapped_column(String(50), index=True)
    target_type: Mapped[str] = mapped_column(String(50), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    target_label: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("User")

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def target_type_label(self) -> str:
        return str(TARGETS[self.target_type]) if self.target_type in TARGETS else self.target_type

    @property
    def shown_label(self) -> str:
        """The target's label; the "former member" a deleted account left in it, in the reader's language."""
        return (self.target_label or "").replace(FORMER_MEMBER, gettext("former member"))

    def detail_items(self) -> list[tuple[str, str]]:
        """The details as (name, value) to show, in the reader's language: lists joined, roles and codes named,
        yes or no, numbers as the reader writes them."""
        details = self.details if isinstance(self.details, dict) else {}
        return [(str(DETAILS[key]) if key in DETAILS else key, _value(key, value)) for key, value in details.items()]


def action_label(action: str) -> str:
    return str(ACTIONS[action]) if action in ACTIONS else action


def _value(key: str, value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(key, item) for item in value) or "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, (int, float)):
        return str(value) if key in ID_DETAILS or key.endswith("_id") else format_decimal(value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(k, v)}" for k, v in value.items())
    text = str(value)
    if key in ROLE_DETAILS:
        from network.labels import role_label

        return role_label(text)
    if text in VALUES.get(key, {}):
        return str(VALUES[key][text])
    return text.replace(FORMER_MEMBER, gettext("former member"))


def record(actor, action: str, target=None, label: str | None = None, **details) -> AuditEntry:
    """Add an entry to the current transaction: it is kept only if the change it describes commits."""
    if target is not None and getattr(target, "id", 0) is None:
        db.session.flush()  # a new target needs its id before it can be named
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        by_person=actor is not None,
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        target_label=(label if label is not None else _label_of(target))[:300],
        details=details,
    )
    db.session.add(entry)
    return entry


def _label_of(target) -> str:
    if target is None:
        return ""
    for attribute in ("email", "name", "title", "slug"):
        value = getattr(target, attribute, None)
        if value:
            return str(value)
    return str(getattr(target, "id", ""))
