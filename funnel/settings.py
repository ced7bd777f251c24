"""Funnel's only settings module: everything a deployment changes comes from FUNNEL_* variables.

`.env.example` documents each variable; `funnel.lib.config` parses them strictly.
"""

import datetime as dt
from pathlib import Path

import django_stubs_ext
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from funnel.lib import config

# Django's generic classes take their type arguments at run time too (ModelAdmin[Opportunity]),
# as django-stubs declares them, so the code can be checked with mypy --strict.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir()

SECRET_KEY = config.secret_key(DATA_DIR)
DEBUG = config.env_bool("FUNNEL_DEBUG", default=False)
ALLOWED_HOSTS = config.env_list("FUNNEL_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = config.env_origins("FUNNEL_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "funnel.accounts",
    "funnel.contacts",
    "funnel.sales",
    "funnel.fit",
    "funnel.followup",
    "funnel.quotes",
    "funnel.goals",
    "funnel.prospecting",
    "funnel.forecast",
    "funnel.today",
    "funnel.transfer",
    "funnel.assistant",
    "funnel.front",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "template_partials",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "funnel.lib.middleware.RefuseNulBytes",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "funnel.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "funnel.accounts.backends.ProfileBackend",
]

ROOT_URLCONF = "funnel.urls"
WSGI_APPLICATION = "funnel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
            # l10n for |unlocalize: ids and offsets in addresses must never read "1,742".
            "builtins": [
                "django.templatetags.i18n",
                "django.templatetags.l10n",
                "funnel.front.templatetags.funnel",
            ],
        },
    }
]

# Form fields render through templates/django/forms/, written for this product's CSS.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": config.database(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins (docs/deployment.md). Ten failures in a row against one account, or from one
# address, pause logins for that account, or from that address, for 15 minutes. Per account
# stops slow guessing from many addresses, per address stops one address trying many accounts.
# A success does not wipe the count: axes would also wipe every failure from the same address,
# so anyone with an account could guess a colleague's password without end by logging in as
# themselves between guesses. Failures are forgotten 15 minutes after the last one instead.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
# A locked-out user who tries again does not push the end of the pause further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client is REMOTE_ADDR: waitress sets it from X-Forwarded-For only for FUNNEL_TRUSTED_PROXY,
# any other header is the client's to invent.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# No row per successful login (axes' access log would grow without end).
AXES_DISABLE_ACCESS_LOG = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("sv", _("Swedish")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = config.env_time_zone("FUNNEL_TIME_ZONE", "UTC")
USE_THOUSAND_SEPARATOR = True

DEFAULT_CURRENCY = config.env_currency("FUNNEL_CURRENCY", "EUR")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# `funnel serve` collects static files into the data folder; finders cover tests and demos that
# have not collected yet.
WHITENOISE_USE_FINDERS = True

# Behind an HTTPS reverse proxy (docs/deployment.md).
HTTPS = config.env_bool("FUNNEL_HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = config.env_bool("FUNNEL_SECURE_COOKIES", default=HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = config.env_int("FUNNEL_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = config.env_bool("FUNNEL_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = config.env_bool("FUNNEL_HSTS_PRELOAD", default=False)
# The proxy's address: `funnel serve` tells waitress to take the client's address and scheme
# from its X-Forwarded-For and X-Forwarded-Proto, and to drop them from anyone else. Other WSGI
# servers read the scheme from SECURE_PROXY_SSL_HEADER, which is safe only if the proxy always
# sets X-Forwarded-Proto itself.
TRUSTED_PROXY = config.env_proxy("FUNNEL_TRUSTED_PROXY")
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Only Funnel's own files. The Reports chart is inline SVG whose <style> carries the nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Email (funnel.assistant): FUNNEL_EMAIL_URL says how to send, FUNNEL_EMAIL_FROM from whom, and
# FUNNEL_BASE_URL where the links in them lead.
EMAIL = config.email_settings()
EMAIL_BACKEND = EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL["EMAIL_HOST"]
EMAIL_PORT = EMAIL["EMAIL_PORT"]
EMAIL_HOST_USER = EMAIL["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = EMAIL["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = EMAIL["EMAIL_USE_TLS"]
EMAIL_USE_SSL = EMAIL["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = EMAIL["EMAIL_TIMEOUT"]
DEFAULT_FROM_EMAIL = config.email_from()
BASE_URL = config.base_url()
# Seconds a worker may hold a job before another takes it over (the first was killed or hung).
JOB_TIMEOUT = config.env_int("FUNNEL_JOB_TIMEOUT", default=600)
if JOB_TIMEOUT < 1:
    raise config.ConfigError("FUNNEL_JOB_TIMEOUT must be at least 1 (seconds)")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # The worker says when it starts and stops, and each failed attempt.
    "loggers": {"funnel.worker": {"level": "INFO"}},
}
