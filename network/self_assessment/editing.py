"""Editing the questionnaire's draft (site admins): its texts, levels, dimensions and statements, each change
committed once (the version-wide operations, new draft, import, publish, delete, are services').

Every function refuses a frozen (published or retired) version: results point at its statements. Codes link
results across versions, so they are checked here: lowercase letters, digits and hyphens, unique.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from network.editing import move, renumber, texts_by_language
from network.errors import ServiceError
from network.extensions import db
from network.self_assessment import services
from network.self_assessment.models import (
    CODE_MAX,
    SCALE_POINTS,
    AssessmentDimension,
    AssessmentLevel,
    AssessmentResult,
    AssessmentStatement,
    Questionnaire,
)

DEFAULT_LANGUAGE = services.DEFAULT_LANGUAGE
NAME_MAX, TEXT_MAX = 300, services.TEXT_MAX


# --- checks ---------------------------------------------------------------------------------------------------


def _refuse_frozen(questionnaire: Questionnaire) -> None:
    if questionnaire.frozen:
        raise ServiceError.one("", _l("Version %(version)d is published: it is frozen and cannot be changed. "
                                      "Start a new draft to make changes.", version=questionnaire.version))


def _code(value, taken: set[str]) -> str:
    if not str(value or "").strip():
        raise ServiceError.one("code", _l("Give a code."))
    code = services.valid_code(value)
    if code is None:
        raise ServiceError.one("code", _l("A code is 1 to %(max)d lowercase letters, digits and hyphens "
                                          "(for example “privacy-2”).", max=CODE_MAX))
    if code in taken:
        raise ServiceError.one("code", _l("The code “%(code)s” is already used in this version.", code=code))
    return code


def _texts(values, name: str, old: dict | None = None, required: bool = True, limit: int = NAME_MAX) -> dict:
    return texts_by_language(values, name, limit, old, required)


def _minimum(value) -> int:
    text = str(value if value is not None else "").strip()
    if not re.fullmatch(r"[0-9]{1,3}", text) or int(text) > 100:
        raise ServiceError.one("minimum", _l("Give a whole number from 0 to 100."))
    return int(text)


# --- the version's texts ----------------------------------------------------------------------------------------


def update_texts(questionnaire: Questionnaire, data: dict) -> Questionnaire:
    """data: {"title": {lang: text}, "scale": {lang: [five labels]}, "not_applicable": {lang: text}}. A language's
    scale has its five labels or none."""
    _refuse_frozen(questionnaire)
    title = _texts(data.get("title"), "title", questionnaire.title)
    not_applicable = _texts(data.get("not_applicable"), "not_applicable", questionnaire.not_applicable)
    scale = {code: list(labels) for code, labels in questionnaire.scale.items()}
    for language, labels in (data.get("scale") or {}).items():
        labels = [str(label or "").strip() for label in labels]
        if any(len(label) > NAME_MAX for label in labels):
            raise ServiceError.one(f"scale_{language}", _l("At most %(max)d characters.", max=NAME_MAX))
        if not any(labels):
            scale.pop(language, None)
        elif len(labels) != SCALE_POINTS or not all(labels):
            raise ServiceError.one(f"scale_{language}", _l("Give the five labels of the scale in this language, "
                                                           "or none."))
        else:
            scale[language] = labels
    if len(scale.get(DEFAULT_LANGUAGE) or []) != SCALE_POINTS:
        raise ServiceError.one(f"scale_{DEFAULT_LANGUAGE}", _l("The five labels of the scale are required in "
                                                               "English."))
    questionnaire.title, questionnaire.not_applicable, questionnaire.scale = title, not_applicable, scale
    db.session.commit()
    return questionnaire


# --- levels -------------------------------------------------------------------------------------------------------


def _level_values(questionnaire: Questionnaire, data: dict, level: AssessmentLevel | None) -> dict:
    others = [other for other in questionnaire.levels if other is not level]
    code = _code(data.get("code"), {other.code for other in others})
    minimum = _minimum(data.get("minimum"))
    if minimum in {other.minimum for other in others}:
        raise ServiceError.one("minimum", _l("Another level already starts at %(minimum)d.", minimum=minimum))
    return {"code": code, "minimum": minimum,
            "name": _texts(data.get("name"), "name", level.name if level else None),
            "description": _texts(data.get("description"), "description", level.description if level else None,
                                  required=False, limit=TEXT_MAX)}


def add_level(questionnaire: Questionnaire, data: dict) -> AssessmentLevel:
    """data: code, minimum (0-100), name and description by language."""
    _refuse_frozen(questionnaire)
    level = AssessmentLevel(**_level_values(questionnaire, data, None))
    questionnaire.levels.append(level)
    db.session.commit()
    return level


def update_level(level: AssessmentLevel, data: dict) -> AssessmentLevel:
    _refuse_frozen(level.questionnaire)
    for name, value in _level_values(level.questionnaire, data, level).items():
        setattr(level, name, value)
    db.session.commit()
    return level


def delete_level(level: AssessmentLevel) -> None:
    _refuse_frozen(level.questionnaire)
    db.session.delete(level)
    db.session.commit()


# --- dimensions ---------------------------------------------------------------------------------------------------


def _dimension_values(questionnaire: Questionnaire, data: dict, dimension: AssessmentDimension | None) -> dict:
    taken = {other.code for other in questionnaire.dimensions if other is not dimension}
    return {"code": _code(data.get("code"), taken),
            "name": _texts(data.get("name"), "name", dimension.name if dimension else None),
            "description": _texts(data.get("description"), "description", dimension.description if dimension
                                  else None, required=False, limit=TEXT_MAX),
            "keywords": _texts(data.get("keywords"), "keywords", dimension.keywords if dimension else None,
                               required=False)}


def add_dimension(questionnaire: Questionnaire, data: dict) -> AssessmentDimension:
    """data: code; name, description and keywords (the search words of its recommendations) by language. It
    comes last."""
    _refuse_frozen(questionnaire)
    values = _dimension_values(questionnaire, data, None)
    position = max((d.position for d in questionnaire.dimensions), default=-1) + 1
    dimension = AssessmentDimension(position=position, **values)
    questionnaire.dimensions.append(dimension)
    db.session.commit()
    return dimension


def update_dimension(dimension: AssessmentDimension, data: dict) -> AssessmentDimension:
    _refuse_frozen(dimension.questionnaire)
    for name, value in _dimension_values(dimension.questionnaire, data, dimension).items():
        setattr(dimension, name, value)
    db.session.commit()
    return dimension


def delete_dimension(dimension: AssessmentDimension) -> None:
    """The dimension and its statements."""
    questionnaire = dimension.questionnaire
    _refuse_frozen(questionnaire)
    questionnaire.dimensions.remove(dimension)
    renumber(questionnaire.dimensions)
    db.session.commit()


def move_dimension(dimension: AssessmentDimension, step: int) -> None:
    """step -1: one place up (earlier); +1: one place down."""
    _refuse_frozen(dimension.questionnaire)
    move(dimension.questionnaire.dimensions, dimension, step)
    db.session.commit()


# --- statements ---------------------------------------------------------------------------------------------------


def _statement_values(dimension: AssessmentDimension, data: dict, statement: AssessmentStatement | None) -> dict:
    taken = {other.code for other in dimension.questionnaire.statements if other is not statement}
    return {"code": _code(data.get("code"), taken),
            "text": _texts(data.get("text"), "text", statement.text if statement else None, limit=TEXT_MAX)}


def add_statement(dimension: AssessmentDimension, data: dict) -> AssessmentStatement:
    """data: code (unique in the questionnaire), text by language. It comes last in its dimension."""
    _refuse_frozen(dimension.questionnaire)
    values = _statement_values(dimension, data, None)
    position = max((s.position for s in dimension.statements), default=-1) + 1
    statement = AssessmentStatement(position=position, **values)
    dimension.statements.append(statement)
    db.session.commit()
    return statement


def update_statement(statement: AssessmentStatement, data: dict) -> AssessmentStatement:
    _refuse_frozen(statement.dimension.questionnaire)
    for name, value in _statement_values(statement.dimension, data, statement).items():
        setattr(statement, name, value)
    db.session.commit()
    return statement


def delete_statement(statement: AssessmentStatement) -> None:
    dimension = statement.dimension
    _refuse_frozen(dimension.questionnaire)
    dimension.statements.remove(statement)
    renumber(dimension.statements)
    db.session.commit()


def move_statement(statement: AssessmentStatement, step: int) -> None:
    """Within its dimension: step -1 one place up, +1 one place down."""
    _refuse_frozen(statement.dimension.questionnaire)
    move(statement.dimension.statements, statement, step)
    db.session.commit()


# --- reading ------------------------------------------------------------------------------------------------------


def get_version(version_id: int) -> Questionnaire | None:
    return db.session.get(Questionnaire, version_id)


def result_counts() -> dict[int, int]:
    """Completed results by questionnaire id: how many people answered each version."""
    rows = db.session.execute(select(AssessmentResult.questionnaire_id, func.count())
                              .where(AssessmentResult.completed_at.is_not(None))
                              .group_by(AssessmentResult.questionnaire_id))
    return dict(rows.all())


def missing_languages(texts: dict | None, languages: list[str]) -> list[str]:
    """The languages a text has no translation in (nothing is missing when it has no English text)."""
    texts = texts or {}
    if not texts.get(DEFAULT_LANGUAGE):
        return []
    return [code for code in languages if code != DEFAULT_LANGUAGE and not texts.get(code)]


@dataclass
class TranslationStatus:
    language: str
    missing: int


def translation_status(questionnaire: Questionnaire, languages: list[str]) -> list[TranslationStatus]:
    """Per language other than English, how many texts are missing (shown in English instead)."""
    texts = [questionnaire.title, questionnaire.not_applicable]
    for level in questionnaire.levels:
        texts += [level.name, level.description]
    for dimension in questionnaire.dimensions:
        texts += [dimension.name, dimension.description, dimension.keywords]
        texts += [statement.text for statement in dimension.statements]
    status = []
    for language in languages:
        if language == DEFAULT_LANGUAGE:
            continue
        missing = sum(language in missing_languages(t, [language]) for t in texts)
        if questionnaire.scale.get(DEFAULT_LANGUAGE) and not questionnaire.scale.get(language):
            missing += SCALE_POINTS
        status.append(TranslationStatus(language, missing))
    return status
