"""Which language the interface speaks. English only for now; catalogues come with the translation issue."""
from flask import current_app, request


def select_locale() -> str:
    supported = current_app.config["SUPPORTED_LOCALES"]
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
