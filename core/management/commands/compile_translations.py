"""Compile the project's .po catalogues into .mo files with polib, so no GNU gettext is needed."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every locale/<lang>/LC_MESSAGES/*.po under LOCALE_PATHS into .mo (pure Python)."

    def handle(self, *args, **options):
        catalogues = sorted(
            po_path
            for locale_path in settings.LOCALE_PATHS
            for po_path in Path(locale_path).glob("*/LC_MESSAGES/*.po")
        )
        if not catalogues:
            self.stdout.write("No translation catalogues to compile.")
            return
        for po_path in catalogues:
            mo_path = po_path.with_suffix(".mo")
            try:
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(mo_path))
            except (OSError, ValueError) as error:
                raise CommandError(f"{po_path}: {error}") from error
            translated = len(catalogue.translated_entries())
            total = len(catalogue) - len(catalogue.obsolete_entries())
            self.stdout.write(
                f"Compiled {po_path} → {mo_path.name} ({translated} of {total} messages translated)"
            )
