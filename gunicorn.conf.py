"""gunicorn's settings for `gunicorn wsgi:app` started in this folder (gunicorn reads ./gunicorn.conf.py).

The command line (`make serve`) gives the workers and the address; this file only adds a check.
"""


def on_starting(server):
    """Before any worker boots: a missing setting (no SECRET_KEY...) stops gunicorn with one line.

    The ConfigurationError is a RuntimeError, which gunicorn prints as "Error: <message>" and exits 1; found
    by each worker instead, it would be printed once per worker (wsgi.py).
    """
    from network import check_configuration

    check_configuration()
