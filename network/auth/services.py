"""Accounts: registration, login with throttling, passwords, reset tokens, export and deletion.

Every function that writes commits once; emails go out only after that commit.
"""
from __future__ import annotations

import hashlib
import math
import secrets
from contextlib import nullcontext
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from network import audit, i18n
from network.auth.models import (
    APPROVED,
    DECLINED,
    PENDING,
    LoginAttempt,
    PasswordResetToken,
    User,
    normalize_email,
)
from network.auth.signals import roles_changed, user_erased
from network.errors import ServiceError
from network.extensions import db
from network.mail import send_email
from network.types import utcnow

if TYPE_CHECKING:  # the layer above accounts: it plugs in its directory (register_home_institutions)
    from network.institutions.models import Institution

FORMER_MEMBER = "former member"


class LoginThrottled(ServiceError):
    """Too many failures from this account or address; retry_after: seconds until one is forgotten. A
    ServiceError of its own because its callers answer it apart from other refusals: 429 with Retry-After."""

    def __init__(self, message: str, retry_after: int = 60):
        super().__init__({"": [message]})
        self.retry_after = retry_after


# --- passwords -------------------------------------------------------------------------------------


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_matches(user: User, password: str) -> bool:
    """Check a password; quietly upgrade the stored hash when the cost settings have changed."""
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


# A hash of a random password, checked when the email is unknown so that both cases take as long.
_DUMMY_HASH: dict[str, str] = {}


def _spend_time_like_a_real_check(password: str) -> None:
    key = repr(sorted(current_app.config.get_namespace("ARGON2_").items()))
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hash_password(secrets.token_hex(16))
    try:
        _hasher().verify(_DUMMY_HASH[key], password)
    except VerificationError:
        pass


# --- registration and users -----------------------------------------------------------------------


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def email_taken(email: str) -> bool:
    return find_user_by_email(email) is not None


# --- home institutions ----------------------------------------------------------------------------

# A person belongs to an institution, which the institutions feature holds: its plug registers how to list and
# find them, for registration and `flask users create` (without it, there are none to choose).
_home_institutions: dict[str, Callable] = {
    "choices": lambda: [], "get": lambda institution_id: None, "get_by_slug": lambda slug: None}


def register_home_institutions(choices: Callable[[], list[tuple[int, str]]],
                               get: Callable[[int | None], Institution | None],
                               get_by_slug: Callable[[str], Institution | None]) -> None:
    _home_institutions.update(choices=choices, get=get, get_by_slug=get_by_slug)


def home_institution_choices() -> list[tuple[int, str]]:
    """(id, label) of every institution a person may say they belong to, for a form's choices."""
    return _home_institutions["choices"]()


def home_institution(institution_id: int | None) -> Institution | None:
    return _home_institutions["get"](institution_id)


def home_institution_by_slug(slug: str) -> Institution | None:
    return _home_institutions["get_by_slug"](slug)


def register_user(name: str, email: str, password: str, institution: Institution) -> User:
    """A new professional; their membership of the institution waits for an admin's approval."""
    if email_taken(email):
        raise ServiceError.one("email", _("An account with this email address already exists."))
    if institution is None:
        raise ServiceError.one("institution", _("Choose your institution from the list."))
    user = User(
        name=name.strip(),
        email=email,
        password_hash=hash_password(password),
        institution=institution,
        membership_status=PENDING,
    )
    db.session.add(user)
    db.session.commit()
    return user


def create_user(
    name: str, email: str, password: str, institution: Institution | None, roles=(), approved=True
) -> User:
    """A user made by an operator (command line, demo data): already approved, roles granted."""
    if email_taken(email):
        raise ServiceError.one("email", _("An account with this email address already exists."))
    user = User(
        name=name.strip(),
        email=email,
        password_hash=hash_password(password),
        institution=institution,
        membership_status=APPROVED if approved and institution is not None else PENDING,
    )
    user.roles = roles
    db.session.add(user)
    audit.record(None, "user.created", user, roles=sorted(user.roles))
    db.session.commit()
    return user


# --- login and its throttle -----------------------------------------------------------------------


def check_throttle(kind: str, limit: int, message: str | None = None, **match) -> None:
    """LoginThrottled when `limit` failures of this kind match (an email, an address) within LOGIN_WINDOW.

    The failures are rows of login_attempts: failed logins ("login"), reset requests ("reset"), reset
    links that match nothing usable ("reset_link") and unknown API tokens ("api_token")."""
    window = current_app.config["LOGIN_WINDOW"]
    now = utcnow()
    query = select(LoginAttempt.created_at).where(
        LoginAttempt.kind == kind, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= now - window
    )
    for column, value in match.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    # The limit-th most recent failure: once it leaves the window, fewer than `limit` remain.
    oldest_counted = db.session.scalar(
        query.order_by(LoginAttempt.created_at.desc()).offset(limit - 1).limit(1)
    )
    if oldest_counted is not None:
        retry_after = max(1, math.ceil((oldest_counted + window - now).total_seconds()))
        raise LoginThrottled(message or _too_many_message(), retry_after=retry_after)


def record_failure(kind: str, ip_address: str, email: str = "") -> None:
    """Count one failure against the address (and the email, if any); commits."""
    db.session.add(LoginAttempt(kind=kind, email=normalize_email(email)[:254], ip_address=ip_address[:45],
                                succeeded=False))
    db.session.commit()


def check_login_throttle(email: str, ip_address: str) -> None:
    config = current_app.config
    check_throttle("login", config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], email=normalize_email(email))
    check_throttle("login", config["LOGIN_MAX_FAILURES_PER_ADDRESS"], ip_address=ip_address)


def _too_many_message() -> str:
    minutes = int(current_app.config["LOGIN_WINDOW"].total_seconds() // 60)
    return _(
        "Too many failed attempts. Please wait %(minutes)d minutes and try again, "
        "or reset your password.",
        minutes=minutes,
    )


def authenticate(email: str, password: str, ip_address: str) -> User:
    """The user whose email and password these are, or ServiceError. Every failure is counted."""
    check_login_throttle(email, ip_address)
    user = find_user_by_email(email)
    if user is None:
        _spend_time_like_a_real_check(password)
    ok = user is not None and password_matches(user, password) and user.is_active
    db.session.add(
        LoginAttempt(kind="login", email=normalize_email(email)[:254], ip_address=ip_address[:45], succeeded=ok)
    )
    if ok:
        user.last_login_at = utcnow()
    db.session.commit()
    if not ok:
        raise ServiceError.one("password", _("The email address or password is not correct."))
    return user


# --- passwords and reset tokens -------------------------------------------------------------------


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not password_matches(user, current_password):
        raise ServiceError.one("current_password", _("Your current password is not correct."))
    _set_password(user, new_password)
    db.session.commit()


def end_sessions(user: User) -> None:
    """Log out: this person's session cookies and remember-me cookies stop working, on every device (a
    copied cookie would otherwise still be accepted, as the session lives in the signed cookie itself)."""
    user.session_version += 1
    db.session.commit()


def set_locale(user: User, locale: str | None) -> None:
    """Save the interface language the person chose (None: follow their browser again)."""
    if user.locale != locale:
        user.locale = locale
        db.session.commit()


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.session_version += 1  # every other session and remember-me cookie ends here


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def request_password_reset(email: str, ip_address: str) -> None:
    """Email a reset link if the account exists. The answer is the same either way (no account probing)."""
    config = current_app.config
    check_throttle("reset", config["RESET_MAX_REQUESTS_PER_ADDRESS"], ip_address=ip_address)
    # Reset requests are stored as "failed" attempts so that they count against the address.
    db.session.add(
        LoginAttempt(kind="reset", email=normalize_email(email)[:254], ip_address=ip_address[:45], succeeded=False)
    )
    user = find_user_by_email(email)
    token = None
    if user is not None and user.is_active:
        token = secrets.token_urlsafe(32)
        now = utcnow()
        db.session.add(
            PasswordResetToken(
                user=user,
                token_hash=_token_hash(token),
                created_at=now,
                expires_at=now + config["PASSWORD_RESET_MAX_AGE"],
            )
        )
    db.session.commit()
    if token is not None:
        _send_reset_email(user, token)


def _send_reset_email(user: User, token: str) -> None:
    link = url_for("auth.reset_password", token=token, _external=True)
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60)
    # In the language the person chose for the site; otherwise in the one of the page that asked.
    with force_locale(user.locale) if i18n.is_supported(user.locale) else nullcontext():
        _send_reset_email_text(user, link, minutes)


def _send_reset_email_text(user: User, link: str, minutes: int) -> None:
    body = _(
        "Hello %(name)s,\n\nSomeone (hopefully you) asked to reset your Peer Network password.\n"
        "Open this link within %(minutes)d minutes to choose a new one:\n\n%(link)s\n\n"
        "The link works once. If you did not ask for it, you can ignore this email.",
        name=user.name,
        minutes=minutes,
        link=link,
    )
    send_email(user.email, _("Reset your Peer Network password"), body)


def find_reset_token(token: str) -> PasswordResetToken:
    """The usable token, or ServiceError saying why it is not (unknown, used or expired)."""
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token)))
    if row is None:
        raise ServiceError.one("", _("This reset link is not valid. Please ask for a new one."))
    if row.used_at is not None:
        raise ServiceError.one("", _("This reset link has already been used. Please ask for a new one."))
    if row.expires_at <= utcnow():
        raise ServiceError.one("", _("This reset link has expired. Please ask for a new one."))
    return row


def check_reset_link(token: str, ip_address: str) -> PasswordResetToken:
    """find_reset_token, counting every link that cannot be used against the address: guessing links from
    one address soon waits (LoginThrottled), even for a good one."""
    config = current_app.config
    minutes = int(config["LOGIN_WINDOW"].total_seconds() // 60)
    message = _("Too many reset links that cannot be used were opened from your address. Please wait "
                "%(minutes)d minutes and try again.", minutes=minutes)
    check_throttle("reset_link", config["RESET_LINK_MAX_FAILURES_PER_ADDRESS"], message, ip_address=ip_address)
    try:
        return find_reset_token(token)
    except ServiceError:
        record_failure("reset_link", ip_address)
        raise


def reset_password(token: str, new_password: str) -> User:
    row = find_reset_token(token)
    now = utcnow()
    # Using one link retires every other link sent to the same person.
    for other in db.session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == row.user_id, PasswordResetToken.used_at.is_(None)
        )
    ):
        other.used_at = now
    _set_password(row.user, new_password)
    db.session.commit()
    return row.user


# --- membership -----------------------------------------------------------------------------------


def pending_members(institution: Institution | None = None) -> list[User]:
    query = select(User).where(User.membership_status == PENDING, User.institution_id.is_not(None))
    if institution is not None:
        query = query.where(User.institution_id == institution.id)
    return list(db.session.scalars(query.order_by(User.created_at)))


def decide_membership(actor: User, member: User, approve: bool) -> None:
    member.membership_status = APPROVED if approve else DECLINED
    audit.record(
        actor,
        "membership.approved" if approve else "membership.declined",
        member,
        institution=member.institution.slug if member.institution else None,
    )
    db.session.commit()
    roles_changed.send(member, actor=actor)


def set_roles(actor: User, user: User, roles) -> None:
    before = sorted(user.roles)
    user.roles = roles
    after = sorted(user.roles)
    if before != after:
        audit.record(actor, "user.roles_changed", user, before=before, after=after)
    db.session.commit()
    if before != after:
        roles_changed.send(user, actor=actor)


def set_email_notifications(user: User, wanted: bool) -> None:
    """Notifications always appear on the notifications page; by email too only if the person wants."""
    user.email_notifications = bool(wanted)
    db.session.commit()


# --- personal data --------------------------------------------------------------------------------

# Each feature's plug registers what it holds about a person (its personal_data module): an exporter per
# section of the export, and an eraser run by delete_account before the account's row goes.
DataExporter = Callable[[User], object]
DataEraser = Callable[[User], None]
_exporters: dict[str, DataExporter] = {}
_erasers: dict[str, DataEraser] = {}
_AFTER_DELETION = "personal_data_after_deletion"


_carried_session_keys: list[str] = []


def carry_over_sign_in(*keys: str) -> None:
    """Session keys whose data a visitor keeps when signing in or registering starts a fresh session (the
    self-assessment's answers given before): the feature that set them takes them over in its receiver of
    flask_login's user_logged_in, which runs once the person is signed in."""
    _carried_session_keys.extend(key for key in keys if key not in _carried_session_keys)


def carried_session_keys() -> tuple[str, ...]:
    return tuple(_carried_session_keys)


def register_data_exporter(section: str, exporter: DataExporter) -> None:
    _exporters[section] = exporter


def register_data_eraser(section: str, eraser: DataEraser) -> None:
    _erasers[section] = eraser


def data_exporters() -> dict[str, DataExporter]:
    return dict(_exporters)


def data_erasers() -> dict[str, DataEraser]:
    return dict(_erasers)


def export_user_data(user: User) -> dict:
    """Everything the platform holds on this person, as JSON-ready data: one section per exporter, in the
    order the features plugged in (the account's own first)."""
    return {section: exporter(user) for section, exporter in _exporters.items()}


def after_account_deletion(callback: Callable[[], None]) -> None:
    """For an eraser: run this once the deletion has committed (files to remove); dropped if it rolls back."""
    db.session.info.setdefault(_AFTER_DELETION, []).append(callback)


def erase_personal_data(user: User) -> None:
    """Every feature's eraser, in the reverse order of their plugs (a feature before those it builds on: the
    collections see whose practices and essays they hold before those are erased). Nothing is committed."""
    for eraser in reversed(list(_erasers.values())):
        eraser(user)
    db.session.flush()


def delete_account(user: User, password: str) -> None:
    """Remove the person. What others rely on stays, shown as written by a former member (the database
    empties the foreign keys to the account); what is personal and private is erased first, in the same
    transaction (README, Accounts)."""
    if not password_matches(user, password):
        raise ServiceError.one("password", _("Your password is not correct."))
    db.session.info[_AFTER_DELETION] = []
    user_id, name, email = user.id, user.name, user.email
    try:
        erase_personal_data(user)
        audit.record(None, "user.deleted", None, label=FORMER_MEMBER, user_id=user.id)
        db.session.delete(user)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        db.session.info.pop(_AFTER_DELETION, None)
        raise
    for callback in db.session.info.pop(_AFTER_DELETION, []):
        callback()
    user_erased.send(user_id, name=name, email=email)


def data_export_filename(user: User, when: datetime | None = None) -> str:
    when = when or utcnow()
    return f"peer-network-my-data-{when:%Y-%m-%d}.json"
