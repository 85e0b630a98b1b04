"""(being written)"""
from network.self_assessment.blueprint import bp  # noqa: F401
