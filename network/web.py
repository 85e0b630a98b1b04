"""What every page shares: the home page, security headers, error pages, template helpers."""
from __future__ import annotations

from urllib.parse import urlsplit

from babel.dates import format_skeleton
from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import SecurityError
from werkzeug.routing import IntegerConverter

from network import i18n, labels, permissions
from network.errors import ServiceError
from network.extensions import db, login_manager
from network.page_cache import cached_for_visitors

bp = Blueprint("web", __name__)


class BoundedIntConverter(IntegerConverter):
    """Integers that fit a 64-bit database column; larger ones do not match the route (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)

# No inline scripts or styles anywhere: every asset comes from /static on this host.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@bp.route("/")
@cached_for_visitors
def home():
    """A visitor's home: the introduction, the newest public practices, the manual, search (the same page for every
    visitor: cached). A person's: what needs them, then what is new for them (theirs alone: never cached or stored
    by a shared cache). The features fill both through the signals of network/home.py."""
    from network import home as parts

    if not current_user.is_authenticated:
        from network.institutions import services as institutions

        return render_template("home.html", stats=institutions.network_stats(),
                               showcase=parts.showcase_for(current_user._get_current_object()), say=parts.say)
    user = current_user._get_current_object()
    tasks = parts.tasks_for(user)
    page = render_template("home.html", tasks=tasks, news=parts.news_for(user),
                           first_steps=[] if tasks else parts.first_steps_for(user), say=parts.say)
    return page, 200, {"Cache-Control": "private, no-store"}


@bp.route("/language", methods=["POST"])
def set_language():
    """The language switcher as a form: saved on the account of a logged-in person, in the session of a
    visitor."""
    _remember_language(request.form.get("locale", ""))
    return redirect(safe_next(request.form.get("next")) or url_for("web.home"), 303)


# Sec-Fetch-Site values of a request that another site's page made the browser send.
FOREIGN_FETCH_SITES = frozenset({"cross-site", "same-site"})


@bp.route("/language/<code>")
def choose_language(code: str):
    """The header's switcher: a plain link per language, so that pages hold no token for it and can be
    cached. A link on another site (the browser says so in Sec-Fetch-Site) takes the reader to the page and
    changes nothing: a change of language is harmless, but only this site's pages may make it."""
    if request.headers.get("Sec-Fetch-Site", "").lower() not in FOREIGN_FETCH_SITES:
        _remember_language(code)
    response = redirect(safe_next(request.args.get("next")) or url_for("web.home"), 303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _remember_language(code: str) -> None:
    if not i18n.is_supported(code):
        return
    if current_user.is_authenticated:
        from network.auth import services as accounts

        accounts.set_locale(current_user._get_current_object(), code)
    else:
        i18n.remember_for_visitor(code)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: an open redirect would let a phishing link borrow our pages."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@bp.route("/markdown/preview", methods=["POST"])
def markdown_preview():
    """The editors' "Preview" (network/static/js/markdown-editor.js): the text as its page will show it, through
    the one sanitiser. For logged-in people (nobody else writes), at most as long as the longest field (an
    essay), nothing stored. kind=comment renders with the comments' smaller set of tags."""
    from network.sanitize import COMMENT_TAGS, DOCUMENT_TAGS, render_markdown

    preview_max = 100_000  # characters
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    check_button_post()
    text, kind = request.form.get("text", ""), request.form.get("kind", "document")
    if kind not in ("document", "comment"):
        abort(400)
    if len(text) > preview_max:
        abort(413)
    # Around render_markdown's cache: a draft is previewed once, and 2,048 drafts of 100,000 characters would
    # stay in each worker's memory.
    html = render_markdown.__wrapped__(text, tags=COMMENT_TAGS if kind == "comment" else DOCUMENT_TAGS)
    return str(html), 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "private, no-store"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)
    app.before_request(_refuse_nul_characters)
    app.after_request(_security_headers)
    app.context_processor(_template_helpers)
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)
    app.jinja_env.filters.update(
        country_name=labels.country_name,
        language_name=labels.language_name,
        sector_label=labels.sector_label,
        date=format_date,
        datetime=format_datetime,
        moment=moment,
        number=format_decimal,
        kilobytes=kilobytes,
        by_country_name=labels.by_country_name,
        by_language_name=labels.by_language_name,
        messages=error_messages,
    )


def moment(when) -> str:
    """"Dec 5, 2026, 3:04 PM": a date and time as the locale writes them beside the page's other dates (its medium
    date, with the time short), not "12/5/26, 3:04 PM"."""
    from babel.dates import get_datetime_format

    locale = get_locale() or "en"
    return get_datetime_format("medium", locale=locale).replace("{1}", format_date(when)).replace(
        "{0}", format_time(when, "short"))


def month_label(value) -> str:
    """"March 2027", "marzo de 2027", "mars 2027": a month as the reader's language writes it. Takes a date or
    "2027-03"."""
    from datetime import date

    if isinstance(value, str):
        year, _, month = value.partition("-")
        value = date(int(year), int(month), 1)
    return format_skeleton("yMMMM", value, locale=get_locale() or "en")


def kilobytes(size: int) -> str:
    """A file size in kB, with the reader's digit grouping ("1,234 KB", "1.234 KB", "1 234 KB")."""
    return str(_l("%(size)s KB", size=format_decimal(max(1, round((size or 0) / 1024)))))


def error_messages(errors) -> list[str]:
    """A field's own messages, without the nested errors of a list of sub-forms (shown on the rows)."""
    return [str(e) for e in errors or () if not isinstance(e, (list, tuple, dict))]


def _load_user(cookie_id: str):
    """The login cookie carries "<id>:<session version>"; an old version means the session was ended."""
    from network.auth.models import User

    user_id, _, version = cookie_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def _refuse_nul_characters():
    """No person types a NUL character; PostgreSQL refuses them in text. Refuse the request early."""
    values = list(request.args.values()) + (list(request.form.values()) if request.form else [])
    if any("\x00" in value for value in values):
        abort(400)


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _template_helpers():
    return {
        "can": permissions,
        "sector_labels": labels.SECTOR_LABELS,
        "role_label": labels.role_label,
        "get_locale": get_locale,
        "interface_languages": i18n.interface_languages,
        "type_labels": _practice_labels("INTERVENTION_TYPE_LABELS"),
        "status_labels": _practice_labels("STATUS_LABELS"),
        "evidence_labels": _practice_labels("EVIDENCE_LABELS"),
    }


def _practice_labels(name: str) -> dict:
    from network.practices import services as practices

    return getattr(practices, name)


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    if isinstance(error, SecurityError):
        # A Host that is not in TRUSTED_HOSTS (NETWORK_TRUSTED_HOSTS, README "Deployment"), refused before
        # routing: no page can be built without the URL map, and none is owed to such a request.
        return "", code
    if code == 500:
        db.session.rollback()
    return render_template("errors/error.html", code=code, error=error), code


def _csrf_error(error):
    return render_template("errors/csrf.html", error=error), 400


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A spreadsheet runs a cell that starts like a formula: a leading ' makes it text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_download(rows, filename: str):
    """A CSV attachment of these rows, safe to open in a spreadsheet."""
    import csv
    import io

    from flask import Response

    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    safe_name = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename)[:100]
    # The byte-order mark makes spreadsheet programs read accents as UTF-8.
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{safe_name}"',
                             "Cache-Control": "private, no-store"})


def check_button_post() -> None:
    """A button posting no field of its own (confirm, withdraw, publish...): its CSRF token is all there is
    to check; anything else is a 400."""
    if not FlaskForm().validate_on_submit():
        abort(400)


REFUSED = type("Refused", (), {"__repr__": lambda self: "REFUSED", "__doc__": "What attempt() returns when the "
                                "service refused."})()


def attempt(write, done=None, form=None, refused=None):
    """The shape of a view's service call, in one place: run the write; if the service refuses (ServiceError),
    roll the session back, put its messages on the form's fields (form given) or in a flash message, and
    return REFUSED; otherwise flash `done` (a text, or a function of the result giving one) and return the
    write's result. `refused`, a function of the error, words the flash message of a refusal ("cannot be
    published yet: ...") instead of its bare messages."""
    result, error = outcome(write)
    if error is not None:
        if form is not None:
            form.show_errors(error.errors)
        else:
            flash(refused(error) if refused is not None else error.text, "error")
        return REFUSED
    if done is not None:
        flash(done(result) if callable(done) else done, "success")
    return result


def outcome(write):
    """Run the write: (its result, None), or (None, the ServiceError) with the session rolled back. For the
    few views that answer a refusal their own way (JSON, a page of their own); the others use attempt()."""
    try:
        return write(), None
    except ServiceError as error:
        db.session.rollback()
        return None, error


def form_status(form) -> int:
    """The status of a form shown again: 422 when it holds errors (its fields' or a service's general ones)."""
    return 422 if form.errors or getattr(form, "general_errors", None) else 200
