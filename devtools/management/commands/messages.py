"""The French catalogue, kept in step with the code.

    manage.py messages          collect the marked strings into locale/fr (makemessages), then
                                write the compiled .mo beside the .po (with polib: no gettext
                                tools needed to run the site)
    manage.py messages --check  fail when collecting would change the catalogue (a string marked
                                but not collected, or collected but gone), when an entry is not
                                translated or fuzzy, or when the .mo is not the .po compiled

Collecting needs GNU gettext (xgettext, msgmerge): `apt-get install gettext`, `brew install
gettext`. CI runs the check."""

import re
import shutil
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LOCALES = ["fr"]
IGNORE = [".venv", "node_modules", "test-artifacts", "staticfiles", "var", "media"]


def catalogue(locale: str, domain: str = "django") -> Path:
    return Path(settings.LOCALE_PATHS[0]) / locale / "LC_MESSAGES" / f"{domain}.po"


def catalogues(locale: str) -> list[Path]:
    """The pages' catalogue, and the scripts' (djangojs) once there is one."""
    return [p for p in (catalogue(locale), catalogue(locale, "djangojs")) if p == catalogue(locale) or p.exists()]


def problems(po_path: Path) -> list[str]:
    """Entries not translated or fuzzy, and a .mo that is not this .po compiled."""
    po = polib.pofile(str(po_path))
    found = [f"not translated: {e.msgid!r}" for e in po.untranslated_entries()]
    found += [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    # Every plural form the language has (French here: one, millions, other); one left out shows
    # the English plural instead.
    forms = re.search(r"nplurals=(\d+)", po.metadata.get("Plural-Forms", ""))
    if forms:
        found += [
            f"plural forms missing: {e.msgid!r}"
            for e in po
            if e.msgid_plural and not e.obsolete and sum(1 for v in e.msgstr_plural.values() if v) < int(forms[1])
        ]
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [*found, f"{mo_path} is missing: run manage.py messages"]
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(mo_path))}
    wanted = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in po.translated_entries()}
    if compiled != wanted:
        found.append(f"{mo_path} is not {po_path.name} compiled: run manage.py messages")
    return found


class Command(BaseCommand):
    help = "Collect the marked strings into the French catalogue and compile it (--check: only verify)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true")

    def collect(self):
        call_command("makemessages", locale=LOCALES, no_location=True, ignore_patterns=IGNORE, verbosity=0)
        call_command(
            "makemessages", locale=LOCALES, domain="djangojs", no_location=True, ignore_patterns=IGNORE, verbosity=0
        )

    def handle(self, *args, check=False, **options):
        if not check:
            self.collect()
            for locale in LOCALES:
                for path in catalogues(locale):
                    polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))
            return
        root = Path(settings.LOCALE_PATHS[0])
        with tempfile.TemporaryDirectory() as keep:
            saved = Path(keep) / "locale"
            shutil.copytree(root, saved)
            try:
                self.collect()
                changed = [
                    str(p.relative_to(root))
                    for p in sorted(root.rglob("*.po"))
                    if not (saved / p.relative_to(root)).exists()
                    or p.read_text() != (saved / p.relative_to(root)).read_text()
                ]
            finally:
                shutil.rmtree(root)
                shutil.copytree(saved, root)
        found = [f"{name} changes when collected: run manage.py messages" for name in changed]
        for locale in LOCALES:
            for path in catalogues(locale):
                found += problems(path)
        if found:
            raise CommandError("The French catalogue is not ready:\n  " + "\n  ".join(found))
        self.stdout.write("The French catalogue is complete and in step with the code.")
