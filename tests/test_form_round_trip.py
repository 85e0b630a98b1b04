"""Every form, submitted back as it is shown, never gives a 500 (issue 16, "Sharper", item 1).

The cases come from the app's URL map, like tests/test_authorization_matrix.py: every GET route that shows
a page (not static files, the JSON API, feeds or downloads: _is_page and NOT_PAGES), for each kind of visitor
in VISITORS (anonymous, the five demo logins of the README, the person waiting for approval, an applicant
and a traveller), and for a visit in each state of VARIANTS. Each case starts from a fresh copy of the demo
network (the `demo` fixture, with mobility's real clock, as the demo's own tests), so that a destructive
form (delete, withdraw, cancel, revoke, log out, delete the account) disturbs no other case. A case:

1. logs the visitor in (a POST to /login, as a person would) and requests the page, its URL arguments filled
   with objects of the demo database chosen for that visitor (ARGUMENTS, one row per argument name: the
   object the visitor can do the most with; QUERIES for the two pages that need a query string). These are
   the only hand-written tables: a route with an argument ARGUMENTS does not know fails
   test_every_page_argument_can_be_filled;
2. when the page is 200 HTML, reads every <form method="post"> in it (the header's forms, log out and the
   language, only on the home page: they are the same on every page), and sends each back exactly as a
   browser would: inputs with their values, checked checkboxes and radios only, the selected options of
   selects (the first enabled option when none is selected), the text of textareas (with CRLF line ends),
   the first submit button's name and value if it has one; file inputs send nothing; the action resolved
   against the page's URL. The answer must not be a 500 (with TESTING on: an exception). Forms repeated down
   a list (one per comment, item, person waiting...) are sent once: the first of each action and fields;
3. sends each form again with one field changed to a valid other value (the last other option of a select,
   " (changed)" after a text, a checkbox ticked or cleared): no 500 either;
4. an edit form (_is_edit: ".edit" endpoints and EDIT_FORMS) sent back unchanged must keep no new practice
   revision, write no notification and send no email. Edit forms are sent with each of their buttons, not
   only the first (the practice form's first is "Preview"; "Save practice" is the second);
5. reads the page again, for forms that only then appear ("Unfollow", "Restore" a hidden comment, "Revoke"
   the token just made...), up to READINGS times.

The forms are sent in the order that keeps the page's objects as they were shown for longest (_group):
edit forms, the others, those that move their object to another state, then (after the last reading)
destructive forms, and those that end the session last; unchanged before changed.

Every visitor is tried on every page: a case whose page the visitor may not open costs one GET and the demo
copy (about 550 cases, under 30 s on one core). Known bugs in code this module may not fix (network/mobility,
network/essays) are listed in KNOWN_500 and KNOWN_NOT_NOOP: the case is an expected failure (xfail) while
the bug is there, and fails once it is fixed, for the entry to go.

Not covered, for want of demo data that shows the form to one of these visitors: a practice's attachments
(none in the demo: "Remove" an attachment), a visit to complete (past visits are completed already), a new
hosting offer (every partner has one), starting an essay (every participant of an event has written theirs);
the essay editor's autosave is posted by its script, not by a form.
"""
from __future__ import annotations

import re
import tempfile
import traceback
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import current_app, url_for
from flask_login import AnonymousUserMixin
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from conftest import BASE_TEST_CONFIG, read_html
from network import create_app, permissions
from network.auth import services as accounts
from network.auth.models import PENDING, User
from network.certificates.models import Certificate
from network.collections.models import Collection
from network.demo import DEMO_LOGINS, DEMO_PASSWORD
from network.essays.models import Essay
from network.events.models import Event
from network.extensions import db
from network.institutions.demo import PENDING_USER
from network.institutions.models import Institution, Partnership
from network.mobility.models import CANCELLED, CONFIRMED, PROPOSED, SUBMITTED, HostingOffer, MobilityApplication, Visit
from network.notifications.models import Notification
from network.practices.models import Comment, Practice, PracticeRevision

# --- who visits --------------------------------------------------------------------------------------------


def _login(email: str):
    return lambda: db.session.scalar(sa.select(User).where(User.email == email))


def _applicant():
    """Someone whose application waits for their institution's endorsement (they may change or withdraw it)."""
    return db.session.scalars(sa.select(MobilityApplication).where(MobilityApplication.status == SUBMITTED)
                              .order_by(MobilityApplication.id)).first().user


def _traveller():
    """The visitor of a confirmed visit (they may cancel it)."""
    return db.session.scalars(sa.select(Visit).where(Visit.status == CONFIRMED).order_by(Visit.id)).first().visitor


# Kind of visitor -> who it is in the demo network (None: anonymous): the five demo logins of the README,
# the person waiting for their membership to be approved, an applicant and a traveller (all with the demo
# password).
VISITORS = {
    "anonymous": lambda: None,
    **{login: _login(f"{login}@demo.example") for login in DEMO_LOGINS},
    "pending": _login(PENDING_USER[0]),
    "applicant": _applicant,
    "traveller": _traveller,
}

# --- which routes are pages -----------------------------------------------------------------------------

# Routes whose address ends in a file extension (feed.atom, .ics, .csv, .pdf, data.json) answer files, not
# pages. These answer files or JSON too, under an address without one:
NOT_PAGES = {
    "practices.download": "an attachment's file",
    "collections.edition_pdf_status": "JSON for the script of the PDF page",
    "events.material": "a material's file",
    "learning.attachment": "a lesson's file",
    "self_assessment.admin_export": "a questionnaire's JSON, as a download",
}
FILE_ADDRESS = re.compile(r"\.[a-z]+$")

# The header's forms (log out, the language) are on every page: they are sent from this page only.
LAYOUT_PAGE = "web.home"


def _is_page(rule) -> bool:
    return ("GET" in rule.methods and rule.endpoint != "static" and not rule.rule.startswith("/api/")
            and not FILE_ADDRESS.search(rule.rule) and rule.endpoint not in NOT_PAGES)


# --- what forms do ----------------------------------------------------------------------------------------

# Forms whose action ends the visitor's session: sent last.
ENDS_SESSION = {"auth.logout", "auth.delete_account"}
# Forms that remove or end something, by their action or by the button pressed ("Delete chapter"): sent
# after every other form of the page.
DESTRUCTIVE = re.compile(r"delete|withdraw|cancel|revoke|logout")
DESTRUCTIVE_BUTTON = re.compile(r"delete|remove|withdraw|cancel|revoke|decline", re.IGNORECASE)
# Forms that move their object to another state (publish, archive, return, decide...): sent after the
# forms that leave it as it is.
TRANSITIONS = re.compile(r"status|review$|hide|restore|submit|publish|return|decide|confirm|complete|accept"
                         r"|assign|offer_next")
TRANSITION_BUTTON = re.compile(r"^(submit|publish|archive)\b", re.IGNORECASE)  # its label: "Submit" an essay


def _is_edit(endpoint: str | None) -> bool:
    """Forms that show an object's current values for changing them: sent back unchanged, they change
    nothing (no practice revision, no notification, no email)."""
    return endpoint is not None and (".edit" in endpoint or endpoint in EDIT_FORMS)


EDIT_FORMS = {
    "admin.user",  # roles
    "collections.chapter", "collections.item",  # a chapter's title and introduction; an item's note, chapter
    "essays.assess", "essays.display", "essays.rubric",
    "mobility.apply",  # an application's own form, prefilled once sent (its service notifies the admins)
    "mobility.programme",  # its service notifies the people of the visit
}

# Known bugs in code this module may not fix (network/mobility, network/essays): (page, form's action) ->
# the bug. The case is an expected failure while the bug is there. Remove an entry once fixed.
KNOWN_500: dict[tuple[str, str], str] = {}
# Edit forms that, sent back unchanged, still keep a revision or notify: form's action -> the bug.
KNOWN_NOT_NOOP: dict[str, str] = {}


# --- the URL arguments, from the demo database ------------------------------------------------------------


@dataclass
class Ask:
    """What an argument is filled for: the visitor (anonymous: not logged in), the route, the variant of
    its object (VARIANTS), the arguments filled so far (ARGUMENTS' order: a comment before its practice, a
    collection before its edition)."""

    user: object
    rule: object
    variant: str = ""
    values: dict = field(default_factory=dict)


def _best(model, ask: Ask, *wants):
    """The row of this model for which the first wants hold (most important first), the lowest id among
    equals: the object this visitor can do the most with, so that its page shows the most forms."""
    rows = db.session.scalars(sa.select(model).order_by(model.id)).all()
    assert rows, f"the demo network has no {model.__name__}"
    return max(rows, key=lambda row: (tuple(bool(want(ask.user, row)) for want in wants), -row.id))


def _comment(ask: Ask) -> int:
    return _best(Comment, ask, permissions.can_edit_comment, lambda _user, c: not (c.hidden or c.deleted),
                 lambda user, c: permissions.can_view_practice(user, c.practice)).id


def _practice(ask: Ask) -> int:
    if "comment_id" in ask.values:
        return db.session.get(Comment, ask.values["comment_id"]).practice_id
    return _best(Practice, ask, permissions.can_delete_practice, permissions.can_edit_practice,
                 permissions.can_view_practice, lambda _user, p: p.status == "published",
                 lambda _user, p: bool(p.attachments)).id


def _collection(ask: Ask) -> int:
    with_edition = "number" in ask.rule.arguments
    return _best(Collection, ask, lambda _user, c: bool(c.editions) or not with_edition,
                 permissions.can_delete_collection, permissions.can_edit_collection,
                 permissions.can_view_collection).id


def _edition(ask: Ask) -> int:
    return db.session.get(Collection, ask.values["collection_id"]).latest_edition.number


def _essay(ask: Ask) -> int:
    return _best(Essay, ask, permissions.can_edit_essay, permissions.can_assess_essay,
                 permissions.can_review_essay, permissions.can_view_essay,
                 lambda _user, e: e.status == "submitted").id


def _application(ask: Ask) -> int:
    return _best(MobilityApplication, ask, permissions.can_edit_application,
                 permissions.can_endorse_application, permissions.can_view_application,
                 lambda _user, a: a.status == SUBMITTED).id


def _visit(ask: Ask) -> int:
    return _best(Visit, ask, permissions.can_manage_visit, permissions.can_cancel_visit,
                 permissions.can_view_visit, lambda _user, v: v.status == (ask.variant or PROPOSED)).id


def _offer(ask: Ask) -> int:
    return _best(HostingOffer, ask, lambda user, o: permissions.can_manage_offer(user, o.partnership, o.institution),
                 lambda user, o: o.institution_id == getattr(user, "institution_id", None),
                 lambda user, o: permissions.can_view_mobility(user, o.partnership)).id


def _partnership(ask: Ask) -> int:
    return _best(Partnership, ask, permissions.coordinates, permissions.can_view_mobility,
                 lambda _user, p: bool(p.partners)).id


def _institution(ask: Ask) -> str:
    return _best(Institution, ask, permissions.can_edit_institution,
                 lambda user, i: i.id == getattr(user, "institution_id", None)).slug


def _person(ask: Ask) -> int:
    """Someone else at the visitor's institution, one waiting to join it first."""
    return _best(User, ask, lambda user, u: u.id != getattr(user, "id", None),
                 lambda user, u: u.institution_id == getattr(user, "institution_id", None),
                 lambda _user, u: u.membership_status == PENDING).id


def _token(ask: Ask) -> str:
    """A self-assessment invitation's link (the demo's "before" one), or a real password reset link."""
    if ask.rule.endpoint == "self_assessment.invitation_landing":
        from network.self_assessment.models import AssessmentInvitation

        return db.session.scalars(sa.select(AssessmentInvitation.token).order_by(AssessmentInvitation.id)).first()
    return _reset_token(ask)


def _reset_token(ask: Ask) -> str:
    """A real reset link, asked for the visitor (anonymous: the professional), read from its email."""
    email = getattr(ask.user, "email", None) or VISITORS["professional"]().email
    outbox = current_app.extensions.setdefault("network_outbox", [])
    sent = len(outbox)
    accounts.request_password_reset(email, "192.0.2.1")
    link = re.search(r"/reset-password/(\S+)", outbox[sent].get_content())
    return link.group(1)


def _certificate(ask: Ask) -> str:
    """The visitor's own certificate, else any; a code no certificate has while the demo issues none."""
    rows = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
    if not rows:
        return "0000-0000-0000"
    return max(rows, key=lambda c: (c.person_id == getattr(ask.user, "id", None), -c.id)).display_code


def _event_with_most(ask: Ask) -> int:
    """An event with a programme, one the visitor organises first, then one open to registration they may see."""
    from network.events import services as events

    return _best(Event, ask, lambda _user, e: bool(e.sessions), permissions.organises_event,
                 lambda _user, e: events.registration_state(e) == events.OPEN, permissions.can_view_event).id


def events_today():
    from network.events import services as events

    return events.today()


def _event_session(ask: Ask) -> int:
    return db.session.get(Event, ask.values["event_id"]).sessions[0].id


def _assessment_result(ask: Ask) -> int:
    """The visitor's own newest self-assessment result, else anyone's (which they may not see)."""
    from network.self_assessment.models import AssessmentResult

    return _best(AssessmentResult, ask, permissions.can_view_assessment_result).id


def _assessment_invitation(ask: Ask) -> int:
    from network.self_assessment.models import AssessmentInvitation

    return _best(AssessmentInvitation, ask, permissions.manages_assessment_invitation).id


def _questionnaire_part(name: str):
    """The first dimension, statement or level of the version in the URL (the demo's: published)."""
    def fill(ask: Ask) -> int:
        from network.self_assessment import models

        version = db.session.get(models.Questionnaire, ask.values["version_id"])
        return {"dimension": version.dimensions, "statement": version.statements, "level": version.levels}[name][0].id
    return fill


def _course(ask: Ask) -> int:
    """A course the visitor edits first, then one they follow, then one they may see."""
    from network.learning import services as learning
    from network.learning.models import Course

    return _best(Course, ask, permissions.can_edit_course,
                 lambda user, c: learning.enrolment_of(user, c) is not None, permissions.can_view_course).id


def _course_part(name: str):
    """The course's first module, lesson or question, or the quiz (the reflection, the task for their pages)."""
    def fill(ask: Ask) -> int:
        from network.learning.models import QUIZ, REFLECTION, TASK, Course

        course = db.session.get(Course, ask.values["course_id"])
        if name == "module":
            return course.modules[0].id
        if name == "lesson":
            return course.lessons[0].id
        kind = {"learning.reflection": REFLECTION, "learning.task": TASK}.get(ask.rule.endpoint, QUIZ)
        activity = next(a for lesson in course.lessons for a in lesson.activities if a.kind == kind)
        return activity.questions[0].id if name == "question" else activity.id
    return fill


def _quiz_attempt(ask: Ask) -> int:
    """The visitor's own attempt at the quiz, else anyone's (which they may not see)."""
    from network.learning.models import Enrolment, QuizAttempt

    attempts = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.activity_id == ask.values["activity_id"])
                                  .order_by(QuizAttempt.id)).all()
    assert attempts, "the demo course's quiz has no attempt"
    own = [a for a in attempts if db.session.get(Enrolment, a.enrolment_id).user_id == getattr(ask.user, "id", None)]
    return (own or attempts)[0].id


def _enrolment(ask: Ask) -> int:
    """A learner of the course in the URL (the demo's cohort)."""
    from network.learning.models import Enrolment

    return db.session.scalars(sa.select(Enrolment.id).where(Enrolment.course_id == ask.values["course_id"])
                              .order_by(Enrolment.id)).first()


def _questionnaire_version(_ask: Ask) -> int:
    from network.self_assessment import services as self_assessment

    return self_assessment.current_questionnaire().id


def _survey(ask: Ask) -> int:
    """A survey the visitor edits first, then one whose results they read, then one they may see."""
    from network.evaluation.models import Survey

    return _best(Survey, ask, permissions.can_edit_survey, permissions.can_read_survey_results,
                 permissions.can_view_survey).id


def _survey_part(name: str):
    def fill(ask: Ask) -> int:
        from network.evaluation.models import Survey

        survey = db.session.get(Survey, ask.values["survey_id"])
        return survey.sections[0].id if name == "section" else survey.questions[0].id
    return fill


def _evaluation_or(other, evaluation):
    """The evaluation's routes share argument names with others' (a session, a question, an invitation, a number)."""
    def fill(ask: Ask):
        chosen = evaluation if ask.rule.endpoint.split(".")[0] in ("evaluation", "reports") else other
        return chosen(ask)
    return fill


def _survey_invitation(ask: Ask) -> int:
    from network.evaluation.models import SurveyInvitation

    return _best(SurveyInvitation, ask, permissions.can_answer_survey, lambda _user, i: not i.answered).id


def _session_back_home(ask: Ask) -> int:
    from network.evaluation.models import DisseminationSession

    with_files = lambda _user, s: bool(s.materials)  # noqa: E731
    if "material_id" in ask.rule.arguments:  # a file's routes: a session with one
        return _best(DisseminationSession, ask, with_files, permissions.can_edit_session,
                     permissions.can_view_session).id
    return _best(DisseminationSession, ask, permissions.can_edit_session, permissions.can_view_session,
                 with_files).id


def _session_material(ask: Ask) -> int:
    from network.evaluation.models import DisseminationSession

    materials = db.session.get(DisseminationSession, ask.values["session_id"]).materials
    assert materials, "the demo's session back home has no file"
    return materials[0].id


def _report_version(ask: Ask) -> int:
    from network.evaluation.models import ReportVersion

    # Filled before the partnership (the collections' "number" comes first): the same choice as _partnership.
    partnership_id = ask.values.get("partnership_id") or _partnership(ask)
    return db.session.scalar(sa.select(sa.func.max(ReportVersion.number)).where(
        ReportVersion.partnership_id == partnership_id)) or 1


def _host(ask: Ask) -> int:
    return _best(Institution, ask, permissions.can_read_host_results).id


# Argument name -> the value for this visitor and route, in the order they are filled.
ARGUMENTS = {
    "survey_id": _survey,
    "section_id": _survey_part("section"),
    "comment_id": _comment,
    "practice_id": _practice,
    "collection_id": _collection,
    "number": _evaluation_or(_edition, _report_version),
    "essay_id": _essay,
    "application_id": _application,
    "visit_id": _visit,
    "offer_id": _offer,
    "partnership_id": _partnership,
    "slug": _institution,
    "user_id": _person,
    "token": _token,
    "code": _certificate,
    "event_id": _event_with_most,
    "session_id": _evaluation_or(_event_session, _session_back_home),
    # The month calendar: this month (the demo's events are around it).
    "year": lambda _ask: events_today().year,
    "month": lambda _ask: events_today().month,
    "result_id": _assessment_result,
    "invitation_id": _evaluation_or(_assessment_invitation, _survey_invitation),
    "page": lambda _ask: 1,
    "version_id": _questionnaire_version,
    **{f"{name}_id": _questionnaire_part(name) for name in ("dimension", "statement", "level")},
    "course_id": _course,
    **{f"{name}_id": _course_part(name) for name in ("module", "lesson", "activity")},
    "attempt_id": _quiz_attempt,
    "enrolment_id": _enrolment,
    "question_id": _evaluation_or(_course_part("question"), _survey_part("question")),
    "material_id": _session_material,
    "institution_id": _host,
}


def _event(ask: Ask) -> int:
    """An event the visitor took part in and has not written about yet, if any."""
    return _best(Event, ask, permissions.can_write_essay, lambda user, event: not any(
        essay.author_id == getattr(user, "id", None) for essay in db.session.scalars(
            sa.select(Essay).where(Essay.event_id == event.id)))).id


def _published_practice(ask: Ask) -> int:
    return _best(Practice, ask, lambda user, p: p.status == "published" and permissions.can_view_practice(user, p)).id


# Pages that need a query string (which the URL map does not tell): endpoint -> name -> its value.
QUERIES = {
    "essays.start": {"event": _event},
    "collections.add": {"practice_id": _published_practice},
}


# Objects whose page shows other forms in another state: their routes are tried on each (a proposed visit
# is confirmed or cancelled; a cancelled one's place is offered to the next on the waiting list).
VARIANTS = {"visit_id": (PROPOSED, CANCELLED)}


def _variants(rule) -> tuple[str, ...]:
    return next((VARIANTS[name] for name in rule.arguments if name in VARIANTS), ("",))


def _url(rule, user, variant: str = "") -> str:
    ask = Ask(user or AnonymousUserMixin(), rule, variant)
    for name, fill in ARGUMENTS.items():
        if name in rule.arguments:
            ask.values[name] = fill(ask)
    query = {name: fill(ask) for name, fill in QUERIES.get(rule.endpoint, {}).items()}
    return url_for(rule.endpoint, **ask.values, **query)


# --- the routes --------------------------------------------------------------------------------------------


def _rules():
    """The URL map of an app made only to read it (collection happens before any fixture)."""
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("NETWORK_INSTANCE_PATH", folder)
        app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint, rule.rule))


RULES = _rules()
PAGES = [rule for rule in RULES if _is_page(rule)]
CASES = [pytest.param(rule, visitor, variant, id="-".join(filter(None, (rule.endpoint, variant, visitor))))
         for rule in PAGES for variant in _variants(rule) for visitor in VISITORS]


def test_every_page_argument_can_be_filled():
    """A new kind of URL argument needs its row in ARGUMENTS (or the route its reason in NOT_PAGES)."""
    missing = sorted({f"{rule.endpoint}: <{name}>" for rule in PAGES for name in rule.arguments
                      if name not in ARGUMENTS})
    assert not missing, "ARGUMENTS cannot fill these URL arguments: " + ", ".join(missing)


def test_the_tables_name_what_exists():
    """NOT_PAGES, QUERIES, EDIT_FORMS and the known bugs name endpoints of the app, VARIANTS arguments of
    ARGUMENTS (none left behind)."""
    endpoints = {rule.endpoint for rule in RULES}
    named = set(NOT_PAGES) | set(QUERIES) | EDIT_FORMS | ENDS_SESSION | set(KNOWN_NOT_NOOP)
    named |= {endpoint for pair in KNOWN_500 for endpoint in pair}
    assert named <= endpoints, sorted(named - endpoints)
    assert set(VARIANTS) <= set(ARGUMENTS)


# --- forms, as a browser sends them ---------------------------------------------------------------------


@dataclass
class Control:
    """One name=value pair a browser would send, and the element it comes from."""

    name: str
    value: str
    element: object


@dataclass
class Form:
    action: str  # absolute URL
    endpoint: str | None  # of the action, for POST (None: no route takes it)
    multipart: bool
    controls: list[Control]  # what is sent, but the button
    buttons: list  # its submit buttons, in order
    changeable: list  # the fields one of which can be changed: selects, texts, checkboxes

    @property
    def label(self) -> str:
        return f"{self.endpoint or '?'} ({urlsplit(self.action).path})"

    @property
    def kind(self) -> tuple:
        """Forms repeated down a list (one per comment, item, person...) differ only in numbers."""
        names = {re.sub(r"\d+", "#", control.name) for control in self.controls}
        return self.endpoint or re.sub(r"\d+", "#", self.action), tuple(sorted(names))


TEXT_TYPES = {"", "text", "search"}
SUBMITTERS = {"submit", "image"}
CONTROLS = ["input", "select", "textarea", "button"]


def _textarea_text(element) -> str:
    text = element.string or ""
    if text.startswith("\r\n"):  # a browser's parser drops the newline right after <textarea>
        text = text[2:]
    elif text.startswith("\n"):
        text = text[1:]
    return re.sub(r"\r\n|\r|\n", "\r\n", text)  # and sends CRLF line ends


def _options(select) -> list:
    return [option for option in select.find_all("option") if not option.has_attr("disabled")
            and not (option.parent.name == "optgroup" and option.parent.has_attr("disabled"))]


def _option_value(option) -> str:
    return option["value"] if option.has_attr("value") else " ".join(option.get_text().split())


def _selected(select) -> list:
    options = _options(select)
    chosen = [option for option in options if option.has_attr("selected")]
    if select.has_attr("multiple"):
        return chosen
    return chosen[-1:] or options[:1]  # none selected: a browser shows (and sends) the first


def _kind_of(control) -> str:
    return (control.get("type") or ("submit" if control.name == "button" else "text")).lower()


def _read_form(element, page_url: str, soup) -> Form:
    elements = element.find_all(CONTROLS)
    if element.get("id"):  # controls elsewhere that name this form
        elements += [e for e in soup.find_all(CONTROLS, form=element["id"]) if e not in elements]
    controls, buttons, changeable = [], [], []
    for control in elements:
        kind, name = _kind_of(control), control.get("name")
        if control.has_attr("disabled"):
            continue
        if kind in SUBMITTERS:
            buttons.append(control)
        elif control.name == "button" or kind in ("reset", "button", "file") or not name:
            continue  # no file chosen: nothing sent
        elif control.name == "select":
            controls += [Control(name, _option_value(option), control) for option in _selected(control)]
            changeable += [control] if len(_options(control)) > 1 else []
        elif control.name == "textarea":
            controls.append(Control(name, _textarea_text(control), control))
            changeable.append(control)
        elif kind in ("checkbox", "radio"):
            if control.has_attr("checked"):
                controls.append(Control(name, control.get("value", "on"), control))
            changeable += [control] if kind == "checkbox" else []
        else:
            controls.append(Control(name, control.get("value", ""), control))
            changeable += [control] if kind in TEXT_TYPES else []
    action = urljoin(page_url, element.get("action") or page_url)
    multipart = "multipart" in (element.get("enctype") or "")
    return Form(action, _endpoint(action), multipart, controls, buttons, changeable)


def _endpoint(action: str) -> str | None:
    try:
        endpoint, _args = current_app.url_map.bind("localhost").match(urlsplit(action).path, method="POST")
    except (HTTPException, RequestRedirect):
        return None
    return endpoint


def _forms(soup: BeautifulSoup, page_url: str, with_layout: bool) -> list[Form]:
    """The page's post forms, the first of each kind."""
    main = soup.find("main")
    in_main = main.find_all("form") if main is not None else []
    forms, seen = [], set()
    for element in soup.find_all("form"):
        if (element.get("method") or "get").lower() != "post" or not (with_layout or element in in_main):
            continue
        form = _read_form(element, page_url, soup)
        if form.kind not in seen:
            seen.add(form.kind)
            forms.append(form)
    return forms


def _sent(form: Form, button, changed: bool = False) -> MultiDict | None:
    """What the browser sends, pressing this button (None: a form without one, sent by Enter); with
    changed, with one field changed to a valid other value (None when no field can change)."""
    pairs = [(c.name, c.value) for c in form.controls]
    if changed:
        pairs = next(filter(None, (_change(form, element) for element in _change_order(form.changeable))), None)
        if pairs is None:
            return None
    if button is not None and button.get("name"):
        pairs.append((button["name"], button.get("value", "")))
    return MultiDict(pairs)


def _change_order(elements: list) -> list:
    """The last other option of the first select, else " (changed)" after the first text that has one, else the
    first checkbox ticked or cleared, else a word in the first empty text."""
    def rank(element):
        if element.name == "select":
            return 0
        if element.name == "textarea" or _kind_of(element) in TEXT_TYPES:
            return 1 if (_textarea_text(element) if element.name == "textarea" else element.get("value")) else 3
        return 2

    return sorted(elements, key=rank)


def _change(form: Form, element) -> list | None:
    """The form's pairs with this element's value changed (None: it has no other valid value)."""
    name = element["name"]
    mine = [c.value for c in form.controls if c.element is element]
    position = next((n for n, c in enumerate(form.controls) if c.element is element), len(form.controls))
    others = [(c.name, c.value) for c in form.controls if c.element is not element]
    if element.name == "select":  # the last other option ("Choose..." and the like come first)
        choices = [value for value in map(_option_value, _options(element)) if value not in mine and value]
        if not choices:
            return None
        values = mine + choices[-1:] if element.has_attr("multiple") else choices[-1:]
    elif _kind_of(element) == "checkbox":
        values = [] if mine else [element.get("value", "on")]
    else:
        values = [f"{mine[0]} (changed)" if mine and mine[0] else "Changed"]
    return others[:position] + [(name, value) for value in values] + others[position:]


# --- the order forms are sent in --------------------------------------------------------------------------


@dataclass
class Step:
    form: Form
    button: object  # the submit button pressed (None: the form has none)
    changed: bool

    @property
    def label(self) -> str:
        pressed = ""
        if self.button is not None:
            pressed = f" [{' '.join(self.button.get_text().split()) or self.button.get('value', '')}]"
        return f"{self.form.label}{pressed}{' with one field changed' if self.changed else ''}"


# The order of the groups of _group.
EDIT, OTHER, TRANSITION, STATUS, DESTROY, END_SESSION = range(6)


def _group(form: Form, button) -> int:
    """Edit forms first, then the other forms, then those that move their object to another state (by
    their action, or the button pressed: an essay's "Submit"), a practice's status last of them (the page's
    other forms are for a published practice), then destructive forms (likewise: "Delete chapter"), and
    those that end the session."""
    endpoint = form.endpoint or ""
    pressed = " ".join(str(button.get(attribute, "")) for attribute in ("name", "value")) if button else ""
    if endpoint in ENDS_SESSION:
        return END_SESSION
    if DESTRUCTIVE.search(endpoint) or DESTRUCTIVE_BUTTON.search(pressed):
        return DESTROY
    if endpoint.endswith("status"):
        return STATUS
    if TRANSITIONS.search(endpoint) or (button is not None and TRANSITION_BUTTON.search(button.get("value", ""))):
        return TRANSITION
    return EDIT if _is_edit(endpoint) else OTHER


def _plan(forms: list[Form]) -> list[Step]:
    """Every step, in the order that keeps the page's objects as they were shown for longest: unchanged
    before changed within each group. Edit forms are sent with each of their buttons (their first is not
    always the one that saves: "Preview", "Save practice"); other forms with their first."""
    steps = []
    for form in forms:
        buttons = form.buttons if _is_edit(form.endpoint) else form.buttons[:1]
        for button in buttons or [None]:
            steps += [Step(form, button, False), Step(form, button, True)]
    return sorted(steps, key=lambda step: (_group(step.form, step.button), step.changed))


# --- the test -----------------------------------------------------------------------------------------------


def _counts(outbox) -> tuple[int, int, int]:
    return (db.session.scalar(sa.select(sa.func.count(PracticeRevision.id))),
            db.session.scalar(sa.select(sa.func.count(Notification.id))), len(outbox))


def _post(client, form: Form, data: MultiDict):
    if form.multipart:
        return client.post(form.action, data=data, content_type="multipart/form-data")
    return client.post(form.action, data=data)


@dataclass
class Problem:
    what: str
    known: str | None  # the known bug it is, if it is one


# The page is read again after its forms were sent, for the forms that only then appear ("Unfollow",
# "Restore" a hidden comment, "Revoke" the token just made...): at most this many times in all.
READINGS = 3


@pytest.mark.parametrize("rule, visitor, variant", CASES)
def test_every_form_sent_back_as_shown_never_gives_a_500(demo, real_clock, client, outbox, rule, visitor, variant):
    user = VISITORS[visitor]()
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"{user.email} could not log in"
    url = _url(rule, user, variant)
    problems: list[Problem] = []
    seen, later = set(), []  # kinds of form sent; destructive steps, sent once the page has been read
    for _reading in range(READINGS):
        response = client.get(url)
        assert response.status_code < 500, f"GET {url} as {visitor}: {response.status_code}"
        if response.status_code != 200 or response.mimetype != "text/html":
            response.close()  # a file sent from the disk (a download) holds it open until then
            break
        forms = [form for form in _forms(read_html(response), url, with_layout=rule.endpoint == LAYOUT_PAGE)
                 if form.kind not in seen]
        if not forms:
            break
        seen |= {form.kind for form in forms}
        for step in _plan(forms):
            if _group(step.form, step.button) >= DESTROY:
                later.append(step)
            else:
                problems += _send(client, outbox, step, f"from {url} as {visitor}", rule.endpoint)
    for step in sorted(later, key=lambda step: _group(step.form, step.button)):
        problems += _send(client, outbox, step, f"from {url} as {visitor}", rule.endpoint)
    unknown = [problem.what for problem in problems if problem.known is None]
    assert not unknown, "\n".join(unknown)
    if problems:
        pytest.xfail("; ".join(sorted({problem.known for problem in problems})))


def _send(client, outbox, step: Step, where: str, page: str) -> list[Problem]:
    """Send one step; what went wrong (a 500, an unchanged edit form that changed something)."""
    data = _sent(step.form, step.button, step.changed)
    if data is None:
        return []
    what = f"{step.label}, {where}"
    before = _counts(outbox)
    try:
        status = _post(client, step.form, data).status_code
    except Exception:  # a 500: with TESTING on, the exception itself
        last = "\n    ".join(traceback.format_exc().strip().splitlines()[-6:])
        return [Problem(f"{what}: 500\n    sent {list(data.items(multi=True))}\n    {last}",
                        KNOWN_500.get((page, step.form.endpoint)))]
    if status >= 500:
        return [Problem(f"{what}: {status}", KNOWN_500.get((page, step.form.endpoint)))]
    if not step.changed and _group(step.form, step.button) == EDIT:
        known = KNOWN_NOT_NOOP.get(step.form.endpoint)
        if _counts(outbox) != before:
            return [Problem(f"{what}: sent back unchanged, it kept (revisions, notifications, emails) {before} "
                            f"-> {_counts(outbox)}", known)]
        if known and status < 400:
            return [Problem(f"{what}: saved without a notification: take it out of KNOWN_NOT_NOOP", None)]
    return []
