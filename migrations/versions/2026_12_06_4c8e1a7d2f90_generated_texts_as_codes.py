"""generated texts as codes, written in the reader's language when shown: visits.match_reason_codes (why a visit
was proposed); the stored sentences, the English titles of the visits' events, the essays' notifications to
their authors and the visit labels of notifications and the audit log converted where they can be read

Revision ID: 4c8e1a7d2f90
Revises: 1150f9fedd53
Create Date: 2026-12-06 09:00:00.000000

What cannot be read back (a sentence in a form this version does not know) is left as it is: the pages show a
stored sentence as written, an event's stored title as its title, and a notification without its code as its
text.
"""
import re
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4c8e1a7d2f90'
down_revision = '1150f9fedd53'
branch_labels = None
depends_on = None

TRANSLATIONS = Path(__file__).resolve().parents[2] / "network" / "translations"
LOCALES = ("en", "es", "fr", "it")

visits = sa.table("visits", sa.column("id", sa.Integer), sa.column("match_reasons", sa.String),
                  sa.column("match_reason_codes", sa.JSON))
events = sa.table("training_events", sa.column("id", sa.Integer), sa.column("title", sa.String),
                  sa.column("kind", sa.String), sa.column("visit_id", sa.Integer),
                  sa.column("host_institution_id", sa.Integer))
institutions = sa.table("institutions", sa.column("id", sa.Integer), sa.column("name", sa.String))
notifications = sa.table("notifications", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                         sa.column("message", sa.String), sa.column("link", sa.String),
                         sa.column("message_id", sa.String), sa.column("params", sa.JSON))
audit = sa.table("audit_entries", sa.column("id", sa.Integer), sa.column("target_type", sa.String),
                 sa.column("target_label", sa.String))

# The visit's event as it was named before (English only), and the sentences of the reasons (every language).
VISIT_EVENT_TITLE = "Job-shadowing visit at "
FIXED_REASONS = {
    "not_chosen": "Not among their choices",
    "no_interests": "No shared interests",
    "no_language": "No shared language",
    "assigned": "Assigned by a coordinator",
    "recorded": "Recorded by a coordinator after the visit",
    "waiting_list": "Next on the waiting list",
}
CHOICE, INTERESTS, LANGUAGES = ("Their choice number %(rank)d", "Shared interests: %(names)s",
                                "Shared languages: %(names)s")
ESSAY_MESSAGES = ("Your essay “%(title)s” is published.", "Your essay “%(title)s” was returned with a comment.")
VISIT_LABEL_MESSAGES = ("A visit was proposed: %(label)s.", "The visit %(label)s is confirmed.",
                        "The visit %(label)s is completed.", "The visit %(label)s was cancelled: %(reason)s",
                        "The programme of the visit %(label)s changed.")
OLD_VISIT_LABEL = re.compile(r"^(?P<name>.+?) at (?P<host>.+), (?P<week>\d{4}-W\d{2})$")
NEW_VISIT_LABEL = re.compile(r"^(?P<name>.+?) · (?P<host>.+) · (?P<week>\d{4}-W\d{2})$")


def _catalogues() -> dict:
    from babel.support import NullTranslations, Translations

    found = {"en": NullTranslations()}
    for code in LOCALES[1:]:
        catalogue = Translations.load(str(TRANSLATIONS), [code])
        if isinstance(catalogue, Translations):
            found[code] = catalogue
    return found


def _pattern(text: str) -> re.Pattern:
    """A message with its placeholders as named groups: "Their choice number %(rank)d" -> ...(?P<rank>\\d+)."""
    escaped = re.escape(text)
    escaped = re.sub(r"%\\\(([a-z_]+)\\\)d", r"(?P<\1>\\d+)", escaped)
    escaped = re.sub(r"%\\\(([a-z_]+)\\\)s", r"(?P<\1>.+?)", escaped)
    return re.compile(f"^{escaped}$", re.S)


def _variants(catalogues: dict, msgid: str) -> list[str]:
    return list(dict.fromkeys(catalogue.gettext(msgid) for catalogue in catalogues.values()))


def _language_codes() -> dict[str, str]:
    """A language's name in any of the interface languages (lower case) -> its ISO 639-1 code."""
    from babel import Locale

    names = {}
    for code in LOCALES:
        for language, name in Locale.parse(code).languages.items():
            if len(language) == 2:
                names.setdefault(name.casefold(), language)
    return names


def _reason_codes(sentence: str, catalogues: dict, languages: dict) -> list | None:
    """The codes of a stored sentence ("Their choice number 1; Shared interests: …"), or None if a part is not one
    of the platform's sentences in any language."""
    fixed = {text: code for code, msgid in FIXED_REASONS.items() for text in _variants(catalogues, msgid)}
    choice = [_pattern(text) for text in _variants(catalogues, CHOICE)]
    interests = [_pattern(text) for text in _variants(catalogues, INTERESTS)]
    spoken = [_pattern(text) for text in _variants(catalogues, LANGUAGES)]
    codes = []
    for part in (p.strip() for p in sentence.split("; ")):
        if part in fixed:
            codes.append({"code": fixed[part]})
        elif match := next((m for m in (p.match(part) for p in choice) if m), None):
            codes.append({"code": "choice", "rank": int(match.group("rank"))})
        elif match := next((m for m in (p.match(part) for p in interests) if m), None):
            codes.append({"code": "interests", "names": [n.strip() for n in match.group("names").split(", ")]})
        elif match := next((m for m in (p.match(part) for p in spoken) if m), None):
            names = [n.strip().casefold() for n in match.group("names").split(", ")]
            if not all(name in languages for name in names):
                return None
            codes.append({"code": "languages", "codes": [languages[name] for name in names]})
        else:
            return None
    return codes or None


def _reason_sentence(codes: list) -> str:
    """The codes as the English sentence the column held before (for a downgrade)."""
    from babel import Locale

    english = Locale.parse("en").languages
    parts = []
    for reason in codes or ():
        code = reason.get("code")
        if code == "choice":
            parts.append(CHOICE % {"rank": int(reason.get("rank") or 0)})
        elif code == "interests":
            parts.append(INTERESTS % {"names": ", ".join(reason.get("names") or ())})
        elif code == "languages":
            parts.append(LANGUAGES % {"names": ", ".join(english.get(c, c) for c in reason.get("codes") or ())})
        elif code in FIXED_REASONS:
            parts.append(FIXED_REASONS[code])
    return "; ".join(parts)[:500]


def _relabel(label: str, old: re.Pattern, new: str) -> str | None:
    match = old.match(label or "")
    return new.format(**match.groupdict()) if match else None


def upgrade():
    with op.batch_alter_table('visits', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('match_reason_codes', sa.JSON(), nullable=True))

    bind = op.get_bind()
    catalogues, languages = _catalogues(), _language_codes()

    # Why each visit was proposed: the sentences the platform wrote, as codes.
    rows = bind.execute(sa.select(visits.c.id, visits.c.match_reasons).where(visits.c.match_reasons != "")).all()
    for row in rows:
        codes = _reason_codes(row.match_reasons, catalogues, languages)
        if codes:
            bind.execute(visits.update().where(visits.c.id == row.id).values(match_reason_codes=codes,
                                                                              match_reasons=""))

    # A visit's event is named when shown, after its host: the English title it was given goes.
    hosts = dict(bind.execute(sa.select(institutions.c.id, institutions.c.name)).all())
    for row in bind.execute(sa.select(events.c.id, events.c.title, events.c.host_institution_id).where(
            events.c.kind == "job_shadowing", events.c.visit_id.is_not(None))).all():
        if row.host_institution_id in hosts and row.title == VISIT_EVENT_TITLE + hosts[row.host_institution_id]:
            bind.execute(events.update().where(events.c.id == row.id).values(title=""))

    # The essays' notifications to their authors were kept as text only: as their message and its values.
    essay_patterns = [(msgid, _pattern(text)) for msgid in ESSAY_MESSAGES for text in _variants(catalogues, msgid)]
    for row in bind.execute(sa.select(notifications.c.id, notifications.c.message).where(
            notifications.c.kind == "essay", notifications.c.message_id.is_(None))).all():
        for msgid, pattern in essay_patterns:
            if match := pattern.match(row.message or ""):
                bind.execute(notifications.update().where(notifications.c.id == row.id).values(
                    message_id=msgid, params={"title": match.group("title")}))
                break

    # "Ana Pop at Casa Sevilla, 2027-W09" had an English word: names and the week only.
    _visit_labels(bind, OLD_VISIT_LABEL, "{name} · {host} · {week}")
    for row in bind.execute(sa.select(audit.c.id, audit.c.target_label).where(
            audit.c.target_type.in_(("mobilityapplication", "hostingoffer")))).all():
        before, found, after = (row.target_label or "").rpartition(" in ")
        if found and before and after and " " not in after:
            bind.execute(audit.update().where(audit.c.id == row.id).values(target_label=f"{before} · {after}"))


def _visit_labels(bind, old: re.Pattern, new: str) -> None:
    for row in bind.execute(sa.select(notifications.c.id, notifications.c.params).where(
            notifications.c.message_id.in_(VISIT_LABEL_MESSAGES))).all():
        params = dict(row.params or {})
        label = _relabel(params.get("label", ""), old, new)
        if label is not None:
            params["label"] = label
            bind.execute(notifications.update().where(notifications.c.id == row.id).values(params=params))
    rows = bind.execute(sa.select(audit.c.id, audit.c.target_label).where(audit.c.target_type == "visit")).all()
    for row in rows:
        label = _relabel(row.target_label, old, new)
        if label is not None:
            bind.execute(audit.update().where(audit.c.id == row.id).values(target_label=label[:300]))


def downgrade():
    bind = op.get_bind()
    for row in bind.execute(sa.select(visits.c.id, visits.c.match_reason_codes).where(
            visits.c.match_reason_codes.is_not(None))).all():
        if row.match_reason_codes:  # a JSON null is no code
            bind.execute(visits.update().where(visits.c.id == row.id).values(
                match_reasons=_reason_sentence(row.match_reason_codes)))
    # Never by copying the table (SQLite's batch mode): with foreign keys on, dropping the old visits table would
    # empty what refers to it (their programmes, their events' link). SQLite drops a plain column since 3.35.
    with op.batch_alter_table('visits', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('match_reason_codes')

    hosts = dict(bind.execute(sa.select(institutions.c.id, institutions.c.name)).all())
    for row in bind.execute(sa.select(events.c.id, events.c.host_institution_id).where(
            events.c.kind == "job_shadowing", events.c.title == "")).all():
        name = hosts.get(row.host_institution_id)
        bind.execute(events.update().where(events.c.id == row.id).values(
            title=(VISIT_EVENT_TITLE + name)[:300] if name else "Job-shadowing visit"))

    _visit_labels(bind, NEW_VISIT_LABEL, "{name} at {host}, {week}")
    for row in bind.execute(sa.select(audit.c.id, audit.c.target_label).where(
            audit.c.target_type.in_(("mobilityapplication", "hostingoffer")))).all():
        before, found, after = (row.target_label or "").rpartition(" · ")
        if found and before and after:
            bind.execute(audit.update().where(audit.c.id == row.id).values(target_label=f"{before} in {after}"))
    # The essays' notifications keep their message codes: the column is older than this revision.
