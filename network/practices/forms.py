"""The practice form. Rules live in services.validate (shared with the importer and the API); the form
only carries the fields, so a rejected form is re-displayed with everything typed."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, StringField, SubmitField, TextAreaField

from network import labels
from network.institutions.forms import MultiCheckboxField
from network.practices import services
from network.practices.models import SECTIONS, STATUSES, SUMMARY_MAX, VISIBILITIES

MARKDOWN = {"data-markdown": "document"}  # network/static/js/markdown-editor.js: toolbar and preview
SECTION_HINTS = {
    "context": _l("Where and why the practice started; the theory or framework it follows."),
    "target_group": _l("Who it is for: families, children, professionals, communities."),
    "objectives": _l("What it aims to change."),
    "methods": _l("What happens, step by step: sessions, activities, roles."),
    "resources": _l("People, time, rooms, materials and costs needed."),
    "outcomes": _l("What changed, and how you know: evaluations, figures, testimonies."),
    "lessons": _l("What you would do differently; advice for others."),
}


def _section(name: str) -> TextAreaField:
    return TextAreaField(services.SECTION_LABELS[name], description=SECTION_HINTS[name], render_kw=MARKDOWN)


class PracticeForm(FlaskForm):
    title = StringField(_l("Title"))
    summary = TextAreaField(
        _l("Summary"), description=_l("One paragraph, at most %(max)d characters.", max=SUMMARY_MAX)
    )
    context = _section("context")
    target_group = _section("target_group")
    objectives = _section("objectives")
    methods = _section("methods")
    resources = _section("resources")
    outcomes = _section("outcomes")
    lessons = _section("lessons")
    sectors = MultiCheckboxField(_l("Sectors"), validate_choice=False)
    intervention_types = MultiCheckboxField(_l("Intervention types"), validate_choice=False)
    tags = StringField(
        _l("Tags"), description=_l("Separate tags with commas, for example: parenting, home visits."),
        render_kw={"list": "tag-suggestions", "autocomplete": "off"},
    )
    country = SelectField(_l("Country"), validate_choice=False)
    language = SelectField(_l("Language of this write-up"), validate_choice=False)
    institution = SelectField(_l("Owning institution"), validate_choice=False)
    partnership_id = SelectField(_l("Partnership (optional)"), validate_choice=False)
    translation_of_id = SelectField(
        _l("Translation of (optional)"), validate_choice=False,
        description=_l("If this write-up translates another practice, choose the original."),
    )
    external_ref = StringField(_l("External reference (optional)"),
                               description=_l("An identifier in your own catalogue; imports use it."))
    external_link = StringField(_l("External link (optional)"))
    status = SelectField(_l("Status"), validate_choice=False)
    visibility = SelectField(_l("Who can read it"), validate_choice=False)
    attachments = MultipleFileField(
        _l("Attachments (optional)"), description=_l("PDF, ODT, DOCX, PNG or JPEG; at most 10 MB each.")
    )
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save practice"))

    def __init__(self, *args, institutions=(), partnerships=(), originals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sectors.choices = labels.sector_choices()
        self.intervention_types.choices = [(k, str(v)) for k, v in services.INTERVENTION_TYPE_LABELS.items()]
        self.country.choices = [("", _l("Choose…"))] + labels.country_choices()
        self.language.choices = [("", _l("Choose…"))] + labels.language_choices()
        self.institution.choices = [(i.slug, i.name) for i in institutions]
        self.partnership_id.choices = [("", _l("None"))] + [(str(p.id), p.title) for p in partnerships]
        self.translation_of_id.choices = [("", _l("None: this is an original"))] + [
            (str(p.id), f"{p.title} ({p.language.upper()})") for p in originals
        ]
        self.status.choices = [(s, services.STATUS_LABELS[s]) for s in STATUSES]
        self.visibility.choices = [(v, services.VISIBILITY_LABELS[v]) for v in VISIBILITIES]

    def to_data(self) -> services.PracticeData:
        def number(value):
            return int(value) if value and str(value).isdigit() else None

        return services.PracticeData(
            **{name: getattr(self, name).data or "" for name in ("title", "summary", "tags", "country", "language",
                                                                 "institution", "external_ref", "external_link",
                                                                 "status", "visibility")},
            **{name: getattr(self, name).data or "" for name, _required in SECTIONS},
            sectors=self.sectors.data or [],
            intervention_types=self.intervention_types.data or [],
            partnership_id=number(self.partnership_id.data),
            translation_of_id=number(self.translation_of_id.data),
        )

    def fill_from(self, data: services.PracticeData) -> None:
        for name in services.PracticeData.field_names():
            value = getattr(data, name)
            if name == "tags":
                value = ", ".join(value)
            elif name in ("partnership_id", "translation_of_id"):
                value = str(value) if value else ""
            getattr(self, name).data = value

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            field = getattr(self, name, None) or self.title
            field.errors = list(field.errors) + list(messages)
