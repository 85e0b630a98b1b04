"""The search page."""
from babel.lists import format_list
from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from network.search import services

bp = Blueprint("search", __name__)


@bp.route("/search")
def index():
    search_request = services.SearchRequest.from_args(request.args, max_per_page=50)
    results = services.search(current_user, search_request) if request.args else None
    groups = services.group_translations(current_user, results.hits) if results else []
    type_labels = services.type_labels()
    # The label names every kind of document searched, from the registered types: it cannot fall behind them.
    searched_kinds = format_list([label.lower() for label in type_labels.values()], locale=get_locale())
    return render_template("search/index.html", req=search_request, results=results, groups=groups,
                           folded=sum(group.folded for group in groups), type_labels=type_labels,
                           searched_kinds=searched_kinds, institution_names=services.institution_names(results))
