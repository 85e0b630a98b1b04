"""The report's forms: the narrative (its rules live in network.evaluation.reports, save_draft; the form carries
what was typed and puts the service's messages back on the fields) and publishing, which asks for a tick first:
a published version can be neither changed nor withdrawn (WCAG 3.3.4)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired

from network import i18n
from network.evaluation import reports
from network.forms import ServiceErrors

MARKDOWN_HINT = _l("Written in Markdown: **bold**, *italic*, lists starting with “-”, an empty line between "
                   "paragraphs.")


class DraftForm(ServiceErrors, FlaskForm):
    language = SelectField(_l("Language of the narrative"), validate_choice=False,
                           description=_l("Readers in other languages see the figures in theirs and this text as "
                                          "you write it."))
    summary = TextAreaField(_l("Summary"), description=MARKDOWN_HINT,
                            render_kw={"rows": 8, "data-markdown": "document"})
    what_worked = TextAreaField(_l("What worked"), render_kw={"rows": 8, "data-markdown": "document"})
    what_did_not = TextAreaField(_l("What did not work"), render_kw={"rows": 8, "data-markdown": "document"})
    recommendations = TextAreaField(_l("Recommendations"), render_kw={"rows": 8, "data-markdown": "document"})
    save = SubmitField(_l("Save the draft"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = i18n.interface_languages()

    def fill_from(self, data: reports.DraftData) -> None:
        self.language.data = data.language
        for name in reports.TEXTS:
            self[name].data = getattr(data, name)

    def data_for_service(self) -> reports.DraftData:
        return reports.DraftData(language=self.language.data or "",
                                 **{name: self[name].data or "" for name in reports.TEXTS})


class PublishForm(ServiceErrors, FlaskForm):
    """Publishing the next version: its button is worded with the version's number in the template."""

    confirm = BooleanField(
        _l("I understand that this version is published for good: it cannot be changed or withdrawn afterwards"),
        validators=[DataRequired(_l("Tick the box to confirm that you want to publish this version."))])
