"""The self-assessment's one blueprint, at /self-assessment/: its pages live in views.py (taking it, results),
group_views.py (aggregates, training needs, invitations) and admin_views.py (the questionnaire's versions)."""
from flask import Blueprint

bp = Blueprint("self_assessment", __name__, url_prefix="/self-assessment")
