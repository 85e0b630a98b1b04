"""The collection forms. Rules live in services (a refused change comes back as ServiceError); the forms
carry the fields, so a rejected form is shown again with everything typed."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField

from network import labels
from network.collections import services
from network.collections.models import KINDS, VISIBILITIES
from network.forms import ServiceErrors, as_id


class CollectionForm(ServiceErrors, FlaskForm):
    title = StringField(_l("Title"))
    introduction = TextAreaField(_l("Introduction"), render_kw={"data-markdown": "document"}, description=_l(
        "What the collection is for and how to use it. Markdown: *emphasis*, lists, links."))
    kind = SelectField(_l("Kind"), validate_choice=False)
    visibility = SelectField(_l("Who can read it"), validate_choice=False)
    language = SelectField(_l("Language"), validate_choice=False)
    owner = SelectField(_l("Owned by"), validate_choice=False, description=_l(
        "An institution you administer or a partnership you coordinate: its admins or coordinators edit it."))
    submit = SubmitField(_l("Save collection"))

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k, str(v)) for k, v in KINDS.items()]
        self.visibility.choices = [(k, str(v)) for k, v in VISIBILITIES.items()]
        self.language.choices = labels.language_choices()
        self.owner.choices = [(services.owner_key(o), getattr(o, "name", None) or o.title) for o in owners]

    def to_data(self) -> services.CollectionData:
        return services.CollectionData(
            title=self.title.data or "", introduction=self.introduction.data or "", kind=self.kind.data or "",
            visibility=self.visibility.data or "", language=self.language.data or "",
            owner=self.owner.data or "")

    def fill_from(self, collection) -> None:
        self.title.data, self.introduction.data = collection.title, collection.introduction
        self.kind.data, self.visibility.data = collection.kind, collection.visibility
        self.language.data, self.owner.data = collection.language, services.owner_key(collection.owner)


class EditorForm(ServiceErrors, FlaskForm):
    email = StringField(_l("Email address of an approved member"), render_kw={"autocomplete": "off"})
    submit = SubmitField(_l("Add editor"))


class ChapterForm(ServiceErrors, FlaskForm):
    title = StringField(_l("Chapter title"))
    introduction = TextAreaField(_l("Short introduction (optional)"),
                                 render_kw={"rows": 3, "data-markdown": "document"})
    submit = SubmitField(_l("Add chapter"))


def chapter_choices(collection) -> list[tuple[str, str]]:
    return [("", str(_l("No chapter")))] + [(str(c.id), c.title) for c in collection.chapters]


class AddItemForm(ServiceErrors, FlaskForm):
    """Add a practice: on the edit page (a practice to choose) or from a practice page or search results
    (a collection to choose, the practice fixed; AddToCollectionForm, which also takes an essay)."""

    collection_id = SelectField(_l("Collection"), validate_choice=False)
    practice_id = SelectField(_l("Practice"), validate_choice=False)
    chapter_id = SelectField(_l("Chapter (optional)"), validate_choice=False)
    note = TextAreaField(_l("Editor's note (optional)"), render_kw={"rows": 2})
    submit = SubmitField(_l("Add to collection"))
    RENAMED = {"essay_id": "practice_id"}

    def ids(self) -> tuple[int | None, int | None, int | None]:
        return as_id(self.collection_id.data), as_id(self.practice_id.data), as_id(self.chapter_id.data)


class ItemForm(ServiceErrors, FlaskForm):
    """One item's note and chapter (prefixed with the item's id on the edit page)."""

    note = TextAreaField(_l("Editor's note"), render_kw={"rows": 2})
    chapter_id = SelectField(_l("Chapter"), validate_choice=False)
    action = HiddenField()


class AddToCollectionForm(AddItemForm):
    """From a practice page, an essay page or search results: the practice (or the essay) is fixed, so a
    message about it is general. Exactly one of practice_id and essay_id is sent."""

    essay_id = HiddenField()
    RENAMED = {"practice_id": "-", "essay_id": "-"}
