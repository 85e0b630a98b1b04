"""(being written)"""
from network.learning.blueprint import bp  # noqa: F401
