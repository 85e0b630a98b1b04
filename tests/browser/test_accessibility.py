"""Accessibility: axe-core scans every main page of the demo network, as the person who would see it.

The demo (`seed-demo`) fills every page with realistic content: practices with comments and attachments,
visits in every state, essays with assessments, the evaluation report's charts. axe-core is injected from
the local copy that `make test-browser` installs; the site's CSP (script-src 'self') would refuse an injected
script, so only these scans run with Playwright's bypass_csp. A "serious" or "critical" finding fails.
"""
from __future__ import annotations

import re

import pytest

import browser_helpers as bh

pytestmark = pytest.mark.browser

ROLES = {
    "anonymous": None,
    "professional": "professional@demo.example",
    "institution admin": "institution-admin@demo.example",
    "coordinator": "coordinator@demo.example",
    "evaluator": "evaluator@demo.example",
    "site admin": "admin@demo.example",
    "essay author": "{draft_author}",  # the author of a draft essay, for the editor
}

# (name, who looks, address): {names} are filled from the demo data (demo_ids below).
PAGES = [
    ("home", "anonymous", "/"),
    ("home of a professional", "professional", "/"),
    ("home of an institution admin", "institution admin", "/"),
    ("home of a coordinator", "coordinator", "/"),
    ("home of an evaluator", "evaluator", "/"),
    ("login", "anonymous", "/login"),
    ("register", "anonymous", "/register"),
    ("password reset request", "anonymous", "/reset-password"),
    ("practices list", "anonymous", "/practices/"),
    ("practices list filtered", "anonymous", "/practices/?sector=social&sort=title"),
    ("practice detail", "anonymous", "/practices/{practice}"),
    ("institutions", "anonymous", "/institutions/"),
    ("institution", "anonymous", "/institutions/{institution}"),
    ("partnerships", "anonymous", "/partnerships/"),
    ("partnership", "anonymous", "/partnerships/{partnership}"),
    ("search results", "anonymous", "/search?q=family"),
    ("search without results", "anonymous", "/search?q=zzzqqq"),
    ("not found", "anonymous", "/practices/999999"),
    ("practice detail with discussion", "professional", "/practices/{practice}"),
    ("practice history", "professional", "/practices/{practice}/revisions"),
    ("new practice", "professional", "/practices/new"),
    ("bookmarks", "professional", "/practices/bookmarks"),
    ("notifications", "professional", "/notifications"),
    ("account", "professional", "/account"),
    ("account data", "professional", "/account/data"),
    ("change password", "professional", "/account/password"),
    ("access tokens", "professional", "/account/tokens"),
    ("member search results", "professional", "/search?q=familias"),
    ("mobility", "professional", "/mobility/"),
    ("hosting offer", "professional", "/mobility/offers/{offer}"),
    ("apply for a visit", "professional", "/mobility/apply/{partnership}"),
    ("calendar feeds", "professional", "/mobility/calendars"),
    ("essays archive", "professional", "/essays/"),
    ("essay", "professional", "/essays/{published_essay}"),
    ("essay editor", "essay author", "/essays/{draft_essay}/edit"),
    ("membership requests", "institution admin", "/admin/memberships"),
    ("institution with approvals", "institution admin", "/institutions/{institution}"),
    ("edit institution", "institution admin", "/institutions/{institution}/edit"),
    ("edit hosting offer", "institution admin", "/mobility/offers/{own_offer}/edit"),
    ("mobility application", "institution admin", "/mobility/applications/{application}"),
    ("matching", "coordinator", "/mobility/matching/{partnership}"),
    ("mobility dashboard", "coordinator", "/mobility/dashboard/{partnership}"),
    ("visit", "coordinator", "/mobility/visits/{visit}"),
    ("visit programme", "coordinator", "/mobility/visits/{visit}/programme"),
    ("new training event", "coordinator", "/essays/events/new/{partnership}"),
    ("rubric", "coordinator", "/essays/rubric/{partnership}"),
    ("evaluation report", "coordinator", "/essays/report/{partnership}"),
    ("essays archive for evaluators", "evaluator", "/essays/?status=submitted"),
    ("essay with assessments", "evaluator", "/essays/{assessed_essay}"),
    ("assess an essay", "evaluator", "/essays/{submitted_essay}/assess"),
    ("users", "site admin", "/admin/users"),
    ("user", "site admin", "/admin/users/{user}"),
    ("audit log", "site admin", "/admin/audit"),
    ("flagged comments", "site admin", "/practices/flags"),
    ("new institution", "site admin", "/institutions/new"),
    ("new partnership", "site admin", "/partnerships/new"),
    ("collections", "anonymous", "/collections/"),
    ("collection", "anonymous", "/collections/{manual}"),
    ("edition as a book", "anonymous", "/collections/{manual}/editions/1"),
    ("new collection", "coordinator", "/collections/new"),
    ("edit collection", "coordinator", "/collections/{manual}/edit"),
    ("events", "anonymous", "/events/"),
    ("event", "professional", "/events/{training}"),
    ("event registration", "professional", "/events/{webinar}/register"),
    ("printable programme", "anonymous", "/events/{webinar}/programme"),
    ("new event", "coordinator", "/events/new"),
    ("edit event", "coordinator", "/events/{training}/edit"),
    ("event programme editor", "coordinator", "/events/{training}/sessions"),
    ("event participants", "coordinator", "/events/{training}/participants"),
    ("event attendance", "coordinator", "/events/{kick_off}/participants"),
    ("events month calendar", "professional", "/events/calendar/{training_month}"),
    ("events month calendar, refused filter", "anonymous", "/events/calendar?month=2027-13"),
    ("event materials", "coordinator", "/events/{training}/materials"),
    ("courses", "anonymous", "/courses/"),
    ("course", "professional", "/courses/{course}"),
    ("course lesson", "professional", "/courses/{course}/lessons/{course_lesson}"),
    ("course quiz", "professional", "/courses/{course}/quizzes/{course_quiz}"),
    ("course certificate", "anonymous", "/certificates/{course_certificate}"),
    ("course editor", "coordinator", "/courses/{course}/edit"),
    ("course learners", "coordinator", "/courses/{course}/learners"),
    ("course statistics", "coordinator", "/courses/{course}/statistics"),
    ("course cohorts", "coordinator", "/courses/{course}/cohorts"),
    ("self-assessment", "anonymous", "/self-assessment/"),
    ("self-assessment result", "professional", "/self-assessment/results/{own_assessment}"),
    ("self-assessment group results", "coordinator", "/self-assessment/groups?partnership={partnership}"),
    ("self-assessment training needs", "coordinator", "/self-assessment/groups/needs?partnership={partnership}"),
    ("self-assessment invitations", "coordinator", "/self-assessment/invitations"),
    ("self-assessment questionnaire versions", "site admin", "/self-assessment/admin/"),
    ("self-assessment questionnaire", "site admin", "/self-assessment/admin/versions/{questionnaire}"),
    ("evaluation surveys", "coordinator", "/evaluation/partnerships/{partnership}/surveys"),
    ("evaluation survey editor", "coordinator", "/evaluation/surveys/{survey}"),
    ("evaluation survey preview", "coordinator", "/evaluation/surveys/{survey}/preview"),
    ("evaluation survey results", "coordinator", "/evaluation/surveys/{survey}/results"),
    ("evaluation indicators", "coordinator", "/evaluation/partnerships/{partnership}/indicators"),
    ("evaluation targets", "coordinator", "/evaluation/partnerships/{partnership}/targets"),
    ("evaluation session back home", "coordinator", "/evaluation/sessions/{back_home}"),
    ("evaluation report draft", "coordinator", "/partnerships/{partnership}/report"),
    ("evaluation report version", "professional", "/partnerships/{partnership}/report/versions/1"),
]


def demo_ids() -> dict[str, object]:
    """The demo's objects each page shows (looked up, since ids depend on the order of seeding)."""
    from sqlalchemy import func, select

    from network.auth.models import User
    from network.collections.models import Collection
    from network.essays.models import Assessment, Essay
    from network.events.models import Event
    from network.institutions.models import Partnership
    from network.mobility.models import HostingOffer, MobilityApplication, Visit
    from network.practices.models import Comment, Practice

    one = bh.demo_value
    from network.certificates.models import Certificate
    from network.evaluation.models import DisseminationSession, Survey
    from network.learning.models import Course
    from network.self_assessment.models import AssessmentResult, Questionnaire

    admin = one(select(User).where(User.email == ROLES["institution admin"]))
    draft = one(select(Essay).where(Essay.status == "draft").order_by(Essay.id))
    return {
        "practice": one(select(Practice.id)
                        .where(Practice.status == "published", Practice.visibility == "public")
                        .outerjoin(Comment, Comment.practice_id == Practice.id).group_by(Practice.id)
                        .order_by(func.count(Comment.id).desc(), Practice.id)),
        "institution": admin.institution.slug,
        "partnership": one(select(Partnership.id).order_by(Partnership.id)),
        "offer": one(select(HostingOffer.id).where(HostingOffer.institution_id != admin.institution_id)),
        "own_offer": one(select(HostingOffer.id).where(HostingOffer.institution_id == admin.institution_id)),
        "application": one(select(MobilityApplication.id).where(
            MobilityApplication.institution_id == admin.institution_id).order_by(MobilityApplication.id)),
        "visit": one(select(Visit.id).where(Visit.status == "confirmed").order_by(Visit.id)),
        "published_essay": one(select(Essay.id).where(Essay.status == "published", Essay.display == "named")),
        "submitted_essay": one(select(Essay.id).where(Essay.status == "submitted").order_by(Essay.id)),
        "assessed_essay": one(select(Assessment.essay_id).order_by(Assessment.id)),
        "draft_essay": draft.id,
        "draft_author": draft.author.email,
        "user": one(select(User.id).where(User.email == ROLES["professional"])),
        "manual": one(select(Collection.id).where(Collection.title.startswith("Manual of family"))),
        "own_assessment": one(select(AssessmentResult.id).join(User, User.id == AssessmentResult.user_id)
                              .where(User.email == ROLES["professional"]).order_by(AssessmentResult.completed_at.desc())),
        "questionnaire": one(select(Questionnaire.id).order_by(Questionnaire.version.desc())),
        **_course_ids(one(select(Course).where(Course.title == "Digital mediation in social work"))),
        "course_certificate": one(select(Certificate).join(User, User.id == Certificate.person_id).where(
            Certificate.kind == "course_completion", User.email == ROLES["professional"])).display_code,
        **{name: one(select(Event.id).where(Event.kind == kind, Event.registration_version > 0).order_by(Event.id))
           for name, kind in (("training", "training_event"), ("webinar", "webinar"), ("kick_off", "partner_meeting"))},
        "survey": one(select(Survey.id).where(Survey.partnership_id.is_not(None), Survey.moment == "after_visit")),
        "back_home": one(select(DisseminationSession.id).order_by(DisseminationSession.id)),
        "training_month": "{0.year}/{0.month}".format(one(select(Event.start_date).where(
            Event.kind == "training_event", Event.registration_version > 0).order_by(Event.id))),
    }


def _course_ids(course) -> dict[str, int]:
    quiz = next(a for lesson in course.lessons for a in lesson.activities if a.kind == "quiz")
    return {"course": course.id, "course_lesson": quiz.lesson_id, "course_quiz": quiz.id}


@pytest.fixture(scope="module")
def demo(request, tmp_path_factory):
    """The demo network behind a live server; yields (server, ids)."""
    with bh.demo_network(request, tmp_path_factory.mktemp("accessibility"), demo_ids) as served:
        yield served


@pytest.fixture(scope="module")
def browser(demo):
    with bh.chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def pages(demo, browser):
    """One page per role, logged in once through the login page, with axe-core injected on every load."""
    server, ids = demo
    with bh.pages_per_person(browser, server.url, ROLES, ids) as page_of:
        yield page_of


@pytest.mark.parametrize("name, role, address", PAGES, ids=[page[0] for page in PAGES])
def test_page_has_no_serious_accessibility_problem(demo, pages, name, role, address):
    _server, ids = demo
    if "search" in name:
        bh.wait_until_indexed()
    page = pages(role)
    with bh.screenshot_on_failure(page, f"axe--{name}"):
        response = page.goto(address.format(**ids))
        expected = 404 if name == "not found" else 400 if "refused filter" in name else 200
        assert response.status == expected, f"{address} answered {response.status} to the {role}"
        logged_in = page.locator("form[action='/logout']").count() == 1  # in the account menu, closed
        assert logged_in == (role != "anonymous"), f"not seen as the {role}"
        violations = bh.axe_scan(page)
        blocking = [v for v in violations if v["impact"] in bh.BLOCKING_IMPACTS]
        if violations and not blocking:  # shown with pytest -s or -rP: worth a look, not a failure
            print(f"axe, {name} ({address}), lesser findings:\n" + bh.describe_violations(violations))
        if blocking:
            report = bh.save_axe_report(name, violations)
            pytest.fail(f"axe found {len(blocking)} serious or critical problem(s) on {address} "
                        f"(as the {role}; all findings in {report.relative_to(bh.PROJECT_ROOT)}):\n"
                        + bh.describe_violations(blocking), pytrace=False)


# Forms sent back with their messages: the error summary, and each message tied to its field.
REFUSED_FORMS = [
    ("registration", "anonymous", "/register", "Create account"),
    ("new practice", "professional", "/practices/new", "Save practice"),
    ("application for a visit", "professional", "/mobility/apply/{partnership}", "Send the application"),
    ("password change", "professional", "/account/password", "Change password"),
    ("new event", "coordinator", "/events/new", "Save the event"),
    ("event material link", "coordinator", "/events/{training}/materials", "Add the link"),
]


@pytest.mark.parametrize("name, role, address, button", REFUSED_FORMS,
                         ids=[form[0] for form in REFUSED_FORMS])
def test_refused_form_has_no_serious_accessibility_problem(demo, pages, name, role, address, button):
    from playwright.sync_api import expect

    _server, ids = demo
    page = pages(role)
    with bh.screenshot_on_failure(page, f"axe--refused-{name}"):
        page.goto(address.format(**ids))
        main = page.get_by_role("main")
        for field in main.locator("input[type=text], input[type=email], textarea").all():
            field.fill("")
        main.get_by_role("button", name=button).click()
        expect(page.locator(".error-summary")).to_be_visible()
        blocking = [v for v in bh.axe_scan(page) if v["impact"] in bh.BLOCKING_IMPACTS]
        assert not blocking, f"refused {name} form:\n" + bh.describe_violations(blocking)


def test_the_self_assessment_by_keyboard_without_an_account(demo, browser):
    """A visitor takes the questionnaire with the keyboard only: each page (and a page sent back with its
    unanswered statements) passes the scan, and the result shows the chart and the table."""
    server, _ids = demo
    context = bh.axe_context(browser, server.url)
    page = context.new_page()
    try:
        with bh.screenshot_on_failure(page, "self-assessment-keyboard"):
            page.goto("/self-assessment/")
            page.get_by_label("I am a professional").focus()
            page.keyboard.press("Space")
            page.get_by_role("button", name="Start").focus()
            page.keyboard.press("Enter")
            page.wait_for_url("**/take/1")
            blocking = [v for v in bh.axe_scan(page) if v["impact"] in bh.BLOCKING_IMPACTS]
            assert not blocking, "questionnaire page:\n" + bh.describe_violations(blocking)
            page.get_by_role("button", name="Next").click()
            assert page.locator(".error-summary").is_visible()
            blocking = [v for v in bh.axe_scan(page) if v["impact"] in bh.BLOCKING_IMPACTS]
            assert not blocking, "refused questionnaire page:\n" + bh.describe_violations(blocking)
            number = 1
            while "/take/" in page.url:
                for group in page.locator("main fieldset:has(input[type=radio])").all():
                    group.locator("input[type=radio]").nth(2).focus()  # "fairly well"
                    page.keyboard.press("Space")
                page.get_by_role("button", name=re.compile("^(Next|See my result)$")).focus()
                page.keyboard.press("Enter")
                number += 1
                page.wait_for_url(re.compile(f"/take/{number}$|/self-assessment/result$"))
            assert page.url.endswith("/self-assessment/result"), page.url
            assert page.locator("main svg[role=img]").count() >= 1 and page.locator("main table").count() >= 1
            blocking = [v for v in bh.axe_scan(page) if v["impact"] in bh.BLOCKING_IMPACTS]
            assert not blocking, "result page:\n" + bh.describe_violations(blocking)
    finally:
        context.close()


def test_a_survey_answered_by_keyboard(demo, pages):
    """The demo professional answers the training's survey from "My surveys" with the keyboard only: the page,
    the page sent back without its required answers, and "My surveys" afterwards pass the scan."""
    from playwright.sync_api import expect

    page = pages("professional")
    with bh.screenshot_on_failure(page, "survey-keyboard"):
        page.goto("/evaluation/surveys/mine")
        page.locator("#to-answer").get_by_role("link", name="After the training").focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/evaluation/answer/**")
        blocking = [v for v in bh.axe_scan(page) if v["impact"] in bh.BLOCKING_IMPACTS]
        assert not blocking, "survey page:\n" + bh.describe_violations(blocking)
        page.get_by_role("button", name="Send my answers").focus()
        page.keyboard.press("Enter")
        expect(page.locator(".error-summary")).to_be_visible()
        blocking = [v for v in bh.axe_scan(page) if v["impact"] in bh.BLOCKING_IMPACTS]
        assert not blocking, "refused survey page:\n" + bh.describe_violations(blocking)
        page.get_by_label("4 – Agree").focus()
        page.keyboard.press("Space")
        page.get_by_label("Perhaps").focus()
        page.keyboard.press("Space")
        page.get_by_label("What would you change?").focus()
        page.keyboard.type("More time for the role plays.")
        page.get_by_role("button", name="Send my answers").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text("Thank you")).to_be_visible()
        page.goto("/evaluation/surveys/mine")
        assert page.locator("#to-answer").count() == 0 or "After the training" not in page.locator(
            "#to-answer").inner_text()


# The README's pictures: the main pages of the demo, as each would be seen by the person who uses them most.
SCREENSHOTS = [
    ("home", "professional", "/"),
    ("practice", "anonymous", "/practices/{practice}"),
    ("search", "anonymous", "/search?q=family"),
    ("matching", "coordinator", "/mobility/matching/{partnership}"),
    ("essay", "professional", "/essays/{published_essay}"),
    ("report", "coordinator", "/partnerships/{partnership}/report/versions/1"),
    ("book", "professional", "/collections/{manual}/editions/1"),
]


def test_screenshots_of_the_main_pages(demo, pages):
    """docs/screenshots/<name>.png, made anew by every browser run: the README shows four, so that a new user sees
    the product before installing it."""
    _server, ids = demo
    folder = bh.PROJECT_ROOT / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    bh.wait_until_indexed()
    for name, role, address in SCREENSHOTS:
        page = pages(role)  # 1280 x 900 (browser_helpers.axe_context)
        response = page.goto(address.format(**ids))
        assert response.status == 200, f"{address} answered {response.status} to the {role}"
        page.screenshot(path=str(folder / f"{name}.png"))
        assert (folder / f"{name}.png").stat().st_size > 10_000, name


def test_the_scan_finds_a_known_problem(pages):
    """The scanner itself works: a picture without a text alternative and a field without a label, added
    to a page, are reported as critical."""
    page = pages("anonymous")
    page.goto("/")
    page.evaluate("""() => document.getElementById("main").insertAdjacentHTML("beforeend",
        '<img src="/static/favicon.svg"><input type="text" name="nameless">')""")
    found = {v["id"]: v["impact"] for v in bh.axe_scan(page)}
    assert found.get("image-alt") == "critical" and found.get("label") == "critical", found
