"""The questionnaire editor's forms (site admins). Texts are typed per interface language: each form has one
field per language (name_en, name_es...), shown as one fieldset per language; to_data() gives the editing
services {"name": {"en": ..., "es": ...}}, and their messages come back onto the English field or the code."""
from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField

from network.forms import ServiceErrors
from network.self_assessment.editing import NAME_MAX, TEXT_MAX
from network.self_assessment.models import CODE_MAX, SCALE_POINTS

CODE_HINT = _l("Lowercase letters, digits and hyphens, for example “privacy-2”. Codes link results across "
               "versions: keep a code when you reword the text slightly; give a new code when its meaning changes.")


class ButtonForm(FlaskForm):
    """A form that is only its button (move, delete, publish...): the CSRF token and nothing else."""


class ImportForm(ServiceErrors, FlaskForm):
    file = FileField(_l("Questionnaire file (JSON)"),
                     description=_l("A file exported from this page or from another Peer Network site. It becomes "
                                    "a new draft."),
                     render_kw={"accept": ".json,application/json"})

    def raw(self) -> bytes | None:
        data = self.file.data
        return data.read() if data and getattr(data, "filename", "") else None


class LanguageForm(ServiceErrors, FlaskForm):
    """A form whose texts are typed per language: TEXTS lists (key, label, kind, maximum length)."""

    TEXTS: tuple = ()
    LANGUAGES: tuple = ()

    def language_fields(self, language: str) -> list:
        return [self[f"{key}_{language}"] for key, *_ in self.TEXTS]

    def texts_of(self, key: str) -> dict[str, str]:
        return {language: self[f"{key}_{language}"].data or "" for language in self.LANGUAGES}

    def fill_texts(self, key: str, texts: dict) -> None:
        for language in self.LANGUAGES:
            self[f"{key}_{language}"].data = (texts or {}).get(language, "")

    def show_errors(self, errors: dict) -> None:
        # A service names "name" or "scale_es": the message goes on the English field or the language's first.
        renamed = {}
        for name in errors:
            for candidate in (name, f"{name}_en", f"{name}_0"):
                if candidate in self:
                    renamed[name] = candidate
                    break
        self.RENAMED = renamed
        super().show_errors(errors)


def _language_form(base, languages: tuple[str, ...], extra: dict | None = None):
    attrs = {"LANGUAGES": languages}
    for language in languages:
        for key, label, kind, limit in base.TEXTS:
            attrs[f"{key}_{language}"] = kind(label, render_kw={"maxlength": limit, "lang": language})
    attrs.update(extra or {})
    return type(base.__name__, (base,), attrs)


class _CodeForm(LanguageForm):
    code = StringField(_l("Code"), description=CODE_HINT,
                       render_kw={"maxlength": CODE_MAX, "autocapitalize": "none", "spellcheck": "false"})


class _DimensionForm(_CodeForm):
    TEXTS = (("name", _l("Name"), StringField, NAME_MAX),
             ("description", _l("Description"), TextAreaField, TEXT_MAX),
             ("keywords", _l("Search keywords for its recommendations"), StringField, NAME_MAX))

    def to_data(self) -> dict:
        return {"code": self.code.data, **{key: self.texts_of(key) for key, *_ in self.TEXTS}}

    def fill_from(self, dimension) -> None:
        self.code.data = dimension.code
        for key, *_ in self.TEXTS:
            self.fill_texts(key, getattr(dimension, key))


class _StatementForm(_DimensionForm):
    TEXTS = (("text", _l("Statement"), TextAreaField, TEXT_MAX),)


class _LevelForm(_DimensionForm):
    TEXTS = (("name", _l("Name"), StringField, NAME_MAX),
             ("description", _l("What it means"), TextAreaField, TEXT_MAX))
    minimum = StringField(_l("Lowest score of the level (0 to 100)"),
                          description=_l("A score is at the highest level whose lowest score it reaches. The first "
                                         "level starts at 0."),
                          render_kw={"inputmode": "numeric", "maxlength": 3})

    def to_data(self) -> dict:
        return dict(super().to_data(), minimum=self.minimum.data)

    def fill_from(self, level) -> None:
        super().fill_from(level)
        self.minimum.data = str(level.minimum)


class _TextsForm(LanguageForm):
    TEXTS = (("title", _l("Title"), StringField, NAME_MAX),
             *((f"scale_{n}", _l("Point %(n)d of the scale", n=n + 1), StringField, NAME_MAX)
               for n in range(SCALE_POINTS)),
             ("not_applicable", _l("“Does not apply”"), StringField, NAME_MAX))

    def to_data(self) -> dict:
        return {"title": self.texts_of("title"), "not_applicable": self.texts_of("not_applicable"),
                "scale": {language: [self[f"scale_{n}_{language}"].data or "" for n in range(SCALE_POINTS)]
                          for language in self.LANGUAGES}}

    def fill_from(self, questionnaire) -> None:
        self.fill_texts("title", questionnaire.title)
        self.fill_texts("not_applicable", questionnaire.not_applicable)
        for language in self.LANGUAGES:
            labels = list(questionnaire.scale.get(language) or []) + [""] * SCALE_POINTS
            for n in range(SCALE_POINTS):
                self[f"scale_{n}_{language}"].data = labels[n]

    def show_errors(self, errors: dict) -> None:
        # "scale_es" -> the first label in Spanish (scale_0_es)
        errors = {(f"scale_0_{name[6:]}" if name.startswith("scale_") and name[6:] in self.LANGUAGES else name): m
                  for name, m in errors.items()}
        super().show_errors(errors)


@lru_cache(maxsize=16)
def _classes(languages: tuple[str, ...]) -> dict:
    return {name: _language_form(base, languages) for name, base in
            (("dimension", _DimensionForm), ("statement", _StatementForm), ("level", _LevelForm),
             ("texts", _TextsForm))}


def form_for(kind: str, languages, **kwargs):
    """A form of this kind ("dimension", "statement", "level", "texts") with fields for these languages."""
    return _classes(tuple(languages))[kind](**kwargs)
