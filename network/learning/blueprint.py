"""The learning modules' one blueprint, at /courses/: learners' pages in views.py (the courses, a course, its
lessons, quizzes, reflections and tasks), editors' in editor_views.py."""
from flask import Blueprint

bp = Blueprint("learning", __name__, url_prefix="/courses")
