"""Which language the interface speaks. English only for now; catalogues come with the translation issue."""
from flask import current_app, has_request_context, request


def select_locale() -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # command line, services called from tests and workers
        return default
    return request.accept_languages.best_match(current_app.config["SUPPORTED_LOCALES"]) or default
