"""Production entry point: `gunicorn wsgi:app` (see `make serve`)."""
from network import ConfigurationError, create_app

try:
    app = create_app()
except ConfigurationError as error:
    # A missing setting (no SECRET_KEY...), when gunicorn runs without ./gunicorn.conf.py (which checks before
    # forking): each worker prints an AppImportError as its message alone, no traceback, and gunicorn stops
    # ("App failed to load").
    from gunicorn.errors import AppImportError

    raise AppImportError(error.format_message()) from None
