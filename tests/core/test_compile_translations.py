import gettext

import polib
from django.core.management import call_command


def _write_catalogue(folder, language):
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": language}
    catalogue.append(polib.POEntry(msgid="Enter an ID number.", msgstr="请输入身份证号码。"))
    catalogue.append(polib.POEntry(msgid="Not yet translated", msgstr=""))
    catalogue.append(polib.POEntry(msgid="Doubtful", msgstr="存疑", flags=["fuzzy"]))
    path = folder / language / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    catalogue.save(str(path))
    return path


class TestCompileTranslations:
    def test_compiles_every_catalogue_into_a_usable_mo_file(self, settings, tmp_path, capsys):
        settings.LOCALE_PATHS = [tmp_path]
        po_path = _write_catalogue(tmp_path, "zh_Hans")

        call_command("compile_translations")

        with po_path.with_suffix(".mo").open("rb") as mo_file:
            translations = gettext.GNUTranslations(mo_file)
        assert translations.gettext("Enter an ID number.") == "请输入身份证号码。"
        assert translations.gettext("Doubtful") == "Doubtful"
        assert "zh_Hans" in capsys.readouterr().out

    def test_succeeds_when_there_is_no_locale_folder(self, settings, tmp_path, capsys):
        settings.LOCALE_PATHS = [tmp_path / "locale"]

        call_command("compile_translations")

        assert "No translation catalogues" in capsys.readouterr().out
