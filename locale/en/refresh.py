"""Refresh the English catalogue from the code: `.venv/bin/python locale/en/refresh.py [MORE.po ...]` after
adding or changing a translatable string, then translate what it lists as untranslated and run it again.

The catalogue is rebuilt from scratch (merged into the previous one, makemessages would guess « fuzzy »
translations) and keeps the translation of every msgid that has one: in the MORE.po files given first (a
translator's file; the first given wins), then in the catalogue itself. It then compiles the .mo, committed like locale/fr's, so
that `make run` needs no gettext. tests/test_catalogue.py fails when this has not been run."""

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent / "LC_MESSAGES"
ROOT = HERE.parents[2]
CATALOGUE = HERE / "django.po"
# The same as tests/test_catalogue.py: what is not the app's own text.
IGNORES = [".venv/*", "node_modules/*", "tests/*", "bench/*", "var/*"]


def translated(path, into):
    """The translated, not fuzzy entries of a catalogue, with the six characters `\\u00a0` of an older
    extraction read as the space they mean (xgettext kept Python's escapes as they were written)."""
    text = Path(path).read_text(encoding="utf-8")
    text = text.replace("\\\\u00a0", "\u00a0").replace("\\\\u202f", "\u202f")
    source = into.with_suffix(".in.po")
    source.write_text(text, encoding="utf-8")
    subprocess.run(["msgattrib", "--translated", "--no-fuzzy", "-o", str(into), str(source)], check=True)
    return into if into.exists() else None  # msgattrib writes nothing when nothing is translated


def main(more):
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        sources = [translated(path, scratch / f"{index}.po") for index, path in enumerate([*more, CATALOGUE]) if Path(path).exists()]
        sources = [source for source in sources if source is not None]
        CATALOGUE.unlink(missing_ok=True)
        ignores = [f"--ignore={pattern}" for pattern in IGNORES]
        subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", *ignores],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        fresh_header = CATALOGUE.read_text(encoding="utf-8").split("\n\n", 1)[0]
        if sources:
            known = scratch / "known.po"
            subprocess.run(["msgcat", "--use-first", "-o", str(known), *map(str, sources)], check=True)
            subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "--previous", "-o", str(CATALOGUE),
                            str(known), str(CATALOGUE)], check=True)
    # The header of makemessages' output (its plural forms for English), whatever the sources' were.
    entries = CATALOGUE.read_text(encoding="utf-8").split("\n\n", 1)[1]
    header = fresh_header.replace("#, fuzzy\n", "", 1).replace('"Language: \\n"', '"Language: en\\n"').replace(
        '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"', '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"'
    ).replace("FULL NAME <EMAIL@ADDRESS>", "Chantier").replace("LANGUAGE <LL@li.org>", "Chantier").replace("PACKAGE VERSION", "Chantier")
    CATALOGUE.write_text(header + "\n\n" + entries, encoding="utf-8")
    subprocess.run(["msgfmt", "--check", "-o", str(HERE / "django.mo"), str(CATALOGUE)], check=True)
    left = subprocess.run(["msgattrib", "--untranslated", "--no-wrap", str(CATALOGUE)], check=True, capture_output=True, text=True)
    count = sum(line.startswith("msgid ") and line != 'msgid ""' for line in left.stdout.splitlines())
    print(f"{count} untranslated (msgattrib --untranslated {CATALOGUE.relative_to(ROOT)})")


if __name__ == "__main__":
    main(sys.argv[1:])
