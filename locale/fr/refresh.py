"""Refresh the French catalog of plural forms: `.venv/bin/python locale/fr/refresh.py` after adding a
`{% plural %}` or `ngettext` string. Chantier's strings are French already; only their plurals need a
catalog, because gettext counts « 0 étape » with English's rule (0 is plural) when a msgid is in none."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent / "LC_MESSAGES"
ROOT = HERE.parents[2]
INTRO = (
    "# French plural forms for Chantier's own strings, which are written in French: each msgstr is its msgid.\n"
    "# Written by locale/fr/refresh.py; do not edit by hand.\n"
)

# From scratch: merged into the previous catalog, makemessages would guess « fuzzy » translations.
(HERE / "django.po").unlink(missing_ok=True)
subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "fr", "--ignore=node_modules", "--ignore=var",
                "--no-obsolete", "--no-location"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
filled = subprocess.run(["msgen", str(HERE / "django.po")], check=True, capture_output=True, text=True).stdout
header, *entries = filled.split("\n\n")
header = header.replace("#, fuzzy\n", "").replace('"Language: \\n"', '"Language: fr\\n"').replace(
    '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"', '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"'
)
plurals = [entry for entry in entries if "msgid_plural" in entry]
(HERE / "django.po").write_text(INTRO + header + "\n\n" + "\n\n".join(plurals) + "\n")
subprocess.run(["msgfmt", "-o", str(HERE / "django.mo"), str(HERE / "django.po")], check=True)
print(f"{len(plurals)} plural forms")
