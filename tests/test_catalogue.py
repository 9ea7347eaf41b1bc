"""The English catalogue is complete: what `makemessages` finds in the code today is all translated in
locale/en/LC_MESSAGES/django.po, nothing is fuzzy, and the committed .mo is that catalogue compiled. When
this fails, run `.venv/bin/python locale/en/refresh.py`, translate what it lists, and run it again.

makemessages works in a temporary copy of the code and the catalogue (it writes to the `locale`
directory beside the files it reads, and its temporary files beside the templates), with the ignores of
locale/en/refresh.py, so the repository is left as it is; gettext's msgattrib and msgfmt (installed by .ci/run) judge the result."""

import gettext
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
REFRESH = importlib.util.spec_from_file_location("refresh_english", ROOT / "locale" / "en" / "refresh.py")
refresh = importlib.util.module_from_spec(REFRESH)
REFRESH.loader.exec_module(refresh)

pytestmark = pytest.mark.skipif(
    shutil.which("msgattrib") is None, reason="gettext est absent (apt-get install gettext, comme dans .ci/run)."
)


def entries(po_text):
    """msgid → msgstr (the first form of a plural), from a catalogue written with --no-wrap."""
    found, msgid = {}, None
    for line in po_text.splitlines():
        if line.startswith("msgid "):
            msgid = line[6:]
        elif msgid is not None and (line.startswith("msgstr ") or line.startswith("msgstr[0] ")):
            found[msgid] = line.split(" ", 1)[1]
            msgid = None
    found.pop('""', None)  # the header
    return found


def gettext_tool(*arguments):
    return subprocess.run(arguments, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """The committed catalogue, as makemessages leaves it after reading the code (msgmerge's guesses
    included: a changed string comes back fuzzy, a new one untranslated), written without line wraps."""
    copy = tmp_path_factory.mktemp("code") / "chantier"
    skipped = shutil.ignore_patterns(".git", ".venv", "node_modules", "var", "locale", "tests", "bench", "__pycache__")
    shutil.copytree(ROOT, copy, ignore=skipped, symlinks=True)
    (copy / "locale" / "en" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(CATALOGUE, copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    here = os.getcwd()
    os.chdir(copy)  # makemessages reads the files under the current directory
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(settings, "LOCALE_PATHS", [copy / "locale"])
            call_command(
                "makemessages", locale=["en"], ignore_patterns=refresh.IGNORES, no_obsolete=True, no_wrap=True,
                verbosity=0,
            )
    finally:
        os.chdir(here)
    return copy / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_string_of_the_code_is_translated_in_english(refreshed):
    untranslated = entries(gettext_tool("msgattrib", "--untranslated", "--no-wrap", str(refreshed)))
    assert not untranslated, f"{len(untranslated)} untranslated in English, e.g. {list(untranslated)[:5]}"


def test_no_english_translation_is_fuzzy(refreshed):
    fuzzy = entries(gettext_tool("msgattrib", "--only-fuzzy", "--no-wrap", str(refreshed)))
    assert not fuzzy, f"{len(fuzzy)} fuzzy in English (a string changed in the code), e.g. {list(fuzzy)[:5]}"


def test_the_catalogue_holds_only_the_code_s_strings(refreshed):
    """No entry is left over from a string the code no longer has (refresh.py drops them)."""
    committed = entries(gettext_tool("msgcat", "--no-wrap", str(CATALOGUE)))
    assert set(committed) == set(entries(refreshed.read_text(encoding="utf-8")))
    assert len(committed) > 1000  # the real catalogue, not an empty one


def test_no_msgid_hides_an_escape_from_xgettext(refreshed):
    """xgettext keeps `\\u00a0` in a Python string as six characters: that msgid never matches the text
    gettext is asked for (write the character itself)."""
    assert not [msgid for msgid in entries(refreshed.read_text(encoding="utf-8")) if "\\\\u" in msgid or "\\\\x" in msgid]


def test_the_catalogue_compiles_and_the_committed_mo_is_up_to_date(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(CATALOGUE)], check=True, capture_output=True)
    with open(compiled, "rb") as fresh, open(CATALOGUE.with_suffix(".mo"), "rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog
