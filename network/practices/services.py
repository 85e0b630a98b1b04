"""Practices: validation shared by the web form, the importer and the API; every write; the queries
behind the list, the page and the feed."""
from __future__ import annotations

import difflib
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from cachetools import TTLCache
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import defer, lazyload

from network import audit, labels, permissions
from network.errors import ServiceError
from network.extensions import db
from network.institutions.models import Institution, Partnership
from network.page_cache import read_generation
from network.practices import rendering
from network.practices.models import (
    ARCHIVED,
    DRAFT,
    EVIDENCE_LEVELS,
    INTERVENTION_TYPES,
    MEMBERS,
    PUBLIC,
    PUBLISHED,
    REVIEWED,
    SECTION_NAMES,
    SECTIONS,
    SHARED,
    STATUSES,
    SUMMARY_MAX,
    TITLE_MAX,
    VISIBILITIES,
    Comment,
    Practice,
    PracticeAuthor,
    PracticeHtml,
    PracticeInterventionType,
    PracticeRevision,
    PracticeSector,
    Tag,
    practice_tags,
)
from network.practices.signals import practice_deleted
from network.sanitize import render_markdown
from network.types import utcnow

SECTION_LABELS = {
    "context": _l("Context and framework"),
    "target_group": _l("Target group"),
    "objectives": _l("Objectives"),
    "methods": _l("Methods and activities"),
    "resources": _l("Resources needed"),
    "outcomes": _l("Outcomes and evidence"),
    "lessons": _l("Lessons learned"),
}
INTERVENTION_TYPE_LABELS = {
    "family": _l("Family"),
    "community": _l("Community"),
    "group": _l("Group"),
    "individual": _l("Individual"),
    "peer": _l("Peer"),
    "digital": _l("Digital"),
}
STATUS_LABELS = {DRAFT: _l("Draft"), PUBLISHED: _l("Published"), ARCHIVED: _l("Archived")}
VISIBILITY_LABELS = {PUBLIC: _l("Everyone"), MEMBERS: _l("Network members only")}
EVIDENCE_LABELS = {SHARED: _l("Shared by a partner"), REVIEWED: _l("Reviewed")}
SECTION_MAX = 20_000
TAG_MAX, TAGS_MAX = 60, 20
REFERENCE_MAX, LINK_MAX = 100, 500


@dataclass
class PracticeData:
    """Everything a person, an import file or an API call gives for a practice (API field names)."""

    title: str = ""
    summary: str = ""
    context: str = ""
    target_group: str = ""
    objectives: str = ""
    methods: str = ""
    resources: str = ""
    outcomes: str = ""
    lessons: str = ""
    sectors: list[str] = field(default_factory=list)
    intervention_types: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    country: str = ""
    language: str = ""
    institution: str = ""  # slug
    partnership_id: int | None = None
    external_ref: str = ""
    external_link: str = ""
    status: str = DRAFT
    visibility: str = PUBLIC
    translation_of_id: int | None = None

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_practice(cls, practice: Practice) -> "PracticeData":
        return cls(
            title=practice.title,
            summary=practice.summary,
            **{name: getattr(practice, name) for name in SECTION_NAMES},
            sectors=practice.sectors,
            intervention_types=practice.intervention_types,
            tags=practice.tag_names,
            country=practice.country,
            language=practice.language,
            institution=practice.institution.slug,
            partnership_id=practice.partnership_id,
            external_ref=practice.external_ref or "",
            external_link=practice.external_link,
            status=practice.status,
            visibility=practice.visibility,
            translation_of_id=practice.translation_of_id,
        )


def split_list(value: Any) -> list[str]:
    """A list from a list, or from "a, b; c" text (forms and CSV give text)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    return [str(item).strip() for item in value if str(item).strip()]


def normalize_tag(name: str) -> str:
    return " ".join(name.split()).lower()


def validate(data: PracticeData, existing: Practice | None = None, *, institution_slugs=None,
             taken_refs=None) -> PracticeData:
    """Check every rule; return the cleaned data or raise ServiceError naming each bad field.

    institution_slugs (every institution's slug) and taken_refs (the external references other practices
    hold) replace the database look-ups when the caller already has them: the importer loads them once
    per batch instead of once per record.
    """
    errors: dict[str, list[str]] = {}

    def error(name: str, message) -> None:
        errors.setdefault(name, []).append(str(message))

    clean = PracticeData(**asdict(data))
    for name in ("title", "summary", *SECTION_NAMES, "country", "language", "institution", "external_ref",
                 "external_link", "status", "visibility"):
        value = getattr(clean, name)
        # Browsers end a textarea's lines with CRLF: kept as LF, so that a form sent back as it was shown
        # changes nothing.
        text = "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n")
        setattr(clean, name, text.strip())
    clean.country = clean.country.upper()
    clean.language = clean.language.lower()
    clean.status = clean.status.lower() or DRAFT
    clean.visibility = clean.visibility.lower() or PUBLIC

    if not clean.title:
        error("title", _l("Give the practice a title."))
    elif len(clean.title) > TITLE_MAX:
        error("title", _l("The title can be at most %(max)d characters long.", max=TITLE_MAX))
    if not clean.summary:
        error("summary", _l("Write a one-paragraph summary."))
    elif len(clean.summary) > SUMMARY_MAX:
        error("summary", _l("The summary can be at most %(max)d characters long (it has %(n)d).",
                            max=SUMMARY_MAX, n=len(clean.summary)))
    for name, required in SECTIONS:
        value = getattr(clean, name)
        if required and not value:
            error(name, _l("The section “%(section)s” is required.", section=SECTION_LABELS[name]))
        elif len(value) > SECTION_MAX:
            error(name, _l("A section can be at most %(max)d characters long.", max=SECTION_MAX))

    clean.sectors = [code.lower() for code in split_list(clean.sectors)]
    if not clean.sectors:
        error("sectors", _l("Choose at least one sector."))
    for code in clean.sectors:
        if code not in labels.SECTOR_LABELS:
            error("sectors", _l("Unknown sector “%(code)s”: use social, educational or mental_health.", code=code))
    clean.intervention_types = [code.lower() for code in split_list(clean.intervention_types)]
    for code in clean.intervention_types:
        if code not in INTERVENTION_TYPES:
            error("intervention_types", _l("Unknown intervention type “%(code)s”: use %(codes)s.",
                                           code=code, codes=", ".join(INTERVENTION_TYPES)))
    clean.tags = list(dict.fromkeys(normalize_tag(t) for t in split_list(clean.tags)))
    if len(clean.tags) > TAGS_MAX:
        error("tags", _l("At most %(max)d tags.", max=TAGS_MAX))
    if any(len(t) > TAG_MAX for t in clean.tags):
        error("tags", _l("A tag can be at most %(max)d characters long.", max=TAG_MAX))

    if not clean.country:
        error("country", _l("Choose the country."))
    elif clean.country not in labels.country_codes():
        error("country", _l("“%(code)s” is not a country code (ISO 3166, like ES or RO).", code=clean.country))
    if not clean.language:
        error("language", _l("Choose the language of the write-up."))
    elif clean.language not in labels.language_codes():
        error("language", _l("“%(code)s” is not a language code (ISO 639-1, like es or ro).", code=clean.language))
    if not clean.institution:
        error("institution", _l("Choose the owning institution."))
    elif (clean.institution not in institution_slugs if institution_slugs is not None else
          db.session.scalar(select(Institution.id).where(Institution.slug == clean.institution)) is None):
        error("institution", _l("There is no institution “%(slug)s”.", slug=clean.institution))
    if clean.partnership_id and db.session.get(Partnership, clean.partnership_id) is None:
        error("partnership_id", _l("There is no such partnership."))
    if clean.status not in STATUSES:
        error("status", _l("Unknown status “%(code)s”: use draft, published or archived.", code=clean.status))
    if clean.visibility not in VISIBILITIES:
        error("visibility", _l("Unknown visibility “%(code)s”: use public or members.", code=clean.visibility))

    if len(clean.external_ref) > REFERENCE_MAX:
        error("external_ref", _l("At most %(max)d characters.", max=REFERENCE_MAX))
    elif clean.external_ref and taken_refs is not None:
        if clean.external_ref in taken_refs:
            error("external_ref", _l("Another practice already has this external reference."))
    elif clean.external_ref:
        query = select(Practice.id).where(Practice.external_ref == clean.external_ref)
        if existing is not None:
            query = query.where(Practice.id != existing.id)
        if db.session.scalar(query) is not None:
            error("external_ref", _l("Another practice already has this external reference."))
    if len(clean.external_link) > LINK_MAX:
        error("external_link", _l("At most %(max)d characters.", max=LINK_MAX))
    elif clean.external_link and not clean.external_link.lower().startswith(("http://", "https://")):
        error("external_link", _l("Enter a full web address, like https://example.org."))

    if clean.translation_of_id:
        original = db.session.get(Practice, clean.translation_of_id)
        if original is None or (existing is not None and original.id == existing.id):
            error("translation_of_id", _l("Choose another practice as the original."))
        elif original.translation_of_id is not None:
            clean.translation_of_id = original.translation_of_id  # link to the original, not a sibling
    if errors:
        raise ServiceError(errors)
    return clean


# --- writes ---------------------------------------------------------------------------------------


def tags_named(names: list[str]) -> list[Tag]:
    """The Tag rows of these names, new ones added (practices, offers and applications share the tags)."""
    if not names:
        return []
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    return [existing.get(name) or Tag(name=name) for name in names]


def _apply(practice: Practice, data: PracticeData) -> None:
    practice.title = data.title
    practice.summary = data.summary
    for name in SECTION_NAMES:
        setattr(practice, name, getattr(data, name))
    practice.sectors = data.sectors
    practice.intervention_types = data.intervention_types
    practice.tags = tags_named(data.tags)
    practice.country = data.country
    practice.language = data.language
    practice.institution = db.session.scalar(select(Institution).where(Institution.slug == data.institution))
    practice.partnership_id = data.partnership_id or None
    practice.external_ref = data.external_ref or None
    practice.external_link = data.external_link
    practice.visibility = data.visibility
    practice.translation_of_id = data.translation_of_id or None
    _set_status(practice, data.status)
    store_html(practice)


def store_html(practice: Practice) -> None:
    """Render and clean the practice's sections into its stored HTML (in the session, not committed), unless
    what is stored is already of this text and of today's sanitiser: a save that changes no section renders
    nothing."""
    texts = [getattr(practice, name) or "" for name in SECTION_NAMES]
    digest = rendering.source_digest(texts)
    with db.session.no_autoflush:  # reading the stored row must not send the half-applied practice
        row = practice.rendered
    if row is not None and row.rules == rendering.RULES and row.source_digest == digest:
        return
    html = dict(zip(SECTION_NAMES, rendering.render_sections(texts)))
    if row is None:
        practice.rendered = PracticeHtml(rules=rendering.RULES, source_digest=digest, **html)
        return
    row.rules, row.source_digest = rendering.RULES, digest
    for name, value in html.items():
        setattr(row, name, value)


def _set_status(practice: Practice, status: str) -> None:
    if status == PUBLISHED and practice.published_at is None:
        practice.published_at = utcnow()
    practice.status = status


def snapshot(practice: Practice) -> dict:
    """The practice as a revision keeps it. Sectors, intervention types and tags are sets, read back in
    name order: kept sorted, so that the order a form sends them in is no change."""
    data = asdict(PracticeData.from_practice(practice))
    for name in ("sectors", "intervention_types", "tags"):
        data[name] = sorted(data[name])
    data["evidence_level"] = practice.evidence_level
    return data


def _add_revision(practice: Practice, actor) -> PracticeRevision:
    number = (db.session.scalar(
        select(func.max(PracticeRevision.number)).where(PracticeRevision.practice_id == practice.id)
    ) or 0) + 1 if practice.id else 1
    revision = PracticeRevision(number=number, author_id=getattr(actor, "id", None), data=snapshot(practice))
    practice.revisions.append(revision)
    return revision


def build_practice(actor, data: PracticeData) -> Practice:
    """A new practice in the session (not committed): for callers that commit in batches (import)."""
    practice = Practice(created_by_id=getattr(actor, "id", None), evidence_level=SHARED)
    _apply(practice, data)
    if actor is not None and getattr(actor, "id", None):
        practice.author_rows = [PracticeAuthor(user_id=actor.id, position=0)]
    db.session.add(practice)
    _add_revision(practice, actor)
    return practice


def apply_update(actor, practice: Practice, data: PracticeData) -> bool:
    """Change a practice in the session; a revision is kept only when something changed."""
    before = snapshot(practice)
    was_published = practice.status == PUBLISHED
    _apply(practice, data)
    after = snapshot(practice)
    if before == after:
        return False
    practice.updated_at = utcnow()
    _add_revision(practice, actor)
    if practice.status != PUBLISHED and was_published or practice.status == PUBLISHED and not was_published:
        audit.record(actor, f"practice.{'published' if practice.status == PUBLISHED else practice.status}",
                     practice)
    return True


def create_practice(actor, data: PracticeData, uploads=()) -> Practice:
    """Validate, save with its first revision and its files; all or nothing."""
    from network.practices import attachments

    clean = validate(data)
    with attachments.saving() as files:
        practice = build_practice(actor, clean)
        files.stage(practice, list(uploads), actor)
        if practice.status == PUBLISHED:
            audit.record(actor, "practice.published", practice)
        db.session.commit()
    return practice


def update_practice(actor, practice: Practice, data: PracticeData, uploads=()) -> Practice:
    from network.practices import attachments

    clean = validate(data, existing=practice)
    with attachments.saving() as files:
        changed = apply_update(actor, practice, clean)
        if uploads:
            files.stage(practice, list(uploads), actor)
            if not changed:
                practice.updated_at = utcnow()
        if actor is not None and getattr(actor, "id", None) and (changed or uploads):
            add_author(practice, actor)
        db.session.commit()
    return practice


def change_status(actor, practice: Practice, status: str) -> Practice:
    data = PracticeData.from_practice(practice)
    data.status = status
    return update_practice(actor, practice, data)


def mark_reviewed(actor, practice: Practice, reviewed: bool = True) -> None:
    practice.evidence_level = REVIEWED if reviewed else SHARED
    practice.reviewed_by_id = actor.id if reviewed else None
    practice.reviewed_at = utcnow() if reviewed else None
    _add_revision(practice, actor)
    audit.record(actor, "practice.reviewed" if reviewed else "practice.review_withdrawn", practice)
    db.session.commit()


def add_author(practice: Practice, user) -> None:
    if user.id not in {row.user_id for row in practice.author_rows}:
        practice.author_rows.append(PracticeAuthor(user_id=user.id, position=len(practice.author_rows)))


def delete_practice(actor, practice: Practice) -> None:
    """Delete a practice with its attachments' files (removed only once the deletion has committed).

    practice_deleted goes out before the row goes, in the same transaction: what holds the practice (a
    collection's items, which the database deletes with it) is still there for its receivers."""
    from network.practices import attachments

    stored = [a.stored_name for a in practice.attachments]
    audit.record(actor, "practice.deleted", practice)
    practice_deleted.send(practice, actor=actor)
    db.session.delete(practice)
    db.session.commit()
    attachments.remove_files(stored)


# --- reads ----------------------------------------------------------------------------------------


def get(practice_id: int) -> Practice | None:
    return db.session.get(Practice, practice_id)


def section_html(practice: Practice) -> list[tuple[str, Any, Markup]]:
    """The practice's sections as its page shows them, in reading order, empty ones left out: (name, label,
    HTML). The HTML stored when it was saved, if it is of this text and of today's sanitiser (one primary-key
    read). Otherwise (a row missing, or made under older rules) rendered now and not stored: a page view
    writes nothing, as an UPDATE would also empty every worker's page cache (network/page_cache.py) and a
    GET may be answered while the database is busy; `flask practices render-html` makes the rows."""
    texts = [getattr(practice, name) or "" for name in SECTION_NAMES]
    row = practice.rendered
    if row is not None and row.rules == rendering.RULES and row.source_digest == rendering.source_digest(texts):
        html = [Markup(getattr(row, name)) for name in SECTION_NAMES]  # sanitised before it was stored
    else:
        html = [render_markdown(text) if text.strip() else Markup("") for text in texts]
    return [(name, SECTION_LABELS[name], value) for name, text, value in zip(SECTION_NAMES, texts, html)
            if text.strip()]


@dataclass
class HtmlReport:
    checked: int = 0
    made: int = 0  # practices that had no stored HTML
    remade: int = 0  # stored HTML of another text or of older rules, made again

    @property
    def current(self) -> int:
        return self.checked - self.made - self.remade


def _render_each(texts_of_practices: list[list[str]]) -> list[list[str]]:
    return [rendering.render_sections(texts) for texts in texts_of_practices]


def store_missing_html(batch_size: int = 500, progress: Callable[[int], Any] | None = None,
                       render_many: Callable[[list[list[str]]], list[list[str]]] | None = None) -> HtmlReport:
    """Make the stored HTML of every practice that has none or whose HTML is stale (another text, older
    rules), a batch of practices per transaction; a second run finds nothing to do. For
    `flask practices render-html`: after the sanitiser's rules or libraries change, after bulk inserts that
    bypass the services (bench/load.py), or to repair rows written by SQL.

    render_many renders the sections of several practices (rendering.render_sections for each, in order):
    the command passes one that shares them among processes."""
    render_many = render_many or _render_each
    report = HtmlReport()
    sections = [getattr(Practice, name) for name in SECTION_NAMES]
    last_id = 0
    while True:
        rows = db.session.execute(
            select(Practice.id, PracticeHtml.rules, PracticeHtml.source_digest, *sections)
            .outerjoin(PracticeHtml, PracticeHtml.practice_id == Practice.id)
            .where(Practice.id > last_id).order_by(Practice.id).limit(batch_size)).all()
        if not rows:
            return report
        todo = []  # (id, whether a row exists, digest, texts)
        for practice_id, rules, stored_digest, *texts in rows:
            texts = [text or "" for text in texts]
            digest = rendering.source_digest(texts)
            if rules != rendering.RULES or stored_digest != digest:
                todo.append((practice_id, rules is not None, digest, texts))
        new, stale = [], []
        for (practice_id, exists, digest, _texts), html in zip(todo, render_many([t[3] for t in todo])):
            (stale if exists else new).append(dict(practice_id=practice_id, rules=rendering.RULES,
                                                   source_digest=digest, **dict(zip(SECTION_NAMES, html))))
        if new:
            db.session.execute(insert(PracticeHtml), new)
        if stale:
            db.session.execute(update(PracticeHtml), stale)  # by primary key
        db.session.commit()
        report.checked += len(rows)
        report.made += len(new)
        report.remade += len(stale)
        last_id = rows[-1][0]
        if progress is not None:
            progress(len(rows))


def visible_to(user):
    """A filter: the practices this person may see (the rules of permissions.can_view_practice, in SQL)."""
    public = (Practice.status == PUBLISHED) & (Practice.visibility == PUBLIC)
    if not permissions.is_member(user):
        return public
    if permissions.is_site_admin(user):
        return Practice.id.is_not(None)
    published = Practice.status == PUBLISHED
    own = Practice.institution_id == user.institution_id
    return or_(published, own)


@dataclass
class PracticeFilters:
    sector: str = ""
    intervention_type: str = ""
    country: str = ""
    language: str = ""
    institution: str = ""
    tag: str = ""
    evidence: str = ""
    status: str = ""
    q: str = ""
    sort: str = "newest"

    @classmethod
    def from_args(cls, args) -> "PracticeFilters":
        get = lambda name: (args.get(name) or "").strip()[:100]  # noqa: E731
        filters = cls(**{f.name: get(f.name) for f in fields(cls)})
        if filters.sort not in SORTS:
            filters.sort = "newest"
        return filters

    def active(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v and k != "sort"}


SORTS = {
    "newest": _l("Newest"),
    "updated": _l("Recently updated"),
    "discussed": _l("Most discussed"),
    "title": _l("Title"),
}


def comment_counts():
    return (
        select(Comment.practice_id, func.count(Comment.id).label("n"))
        .where(Comment.hidden.is_(False), Comment.deleted.is_(False))
        .group_by(Comment.practice_id)
        .subquery()
    )


def _conditions(user, filters: PracticeFilters) -> list:
    """The WHERE conditions of the list of practices this person may see with these filters."""
    conditions = [visible_to(user)]
    if filters.status in STATUSES and permissions.is_member(user):
        conditions.append(Practice.status == filters.status)
    else:
        conditions.append(Practice.status == PUBLISHED)
    if filters.sector:
        conditions.append(Practice.id.in_(
            select(PracticeSector.practice_id).where(PracticeSector.sector == filters.sector)))
    if filters.intervention_type:
        conditions.append(Practice.id.in_(
            select(PracticeInterventionType.practice_id).where(
                PracticeInterventionType.intervention_type == filters.intervention_type)))
    if filters.country:
        conditions.append(Practice.country == filters.country.upper())
    if filters.language:
        conditions.append(Practice.language == filters.language.lower())
    if filters.institution:
        conditions.append(Practice.institution_id.in_(
            select(Institution.id).where(Institution.slug == filters.institution)))
    if filters.tag:
        conditions.append(Practice.id.in_(
            select(practice_tags.c.practice_id).join(Tag).where(Tag.name == normalize_tag(filters.tag))))
    if filters.evidence in EVIDENCE_LEVELS:
        conditions.append(Practice.evidence_level == filters.evidence)
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        conditions.append(or_(func.lower(Practice.title).like(pattern), func.lower(Practice.summary).like(pattern)))
    return conditions


def _ordered(query, sort: str):
    if sort == "updated":
        return query.order_by(Practice.updated_at.desc(), Practice.id.desc())
    if sort == "discussed":
        counts = comment_counts()
        return query.outerjoin(counts, counts.c.practice_id == Practice.id).order_by(
            func.coalesce(counts.c.n, 0).desc(), Practice.id.desc())
    if sort == "title":
        return query.order_by(func.lower(Practice.title), Practice.id)
    return query.order_by(func.coalesce(Practice.published_at, Practice.created_at).desc(), Practice.id.desc())


def practice_query(user, filters: PracticeFilters):
    """The list of practices this person may see, filtered and sorted."""
    return _ordered(select(Practice).where(*_conditions(user, filters)), filters.sort)


def _card_options() -> tuple:
    """A list card shows neither the Markdown sections nor the tags and authors. (Built when called:
    loader options at import time would configure every mapper before all models are imported.)"""
    return (*(defer(getattr(Practice, name)) for name in SECTION_NAMES),
            lazyload(Practice.tags), lazyload(Practice.author_rows))


class PracticePage(Pagination):
    """One page of a practice list: the ids are sorted and counted from the narrow listing index, and
    only the page's rows are then read, without their sections."""

    def _query_items(self) -> list[Practice]:
        ids_query = _ordered(select(Practice.id).where(*self._query_args["conditions"]), self._query_args["sort"])
        ids = list(db.session.scalars(ids_query.limit(self.per_page).offset(self._query_offset)))
        if not ids:
            return []
        rows = {p.id: p for p in db.session.scalars(
            select(Practice).where(Practice.id.in_(ids)).options(*_card_options()))}
        return [rows[practice_id] for practice_id in ids if practice_id in rows]

    def _query_count(self) -> int:
        return db.session.scalar(select(func.count(Practice.id)).where(*self._query_args["conditions"]))


def practice_page(user, filters: PracticeFilters, page: int, per_page: int = 20) -> PracticePage:
    return PracticePage(page=page, per_page=per_page, error_out=False,
                        conditions=_conditions(user, filters), sort=filters.sort)


_facets_lock = threading.Lock()


def _viewer_scope(user) -> tuple:
    """Who sees the same practices: anonymous visitors, site admins, or the members of one institution."""
    if permissions.is_site_admin(user):
        return ("admin",)
    if permissions.is_member(user):
        return ("member", user.institution_id)
    return ("anonymous",)


def facet_counts(user, filters: PracticeFilters) -> dict[str, dict[str, int]]:
    """How many visible practices each filter value would give, given the other active filters.

    Kept PRACTICE_FACETS_CACHE_SECONDS per worker for everyone who sees the same practices: five
    GROUP BYs are most of a list page's time (bench/README.md, Load), and a count a few seconds old
    misleads nobody. The list and its total are never cached."""
    seconds = current_app.config.get("PRACTICE_FACETS_CACHE_SECONDS") or 0
    if seconds <= 0:
        return _count_facets(user, filters)
    # The page cache's content generation: an edit, unpublishing or deletion counts again at once, as the
    # list it stands beside is rendered again at once (network/page_cache.py).
    key = (_viewer_scope(user), _normalised(filters), read_generation())
    with _facets_lock:
        cache = current_app.extensions.get("practice_facets")
        if cache is None or cache.ttl != seconds:
            cache = current_app.extensions["practice_facets"] = TTLCache(maxsize=1024, ttl=seconds)
        found = cache.get(key)
    if found is not None:
        return found
    counts = _count_facets(user, filters)
    with _facets_lock:
        cache[key] = counts
    return counts


def _count_facets(user, filters: PracticeFilters) -> dict[str, dict[str, int]]:
    """facet_counts without the cache.

    Each facet counts with the other active filters, so its own is left out. The practice columns whose
    filter is not active all count under the same conditions: one GROUP BY over the listing index serves
    them together (each query scans thousands of index entries; one pass instead of three)."""
    counts: dict[str, dict[str, int]] = {}
    linked = {
        "sector": (PracticeSector.sector, PracticeSector.practice_id),
        "intervention_type": (PracticeInterventionType.intervention_type, PracticeInterventionType.practice_id),
    }
    for name, (column, link) in linked.items():
        query = (select(column, func.count()).select_from(link.table).join(Practice, Practice.id == link)
                 .where(*_conditions(user, _without(filters, name))).group_by(column))
        counts[name] = dict(db.session.execute(query).all())
    columns = {"country": Practice.country, "language": Practice.language, "evidence": Practice.evidence_level}
    unfiltered = [name for name in columns if _normalised(_without(filters, name)) == _normalised(filters)]
    for name in columns:
        if name not in unfiltered:
            query = (select(columns[name], func.count()).where(*_conditions(user, _without(filters, name)))
                     .group_by(columns[name]))
            counts[name] = dict(db.session.execute(query).all())
    if unfiltered:
        shared = [columns[name] for name in unfiltered]
        for name in unfiltered:
            counts[name] = {}
        for *values, count in db.session.execute(
                select(*shared, func.count()).where(*_conditions(user, filters)).group_by(*shared)):
            for name, value in zip(unfiltered, values):
                counts[name][value] = counts[name].get(value, 0) + count
    return {name: counts[name] for name in FACET_NAMES}


FACET_NAMES = ("sector", "intervention_type", "country", "language", "evidence")


def _without(filters: PracticeFilters, name: str) -> PracticeFilters:
    return PracticeFilters(**{**asdict(filters), name: ""})


def _normalised(filters: PracticeFilters) -> tuple:
    """What decides the WHERE of a list (an unknown evidence level filters nothing; sorting changes none)."""
    values = asdict(filters)
    values.pop("sort")
    if values["evidence"] not in EVIDENCE_LEVELS:
        values["evidence"] = ""
    return tuple(sorted(values.items()))


def tag_suggestions(user, prefix: str = "", limit: int = 200) -> list[str]:
    """The tags of the practices this person may see (a draft's tags are its institution's business), by name."""
    visible = select(practice_tags.c.tag_id).join(Practice, Practice.id == practice_tags.c.practice_id).where(
        visible_to(user))
    query = select(Tag.name).where(Tag.id.in_(visible)).order_by(Tag.name).limit(limit)
    if prefix:
        query = query.where(Tag.name.startswith(normalize_tag(prefix), autoescape=True))
    return list(db.session.scalars(query))


def translations(practice: Practice) -> list[Practice]:
    """The other language versions of this practice (original and translations), oldest first."""
    root_id = practice.translation_of_id or practice.id
    query = select(Practice).where(
        or_(Practice.id == root_id, Practice.translation_of_id == root_id), Practice.id != practice.id
    ).order_by(Practice.id).options(*_card_options())  # shown as links: their sections are not read
    return list(db.session.scalars(query))


def institution_practices(institution: Institution, user, limit: int = 20) -> tuple[list, int]:
    """The newest published practices of an institution this person may see (id, title, language only),
    and how many there are: an institution page lists a few and links to the filtered list for the rest."""
    conditions = (Practice.institution_id == institution.id, Practice.status == PUBLISHED, visible_to(user))
    newest = list(db.session.execute(
        select(Practice.id, Practice.title, Practice.language).where(*conditions)
        .order_by(Practice.published_at.desc(), Practice.id.desc()).limit(limit)))
    total = len(newest)
    if total == limit:  # there may be more: count them
        total = db.session.scalar(select(func.count(Practice.id)).where(*conditions))
    return newest, total


def feed_practices(institution: Institution | None = None, limit: int = 50) -> list[Practice]:
    """Newly published public practices, newest first (feeds are read anonymously)."""
    query = select(Practice).where(Practice.status == PUBLISHED, Practice.visibility == PUBLIC)
    if institution is not None:
        query = query.where(Practice.institution_id == institution.id)
    return list(db.session.scalars(query.order_by(Practice.published_at.desc()).limit(limit)))


# --- revisions ------------------------------------------------------------------------------------

FIELD_LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    **SECTION_LABELS,
    "sectors": _l("Sectors"),
    "intervention_types": _l("Intervention types"),
    "tags": _l("Tags"),
    "country": _l("Country"),
    "language": _l("Language"),
    "institution": _l("Institution"),
    "partnership_id": _l("Partnership"),
    "external_ref": _l("External reference"),
    "external_link": _l("External link"),
    "status": _l("Status"),
    "visibility": _l("Visibility"),
    "translation_of_id": _l("Translation of"),
    "evidence_level": _l("Evidence level"),
}


@dataclass
class FieldChange:
    name: str
    label: str
    lines: list[tuple[str, str]]  # ("+"|"-"|" ", text)


def _as_lines(value) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return "" if value is None else str(value).splitlines() or [""]


def _named(name: str, value):
    """A revision's stored codes as the reader reads them: "reviewed" as “Reviewed”, "es" as “Spanish”, an
    institution's slug, a partnership's or a practice's id as its name (the code itself once it is gone)."""
    if value is None or value == "" or value == []:
        return value
    if isinstance(value, list):
        return [_named(name, item) for item in value]
    codes = {"status": STATUS_LABELS, "visibility": VISIBILITY_LABELS, "evidence_level": EVIDENCE_LABELS,
             "intervention_types": INTERVENTION_TYPE_LABELS}.get(name)
    if codes is not None:
        return str(codes[value]) if value in codes else value
    if name == "sectors":
        return labels.sector_label(value)
    if name == "country":
        return labels.country_name(value)
    if name == "language":
        return labels.language_name(value)
    if name == "institution":
        found = db.session.scalar(select(Institution.name).where(Institution.slug == value))
        return found or value
    if name == "partnership_id" and isinstance(value, int):
        return db.session.scalar(select(Partnership.title).where(Partnership.id == value)) or str(value)
    if name == "translation_of_id" and isinstance(value, int):  # named when everyone may read it
        return db.session.scalar(select(Practice.title).where(
            Practice.id == value, Practice.status == PUBLISHED, Practice.visibility == PUBLIC)) or str(value)
    return value


def diff_revisions(old: PracticeRevision | None, new: PracticeRevision) -> list[FieldChange]:
    """What changed between two revisions, field by field, as added and removed lines (codes named in the
    reader's language)."""
    before = old.data if old is not None else {}
    changes = []
    for name, label in FIELD_LABELS.items():
        a, b = before.get(name), new.data.get(name)
        if a == b or (not a and not b):
            continue
        lines = []
        for line in difflib.ndiff(_as_lines(_named(name, a)), _as_lines(_named(name, b))):
            if line.startswith("? "):
                continue
            lines.append((line[0], line[2:]))
        changes.append(FieldChange(name=name, label=str(label), lines=lines))
    return changes


def get_revision(practice: Practice, number: int) -> PracticeRevision | None:
    return db.session.scalar(select(PracticeRevision).where(
        PracticeRevision.practice_id == practice.id, PracticeRevision.number == number))
