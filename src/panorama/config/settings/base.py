"""Settings shared by every environment; every value can come from the environment.

Defaults are safe for the demo (SQLite file under ``var/``, console e-mail, database
task queue) so ``make demo`` needs no configuration. ``production.py`` refuses to start
without the secrets a real deployment must provide.
"""

import os
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # src/panorama
PROJECT_DIR = Path(os.environ.get("PANORAMA_HOME", BASE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("PANORAMA_VAR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Demo-only key: production.py refuses to run with it.
DEMO_SECRET_KEY = "panorama-demo-insecure-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Before django.contrib.auth: its changepassword command replaces Django's.
    "panorama.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # Swagger UI's assets for /api/v1/docs, served from our own static files
    "django_tasks",
    "django_tasks_db",
    "panorama.core",
    "panorama.customers",
    "panorama.channels",
    "panorama.catalog",
    "panorama.sales",
    "panorama.service",
    "panorama.marketing",
    "panorama.loyalty",
    "panorama.automation",
    "panorama.analytics",
    "panorama.portal",
    "panorama.seeding",
    "panorama.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "panorama.core.middleware.QueryCountMiddleware",
    "panorama.core.middleware.HtmxVaryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "panorama.accounts.middleware.UserLanguageMiddleware",
    "panorama.accounts.middleware.LoginThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "panorama.core.middleware.DomainErrorMiddleware",
    # Every view needs a signed-in user unless marked @login_not_required (the sign-in
    # page, the probe, the language switch; the API authenticates itself).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "panorama.config.urls"
WSGI_APPLICATION = "panorama.config.wsgi.application"
ASGI_APPLICATION = "panorama.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'panorama.sqlite3'}")
# Persistent connections (re-checked before reuse): opening an SQLite file and running
# its PRAGMAs costs ~2 ms a request, a PostgreSQL connection more.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
        # BEGIN so concurrent writers queue on busy_timeout instead of failing.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
        # Seconds a writer waits for the lock before "database is locked".
        "timeout": float(os.environ.get("PANORAMA_SQLITE_TIMEOUT", 20)),
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "customers:list"
LOGOUT_REDIRECT_URL = "accounts:login"
# Every new password (own change, admin, createsuperuser, changepassword): 12+ characters,
# not only digits, not like the user's name or e-mail, not in Django's common list nor in
# the local list of leaked passwords (accounts.validators; no network).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "panorama.accounts.validators.LeakedPasswordValidator"},
]
# A larger local list of leaked passwords (one a line, lower-cased, plain or gzip) instead of
# the one shipped in accounts/data/.
PANORAMA_LEAKED_PASSWORDS_FILE = os.environ.get("PANORAMA_LEAKED_PASSWORDS_FILE", "")
# Passwords are checked by the throttled backend: failed sign-ins in a row for one
# username, or from one address, lock further tries (HTTP 429) for LOCK seconds, doubled
# at each further failure up to MAX_LOCK; a streak without failure for FORGET starts over.
AUTHENTICATION_BACKENDS = ["panorama.accounts.backends.ThrottledModelBackend"]
PANORAMA_LOGIN_ACCOUNT_LIMIT = int(os.environ.get("PANORAMA_LOGIN_ACCOUNT_LIMIT", 5))
PANORAMA_LOGIN_ADDRESS_LIMIT = int(os.environ.get("PANORAMA_LOGIN_ADDRESS_LIMIT", 20))
PANORAMA_LOGIN_LOCK_SECONDS = int(os.environ.get("PANORAMA_LOGIN_LOCK_SECONDS", 60))
PANORAMA_LOGIN_MAX_LOCK_SECONDS = int(os.environ.get("PANORAMA_LOGIN_MAX_LOCK_SECONDS", 3600))
PANORAMA_LOGIN_FORGET_SECONDS = int(os.environ.get("PANORAMA_LOGIN_FORGET_SECONDS", 86400))
# The customer portal (/portal/): a sign-in link works once, for LINK minutes; a portal
# session ends SESSION minutes after the sign-in.
PANORAMA_PORTAL_LINK_MINUTES = int(os.environ.get("PANORAMA_PORTAL_LINK_MINUTES", 15))
PANORAMA_PORTAL_SESSION_MINUTES = int(os.environ.get("PANORAMA_PORTAL_SESSION_MINUTES", 120))
# Reverse proxies in front of the server that append the caller to X-Forwarded-For: the
# caller's address is then the PANORAMA_PROXY_COUNT-th from the right. 0: REMOTE_ADDR.
# The public web forms: submissions per address in a window, then 429 until it ends.
PANORAMA_WEBFORM_LIMIT = int(os.environ.get("PANORAMA_WEBFORM_LIMIT", 10))
PANORAMA_WEBFORM_WINDOW_SECONDS = int(os.environ.get("PANORAMA_WEBFORM_WINDOW_SECONDS", 3600))
PANORAMA_PROXY_COUNT = int(os.environ.get("PANORAMA_PROXY_COUNT", 0))
# Call management (service): seconds to wait for the PBX's answer to a click-to-call;
# screen-pop streams (server-sent events) held at once per web process (each holds a
# request thread: the others poll once a second) and how long one lasts before the
# browser reconnects.
PANORAMA_PBX_TIMEOUT = float(os.environ.get("PANORAMA_PBX_TIMEOUT", 5))
PANORAMA_CALL_STREAMS = int(os.environ.get("PANORAMA_CALL_STREAMS", 2))
PANORAMA_CALL_STREAM_SECONDS = int(os.environ.get("PANORAMA_CALL_STREAM_SECONDS", 55))
# Web chat (channels/chat): open streams per process (visitors' and agents' together; the
# rest poll), writes a minute per site and address on the widget's endpoints.
PANORAMA_CHAT_STREAMS = int(os.environ.get("PANORAMA_CHAT_STREAMS", 4))
PANORAMA_CHAT_PER_MINUTE = int(os.environ.get("PANORAMA_CHAT_PER_MINUTE", 20))
# Inbound e-mail (channels/mail): an attachment above this size is listed on the ledger
# but not stored apart (it stays in the kept raw message); mailbox passwords are sealed
# with a key derived from PANORAMA_MAIL_KEY (default: SECRET_KEY).
PANORAMA_MAIL_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("PANORAMA_MAIL_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
)
PANORAMA_MAIL_KEY = os.environ.get("PANORAMA_MAIL_KEY", "")
# Files agents attach to a case's replies and notes (service): at most this size each.
PANORAMA_CASE_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("PANORAMA_CASE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
)
# The worker keeps an IMAP IDLE connection per active mailbox whose server offers it,
# so new mail is imported within seconds (the scheduled polling goes on regardless).
PANORAMA_MAIL_IDLE = os.environ.get("PANORAMA_MAIL_IDLE", "1") not in ("0", "false", "")
# Fax (channels/fax): outbound faxes go by e-mail to <number>@PANORAMA_FAX_GATEWAY_DOMAIN
# (empty: no outbound fax) from PANORAMA_FAX_FROM; a message piped by the MTA to one of
# PANORAMA_FAX_INBOUND_ADDRESSES is a fax (an IMAP mailbox says so with its own box).
PANORAMA_FAX_GATEWAY_DOMAIN = os.environ.get("PANORAMA_FAX_GATEWAY_DOMAIN", "")
PANORAMA_FAX_FROM = os.environ.get("PANORAMA_FAX_FROM", "") or os.environ.get(
    "DEFAULT_FROM_EMAIL", "panorama@localhost"
)
PANORAMA_FAX_INBOUND_ADDRESSES = [
    a.strip().lower()
    for a in os.environ.get("PANORAMA_FAX_INBOUND_ADDRESSES", "").split(",")
    if a.strip()
]
PANORAMA_FAX_MAX_BYTES = int(os.environ.get("PANORAMA_FAX_MAX_BYTES", 20 * 1024 * 1024))

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Madrid")
USE_I18N = True
FORMAT_MODULE_PATH = ["panorama.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    # Front-end packages come from npm (package.json) and are served from our origin.
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    # The UI font (Inter) and the icon font (Bootstrap Icons): see docs/ui.md.
    ("vendor/inter", NODE_MODULES / "@fontsource" / "inter" / "files"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    # The dashboards' charts (analytics): Chart.js's UMD build.
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "core" / "public"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# The rate limits (web tracking, web chat) count in this cache. With
# more than one web process (`panorama serve` starts two) only a shared cache makes them
# one count: CACHE_URL=redis://127.0.0.1:6379/1 (rediss:// for TLS). locmem:// (the
# default) counts per process, so a limit is that many per process.
CACHE_URL = os.environ.get("CACHE_URL", "locmem://")


def cache_from_url(url: str) -> dict:
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ImproperlyConfigured(
        "CACHE_URL: use locmem:// (one count per process) or redis://host:port/db "
        "(rediss:// for TLS), shared by every process."
    )


CACHES = {"default": cache_from_url(CACHE_URL)}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# console://, file:///absolute/dir (file:// alone: var/mail), smtp://user:pass@host:port
# with ?tls=1 (STARTTLS) or ?ssl=1 (implicit TLS), submission://… (587, STARTTLS).
EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
_mail = dj_email_url.parse(EMAIL_URL)
if "EMAIL_BACKEND" not in _mail or EMAIL_URL.startswith("smtps:"):
    # smtps: would mean STARTTLS to dj-email-url but implicit TLS to most people.
    raise ImproperlyConfigured(
        "EMAIL_URL: use console://, file:///dir, smtp://host:port?tls=1 (STARTTLS), "
        "smtp://host:port?ssl=1 (TLS from the start) or submission://host."
    )
EMAIL_BACKEND = _mail["EMAIL_BACKEND"]
# dj-email-url drops the path's leading slash: file:///srv/mail is /srv/mail.
EMAIL_FILE_PATH = (
    "/" + _mail["EMAIL_FILE_PATH"] if _mail["EMAIL_FILE_PATH"] else str(VAR_DIR / "mail")
)
EMAIL_HOST = _mail["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _mail["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _mail["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _mail["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _mail["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _mail["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _mail["EMAIL_TIMEOUT"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "panorama@localhost")
# The address customers reach Panorama at (links in campaign e-mails: unsubscribe, the
# open pixel, tracked links), without a trailing slash.
PANORAMA_PUBLIC_URL = os.environ.get("PANORAMA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Campaign sending: messages per second at most (0: no limit), and attempts per message
# before it is marked failed in the campaign's ledger.
PANORAMA_CAMPAIGN_RATE = float(os.environ.get("PANORAMA_CAMPAIGN_RATE", "50"))
PANORAMA_CAMPAIGN_ATTEMPTS = int(os.environ.get("PANORAMA_CAMPAIGN_ATTEMPTS", "3"))
# SMTP connections a campaign keeps busy at once (1: one message after the other).
PANORAMA_MAIL_CONNECTIONS = int(os.environ.get("PANORAMA_MAIL_CONNECTIONS", "4"))

WAREHOUSE_PATH = Path(os.environ.get("WAREHOUSE_PATH", VAR_DIR / "warehouse"))
# The warehouse (analytics/warehouse): DuckDB threads, how long a dashboard waits for a
# running load to let go of the file, whether each load re-exports the Parquet copy, the
# operational table the data-mining models write their scores to, and how often the task
# worker refreshes it (minutes; 0: never by itself).
WAREHOUSE_THREADS = int(os.environ.get("WAREHOUSE_THREADS", 2))
# A build loads this many tables at once (each on its own connection; 1: one by one).
WAREHOUSE_LOAD_LANES = int(os.environ.get("WAREHOUSE_LOAD_LANES", 2))
WAREHOUSE_BUSY_SECONDS = float(os.environ.get("WAREHOUSE_BUSY_SECONDS", 3))
WAREHOUSE_PARQUET = env_bool("WAREHOUSE_PARQUET", True)
WAREHOUSE_SCORE_TABLE = os.environ.get("WAREHOUSE_SCORE_TABLE", "analytics_customerscore")
WAREHOUSE_REFRESH_MINUTES = int(os.environ.get("WAREHOUSE_REFRESH_MINUTES", 15))
# SQLite: a load reads the live file in a child process (each table as committed when it
# is read); on, it reads a copy made first (one moment for every table, a copy per load).
WAREHOUSE_SQLITE_COPY = env_bool("WAREHOUSE_SQLITE_COPY", False)
# A refresh has the source database find each table's changed rows by index
# (sqlite_query, postgres_query) instead of DuckDB's scanners reading whole tables
# (off: the scanners, to compare).
WAREHOUSE_PUSHDOWN = env_bool("WAREHOUSE_PUSHDOWN", True)
# The Spark jobs: a Spark Connect URL (sc://host:15002) in production; empty runs a local
# Spark (SPARK_MASTER, local[2]) in this process.
SPARK_REMOTE = os.environ.get("SPARK_REMOTE", "")
SPARK_MASTER = os.environ.get("SPARK_MASTER", "local[2]")

# Uploads: imports are streamed to disk; anything larger is refused with a clear message.
PANORAMA_MAX_IMPORT_BYTES = int(os.environ.get("PANORAMA_MAX_IMPORT_BYTES", 50 * 1024 * 1024))
# A large import validates its rows in one helper process (forked) while it writes;
# 0 keeps it all in the importing process.
PANORAMA_IMPORT_HELPER = os.environ.get("PANORAMA_IMPORT_HELPER", "1") != "0"
# Limits on what an import file may hold once read (an XLSX is a zip: a small upload
# can unpack into gigabytes). Every part of a workbook is checked before it is opened.
PANORAMA_IMPORT_MAX_ROWS = int(os.environ.get("PANORAMA_IMPORT_MAX_ROWS", 500_000))
# A lead import (sales) runs in the task worker, in batches: at most this many rows per
# file. Each row goes through lead_create (validation, scoring, assignment rules), far
# slower than a customer row, so the cap keeps one import to minutes of worker time (and
# the one-off row count done at upload, in the request, short); the customers import's
# cap (PANORAMA_IMPORT_MAX_ROWS) is for its batched bulk writes.
PANORAMA_LEAD_IMPORT_MAX_ROWS = int(os.environ.get("PANORAMA_LEAD_IMPORT_MAX_ROWS", 100_000))
PANORAMA_IMPORT_MAX_COLUMNS = int(os.environ.get("PANORAMA_IMPORT_MAX_COLUMNS", 200))
PANORAMA_IMPORT_MAX_UNPACKED_BYTES = int(
    os.environ.get("PANORAMA_IMPORT_MAX_UNPACKED_BYTES", 512 * 1024 * 1024)
)
PANORAMA_IMPORT_MAX_SHARED_STRINGS_BYTES = int(
    os.environ.get("PANORAMA_IMPORT_MAX_SHARED_STRINGS_BYTES", 100 * 1024 * 1024)
)
PANORAMA_IMPORT_MAX_COMPRESSION_RATIO = int(
    os.environ.get("PANORAMA_IMPORT_MAX_COMPRESSION_RATIO", 100)
)
# Files are inspected and counted in a forked process with this much memory (beyond
# what it starts with) and CPU time; a file that needs more is refused.
PANORAMA_IMPORT_READ_MEMORY_BYTES = int(
    os.environ.get("PANORAMA_IMPORT_READ_MEMORY_BYTES", 512 * 1024 * 1024)
)
PANORAMA_IMPORT_READ_SECONDS = int(os.environ.get("PANORAMA_IMPORT_READ_SECONDS", 120))
# Days an import's file and rejected rows (personal data) are kept after it finished;
# an undone import's go at once. ``panorama purge_imports`` (and each import) cleans up.
PANORAMA_IMPORT_RETENTION_DAYS = int(os.environ.get("PANORAMA_IMPORT_RETENTION_DAYS", 30))
# Rejected rows kept for the report; past it they are only counted.
PANORAMA_IMPORT_MAX_REJECTED_ROWS = int(os.environ.get("PANORAMA_IMPORT_MAX_REJECTED_ROWS", 10_000))
# Background jobs (imports): the task worker looks for jobs left "running" by a process
# that is gone every PANORAMA_JOB_SWEEP_SECONDS; a job whose worker runs on another host
# counts as interrupted once its heartbeat (one per batch) is older than
# PANORAMA_JOB_STALE_SECONDS.
PANORAMA_JOB_SWEEP_SECONDS = int(os.environ.get("PANORAMA_JOB_SWEEP_SECONDS", 60))
# Cases per recount task the SLA sweep queues for the cases its escalations gave another
# policy (each task one short transaction: SQLite's write lock is not held for all).
PANORAMA_SLA_RECOUNT_CHUNK = int(os.environ.get("PANORAMA_SLA_RECOUNT_CHUNK", 5000))
# A recount the sweep owes (its SlaRecountPending row still there) is queued again by the
# next sweep once this many seconds have passed since it was last queued.
PANORAMA_SLA_RECOUNT_RETRY_SECONDS = int(os.environ.get("PANORAMA_SLA_RECOUNT_RETRY_SECONDS", 300))
# The transactional outbox (core/outbox.py): the worker delivers pending domain events to
# durable subscribers every PANORAMA_OUTBOX_POLL_SECONDS and deletes delivered ones after
# PANORAMA_OUTBOX_RETENTION_DAYS.
PANORAMA_OUTBOX_POLL_SECONDS = float(os.environ.get("PANORAMA_OUTBOX_POLL_SECONDS", 1))
PANORAMA_OUTBOX_RETENTION_DAYS = int(os.environ.get("PANORAMA_OUTBOX_RETENTION_DAYS", 7))
PANORAMA_JOB_STALE_SECONDS = int(os.environ.get("PANORAMA_JOB_STALE_SECONDS", 600))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Default region for phone numbers written without an international prefix.
PANORAMA_DEFAULT_REGION = os.environ.get("PANORAMA_DEFAULT_REGION", "ES")
# Adds a Server-Timing header with the number of SQL queries of each request (bench).
PANORAMA_QUERY_COUNT_HEADER = env_bool("PANORAMA_QUERY_COUNT_HEADER", False)
# Roles that scan for duplicates, merge customers and undo merges (data stewardship);
# any other user may be given the "Can add customer merge" permission in the admin.
PANORAMA_MERGE_ROLES = env_list("PANORAMA_MERGE_ROLES", "sales_manager,admin")
# Roles that edit the catalogue (products, prices, promotions, financing); everyone reads it.
PANORAMA_CATALOG_ROLES = env_list("PANORAMA_CATALOG_ROLES", "sales_manager,admin")
# The currency the company keeps its books in: exchange rates are quoted against it.
PANORAMA_COMPANY_CURRENCY = os.environ.get("PANORAMA_COMPANY_CURRENCY", "EUR").strip().upper()

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Sales. The company's currency: what boards, forecasts and reports sum in (amounts in
# other currencies are converted at the company's exchange rates).
PANORAMA_COMPANY_CURRENCY = os.environ.get("PANORAMA_COMPANY_CURRENCY", "EUR").upper()

# Quotes. The name and logo (a static file) their PDF carries, the manual discount (%)
# above which a quote needs a sales manager's approval, and how long a quote is valid.
PANORAMA_COMPANY_NAME = os.environ.get("PANORAMA_COMPANY_NAME", "Panorama")
PANORAMA_COMPANY_LOGO = os.environ.get("PANORAMA_COMPANY_LOGO", "sales/company-logo.svg")
PANORAMA_QUOTE_APPROVAL_DISCOUNT = float(os.environ.get("PANORAMA_QUOTE_APPROVAL_DISCOUNT", 10))
PANORAMA_QUOTE_VALIDITY_DAYS = int(os.environ.get("PANORAMA_QUOTE_VALIDITY_DAYS", 30))
