"""A lesson's files: uploaded on the lesson editor, frozen into the published version, downloaded by its learners
even after an editor removed the file from the draft (and by nobody once no version they read lists it), refused
when of a forbidden type or too large, kept from anonymous visitors on a members' course, and gone from disk with
the course."""
from __future__ import annotations

import io

from conftest import read_html
from learning_helpers import make_course
from network.extensions import db
from network.learning import attachments, services
from network.learning.models import Course, LessonAttachment
from network.uploads import Upload

PDF = b"%PDF-1.4\n% a handout for families\n"


def login(auth, user):
    auth.logout()
    return auth.login(user)


def upload(client, course, lesson, name="handout.pdf", content=PDF):
    return client.post(f"/courses/{course.id}/lessons/{lesson.id}/attachments",
                       data={"attachment-file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def download_url(course, attachment_id, name="handout.pdf") -> str:
    return f"/courses/{course.id}/attachments/{attachment_id}/{name}"


def fetch(client, url):
    """The download's response, read and closed (its file with it)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def fresh(course) -> Course:
    db.session.expire_all()
    return db.session.get(Course, course.id)


def test_a_file_uploaded_published_and_removed_stays_with_the_version_that_lists_it(client, auth, exchange,
                                                                                       make_user):
    admin = exchange.seville_admin
    course = make_course(admin, exchange.seville, publish=False)
    welcome = course.lessons[0]
    login(auth, admin)
    added = upload(client, course, welcome)
    assert added.status_code == 302 and added.headers["Location"].endswith("#attachments")
    [handout] = attachments.of_lesson(welcome)
    assert (handout.filename, handout.content_type, handout.size) == ("handout.pdf", "application/pdf", len(PDF))
    editor_page = client.get(f"/courses/{course.id}/lessons/{welcome.id}/edit")
    assert "handout.pdf" in editor_page.get_data(as_text=True)
    assert fetch(client, download_url(course, handout.id)).status_code == 200  # the editors', in the draft

    services.publish(admin, fresh(course))
    version1 = fresh(course).latest_version
    assert version1.contents["modules"][0]["lessons"][0]["attachments"] == [
        {"id": handout.id, "filename": "handout.pdf", "size": len(PDF), "content_type": "application/pdf"}]

    first = make_user(institution=exchange.arad)
    services.enrol(first, fresh(course))
    login(auth, first)
    lesson_page = client.get(f"/courses/{course.id}/lessons/{welcome.id}")
    link = read_html(lesson_page).select_one(f"a[href='{download_url(course, handout.id)}']")
    assert link is not None and link.get_text(strip=True) == "handout.pdf"
    got = fetch(client, download_url(course, handout.id))
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"].startswith("attachment;") and "handout.pdf" in \
        got.headers["Content-Disposition"]
    assert "private" in got.headers["Cache-Control"]

    # The editor removes it from the draft: the row stays for version 1, unlinked from the lesson.
    login(auth, admin)
    removed = client.post(f"/courses/{course.id}/attachments/{handout.id}/remove")
    assert removed.status_code == 302
    db.session.expire_all()
    kept = db.session.get(LessonAttachment, handout.id)
    assert kept is not None and kept.lesson_id is None and attachments.path(kept).is_file()
    assert client.post(f"/courses/{course.id}/attachments/{handout.id}/remove").status_code == 404  # gone already
    login(auth, first)
    assert fetch(client, download_url(course, handout.id)).data == PDF  # version 1's learner still has it

    # Version 2 has no file: its learners cannot download it; the first learner still can.
    services.publish(admin, fresh(course))
    second = make_user(institution=exchange.arad)
    services.enrol(second, fresh(course))
    login(auth, second)
    assert fetch(client, download_url(course, handout.id)).status_code == 404
    assert "handout.pdf" not in client.get(f"/courses/{course.id}/lessons/{welcome.id}").get_data(as_text=True)
    auth.logout()
    assert fetch(client, download_url(course, handout.id)).status_code == 404  # the latest version does not list it
    login(auth, first)
    assert fetch(client, download_url(course, handout.id)).status_code == 200


def test_a_file_no_version_lists_is_deleted_with_its_row(client, auth, exchange):
    admin = exchange.seville_admin
    course = make_course(admin, exchange.seville)  # published before the file was added
    welcome = course.lessons[0]
    draft_only = attachments.add(admin, welcome, Upload("draft.pdf", "application/pdf", PDF))
    path, draft_id = attachments.path(draft_only), draft_only.id
    login(auth, admin)
    assert client.post(f"/courses/{course.id}/attachments/{draft_id}/remove").status_code == 302
    db.session.expire_all()
    assert db.session.get(LessonAttachment, draft_id) is None and not path.exists()


def test_a_forbidden_or_too_large_file_is_refused_with_the_page_kept(client, auth, exchange, app):
    admin = exchange.seville_admin
    course = make_course(admin, exchange.seville, publish=False)
    welcome = course.lessons[0]
    login(auth, admin)
    refused = upload(client, course, welcome, name="script.html", content=b"<script>alert(1)</script>")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "is not a PDF, ODT, DOCX, PNG or JPEG file" in page
    assert "Save the lesson" in page  # the rest of the editor is there
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    too_large = upload(client, course, welcome, name="big.pdf", content=PDF + b"0" * 1024)
    assert too_large.status_code == 422 and "“big.pdf” is larger than" in too_large.get_data(as_text=True)
    no_file = client.post(f"/courses/{course.id}/lessons/{welcome.id}/attachments", data={},
                          content_type="multipart/form-data")
    assert no_file.status_code == 422 and "Choose the file to add." in no_file.get_data(as_text=True)
    assert attachments.of_lesson(welcome) == []


def test_a_members_course_file_is_not_for_anonymous_visitors(client, auth, exchange, make_user):
    admin = exchange.seville_admin
    course = make_course(admin, exchange.seville, visibility="members", publish=False)
    handout = attachments.add(admin, course.lessons[0], Upload("handout.pdf", "application/pdf", PDF))
    services.publish(admin, fresh(course))
    assert fetch(client, download_url(course, handout.id)).status_code == 404
    login(auth, make_user(institution=exchange.arad))  # any approved member may read it
    got = fetch(client, download_url(course, handout.id))
    assert got.status_code == 200 and got.headers["Cache-Control"] == "private, no-store"
    other = make_course(admin, exchange.seville, title="Another course")
    assert fetch(client, download_url(other, handout.id)).status_code == 404  # not through another course


def test_deleting_the_course_removes_its_files_from_disk(exchange, make_user):
    admin = exchange.seville_admin
    course = make_course(admin, exchange.seville, publish=False)
    kept = attachments.add(admin, course.lessons[0], Upload("kept.pdf", "application/pdf", PDF))
    services.publish(admin, fresh(course))
    services.enrol(make_user(institution=exchange.arad), fresh(course))
    attachments.remove(admin, db.session.get(LessonAttachment, kept.id))  # kept for version 1
    current = attachments.add(admin, fresh(course).lessons[0], Upload("current.pdf", "application/pdf", PDF))
    paths = [attachments.path(kept), attachments.path(current)]
    assert all(p.is_file() for p in paths)
    services.delete_course(admin, fresh(course))
    assert not any(p.exists() for p in paths)
    assert db.session.get(Course, course.id) is None
