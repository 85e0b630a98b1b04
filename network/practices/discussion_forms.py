"""Forms of the discussion. They carry the fields and the CSRF token; the rules (required, length) live in
network.practices.discussion, so a rejected comment comes back with the service's message."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from network.forms import ServiceErrors
from network.practices.discussion import BODY_MAX, REASON_MAX

BODY_HINT = _l("Simple Markdown: **bold**, *italic*, lists, quotes, links. At most %(max)d characters.",
               max=BODY_MAX)


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), description=BODY_HINT, render_kw={"rows": 5, "data-markdown": "comment"})
    parent_id = HiddenField()


class EditCommentForm(ServiceErrors, FlaskForm):
    body = TextAreaField(_l("Comment"), description=BODY_HINT, render_kw={"rows": 8, "data-markdown": "comment"})


class FlagForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), render_kw={"maxlength": REASON_MAX})
    next = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes something (hide, follow, mark read): the CSRF token and where to go back."""

    next = HiddenField()
