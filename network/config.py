"""Safe defaults only. Secrets and site settings come from instance/config.py or NETWORK_* variables."""
from datetime import timedelta

# Production unless told otherwise: a forgotten setting must fail closed (see check_production_config).
ENV = "production"  # NETWORK_ENV=development for local work

SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_DURATION = timedelta(days=30)
# Set NETWORK_SECURE_COOKIES=true when served over HTTPS (it is in production behind TLS).
SECURE_COOKIES = False
# Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For and X-Forwarded-Proto headers are then
# trusted, so that throttling counts per client address, not per proxy; 0 ignores those headers.
TRUSTED_PROXIES = 0

WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: long essays must not expire their form

BABEL_DEFAULT_LOCALE = "en"
BABEL_DEFAULT_TIMEZONE = "UTC"
# Interface languages offered by the switcher, each with a complete catalogue in network/translations/
# (`make translations` creates and updates them; README, "Languages").
SUPPORTED_LOCALES = ["en", "es", "fr", "it"]

# Password hashing (argon2id). Tests lower the cost; production keeps the library's defaults.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_COST = 65536
ARGON2_PARALLELISM = 4

PASSWORD_RESET_MAX_AGE = timedelta(hours=1)
# Failed logins allowed in LOGIN_WINDOW before the account (or the address) must wait.
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
LOGIN_MAX_FAILURES_PER_ADDRESS = 20
RESET_MAX_REQUESTS_PER_ADDRESS = 10
# Reset links that cannot be used, and unknown or revoked API tokens, from one address in LOGIN_WINDOW.
RESET_LINK_MAX_FAILURES_PER_ADDRESS = 10
API_TOKEN_MAX_FAILURES_PER_ADDRESS = 20

MAIL_SERVER = None  # without it, emails are written to the log (development)
MAIL_PORT = 587
MAIL_USE_TLS = True
MAIL_USE_SSL = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_SENDER = "Peer Network <no-reply@peer-network.invalid>"

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024  # per file; NETWORK_ATTACHMENT_MAX_BYTES changes it
# A whole request: several attachments at once fit; beyond it the request is refused with 413.
MAX_CONTENT_LENGTH = 64 * 1024 * 1024
UPLOAD_FOLDER = None  # default: <instance>/uploads
PER_PAGE = 20
# The practice list's facet counts are kept this long per worker and kind of reader (0: never kept).
PRACTICE_FACETS_CACHE_SECONDS = 30
# Whole pages rendered for anonymous visitors are kept this long per worker (0: never kept), at most
# PAGE_CACHE_MAX_BYTES of them per worker. Additions may wait this long to show; a committed update or
# deletion retires every kept page at once, in every worker (network/page_cache.py).
PAGE_CACHE_SECONDS = 10
PAGE_CACHE_MAX_BYTES = 64 * 1024 * 1024

# Who writes the search index: "thread" (a background thread in a single-process server, make run),
# "external" (a separate `flask --app network search worker`, make serve), or "manual" (tests).
SEARCH_INDEXER = "thread"
SEARCH_INDEX_DIR = None  # default: <instance>/search

# Background jobs (network/jobs: PDFs, notification emails, reminders), run by `flask --app network jobs worker`
# beside the web server. Where they wait: None, a SQLite file in the instance folder (<instance>/jobs.sqlite3);
# "sqlite:////path/jobs.sqlite3"; "redis://localhost:6379/0" in production (README, "Background jobs"); or
# "immediate": each job runs in the caller, at once (tests; None means that too when testing).
JOBS = None
JOBS_FAILURES_KEPT_DAYS = 90  # the admins' page of failed jobs forgets them after this

# Collections' edition PDFs: built once per edition by "jobs" (a background job, see JOBS), or "off" (only
# `flask --app network collections pdf`, or on request under tests). None: "off" when testing, else "jobs"
# ("thread" and "sync", the settings of before the jobs, mean "jobs").
COLLECTIONS_PDF_BUILDER = None
COLLECTIONS_PDF_FOLDER = None  # default: <instance>/collections
COLLECTIONS_PDF_STALE_SECONDS = 600  # a build silent this long has died; its lock is taken over

# Certificates' PDFs (network/certificates/pdf.py): made by a background job when first downloaded.
CERTIFICATES_PDF_FOLDER = None  # default: <instance>/certificates
