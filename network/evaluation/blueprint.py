"""The evaluation's blueprints: bp at /evaluation/ (surveys, their answers and results, sessions back home,
targets), reports_bp at /partnerships/<id>/report (the partnership's final report, beside its page)."""
from flask import Blueprint

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")
reports_bp = Blueprint("reports", __name__, url_prefix="/partnerships")
