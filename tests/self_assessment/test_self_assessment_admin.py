"""The questionnaire's editor for site admins: who may use it, the draft edited without JavaScript (texts,
statements added and moved, codes checked with the form kept), publishing (the previous version retires,
untouched), frozen versions refusing every change, and the JSON exchange (malformed files, round trip)."""
from __future__ import annotations

import copy
import io
import json

import pytest

from network.auth.models import SITE_ADMIN
from network.errors import ServiceError
from network.extensions import db
from network.self_assessment import editing, services
from network.self_assessment.models import AssessmentStatement, Questionnaire
from self_assessment_helpers import TINY, tiny_questionnaire


def _admin(make_user, auth):
    admin = make_user(SITE_ADMIN)
    auth.login(admin)
    return admin


def _standard_draft(client) -> Questionnaire:
    """The standard questionnaire as a draft, loaded through the page (TINY imported when the file is missing)."""
    if services.STANDARD_FILE.exists():
        response = client.post("/self-assessment/admin/load-standard")
    else:
        response = client.post("/self-assessment/admin/import",
                               data={"file": (io.BytesIO(json.dumps(TINY).encode()), "tiny.json")},
                               content_type="multipart/form-data")
    assert response.status_code == 302
    draft = services.draft_questionnaire()
    assert draft is not None and response.headers["Location"].endswith(f"/admin/versions/{draft.id}")
    return draft


def _statement(code: str) -> AssessmentStatement:
    return db.session.scalars(db.select(AssessmentStatement).join(AssessmentStatement.dimension)
                              .where(AssessmentStatement.code == code)
                              .order_by(AssessmentStatement.id.desc())).first()


def _routes(app, version, row_ids):
    """Every admin route of the feature, filled with real ids: (method, url)."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("self_assessment.admin_"):
            continue
        values = {"version_id": version.id, **row_ids}
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        routes += [(method, url) for method in ("GET", "POST") if method in rule.methods]
    return routes


def test_only_site_admins_reach_the_editor(app, client, make_user, auth):
    version = tiny_questionnaire()
    dimension = version.dimensions[0]
    ids = {"dimension_id": dimension.id, "statement_id": dimension.statements[0].id, "level_id": version.levels[0].id}
    routes = _routes(app, version, ids)
    assert len(routes) >= 25
    for method, url in routes:
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    auth.login(make_user())
    for method, url in routes:
        assert client.open(url, method=method).status_code == 403, url
    auth.logout()
    _admin(make_user, auth)
    assert client.get("/self-assessment/admin/").status_code == 200
    assert client.get(f"/self-assessment/admin/versions/{version.id}").status_code == 200
    assert client.get("/self-assessment/admin/versions/999999").status_code == 404


def test_an_admin_edits_a_draft_and_publishes_it(app, client, make_user, auth):
    previous = tiny_questionnaire()
    before = services.export_questionnaire(previous)
    _admin(make_user, auth)
    assert "Self-assessment questionnaire" in client.get("/").get_data(as_text=True)  # the menu's link
    draft = _standard_draft(client)
    assert draft.status == "draft" and draft.version == previous.version + 1
    page = client.get(f"/self-assessment/admin/versions/{draft.id}").get_data(as_text=True)
    assert "Publish this version" in page and 'name="title_es"' in page

    # Edit one statement's Spanish text (its English text is kept).
    first = draft.dimensions[0]
    statement = first.statements[0]
    english = statement.text["en"]
    data = {"code": statement.code, "text_en": english, "text_es": "Sé algo nuevo", "text_fr": "", "text_it": ""}
    response = client.post(f"/self-assessment/admin/versions/{draft.id}/statements/{statement.id}", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert statement.text == {"en": english, "es": "Sé algo nuevo"}
    page = client.get(f"/self-assessment/admin/versions/{draft.id}").get_data(as_text=True)
    assert "Italian: 1 text missing — shown in English" in page  # French and Italian lost a translation
    assert "Translation missing: French, Italian" in page

    # Add a statement: it comes last; move it up one place.
    response = client.post(f"/self-assessment/admin/versions/{draft.id}/dimensions/{first.id}/statements/new",
                           data={"code": "brand-new-1", "text_en": "I can do something new", "text_es": "Sé hacerlo"})
    assert response.status_code == 302
    db.session.expire_all()
    codes = [s.code for s in first.statements]
    assert codes[-1] == "brand-new-1"
    added = first.statements[-1]
    assert client.post(f"/self-assessment/admin/versions/{draft.id}/statements/{added.id}/move",
                       data={"direction": "up"}).status_code == 302
    db.session.expire_all()
    assert [s.code for s in first.statements] == codes[:-2] + ["brand-new-1", codes[-2]]

    # Publish: it becomes the current version; the previous one retires, its content untouched.
    response = client.post(f"/self-assessment/admin/versions/{draft.id}/publish")
    assert response.status_code == 302
    db.session.expire_all()
    assert services.current_questionnaire().id == draft.id and draft.published_at is not None
    assert previous.status == "retired"
    assert services.export_questionnaire(previous) == before


def test_a_frozen_version_refuses_every_change(app, client, make_user, auth):
    published = tiny_questionnaire()
    dimension = published.dimensions[0]
    statement = dimension.statements[0]
    with pytest.raises(ServiceError):
        editing.update_statement(statement, {"code": statement.code, "text": {"en": "Changed"}})
    db.session.rollback()
    for write in (lambda: editing.add_dimension(published, {"code": "x", "name": {"en": "X"}}),
                  lambda: editing.move_statement(statement, 1), lambda: editing.delete_statement(statement),
                  lambda: editing.delete_level(published.levels[0]),
                  lambda: editing.update_texts(published, {"title": {"en": "New"}})):
        with pytest.raises(ServiceError):
            write()
        db.session.rollback()
    before = services.export_questionnaire(published)
    _admin(make_user, auth)
    response = client.post(f"/self-assessment/admin/versions/{published.id}/statements/{statement.id}",
                           data={"code": statement.code, "text_en": "Changed"})
    assert response.status_code == 422 and "frozen" in response.get_data(as_text=True)
    response = client.post(f"/self-assessment/admin/versions/{published.id}", data={"title_en": "Changed"})
    assert response.status_code == 422 and "frozen" in response.get_data(as_text=True)
    client.post(f"/self-assessment/admin/versions/{published.id}/statements/{statement.id}/delete")
    client.post(f"/self-assessment/admin/versions/{published.id}/dimensions/{dimension.id}/move",
                data={"direction": "down"})
    client.post(f"/self-assessment/admin/versions/{published.id}/delete")
    assert client.get(f"/self-assessment/admin/versions/{published.id}/dimensions/new").status_code == 302
    page = client.get(f"/self-assessment/admin/versions/{published.id}").get_data(as_text=True)
    assert "frozen" in page and "Publish this version" not in page
    db.session.expire_all()
    assert services.export_questionnaire(published) == before and published.status == "published"


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00", json.dumps({"format": "other"}).encode(),
                                     json.dumps(dict(TINY, dimensions=[])).encode(), b""])
def test_a_malformed_file_is_refused_with_its_message(app, client, make_user, auth, content):
    _admin(make_user, auth)
    response = client.post("/self-assessment/admin/import", data={"file": (io.BytesIO(content), "q.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page and 'enctype="multipart/form-data"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Questionnaire)) == 0


def test_no_file_chosen_is_a_message_not_an_error(app, client, make_user, auth):
    _admin(make_user, auth)
    response = client.post("/self-assessment/admin/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a JSON file." in response.get_data(as_text=True)


def test_export_then_import_gives_the_same_questionnaire(app, client, make_user, auth):
    original = tiny_questionnaire()
    _admin(make_user, auth)
    response = client.get(f"/self-assessment/admin/versions/{original.id}/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="self-assessment-v{original.version}.json"'
    body = response.get_data(as_text=True)
    assert "Autoevaluación mínima" in body and "\n  " in body  # not escaped, indented
    response = client.post("/self-assessment/admin/import",
                           data={"file": (io.BytesIO(response.get_data()), "export.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    imported = services.draft_questionnaire()
    exported_again = services.export_questionnaire(imported)
    first = services.export_questionnaire(original)
    assert exported_again.pop("version") == original.version + 1
    first.pop("version")
    assert exported_again == first


def test_a_duplicate_code_is_refused_with_the_form_kept(app, client, make_user, auth):
    tiny = copy.deepcopy(TINY)
    draft = services.import_questionnaire(tiny)
    db.session.commit()
    _admin(make_user, auth)
    dimension = draft.dimensions[1]
    url = f"/self-assessment/admin/versions/{draft.id}/dimensions/{dimension.id}/statements/new"
    # safety-1 belongs to another dimension: statement codes are unique in the whole questionnaire.
    response = client.post(url, data={"code": "safety-1", "text_en": "I can keep what I typed",
                                      "text_it": "Posso tenere ciò che ho scritto"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "already used in this version" in page
    assert "I can keep what I typed" in page and "Posso tenere ciò che ho scritto" in page
    for bad in ("under_score", "with space", "-leading", "x" * 41):
        response = client.post(url, data={"code": bad, "text_en": "Something"})
        assert response.status_code == 422 and "lowercase letters" in response.get_data(as_text=True), bad
    response = client.post(f"/self-assessment/admin/versions/{draft.id}/dimensions/new",
                           data={"code": "safety", "name_en": "Again"})
    assert response.status_code == 422 and "already used" in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(draft.statements) == 5 and len(draft.dimensions) == 2


def test_levels_and_texts_are_checked(app, client, make_user, auth):
    draft = services.import_questionnaire(copy.deepcopy(TINY))
    db.session.commit()
    _admin(make_user, auth)
    url = f"/self-assessment/admin/versions/{draft.id}/levels/new"
    for minimum in ("101", "-1", "abc", "", "40"):
        response = client.post(url, data={"code": "extra", "minimum": minimum, "name_en": "Extra"})
        assert response.status_code == 422, minimum
    assert client.post(url, data={"code": "extra", "minimum": "95", "name_en": "Extra"}).status_code == 302
    response = client.post(f"/self-assessment/admin/versions/{draft.id}",
                           data={"title_en": "New title", **{f"scale_{n}_en": f"P{n}" for n in range(5)},
                                 "scale_0_es": "Solo uno", "not_applicable_en": "N/A"})
    assert response.status_code == 422 and "Solo uno" in response.get_data(as_text=True)
    response = client.post(f"/self-assessment/admin/versions/{draft.id}/dimensions/{draft.dimensions[0].id}",
                           data={"code": "safety", "name_en": "Safety", "name_it": "x" * 301})
    assert response.status_code == 422 and 'id="name_it-error"' in response.get_data(as_text=True)
    response = client.post(f"/self-assessment/admin/versions/{draft.id}",
                           data={"title_en": "New title", **{f"scale_{n}_en": f"P{n}" for n in range(5)},
                                 "not_applicable_en": "N/A", "title_fr": "Nouveau titre"})
    assert response.status_code == 302
    db.session.expire_all()
    assert draft.title == {"en": "New title", "fr": "Nouveau titre"}
    assert draft.scale == {"en": ["P0", "P1", "P2", "P3", "P4"]}
    assert [level.code for level in draft.levels][-1] == "extra"


def test_a_draft_is_deleted_and_a_new_one_copies_the_current(app, client, make_user, auth):
    current = tiny_questionnaire()
    _admin(make_user, auth)
    assert client.post("/self-assessment/admin/new-draft").status_code == 302
    draft = services.draft_questionnaire()
    assert [s.code for s in draft.statements] == [s.code for s in current.statements]
    page = client.get("/self-assessment/admin/").get_data(as_text=True)
    assert "A draft exists" in page
    assert client.post(f"/self-assessment/admin/versions/{draft.id}/delete").status_code == 302
    assert services.draft_questionnaire() is None and services.current_questionnaire().id == current.id
