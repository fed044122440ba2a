"""The French catalogue is whole: every entry translated, none fuzzy, the .mo its .po compiled
(CI also checks that collecting the marked strings changes nothing: manage.py messages --check)."""

import shutil

import polib

from devtools.management.commands.messages import catalogue, problems


def test_the_french_catalogue_is_translated_and_compiled():
    assert problems(catalogue("fr")) == []


def test_the_scripts_french_catalogue_is_translated_and_compiled_too():
    assert catalogue("fr", "djangojs").exists()
    assert problems(catalogue("fr", "djangojs")) == []


def test_an_untranslated_or_fuzzy_entry_or_a_stale_mo_is_found(tmp_path):
    po_path = tmp_path / "django.po"
    shutil.copy(catalogue("fr"), po_path)
    shutil.copy(catalogue("fr").with_suffix(".mo"), tmp_path / "django.mo")
    po = polib.pofile(str(po_path))
    po.append(polib.POEntry(msgid="A new sentence", msgstr=""))
    po.append(polib.POEntry(msgid="A changed sentence", msgstr="Une phrase", flags=["fuzzy"]))
    po.save()
    found = problems(po_path)
    assert "not translated: 'A new sentence'" in found
    assert "fuzzy: 'A changed sentence'" in found
    po = polib.pofile(str(po_path))
    po[0].msgstr = "Autre chose"
    po.save()
    assert any("is not django.po compiled" in f for f in problems(po_path))


def test_a_plural_entry_with_fewer_forms_than_the_language_has_is_found(tmp_path):
    """French has three plural forms here (one, millions, other): a third form left out shows the
    English plural to a French reader for 2 to 999,999."""
    po_path = tmp_path / "django.po"
    shutil.copy(catalogue("fr"), po_path)
    po = polib.pofile(str(po_path))
    po.append(
        polib.POEntry(
            msgid="%(n)s slot", msgid_plural="%(n)s slots", msgstr_plural={0: "%(n)s plage", 1: "%(n)s plages"}
        )
    )
    po.save()
    assert "plural forms missing: '%(n)s slot'" in problems(po_path)
