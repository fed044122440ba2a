"""Every page of the resolver, read in French as each kind of user, holds no English sentence of
the catalogue (issue 26).

The pages and the objects they point at are the access-control matrix's (config.tests.factories):
every URL, asked by one role per access level, each reader's language set to French (a visitor's
by the language cookie). For each page that answers 200 as HTML, the text a person reads (the
page's text without scripts and styles, and the attributes read aloud or shown: title,
aria-label, placeholder, alt, a button's value) is searched for the English of every entry of
locale/fr/LC_MESSAGES/django.po whose French differs from it. An entry's English is cut at its
placeholders and tags (a name or a count stands between the pieces on the page); a piece of three
words or more that the French does not contain itself, found word for word, is an English
sentence a French reader sees.

Pages still English for a reason known today are listed in KNOWN_GAPS with that reason: the test
passes with them and fails on any new English, and on a gap that is gone (remove it from the list).

Left out, and why:
  - Django's admin: staff only, and its words are Django's own and the developers' (model and
    field names), which the project does not translate (see the translation brief).
  - The development mailbox (dev_emails, dev_email_attachment, dev_email_html): DEBUG only, it answers 404 here.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings as django_settings

from config.tests.factories import ALL_URLS, is_admin, make_things, url_for

pytestmark = pytest.mark.french

# One role per access level: a visitor, a member (the mentee of the sample partnership), a
# committee member with and without the pledge, the chair, the region's VP, an officer of the
# association, staff. The other program's and region's people see the same pages of theirs.
READERS = ["anonymous", "member", "committee_member", "unpledged_member", "chair", "vp", "officer", "staff"]

DEV_ONLY = {"dev_emails", "dev_email_attachment", "dev_email_html"}

# Pages that still show English to a French reader: URL name -> (why, the English found there).
# Shrink it as the translations land; a line that no longer matches fails the test.
KNOWN_GAPS: dict[str, tuple[str, set[str]]] = {
    "partnership": (
        "The agreement's terms are the program's own text, written in English when the program was"
        " made (they name the 'Talk to the committee' button); program texts in both languages are"
        " the i18n-texts branch's.",
        {"Talk to the committee"},
    ),
}

CATALOGUE = Path(django_settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
# What stands between an entry's pieces on the page: placeholders, tags, template variables.
BETWEEN_PIECES = re.compile(r"%\(\w+\)[sdif]|%[sdif]|<[^>]*>|\{\{.*?\}\}|\{[\w.]*\}")
WORD = re.compile(r"[^\W\d_]+")
TOKEN = re.compile(r"\w+")


def squeeze(text):
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def english_pieces():
    """{piece of English: its msgid}: the pieces of three words or more of every entry whose
    French differs from the English (an entry not translated yet shows its English too)."""
    pieces = {}
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete:
            continue
        french = entry.msgstr or " ".join(v for _, v in sorted(entry.msgstr_plural.items()))
        if "fuzzy" in entry.flags:
            french = ""  # Django leaves fuzzy entries out: the English shows
        if french == entry.msgid:
            continue
        for english in filter(None, [entry.msgid, entry.msgid_plural]):
            for piece in BETWEEN_PIECES.split(english):
                piece = squeeze(piece.replace("%%", "%"))
                if len(WORD.findall(piece)) >= 3 and piece not in squeeze(french):
                    pieces[piece] = entry.msgid
    return pieces


def key(tokens):
    """Where to look a piece up: three words from its second on (its first may be glued to what
    stands before it on the page, as "s" in "Mia's"), or its first three."""
    start = 1 if len(tokens) >= 4 else 0
    return " ".join(tokens[start : start + 3])


class Readable(HTMLParser):
    """The text of a page as a person reads it: its words, and the attributes shown or read aloud."""

    HIDDEN = {"script", "style"}
    READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words, self.attributes, self.hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        attrs = dict(attrs)
        for name in self.READ_ATTRIBUTES & set(attrs):
            self.attributes.append(attrs[name] or "")
        if tag == "input" and (attrs.get("type") or "").lower() in ("submit", "button", "reset"):
            self.attributes.append(attrs.get("value") or "")
        self.words.append(" ")  # a tag ends a run of words (inline tags: one space, squeezed)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        self.words.append(" ")

    def handle_data(self, data):
        if not self.hidden:
            self.words.append(data)


def readable_text(html):
    parser = Readable()
    parser.feed(html)
    parser.close()
    # Kept apart so that no piece is found across two of them.
    return " ¶ ".join(squeeze(part) for part in ["".join(parser.words), *parser.attributes])


def english_in(text, pieces, index):
    tokens = TOKEN.findall(text)
    found = set()
    for i in range(len(tokens) - 2):
        for piece in index.get(" ".join(tokens[i : i + 3]), ()):
            if piece in text:
                found.add(piece)
    return found


def around(english, text):
    at = text.index(english)
    return text[max(0, at - 60) : at + len(english) + 60]


@pytest.fixture
def things(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_things(world)


def test_no_english_sentence_of_the_catalogue_on_any_page_read_in_french(client, world, things):
    pieces = english_pieces()
    index = {}
    for piece in pieces:
        index.setdefault(key(TOKEN.findall(piece)), []).append(piece)
    people = world["people"]
    for role in READERS[1:]:
        people[role].language = "fr"
        people[role].save(update_fields=["language"])

    found, not_french, read, seen, where = {}, [], set(), {}, []
    for name, route in ALL_URLS:
        if is_admin(name, route) or name in DEV_ONLY:
            continue
        url = url_for(name, route, things)
        for role in READERS:
            client.logout()
            if role == "anonymous":
                client.cookies["language"] = "fr"
            else:
                client.force_login(people[role])
            response = client.get(url)
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            html = response.content.decode()
            read.add(name)
            # A whole page says so in its <html lang>; a piece of one (htmx) in its header.
            if response.get("Content-Language") != "fr" or re.search(r'<html lang="(?!fr")', html):
                not_french.append((name, role))
            text = readable_text(html)
            if text not in seen:
                seen[text] = english_in(text, pieces, index)
            if seen[text]:
                found[(name, role)] = seen[text]
                where.append((name, role, text))

    assert not not_french, f"Pages not served in French: {not_french}"
    assert len(read) > 60, sorted(read)  # the walk reached the pages (not only 404s and redirects)
    new = {
        f"{name} as {role}": sorted(english - KNOWN_GAPS.get(name, ("", set()))[1])
        for (name, role), english in sorted(found.items())
    }
    new = {page: english for page, english in new.items() if english}
    still = {english for (name, _), found_there in found.items() for english in found_there}
    gone = {
        name: sorted(english - {e for (n, _), f in found.items() if n == name for e in f})
        for name, (_, english) in KNOWN_GAPS.items()
    }
    gone = {name: english for name, english in gone.items() if english}
    texts = {(name, role): text for (name, role, text) in where}
    assert not new and not gone, (
        "English on pages read in French (page as role: the English, where):\n"
        + "\n".join(
            f"  {page}: {english!r}, in «{around(english, texts[tuple(page.split(' as '))])}»"
            for page, found_there in new.items()
            for english in found_there
        )
        + "\nKnown gaps no longer found (remove them from KNOWN_GAPS):\n"
        + "\n".join(f"  {name}: {english}" for name, english in gone.items())
        + f"\n({len(still)} English pieces found in all)"
    )
