"""Production entry point: `gunicorn wsgi:app` (see `make serve`)."""
from network import create_app

app = create_app()
