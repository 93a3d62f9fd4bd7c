"""Development and demo: the embedded default (SQLite, broker-less Celery) with DEBUG on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
