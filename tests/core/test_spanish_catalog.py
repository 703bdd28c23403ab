"""Every message the code and templates can show has a Spanish translation, and the compiled
catalog is the one the .po holds."""

from __future__ import annotations

import gettext
import os
import re
import shutil
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "wraparound"
CATALOG = PACKAGE / "locale" / "es" / "LC_MESSAGES"


def _entries(po: str) -> list[tuple[str, str, bool]]:
    """(msgid, first msgstr, fuzzy) of every entry but the header and those with a context."""
    entries = []
    for block in po.split("\n\n"):
        if "msgid" not in block or "msgctxt" in block:
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        body = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
        msgid = "".join(re.findall(r'"(.*)"', body.split("msgid_plural")[0].split("msgstr")[0]))
        msgstr_part = body.split("msgstr", 1)[1] if "msgstr" in body else ""
        first = msgstr_part.split("msgstr[1]")[0]
        msgstr = "".join(re.findall(r'"(.*)"', first))
        if msgid:
            entries.append((msgid, msgstr, fuzzy))
    return entries


def test_every_message_in_the_catalog_is_translated() -> None:
    entries = _entries((CATALOG / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 800
    assert [m for m, s, fuzzy in entries if fuzzy] == []
    assert [m for m, s, fuzzy in entries if not s] == []


def test_the_compiled_catalog_matches_the_po() -> None:
    with (CATALOG / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = _entries((CATALOG / "django.po").read_text(encoding="utf-8"))
    stale = [msgid for msgid, _, _ in entries if "\\" not in msgid and compiled.gettext(msgid) == msgid]
    stale = [msgid for msgid in stale if dict((m, s) for m, s, _ in entries)[msgid] != msgid]
    assert stale == [], "run `wraparound compilemessages` in src/wraparound"


def test_no_message_in_the_code_is_missing_from_the_catalog(tmp_path: Path) -> None:
    copy = tmp_path / "wraparound"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3*", "var"))
    here = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command("makemessages", locale=["es"], verbosity=0)
    finally:
        os.chdir(here)
    fresh = _entries((copy / "locale" / "es" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    assert len(fresh) > 800  # the copy's catalog, refreshed from its code and templates
    untranslated = sorted({msgid for msgid, msgstr, fuzzy in fresh if fuzzy or not msgstr})
    assert untranslated == [], "new messages need Spanish: run makemessages -l es in src/wraparound"


def test_gettext_tools_are_installed() -> None:
    assert shutil.which("xgettext") and shutil.which("msgfmt"), (
        "GNU gettext (xgettext, msgfmt) is needed to check the Spanish catalog: apt-get install gettext"
    )
