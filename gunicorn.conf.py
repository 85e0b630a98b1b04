"""gunicorn's settings for `gunicorn wsgi:app` started in this folder (gunicorn reads ./gunicorn.conf.py):
`make serve`, deploy/systemd/peer-network-web.service (behind nginx, deploy/nginx/peer-network.conf).

Each setting comes from an environment variable (in production: /etc/peer-network/env, README "Deployment"),
else the default below. The command line (`make serve` gives --workers, --bind, --access-logfile) and
GUNICORN_CMD_ARGS win over this file. bench/README.md ("Load") has the figures behind the worker class and
count: `bench/load.py --front nginx --workers N` measures them on this machine's data.
"""
import os


def _setting(name: str, default):
    """The variable as the default's type ("" counts as unset)."""
    value = os.environ.get(name, "").strip()
    return type(default)(value) if value else default


# Where gunicorn listens: loopback, for nginx only (never a public address: nginx serves the static files,
# buffers slow clients and sets the headers NETWORK_TRUSTED_PROXIES trusts). unix:/run/peer-network/gunicorn.sock
# under systemd.
bind = [address.strip() for address in _setting("GUNICORN_BIND", "127.0.0.1:8000").split(",")]
# A unix socket is made rw for its owner and group only (nginx's user joins the group): not for every user of
# the machine, who could otherwise send requests with a forged X-Forwarded-For.
umask = 0o007

# Workers: processes, each with its own caches (pages, facet counts, the search index's reader). The work is
# mostly Python (templates, search scoring), which one process runs on one core at a time: one per core,
# plus one to use a core while another waits on the database. WEB_CONCURRENCY is the usual name for it.
workers = _setting("GUNICORN_WORKERS", _setting("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
# Threaded workers: a few requests at once per process (one computes while another waits on PostgreSQL), and
# connections that stay open between requests, so that nginx's keepalive to the upstream works (sync
# workers close every connection after one answer). GUNICORN_WORKER_CLASS=sync goes back to one request per
# process (gunicorn would make a sync worker with threads a gthread one: one thread then).
worker_class = _setting("GUNICORN_WORKER_CLASS", "gthread")
threads = _setting("GUNICORN_THREADS", 4 if worker_class == "gthread" else 1)
# An idle connection from nginx stays open this long: longer than nginx's keepalive_timeout to the upstream
# (60 s), so that nginx closes it first and never sends a request on a connection gunicorn is closing.
keepalive = _setting("GUNICORN_KEEPALIVE", 75)
# A request still running after this long gets its worker restarted (nginx waits 60 s: proxy_read_timeout).
# PDFs, emails and reindexing run in the job worker and the search worker, not in requests.
timeout = _setting("GUNICORN_TIMEOUT", 30)
graceful_timeout = _setting("GUNICORN_GRACEFUL_TIMEOUT", 30)  # on stop or reload: requests under way finish
# A worker restarted after this many requests (0: never), with up to this many more at random so that the
# workers do not restart together. Off by default: the platform's caches are bounded, and a new worker starts
# cold (search reader, pages). Set it if a worker's memory is seen to grow.
max_requests = _setting("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _setting("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)
# The access log: "-" is standard output (journald under systemd), "" none.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# The peer (nginx), the client (the address nginx appends last), the request, its status and size, the time taken in
# microseconds, and the page cache's hit or miss.
access_log_format = '%(h)s %({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(D)sus %({x-page-cache}o)s'
errorlog = "-"
# gunicorn 25's control socket (gunicornc) in $HOME or $XDG_RUNTIME_DIR: not used here (systemd's reload and
# stop, README "Deployment"), and two servers of one user would share its path.
control_socket_disable = True
# No preload_app: the app would be made once in the master, and its database pool, job queue and search
# index handles shared by the forked workers.


def on_starting(server):
    """Before any worker boots: a missing setting (no SECRET_KEY...) stops gunicorn with one line.

    The ConfigurationError is a RuntimeError, which gunicorn prints as "Error: <message>" and exits 1; found
    by each worker instead, it would be printed once per worker (wsgi.py).
    """
    from network import check_configuration

    check_configuration()
