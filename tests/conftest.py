"""Fixtures shared by every test package, and the markers for tests that need a real server."""

import os
from pathlib import Path

import polib
import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation.reloader import translation_file_changed

pytest_plugins = ["tests.conftest_people", "tests.conftest_bank"]

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def pytest_configure(config):
    """Compile a catalogue whose .mo is missing or older than its .po (`make test` compiles them too).

    The .mo files are not committed; without this a bare ``pytest`` on a fresh clone would test
    the pages in English msgids instead of Chinese. Written to a temporary file and renamed, so a
    concurrent run never reads half a catalogue.
    """
    compiled = False
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        partial = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.tmp")
        polib.pofile(str(po_path)).save_as_mofile(str(partial))
        os.replace(partial, mo_path)
        compiled = True
    if compiled:
        # Django was set up before this hook and may already hold the catalogue it found then
        # (none): drop its caches, as its autoreloader does when a .mo file changes.
        translation_file_changed(sender=None, file_path=LOCALE_DIR / "x.mo")


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    on_redis = settings.CELERY_BROKER_URL.startswith("redis")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI runs these)")
    skip_redis = pytest.mark.skip(reason="needs Redis: set CELERY_BROKER_URL (CI runs these)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not on_redis:
            item.add_marker(skip_redis)


@pytest.fixture
def vendor():
    return connection.vendor


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (zh-hans).

    LocaleMiddleware activates the request's language in the thread and leaves it there, so
    without this a test that asked for English would change the language of the next test.
    """
    translation.deactivate()
    yield
    translation.deactivate()
