"""Settings of the HTTP load benchmark (bench/bench_http.py): the development settings with DEBUG off.

Production-like where it matters for the figures (DEBUG off, so no query log and no debug pages;
PostgreSQL through the pool; Redis for the cache and the API's throttle; the whole middleware
stack), runnable on one machine without TLS: the cookies are not marked Secure, because the
benchmark speaks plain HTTP to 127.0.0.1. The URLconf adds one bare JSON view, the floor that
the pages are compared with; it exists only here, never in the portal's own URLconf.
"""

from fundportal.settings.dev import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
