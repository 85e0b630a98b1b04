"""The survey editor through its pages: a coordinator builds a survey with sections and every kind of question,
opening is refused until the survey is complete, a sent survey's structure is frozen while its wording can be
mended, a site admin's template is copied into a partnership (texts and option codes), other partnerships'
coordinators are kept out, and a refused form keeps what was typed."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from mobility_helpers import set_today
from network.auth.models import COORDINATOR, EVALUATOR, SITE_ADMIN
from network.errors import ServiceError
from network.evaluation import editing
from network.evaluation.models import (
    AFTER_VISIT,
    CLOSED,
    DRAFT,
    OPEN,
    Survey,
    SurveyInvitation,
    SurveyQuestion,
    SurveySection,
)
from network.extensions import db

SURVEY_FORM = {"title_en": "After your visit", "title_es": "Después de tu visita", "title_fr": "", "title_it": "",
               "introduction_en": "Tell us how it went.\nIt takes ten minutes.", "introduction_es": "",
               "introduction_fr": "", "introduction_it": "", "moment": AFTER_VISIT, "anonymous": "named",
               "answer_days": "30", "remind_after_days": "10"}


def _question_form(kind: str, text: str, **extra) -> dict:
    data = {"kind": kind, "text_en": text, "text_es": "", "text_fr": "", "text_it": "", "help_en": "",
            "options_en": "", "options_es": "", "options_fr": "", "options_it": "", "minimum": "", "maximum": ""}
    data.update(extra)
    return data


def _coordinator_and_partnership(make_user, make_institution, make_partnership):
    home = make_institution()
    coordinator = make_user(COORDINATOR, institution=home)
    return coordinator, make_partnership(coordinator=home)


def _newest(model):
    return db.session.scalars(db.select(model).order_by(model.id.desc())).first()


def _create_survey(client, partnership, **overrides) -> Survey:
    response = client.post(f"/evaluation/partnerships/{partnership.id}/surveys/new", data=dict(SURVEY_FORM, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    survey = _newest(Survey)
    assert response.headers["Location"].endswith(f"/evaluation/surveys/{survey.id}")
    return survey


def _add_section(client, survey, title: str) -> SurveySection:
    response = client.post(f"/evaluation/surveys/{survey.id}/sections/new", data={"title_en": title})
    assert response.status_code == 302, response.get_data(as_text=True)
    return _newest(SurveySection)


def _add_question(client, survey, section, data) -> SurveyQuestion:
    response = client.post(f"/evaluation/surveys/{survey.id}/sections/{section.id}/questions/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return _newest(SurveyQuestion)


def _flashes(client) -> str:
    with client.session_transaction() as session:
        return " ".join(message for _category, message in session.get("_flashes", []))


def test_a_coordinator_builds_a_survey_with_sections_and_every_kind_of_question(
        app, client, auth, make_user, make_institution, make_partnership):
    coordinator, partnership = _coordinator_and_partnership(make_user, make_institution, make_partnership)
    auth.login(coordinator)
    page = client.get(f"/evaluation/partnerships/{partnership.id}/surveys").get_data(as_text=True)
    assert "New survey" in page and "no survey yet" in page

    survey = _create_survey(client, partnership)
    assert survey.partnership_id == partnership.id and survey.status == DRAFT and survey.created_by_id == coordinator.id
    assert survey.title == {"en": "After your visit", "es": "Después de tu visita"}
    assert survey.moment == AFTER_VISIT and survey.anonymous is False
    assert (survey.answer_days, survey.remind_after_days) == (30, 10)

    first = _add_section(client, survey, "Your programme")
    second = _add_section(client, survey, "Back home")
    scale = _add_question(client, survey, first, _question_form("scale", "How useful was the programme?",
                                                                required="y", shown_to_hosts="y"))
    single = _add_question(client, survey, first, _question_form(
        "single", "Would you recommend the host?", text_es="¿Recomendarías la institución?",
        options_en="Yes\n\nNo\nNot sure\n", options_es="Sí\nNo\nNo lo sé", required="y"))
    multiple = _add_question(client, survey, first, _question_form(
        "multiple", "What did you see?", options_en="Team meetings\nHome visits"))
    number = _add_question(client, survey, second, _question_form("number", "How many colleagues did you tell?",
                                                                  minimum="0", maximum="40"))
    short = _add_question(client, survey, second, _question_form("short_text", "One word for the visit"))
    long = _add_question(client, survey, second, _question_form("long_text", "What will you change?",
                                                                help_en="Think of your team."))
    db.session.expire_all()
    assert [s.id for s in survey.sections] == [first.id, second.id]
    assert [q.kind for q in survey.questions] == ["scale", "single", "multiple", "number", "short_text", "long_text"]
    assert scale.required and scale.shown_to_hosts and not multiple.required
    assert single.options == [{"code": "o1", "label": {"en": "Yes", "es": "Sí"}},
                              {"code": "o2", "label": {"en": "No", "es": "No"}},
                              {"code": "o3", "label": {"en": "Not sure", "es": "No lo sé"}}]
    assert [o["code"] for o in multiple.options] == ["o1", "o2"]
    assert (number.minimum, number.maximum) == (0, 40) and number.options == []
    assert short.options == [] and long.help == {"en": "Think of your team."}

    # Reword option 2 and add a fourth one: codes stay with their lines, the new one gets the next code.
    response = client.post(f"/evaluation/surveys/{survey.id}/questions/{single.id}", data=_question_form(
        "single", "Would you recommend the host?", text_es="¿Recomendarías la institución?",
        options_en="Yes\nNo, not really\nNot sure\nOnly for some", options_es="", required="y"))
    assert response.status_code == 302
    db.session.expire_all()
    assert [(o["code"], o["label"]) for o in single.options] == [
        ("o1", {"en": "Yes"}), ("o2", {"en": "No, not really"}), ("o3", {"en": "Not sure"}),
        ("o4", {"en": "Only for some"})]

    # Moves and deletions, one button each.
    short_id = short.id
    assert client.post(f"/evaluation/surveys/{survey.id}/questions/{multiple.id}/move",
                       data={"direction": "up"}).status_code == 302
    assert client.post(f"/evaluation/surveys/{survey.id}/sections/{first.id}/move",
                       data={"direction": "down"}).status_code == 302
    assert client.post(f"/evaluation/surveys/{survey.id}/questions/{short_id}/delete").status_code == 302
    assert client.post(f"/evaluation/surveys/{survey.id}/questions/{short_id}/move",
                       data={"direction": "sideways"}).status_code == 404
    assert client.post(f"/evaluation/surveys/{survey.id}/questions/{long.id}/move",
                       data={"direction": "sideways"}).status_code == 400
    db.session.expire_all()
    assert [s.id for s in survey.sections] == [second.id, first.id]
    assert [q.id for q in first.questions] == [scale.id, multiple.id, single.id]
    assert [q.id for q in second.questions] == [number.id, long.id]
    assert db.session.get(SurveyQuestion, short_id) is None

    page = client.get(f"/evaluation/surveys/{survey.id}").get_data(as_text=True)
    assert "No, not really" in page and "Open the survey" in page and "Move up" in page
    preview = client.get(f"/evaluation/surveys/{survey.id}/preview?language=es").get_data(as_text=True)
    assert "¿Recomendarías la institución?" in preview and "What did you see?" in preview
    assert preview.count('name="preview-q%d"' % scale.id) == 5  # the five points of the scale
    listing = client.get(f"/evaluation/partnerships/{partnership.id}/surveys").get_data(as_text=True)
    assert "After your visit" in listing and "Named" in listing and "Draft" in listing

    # A section deleted takes its questions with it.
    number_id = number.id
    assert client.post(f"/evaluation/surveys/{survey.id}/sections/{second.id}/delete").status_code == 302
    db.session.expire_all()
    assert [s.id for s in survey.sections] == [first.id] and db.session.get(SurveyQuestion, number_id) is None


def test_opening_is_refused_until_the_survey_is_complete(app, client, auth, make_user, make_institution,
                                                         make_partnership, monkeypatch):
    opening_day = date.today() + timedelta(days=40)  # the evaluation's clock (mobility's), which sending reads too
    set_today(monkeypatch, opening_day)
    coordinator, partnership = _coordinator_and_partnership(make_user, make_institution, make_partnership)
    auth.login(coordinator)
    survey = _create_survey(client, partnership)

    def refused_with(words: str) -> None:
        response = client.post(f"/evaluation/surveys/{survey.id}/open")
        assert response.status_code == 302
        assert "cannot be opened yet" in _flashes(client) and words in _flashes(client)
        client.get(f"/evaluation/surveys/{survey.id}")  # reads (and clears) the flash message
        db.session.expire_all()
        assert survey.status == DRAFT and survey.opened_on is None

    refused_with("no question yet")
    section = _add_section(client, survey, "Only page")
    choice = _add_question(client, survey, section, _question_form("single", "Pick one", options_en="Only one"))
    refused_with("fewer than 2 options")
    choice.text = {"es": "Elige una"}  # written another way than the pages (which require English)
    db.session.commit()
    refused_with("has no English text")
    assert client.post(f"/evaluation/surveys/{survey.id}/questions/{choice.id}",
                       data=_question_form("single", "Pick one", options_en="One\nTwo")).status_code == 302
    empty = _add_section(client, survey, "Empty page")
    refused_with("Section 2 has no question")
    assert client.post(f"/evaluation/surveys/{survey.id}/sections/{empty.id}/delete").status_code == 302

    assert client.post(f"/evaluation/surveys/{survey.id}/open").status_code == 302
    db.session.expire_all()
    assert survey.status == OPEN and survey.opened_on == opening_day
    page = client.get(f"/evaluation/surveys/{survey.id}").get_data(as_text=True)
    assert "Close the survey" in page and "Open the survey" not in page

    assert client.post(f"/evaluation/surveys/{survey.id}/close").status_code == 302
    db.session.expire_all()
    assert survey.status == CLOSED and survey.closed_at is not None
    assert client.post(f"/evaluation/surveys/{survey.id}/reopen").status_code == 302
    db.session.expire_all()
    assert survey.status == OPEN and survey.closed_at is None and survey.opened_on == opening_day


def test_an_open_survey_keeps_its_structure_but_its_wording_can_be_mended(
        app, client, auth, make_user, make_institution, make_partnership):
    coordinator, partnership = _coordinator_and_partnership(make_user, make_institution, make_partnership)
    auth.login(coordinator)
    survey = _create_survey(client, partnership)
    section = _add_section(client, survey, "Page")
    choice = _add_question(client, survey, section, _question_form("single", "Pick one", options_en="Red\nBlue",
                                                                   required="y"))
    scale = _add_question(client, survey, section, _question_form("scale", "How much?"))
    assert client.post(f"/evaluation/surveys/{survey.id}/open").status_code == 302
    invitation = SurveyInvitation(survey_id=survey.id, user_id=coordinator.id, subject_kind="visit", subject_id=1,
                                  closes_on=date.today() + timedelta(days=30), answered=True)
    db.session.add(invitation)
    db.session.commit()
    assert editing.invitation_counts([survey.id, 999999]) == {survey.id: (1, 1), 999999: (0, 0)}

    structure = [(s.id, s.position, [(q.id, q.position, q.kind, q.options, q.required) for q in s.questions])
                 for s in survey.sections]
    # No section or question added, moved or deleted; the add pages send back to the survey.
    assert client.get(f"/evaluation/surveys/{survey.id}/sections/new").status_code == 302
    response = client.post(f"/evaluation/surveys/{survey.id}/sections/new", data={"title_en": "More"})
    assert response.status_code == 422 and "has been sent" in response.get_data(as_text=True)
    response = client.post(f"/evaluation/surveys/{survey.id}/sections/{section.id}/questions/new",
                           data=_question_form("short_text", "More?"))
    assert response.status_code == 422
    client.post(f"/evaluation/surveys/{survey.id}/questions/{scale.id}/move", data={"direction": "up"})
    client.post(f"/evaluation/surveys/{survey.id}/questions/{scale.id}/delete")
    client.post(f"/evaluation/surveys/{survey.id}/sections/{section.id}/delete")
    client.post(f"/evaluation/surveys/{survey.id}/delete", data={"delete-confirm": "y"})
    assert "cannot be deleted" in _flashes(client)
    # Changing the options' number is refused, with the typed text kept.
    response = client.post(f"/evaluation/surveys/{survey.id}/questions/{choice.id}",
                           data={"text_en": "Pick one", "options_en": "Red\nBlue\nGreen"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "same number of options (2)" in body and "Green" in body
    for write in (lambda: editing.update_question(choice, {"kind": "multiple"}),
                  lambda: editing.update_question(choice, {"required": False}),
                  lambda: editing.update_survey(survey, {"moment": "six_months"}),
                  lambda: editing.update_survey(survey, {"anonymous": True})):
        with pytest.raises(ServiceError):
            write()
        db.session.rollback()
    db.session.expire_all()
    assert structure == [(s.id, s.position, [(q.id, q.position, q.kind, q.options, q.required)
                                             for q in s.questions]) for s in survey.sections]
    assert survey.status == OPEN

    # The wording, in any language, may be mended: option codes stay.
    response = client.post(f"/evaluation/surveys/{survey.id}/questions/{choice.id}",
                           data={"text_en": "Pick a colour", "text_it": "Scegli un colore", "options_en": "Red\nNavy",
                                 "options_it": "Rosso\nBlu"})
    assert response.status_code == 302
    assert client.post(f"/evaluation/surveys/{survey.id}/sections/{section.id}",
                       data={"title_en": "Colours", "title_fr": "Couleurs"}).status_code == 302
    response = client.post(f"/evaluation/surveys/{survey.id}/settings",
                           data=dict(SURVEY_FORM, title_en="After the visit", answer_days="40", moment="", anonymous=""))
    assert response.status_code == 302
    db.session.expire_all()
    assert choice.text == {"en": "Pick a colour", "it": "Scegli un colore"} and choice.required
    assert choice.options == [{"code": "o1", "label": {"en": "Red", "it": "Rosso"}},
                              {"code": "o2", "label": {"en": "Navy", "it": "Blu"}}]
    assert section.title == {"en": "Colours", "fr": "Couleurs"}
    assert survey.title["en"] == "After the visit" and survey.answer_days == 40 and survey.moment == AFTER_VISIT
    page = client.get(f"/evaluation/surveys/{survey.id}").get_data(as_text=True)
    assert "has been sent" in page and "Move up" not in page and "Add a question" not in page


def test_a_template_is_copied_into_a_partnership_with_its_texts_and_option_codes(
        app, client, auth, make_user, make_institution, make_partnership):
    admin = make_user(SITE_ADMIN)
    coordinator, partnership = _coordinator_and_partnership(make_user, make_institution, make_partnership)
    auth.login(admin)
    response = client.post("/evaluation/templates/new", data=dict(SURVEY_FORM, anonymous="anonymous",
                                                                  moment="six_months"))
    assert response.status_code == 302
    template = _newest(Survey)
    assert template.partnership_id is None and template.is_template and template.anonymous
    section = _add_section(client, template, "Six months on")
    client.post(f"/evaluation/surveys/{template.id}/sections/{section.id}",
                data={"title_en": "Six months on", "title_es": "Seis meses después"})
    _add_question(client, template, section, _question_form(
        "multiple", "What changed?", text_es="¿Qué cambió?", options_en="My practice\nMy team\nNothing yet",
        options_es="Mi práctica\nMi equipo\nNada aún", help_en="As many as apply.", required="y"))
    _add_question(client, template, section, _question_form("number", "People you trained", minimum="1"))
    # A template is never sent.
    client.post(f"/evaluation/surveys/{template.id}/open")
    assert "never sent" in _flashes(client)
    db.session.expire_all()
    assert template.status == DRAFT
    auth.logout()

    auth.login(coordinator)
    page = client.get("/evaluation/templates").get_data(as_text=True)
    assert "After your visit" in page and f'<option value="{partnership.id}">' in page and "New template" not in page
    assert client.get(f"/evaluation/surveys/{template.id}").status_code == 200
    assert client.post(f"/evaluation/surveys/{template.id}/sections/new", data={"title_en": "X"}).status_code == 403
    response = client.post(f"/evaluation/surveys/{template.id}/copy", data={"target": str(partnership.id)})
    assert response.status_code == 302
    copy = _newest(Survey)
    assert response.headers["Location"].endswith(f"/evaluation/surveys/{copy.id}")
    db.session.expire_all()
    assert copy.partnership_id == partnership.id and copy.copied_from_id == template.id and copy.status == DRAFT
    assert copy.created_by_id == coordinator.id

    def shape(survey):
        return {"title": survey.title, "introduction": survey.introduction, "moment": survey.moment,
                "anonymous": survey.anonymous, "days": (survey.answer_days, survey.remind_after_days),
                "sections": [(s.position, s.title, [(q.position, q.kind, q.text, q.help, q.required, q.options,
                                                     q.minimum, q.maximum, q.shown_to_hosts) for q in s.questions])
                             for s in survey.sections]}

    assert shape(copy) == shape(template)
    assert [o["code"] for o in copy.questions[0].options] == ["o1", "o2", "o3"]
    assert {s.id for s in copy.sections}.isdisjoint({s.id for s in template.sections})
    # The copy is the partnership's draft to adapt: changing it leaves the template as it was.
    assert client.post(f"/evaluation/surveys/{copy.id}/questions/{copy.questions[1].id}/delete").status_code == 302
    db.session.expire_all()
    assert len(template.questions) == 2 and len(copy.questions) == 1

    # The partnership's page offers the template with a Copy button of its own.
    page = client.get(f"/evaluation/partnerships/{partnership.id}/surveys").get_data(as_text=True)
    assert "Copy a template" in page and f'name="target" value="{partnership.id}"' in page
    assert client.post(f"/evaluation/surveys/{template.id}/copy", data={"target": str(partnership.id)}).status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(Survey)
                             .where(Survey.partnership_id == partnership.id)) == 2
    auth.logout()

    # Deleting the template keeps the partnership's copies.
    auth.login(admin)
    template_id, copy_id = template.id, copy.id
    assert client.post(f"/evaluation/surveys/{template_id}/delete", data={"delete-confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Survey, template_id) is None
    assert db.session.get(Survey, copy_id).questions[0].options[2]["label"] == {"en": "Nothing yet", "es": "Nada aún"}


def test_a_coordinator_of_another_partnership_is_refused(app, client, auth, make_user, make_institution,
                                                         make_partnership):
    coordinator, partnership = _coordinator_and_partnership(make_user, make_institution, make_partnership)
    outsider, theirs = _coordinator_and_partnership(make_user, make_institution, make_partnership)
    auth.login(coordinator)
    survey = _create_survey(client, partnership)
    section = _add_section(client, survey, "Page")
    question = _add_question(client, survey, section, _question_form("scale", "How much?"))
    auth.logout()

    auth.login(outsider)
    survey_url = f"/evaluation/surveys/{survey.id}"
    for method, url in [("GET", f"/evaluation/partnerships/{partnership.id}/surveys"),
                        ("GET", f"/evaluation/partnerships/{partnership.id}/surveys/new"),
                        ("POST", f"/evaluation/partnerships/{partnership.id}/surveys/new"),
                        ("GET", survey_url), ("GET", f"{survey_url}/preview"), ("GET", f"{survey_url}/settings"),
                        ("POST", f"{survey_url}/open"), ("POST", f"{survey_url}/delete"),
                        ("POST", f"{survey_url}/copy"), ("POST", f"{survey_url}/sections/new"),
                        ("POST", f"{survey_url}/sections/{section.id}/delete"),
                        ("GET", f"{survey_url}/questions/{question.id}"),
                        ("POST", f"{survey_url}/questions/{question.id}/delete"),
                        ("GET", "/evaluation/templates/new")]:
        assert client.open(url, method=method, data=SURVEY_FORM).status_code == 403, url
    # Their own partnership is theirs; copying someone else's survey into it is not allowed either.
    assert client.get(f"/evaluation/partnerships/{theirs.id}/surveys").status_code == 200
    assert client.post(f"{survey_url}/copy", data={"target": str(theirs.id)}).status_code == 403
    assert client.get("/evaluation/surveys/999999").status_code == 404
    auth.logout()

    # An evaluator reads the surveys, without the buttons; a plain member is kept out.
    auth.login(make_user(EVALUATOR))
    page = client.get(f"/evaluation/partnerships/{partnership.id}/surveys")
    assert page.status_code == 200 and "New survey" not in page.get_data(as_text=True)
    page = client.get(survey_url)
    assert page.status_code == 200 and "How much?" in page.get_data(as_text=True)
    assert "Edit the settings" not in page.get_data(as_text=True)
    assert client.post(f"{survey_url}/sections/new", data={"title_en": "X"}).status_code == 403
    auth.logout()
    auth.login(make_user(institution=coordinator.institution))
    assert client.get(f"/evaluation/partnerships/{partnership.id}/surveys").status_code == 403
    assert client.get("/evaluation/templates").status_code == 403
    db.session.expire_all()
    assert len(survey.questions) == 1 and survey.status == DRAFT


def test_a_refused_form_keeps_what_was_typed(app, client, auth, make_user, make_institution, make_partnership):
    coordinator, partnership = _coordinator_and_partnership(make_user, make_institution, make_partnership)
    auth.login(coordinator)
    url = f"/evaluation/partnerships/{partnership.id}/surveys/new"
    for overrides, message in [({"title_en": "", "title_es": "Mi encuesta"}, "The English text is required"),
                               ({"answer_days": "200"}, "from 1 to 120"),
                               ({"remind_after_days": "30"}, "The reminder must come before"),
                               ({"moment": "whenever"}, "Choose when the survey is sent")]:
        response = client.post(url, data=dict(SURVEY_FORM, **overrides))
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and message in body, overrides
        assert "Mi encuesta" in body if overrides.get("title_es") else "Después de tu visita" in body
        assert 'class="error-summary"' in body
    assert _newest(Survey) is None

    survey = _create_survey(client, partnership)
    section = _add_section(client, survey, "Page")
    url = f"/evaluation/surveys/{survey.id}/sections/{section.id}/questions/new"
    for data, message in [(_question_form("single", "Which one?", options_en="A\nB", options_es="Uno"),
                           "as many options in Spanish as in English (2)"),
                          (_question_form("number", "How many?", minimum="10", maximum="2"),
                           "The maximum must be at least the minimum"),
                          (_question_form("number", "How many?", minimum="ten"), "Give a whole number"),
                          (_question_form("long_text", "Tell us", shown_to_hosts="y"), "free texts could name"),
                          (_question_form("bogus", "Which kind?"), "Choose the kind of question"),
                          (_question_form("multiple", "So many?", options_en="\n".join(f"Option {n}" for n in range(31))),
                           "At most 30 options")]:
        response = client.post(url, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and message in body, data
        assert data["text_en"] in body
    assert survey.questions == []


def test_deleting_a_draft_needs_its_box_ticked(app, client, auth, make_user, make_institution, make_partnership):
    coordinator, partnership = _coordinator_and_partnership(make_user, make_institution, make_partnership)
    auth.login(coordinator)
    survey = _create_survey(client, partnership)
    page = client.get(f"/evaluation/surveys/{survey.id}").get_data(as_text=True)
    assert 'name="delete-confirm"' in page and "Delete this draft" in page

    response = client.post(f"/evaluation/surveys/{survey.id}/delete")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Tick the box to confirm" in body
    assert 'href="#delete-confirm"' in body  # the error summary leads to the box
    assert db.session.get(Survey, survey.id) is not None

    survey_id = survey.id
    response = client.post(f"/evaluation/surveys/{survey_id}/delete", data={"delete-confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/evaluation/partnerships/{partnership.id}/surveys")
    db.session.expire_all()
    assert db.session.get(Survey, survey_id) is None


def test_the_preview_shows_the_pages_people_answer_in_the_previewed_language(
        app, client, auth, make_user, make_institution, make_partnership):
    coordinator, partnership = _coordinator_and_partnership(make_user, make_institution, make_partnership)
    auth.login(coordinator)
    survey = _create_survey(client, partnership)
    _add_section(client, survey, "Not yet written")  # no question: not a page people see
    section = _add_section(client, survey, "Your programme")
    _add_question(client, survey, section, _question_form("scale", "The programme met my expectations"))

    page = client.get(f"/evaluation/surveys/{survey.id}/preview?language=es").get_data(as_text=True)
    assert "Page 1 of 1" in page and "Page 1 of 2" not in page and "Not yet written" not in page
    assert "1 section has no question yet" in page
    assert '<label for="preview-q%d-1" lang="es">Totalmente en desacuerdo</label>' % survey.questions[0].id in page
    assert "Strongly disagree" not in page  # the interface stays English, the scale is the survey's
