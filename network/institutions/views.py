"""Pages for institutions and partnerships."""
import unicodedata

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network import labels, permissions
from network.institutions import services
from network.institutions.forms import InstitutionForm, PartnershipForm
from network.institutions.signals import institution_page, partnership_page
from network.page_cache import cached_for_visitors
from network.panels import panels
from network.web import REFUSED, attempt, form_status

bp = Blueprint("institutions", __name__, url_prefix="/institutions")
partnerships_bp = Blueprint("partnerships", __name__, url_prefix="/partnerships")


def _institution_or_404(slug: str):
    institution = services.get_by_slug(slug)
    if institution is None:
        abort(404)
    return institution


def _institution_data(form: InstitutionForm) -> services.InstitutionData:
    return services.InstitutionData(
        name=form.name.data,
        country=form.country.data,
        city=form.city.data or "",
        sectors=form.sectors.data,
        languages=form.languages.data,
        description=form.description.data or "",
        website=form.website.data or "",
        contact_email=form.contact_email.data or "",
    )


def _by_name(code: str) -> tuple[str, str]:
    """A country in the alphabetical order of its name in the reader's language, accents aside ("États-Unis"
    among the E's, not after "Suisse")."""
    name = labels.country_name(code)
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return plain.casefold(), name


@bp.route("/")
@cached_for_visitors
def index():
    country = request.args.get("country", "").upper()
    sector = request.args.get("sector", "")
    if sector not in labels.SECTOR_LABELS:
        sector = ""
    institutions = services.filter_institutions(country=country or None, sector=sector or None)
    return render_template(
        "institutions/index.html",
        institutions=institutions,
        countries=sorted(services.countries_in_use(), key=_by_name),
        selected_country=country,
        selected_sector=sector,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    permissions.require(permissions.can_create_institution)
    form = InstitutionForm()
    if form.validate_on_submit():
        institution = services.create_institution(current_user, _institution_data(form))
        flash(_("Institution created."), "success")
        return redirect(url_for("institutions.show", slug=institution.slug))
    return render_template("institutions/form.html", form=form, institution=None), form_status(form)


@bp.route("/<slug>")
@cached_for_visitors
def show(slug: str):
    institution = _institution_or_404(slug)
    members = services.approved_members(institution) if permissions.can_see_member_list(current_user, institution) else None
    pending = None
    if permissions.administers_institution(current_user, institution):
        from network.auth.services import pending_members

        pending = pending_members(institution)
    return render_template("institutions/show.html", institution=institution, members=members, pending=pending,
                           panels=panels(institution_page, institution, viewer=current_user))


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    institution = _institution_or_404(slug)
    permissions.require(permissions.can_edit_institution, institution)
    form = InstitutionForm(obj=institution)
    if form.validate_on_submit():
        services.update_institution(current_user, institution, _institution_data(form))
        flash(_("Institution saved."), "success")
        return redirect(url_for("institutions.show", slug=institution.slug))
    return render_template("institutions/form.html", form=form, institution=institution), form_status(form)


# --- partnerships ---------------------------------------------------------------------------------


def _partnership_or_404(partnership_id: int):
    partnership = services.get_partnership(partnership_id)
    if partnership is None:
        abort(404)
    return partnership


def _partnership_form(partnership=None) -> PartnershipForm:
    form = PartnershipForm(obj=partnership, institution_choices=services.institution_choices())
    if partnership is not None and request.method == "GET":
        form.coordinating_institution.data = partnership.coordinating_institution_id
        form.partners.data = [i.id for i in partnership.partners]
    return form


def _save_partnership(form: PartnershipForm, partnership=None):
    """The saved partnership, or REFUSED with the service's messages on the form's fields."""
    data = services.PartnershipData(
        title=form.title.data,
        reference=form.reference.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        coordinating_institution=services.get(form.coordinating_institution.data),
        partners=[services.get(i) for i in form.partners.data if services.get(i)],
        description=form.description.data or "",
    )
    if partnership is None:
        return attempt(lambda: services.create_partnership(current_user, data), _("Partnership created."), form=form)
    return attempt(lambda: services.update_partnership(current_user, partnership, data), _("Partnership saved."),
                   form=form)


@partnerships_bp.route("/", endpoint="index")
def partnership_index():
    return render_template("partnerships/index.html", partnerships=services.all_partnerships())


@partnerships_bp.route("/new", methods=["GET", "POST"], endpoint="create")
@login_required
def create_partnership():
    permissions.require(permissions.can_create_partnership)
    form = _partnership_form()
    if form.validate_on_submit():
        partnership = _save_partnership(form)
        if partnership is not REFUSED:
            return redirect(url_for("partnerships.show", partnership_id=partnership.id))
    return render_template("partnerships/form.html", form=form, partnership=None), form_status(form)


@partnerships_bp.route("/<int:partnership_id>", endpoint="show")
def show_partnership(partnership_id: int):
    partnership = _partnership_or_404(partnership_id)
    return render_template("partnerships/show.html", partnership=partnership,
                           panels=panels(partnership_page, partnership, viewer=current_user))


@partnerships_bp.route("/<int:partnership_id>/edit", methods=["GET", "POST"], endpoint="edit")
@login_required
def edit_partnership(partnership_id: int):
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.can_edit_partnership, partnership)
    form = _partnership_form(partnership)
    if form.validate_on_submit():
        if _save_partnership(form, partnership) is not REFUSED:
            return redirect(url_for("partnerships.show", partnership_id=partnership.id))
    return render_template("partnerships/form.html", form=form, partnership=partnership), form_status(form)
