"""Essay pages: the archive, training events, the editor (with autosave and rescued text), the essay and its
review, assessments with the rubric, and the evaluation report.

Thin: every rule and every write is in network.essays.services. Nothing typed is lost: a refused form comes
back with what was typed, and a post to the editor that arrives with an expired session or form token has
its text kept (services.rescue_text) and given back in the editor after logging in again.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, format_number, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network import i18n, permissions
from network.essays import services
from network.essays.forms import AssessmentForm, DisplayForm, EssayForm, EventForm, ReturnForm, RubricForm
from network.essays.models import (
    DISPLAY_CHOICES,
    DRAFT,
    ESSAY_STATUSES,
    PUBLISHED,
    RETURNED,
    SCALE,
    SUBMITTED,
    TAG_KINDS,
    WORDS_GUIDANCE,
    Essay,
    essay_practices,
)
from network.essays.services import ArchiveFilters
from network.essays.signals import essay_page
from network.events import services as event_services
from network.events.models import EVENT_KINDS, Event
from network.extensions import db, login_manager
from network.forms import as_id as number
from network.institutions import services as institutions
from network.institutions.models import Partnership
from network.mobility.models import ACTIVITY_KINDS, DAY_NAMES
from network.panels import panels
from network.practices import services as practices
from network.practices.models import Practice
from network.sanitize import render_markdown
from network.web import REFUSED, attempt, check_button_post, csv_download, form_status, moment, month_label, outcome

bp = Blueprint("essays", __name__, url_prefix="/essays")

# The browser keeps the token of rescued text in its own cookie: logging in clears the session.
RESCUE_COOKIE = "essay_rescue"
PER_PAGE = 20
SORTS = {"newest": _l("Newest first"), "oldest": _l("Oldest first"), "title": _l("Title"),
         "words": _l("Longest first")}


@bp.context_processor
def _helpers():
    return {
        "essay_statuses": ESSAY_STATUSES,
        "event_kinds": EVENT_KINDS,
        "display_choices": DISPLAY_CHOICES,
        "author_of": lambda essay: services.author_label(essay, current_user),
        "anonymised": lambda essay: services.anonymised_for(essay, current_user),
        "month_label": month_label,
        "status": {"DRAFT": DRAFT, "SUBMITTED": SUBMITTED, "PUBLISHED": PUBLISHED, "RETURNED": RETURNED},
    }


# --- look-ups and checks ------------------------------------------------------------------------------


def _login_first() -> None:
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())


def _essay_or_404(essay_id: int) -> Essay:
    """The essay if this person may read it; one they may not read does not exist for them."""
    _login_first()
    essay = services.get_essay(essay_id)
    if essay is None or not permissions.can_view_essay(current_user, essay):
        abort(404)
    return essay


def _partnership_or_404(partnership_id: int) -> Partnership:
    return institutions.get_partnership(partnership_id) or abort(404)




def word_count_label(count: int, placeholder: str | None = None) -> str:
    """“N words — guidance 500–1,500, not a limit”; with a placeholder, the template the script fills in."""
    low, high = (format_number(n) for n in WORDS_GUIDANCE)
    return ngettext("%(count)s word — guidance %(low)s–%(high)s, not a limit",
                    "%(count)s words — guidance %(low)s–%(high)s, not a limit",
                    count, count=placeholder or format_number(count), low=low, high=high)


# --- the archive ----------------------------------------------------------------------------------------


def _code(value, length: int) -> str:
    """A country or language code from the address: letters only, else no filter."""
    text = (value or "").strip()
    return text[:length] if text.isalpha() else ""


def _filters(args) -> ArchiveFilters:
    year = number(args.get("year"))
    return ArchiveFilters(
        partnership=number(args.get("partnership")), event=number(args.get("event")),
        host=number(args.get("host")),
        country=_code(args.get("country"), 2).upper(), language=_code(args.get("language"), 3).lower(),
        year=year if year and 1900 <= year <= 2200 else None,
        status=args.get("status") if args.get("status") in ESSAY_STATUSES else "",
        practice=number(args.get("practice")),
        sort=args.get("sort") if args.get("sort") in SORTS else "newest",
    )


def _filters_active(filters: ArchiveFilters) -> bool:
    names = ("partnership", "event", "host", "country", "language", "year", "status", "practice")
    return any(getattr(filters, name) for name in names)


@dataclass
class Facets:
    """What the filters offer: only values found among the essays this person may see."""

    partnerships: list = field(default_factory=list)
    events: list = field(default_factory=list)
    hosts: list = field(default_factory=list)
    countries: list = field(default_factory=list)
    languages: list = field(default_factory=list)
    years: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    practices: list = field(default_factory=list)


def _facets(user) -> Facets:
    query = services.archive_query(user, ArchiveFilters()).order_by(None)
    visible = query.add_columns(services.anonymised_sql(user).label("anonymised")).subquery()
    rows = db.session.execute(select(visible.c.event_id, visible.c.author_country, visible.c.language,
                                     visible.c.status, visible.c.anonymised).distinct()).all()
    if not rows:
        return Facets()
    events = list(db.session.scalars(
        select(Event).where(Event.id.in_({r.event_id for r in rows}))
        .options(selectinload(Event.host), selectinload(Event.partnership))
        .order_by(Event.start_date.desc(), Event.id)))
    # An event, host or partnership offered only because of an essay anonymous to this reader would name it.
    named = {r.event_id for r in rows if not r.anonymised}
    years = sorted({e.start_date.year for e in events}, reverse=True)
    events = [e for e in events if e.id in named]
    # Only what an option shows: thousands of whole practices (with their tags, sectors and authors) took
    # seconds on a large archive.
    linked = db.session.execute(
        select(Practice.id, Practice.title, Practice.language).where(
            Practice.id.in_(select(essay_practices.c.practice_id).where(
                essay_practices.c.essay_id.in_(select(visible.c.id)))), practices.visible_to(user))
        .order_by(Practice.title))
    return Facets(
        partnerships=sorted({e.partnership for e in events}, key=lambda p: p.title.lower()),
        events=events,
        hosts=sorted({e.host for e in events if e.host}, key=lambda i: i.name.lower()),
        countries=sorted({r.author_country for r in rows if r.author_country}),
        languages=sorted({r.language for r in rows if r.language}),
        years=years,
        statuses=[s for s in ESSAY_STATUSES if s in {r.status for r in rows}],
        practices=list(linked),
    )


@bp.route("/")
@login_required
def index():
    filters = _filters(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = services.archive_query(current_user, filters).options(
        selectinload(Essay.event).selectinload(Event.partnership),
        selectinload(Essay.event).selectinload(Event.host),
        selectinload(Essay.author))
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    own_events = [(event, services.essay_of(current_user, event))
                  for event in event_services.events_of(current_user)]
    partnerships = institutions.all_partnerships()
    return render_template(
        "essays/index.html", pagination=pagination, filters=filters, filters_active=_filters_active(filters),
        facets=_facets(current_user), sorts=SORTS, own_events=own_events,
        coordinated=[p for p in partnerships if permissions.can_record_event(current_user, p)],
        reports=[p for p in partnerships if permissions.can_read_report(current_user, p)],
    )


# --- training events ------------------------------------------------------------------------------------


def _partnership_people(partnership: Partnership):
    """The institutions of the partnership, coordinating one first, each with its approved members."""
    members = [partnership.coordinating_institution] + [
        p for p in partnership.partners if p.id != partnership.coordinating_institution_id]
    return [(institution, institutions.approved_members(institution)) for institution in members]


@bp.route("/events/new/<int:partnership_id>", methods=["GET", "POST"])
@login_required
def new_event(partnership_id: int):
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.can_record_event, partnership)
    people = _partnership_people(partnership)
    form = EventForm(hosts=[institution for institution, _members in people], people=people)
    if form.validate_on_submit():
        if attempt(lambda: event_services.record_event(current_user, partnership, form.to_data()),
                   lambda event: _("The event “%(title)s” is recorded: its participants can now write their essays.",
                                   title=event.title), form=form) is not REFUSED:
            return redirect(url_for("essays.new_event", partnership_id=partnership.id))
    return render_template("essays/event_form.html", form=form, partnership=partnership,
                           events=event_services.events_in(partnership)), form_status(form)


# --- writing --------------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@login_required
def start():
    """The event, and a button to start writing (starting creates the draft, so it is a POST)."""
    event = event_services.get_event(number(request.args.get("event")) or 0) or abort(404)
    permissions.require(permissions.can_write_essay, event)
    essay = services.essay_of(current_user, event)
    if essay is None and request.method == "POST":
        check_button_post()
        essay = services.start_essay(current_user, event)
    if essay is not None:
        if permissions.can_edit_essay(current_user, essay):
            return redirect(url_for("essays.edit", essay_id=essay.id))
        return redirect(url_for("essays.show", essay_id=essay.id))
    return render_template("essays/start.html", event=event)


def _linkable_practices(essay: Essay) -> list[Practice]:
    """Published practices the author may see, and any already linked that they may see."""
    found = {p.id: p for p in db.session.scalars(
        select(Practice).where(practices.visible_to(current_user), Practice.status == "published")
        .order_by(Practice.title))}
    for practice in essay.practices:
        if permissions.can_view_practice(current_user, practice):
            found.setdefault(practice.id, practice)
    return sorted(found.values(), key=lambda p: p.title.lower())


def _same_origin() -> bool:
    """A post from one of our own pages (browsers say where a post comes from); a forged cross-site post
    must not put text in someone's editor."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin != "null" and urlsplit(origin).netloc == request.host


def _rescue(essay: Essay, as_json: bool, status: int):
    """Keep what was typed, give the browser the token to get it back, and send the person to log in (or,
    if still logged in, straight back to the editor)."""
    token, refusal = outcome(lambda: services.rescue_text(request.form.to_dict(), essay.id, essay.event_id))
    if refusal is not None:  # the server keeps too many rescued texts: show it back instead
        reason = refusal.text
        if as_json:
            return jsonify(error=reason), 503
        return render_template("essays/locked.html", essay=essay, reason=reason), 503
    edit_url = url_for("essays.edit", essay_id=essay.id)
    if current_user.is_authenticated and current_user.id == essay.author_id:
        target = edit_url
        message = _("The form had expired. We kept your text: check it in the editor and press Save draft.")
    else:
        target = url_for("auth.login", next=edit_url)
        message = _("Your session had expired: log in again and your text will be back.")
    if as_json:
        response = jsonify(error=message, login_url=target)
        response.status_code = status
    else:
        flash(message, "warning")
        response = redirect(target)
    response.set_cookie(RESCUE_COOKIE, token, max_age=int(services.RESCUE_KEEP.total_seconds()),
                        path=bp.url_prefix, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def _expired_form(error):
    """An expired form token on the editor or its autosave: the text is kept, not dropped."""
    if request.endpoint in ("essays.edit", "essays.autosave") and request.method == "POST" and _same_origin():
        essay = services.get_essay((request.view_args or {}).get("essay_id") or 0)
        if essay is not None:
            return _rescue(essay, as_json=request.endpoint == "essays.autosave", status=400)
    return render_template("errors/csrf.html", error=error), 400


def saved_label(when) -> str:
    """“Last saved: Dec 5, 2026, 3:04 PM”: the page's dates as every other date on it (the locale's medium
    date) with the time as the locale writes it; the same words from the server's page and from the autosave."""
    return _("Last saved: %(when)s", when=moment(when))


def _editor_page(essay: Essay, form: EssayForm, restored: bool = False, status: int = 200):
    return render_template(
        "essays/edit.html", essay=essay, form=form, restored=restored, prompts=services.PROMPTS,
        saved=saved_label(essay.updated_at),
        word_count=word_count_label(services.count_words(form.body.data or "")),
        word_count_forms={category: word_count_label(sample, "{n}")
                          for category, sample in i18n.plural_samples(str(get_locale())).items()}), status


@bp.route("/<int:essay_id>/edit", methods=["GET", "POST"])
def edit(essay_id: int):
    essay = services.get_essay(essay_id)
    if not current_user.is_authenticated:
        if request.method == "POST" and essay is not None and _same_origin():
            return _rescue(essay, as_json=False, status=302)
        abort(login_manager.unauthorized())
    if essay is None:
        abort(404)
    if essay.author_id != current_user.id:
        abort(403 if permissions.can_view_essay(current_user, essay) else 404)
    if not permissions.can_edit_essay(current_user, essay):
        if request.method == "POST":  # sent from a page left open: show the text back rather than drop it
            return render_template("essays/locked.html", essay=essay), 409
        flash(_("This essay can no longer be edited (%(status)s).", status=ESSAY_STATUSES[essay.status]),
              "info")
        return redirect(url_for("essays.show", essay_id=essay.id))
    form = EssayForm(practices=_linkable_practices(essay))
    if request.method == "GET":
        form.fill_from(services.essay_data_of(essay))
        rescued = services.take_rescued(request.cookies.get(RESCUE_COOKIE), essay)
        if rescued is not None:
            form.fill_rescued(rescued)
        response = make_response(_editor_page(essay, form, restored=rescued is not None))
        if rescued is not None:
            response.delete_cookie(RESCUE_COOKIE, path=bp.url_prefix, httponly=True, samesite="Lax")
        response.headers["Cache-Control"] = "no-store"
        return response
    submitting = bool(form.submit.data)
    save = services.submit_essay if submitting else services.save_draft
    done = (_("Your essay is submitted. The coordinators and evaluators will read it.") if submitting
            else _("Draft saved."))
    if attempt(lambda: save(current_user, essay, form.to_data()), done, form=form) is REFUSED:
        if submitting:  # the service saved the draft before checking the rules for submitting
            form.general_errors.insert(0, _("Your draft is saved, but it cannot be submitted yet."))
        return _editor_page(essay, form, status=422)
    return redirect(url_for("essays.show" if submitting else "essays.edit", essay_id=essay.id))


@bp.route("/<int:essay_id>/autosave", methods=["POST"])
def autosave(essay_id: int):
    """The editor's script saves the draft every few seconds; answers in JSON."""
    essay = services.get_essay(essay_id)
    if essay is None:
        return jsonify(error=_("This essay does not exist.")), 404
    if not current_user.is_authenticated:
        if _same_origin():
            return _rescue(essay, as_json=True, status=401)
        return jsonify(error=_("Your session had expired: log in again.")), 401
    if essay.author_id != current_user.id:
        if not permissions.can_view_essay(current_user, essay):
            return jsonify(error=_("This essay does not exist.")), 404
        return jsonify(error=_("Only the author edits an essay.")), 403
    if not permissions.can_edit_essay(current_user, essay):
        return jsonify(error=_("This essay can no longer be edited: it was submitted or published.")), 409
    form = EssayForm()
    _saved, refusal = outcome(lambda: services.save_draft(current_user, essay, form.to_data(), autosave=True))
    if refusal is not None:
        errors = {name: [str(m) for m in messages] for name, messages in refusal.errors.items()}
        return jsonify(error=refusal.text, errors=errors), 422
    response = jsonify(saved_at=essay.autosaved_at.isoformat(), word_count=essay.word_count,
                       saved_label=saved_label(essay.autosaved_at),
                       word_count_label=word_count_label(essay.word_count))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- reading and reviewing ------------------------------------------------------------------------------


def _programme(event: Event) -> list[tuple[str, object, list]]:
    """The visit's programme day by day (name, date, activities), when the event is a visit."""
    visit = event.visit
    if visit is None:
        return []
    return [(DAY_NAMES[day], visit.days[day - 1], [a for a in visit.activities if a.day == day])
            for day in DAY_NAMES]


def _show_page(essay: Essay, return_form: ReturnForm | None = None, display_form: DisplayForm | None = None,
               status: int = 200):
    if display_form is None:
        display_form = DisplayForm()
        display_form.display.data = essay.display
    see_assessments = permissions.can_see_assessments(current_user, essay)
    anonymised = services.anonymised_for(essay, current_user)
    return render_template(
        "essays/show.html", essay=essay, body_html=render_markdown(essay.body),
        author=services.author_label(essay, current_user), anonymised=anonymised,
        programme=[] if anonymised else _programme(essay.event),
        kind_labels=ACTIVITY_KINDS,
        linked=[p for p in essay.practices if permissions.can_view_practice(current_user, p)],
        is_author=essay.author_id == current_user.id,
        can_edit=permissions.can_edit_essay(current_user, essay),
        can_review=permissions.can_review_essay(current_user, essay),
        can_assess=permissions.can_assess_essay(current_user, essay),
        assessments=essay.assessments if see_assessments else None,
        tag_kinds=TAG_KINDS, return_form=return_form or ReturnForm(), display_form=display_form,
        word_count=word_count_label(essay.word_count),
        panels=panels(essay_page, essay, viewer=current_user),
    ), status


@bp.route("/<int:essay_id>")
def show(essay_id: int):
    return _show_page(_essay_or_404(essay_id))


@bp.route("/<int:essay_id>/submit", methods=["POST"])
def submit(essay_id: int):
    essay = _essay_or_404(essay_id)
    permissions.require(permissions.can_edit_essay, essay)
    check_button_post()
    if attempt(lambda: services.submit_essay(current_user, essay, services.essay_data_of(essay)),
               _("Your essay is submitted. The coordinators and evaluators will read it."),
               refused=lambda error: _("The essay cannot be submitted yet: %(problems)s",
                                       problems=error.text)) is REFUSED:
        return redirect(url_for("essays.edit", essay_id=essay.id))
    return redirect(url_for("essays.show", essay_id=essay.id))


@bp.route("/<int:essay_id>/display", methods=["POST"])
def display(essay_id: int):
    essay = _essay_or_404(essay_id)
    if essay.author_id != current_user.id:
        abort(403)
    form = DisplayForm()
    if not form.validate_on_submit():
        abort(400)
    if attempt(lambda: services.set_display(current_user, essay, form.display.data or ""),
               lambda saved: _("Your choice is saved: %(choice)s.", choice=DISPLAY_CHOICES[essay.display]),
               form=form) is REFUSED:
        return _show_page(essay, display_form=form, status=422)
    return redirect(url_for("essays.show", essay_id=essay.id))


@bp.route("/<int:essay_id>/publish", methods=["POST"])
def publish(essay_id: int):
    essay = _essay_or_404(essay_id)
    permissions.require(permissions.can_review_essay, essay)
    check_button_post()
    attempt(lambda: services.publish_essay(current_user, essay), _("The essay is published."))
    return redirect(url_for("essays.show", essay_id=essay.id))


@bp.route("/<int:essay_id>/return", methods=["POST"])
def return_to_author(essay_id: int):
    essay = _essay_or_404(essay_id)
    permissions.require(permissions.can_review_essay, essay)
    form = ReturnForm()
    if not form.validate_on_submit():
        abort(400)
    if attempt(lambda: services.return_essay(current_user, essay, form.comment.data or ""),
               _("The essay is returned to its author with your comment."), form=form) is REFUSED:
        return _show_page(essay, return_form=form, status=422)
    return redirect(url_for("essays.show", essay_id=essay.id))


# --- assessment and rubric ------------------------------------------------------------------------------


def _chosen_scores(criteria) -> dict[int, int]:
    """The radio buttons chosen (score-<criterion id>); a score off the scale is for the service to name."""
    scores = {}
    for criterion in criteria:
        value = (request.form.get(f"score-{criterion.id}") or "").strip()
        if value.isdigit() and len(value) < 3:
            scores[criterion.id] = int(value)
    return scores


@bp.route("/<int:essay_id>/assess", methods=["GET", "POST"])
def assess(essay_id: int):
    essay = _essay_or_404(essay_id)
    permissions.require(permissions.can_assess_essay, essay)
    criteria = services.rubric_of(essay.event.partnership)
    form = AssessmentForm()
    existing = services.assessment_by(current_user, essay)
    if request.method == "GET":
        scores = {row.criterion_id: row.score for row in existing.scores} if existing else {}
        if existing is not None:
            form.fill_from(existing)
    else:
        scores = _chosen_scores(criteria)
    if form.validate_on_submit():
        if attempt(lambda: services.assess(current_user, essay, form.to_data(scores)), _("Your assessment is saved."),
                   form=form) is not REFUSED:
            return redirect(url_for("essays.show", essay_id=essay.id) + "#assessments")
    status = form_status(form)
    missing = {c.id for c in criteria if c.id not in scores} if form.general_errors else set()
    return render_template("essays/assess.html", essay=essay, form=form, criteria=criteria, scores=scores,
                           scale=SCALE, missing=missing, author=services.author_label(essay, current_user),
                           existing=existing), status


@bp.route("/rubric/<int:partnership_id>", methods=["GET", "POST"])
@login_required
def rubric(partnership_id: int):
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.coordinates, partnership)
    form = RubricForm()
    if request.method == "GET":
        form.fill_rows([(c.label, c.explanation) for c in services.rubric_of(partnership)])
    elif form.validate_on_submit():
        if attempt(lambda: services.set_rubric(current_user, partnership, form.rows()), _("The rubric is saved."),
                   form=form) is not REFUSED:
            return redirect(url_for("essays.rubric", partnership_id=partnership.id))
        form.fill_rows([row for row in form.rows() if row[0].strip() or row[1].strip()])
    return render_template("essays/rubric.html", form=form, partnership=partnership), form_status(form)


# --- the evaluation report ------------------------------------------------------------------------------

CHART_WIDTH, LABEL_WIDTH, ROW_HEIGHT, VALUE_ROOM = 640, 240, 28, 60


@dataclass
class Bar:
    label: str
    short: str  # the label as drawn (the whole one is in the bar's <title> and in the table)
    value: float
    text: str  # the value as shown
    y: int
    width: float
    low: float | None = None  # whisker (lowest–highest), in the chart's units
    high: float | None = None


@dataclass
class Chart:
    """A horizontal bar chart drawn as inline SVG by the template (no script)."""

    id: str
    title: str
    scale_max: float
    label_width: int = LABEL_WIDTH
    width: int = CHART_WIDTH
    bars: list[Bar] = field(default_factory=list)

    @property
    def height(self) -> int:
        return len(self.bars) * ROW_HEIGHT + 8

    @property
    def plot_width(self) -> int:
        return self.width - self.label_width - VALUE_ROOM

    def x(self, value: float) -> float:
        return round(self.label_width + value / self.scale_max * self.plot_width, 1)


def _chart(chart_id: str, title: str, pairs, scale_max: float | None = None, texts=None, whiskers=None,
           label_width: int = LABEL_WIDTH, width: int = CHART_WIDTH) -> Chart:
    pairs = list(pairs)
    top = scale_max or max((value or 0 for _label, value in pairs), default=0) or 1
    chart = Chart(chart_id, title, top, label_width, width)
    shorts = short_labels([str(label) for label, _value in pairs], max(label_width // 8, 3))
    for n, (label, value) in enumerate(pairs):
        label, value = str(label), value or 0
        low, high = whiskers[n] if whiskers else (None, None)
        chart.bars.append(Bar(
            label=label, short=shorts[n],
            value=value, text=texts[n] if texts else format_number(value), y=n * ROW_HEIGHT + 4,
            width=round(value / top * chart.plot_width, 1), low=low, high=high))
    return chart


def short_labels(labels: list[str], longest: int) -> list[str]:
    """Each label cut to `longest` characters, and no two bars drawn with the same label: where cutting the end
    makes two alike ("Job-shadowing visit at Asocia…" twice), the middle goes instead, keeping the end that tells
    them apart; labels still alike are numbered."""
    def cut(label: str, tail: int) -> str:
        if len(label) <= longest:
            return label
        if tail <= 0:
            return label[:longest - 1].rstrip() + "…"
        return label[:max(longest - 1 - tail, 1)].rstrip() + "…" + label[-tail:].lstrip()

    def alike(shorts: list[str]) -> set[int]:
        seen: dict[str, set[str]] = defaultdict(set)
        for short, label in zip(shorts, labels):
            seen[short].add(label)
        return {n for n, short in enumerate(shorts) if len(seen[short]) > 1 or shorts.count(short) > 1}

    shorts = [cut(label, 0) for label in labels]
    for tail in (longest // 2, longest - 4):
        clashing = alike(shorts)
        if not clashing:
            return shorts
        shorts = [cut(label, tail) if n in clashing else short for n, (short, label) in
                  enumerate(zip(shorts, labels))]
    counts: dict[str, int] = defaultdict(int)
    for n in sorted(alike(shorts)):
        counts[shorts[n]] += 1
        number = f" ({counts[shorts[n]]})"
        shorts[n] = cut(labels[n], 0)[:max(longest - len(number), 1)].rstrip() + number
    return shorts


def _decimal(value: float | None) -> str:
    return "" if value is None else format_decimal(value, format="0.00")


def _report_charts(result: services.Report) -> dict:
    criteria = result.criteria
    return {
        "by_event": _chart("chart-events", _("Essays per event"), result.by_event),
        "by_host": _chart("chart-hosts", _("Essays per host institution"), result.by_host),
        "criteria": _chart(
            "chart-criteria",
            _("Average score per criterion, on a scale of 1 to 5; the thin line runs from the lowest to the "
              "highest score"),
            [(s.criterion.label, s.mean) for s in criteria], scale_max=max(SCALE),
            texts=[_decimal(s.mean) or "—" for s in criteria], whiskers=[(s.low, s.high) for s in criteria]),
        "distributions": {s.criterion.id: _chart(
            f"chart-distribution-{s.criterion.id}",
            _("How often each score was given for “%(criterion)s”", criterion=s.criterion.label),
            [(str(score), s.distribution.get(score, 0)) for score in SCALE], label_width=40, width=420)
            for s in criteria},
        "tags": {kind: _chart(f"chart-{kind}", str(TAG_KINDS[kind]), pairs)
                 for kind, pairs in result.tags.items()},
    }


@bp.route("/report/<int:partnership_id>")
@login_required
def report(partnership_id: int):
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.can_read_report, partnership)
    result = services.report(partnership)
    return render_template("essays/report.html", partnership=partnership, result=result,
                           charts=_report_charts(result), decimal=_decimal, tag_kinds=TAG_KINDS,
                           can_edit_rubric=permissions.coordinates(current_user, partnership))


@bp.route("/report/<int:partnership_id>.csv")
@login_required
def report_csv(partnership_id: int):
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.can_read_report, partnership)
    return csv_download(services.report_csv_rows(services.report(partnership)),
                        f"essays-report-{partnership.reference}.csv")
