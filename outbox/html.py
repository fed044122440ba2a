"""The HTML part of every email, made from its text part: one layout for all of them.

Each email is written once, as text (templates/emails/*-body.txt), and that text goes out as
the plain-text part, which reads well on its own. The HTML part is made from the very same
text, so it can say nothing else and link nowhere else: paragraphs stay paragraphs, lines
starting with "- " become a list, indented lines (a partner's details) a quiet block, a line
that is only a link becomes a button with the link written out under it, and links inside a
sentence become links. Everything is escaped (a member's name or a program's text with markup
shows as typed). The layout (templates/emails/layout.html) is tables and inline styles, as mail
clients need, with no remote content but the association's logo (served by the site), and
readable in light and dark mode.

An email of a program carries its association's or region's brand (outbox.brands): the logo,
and the colour on the button, the links and the accents. The layout is rendered once per
language, site and look of a brand (the brand's values are the key: an edited brand is a new
one), with stand-ins for the subject and the content, then filled (a feedback round builds tens
of thousands of emails)."""

import re
from functools import lru_cache
from html import escape  # Django's escape, without its lazy-string wrapper (per line, per email)
from typing import NamedTuple

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from .brands import DEFAULT_COLOUR, WHITE, look

URL = re.compile(r"(?:https?://|mailto:)[^\s<>\"']+")
_SUBJECT, _CONTENT = "\x00subject\x00", "\x00content\x00"

P = "margin:0 0 16px;"
BUTTON = (
    "display:inline-block;padding:10px 18px;border-radius:6px;background:{colour};color:{on_colour};"
    "font-weight:bold;text-decoration:none;"
)
LINK = "color:{link};text-decoration:underline;word-break:break-all;"
QUIET = "margin:0 0 16px;padding:10px 14px;border-left:3px solid #8a94a6;background:#f1f3f6;color:#1a1a1a;"


def html_version(*, subject: str, body: str, language: str | None = None, brand=None) -> str:
    """The email's HTML part: `body` (its text part) in the one layout, in `language`, with
    `brand`'s look (an outbox.models.Brand; None: the site's)."""
    shell, style = _shell(language or settings.LANGUAGE_CODE, settings.SITE_NAME, settings.SITE_URL, look(brand))
    return shell.replace(_SUBJECT, escape(subject)).replace(_CONTENT, _blocks(body, style))


@lru_cache(maxsize=256)  # two languages x the brands a batch meets
def _shell(language, site_name, site_url, look):
    """The layout with stand-ins, and the buttons' words and styles, in `language` and `look`
    (outbox.brands.look)."""
    organisation, colour, on_colour, link, logo = look or (None, DEFAULT_COLOUR, WHITE, DEFAULT_COLOUR, None)
    with translation.override(language):
        context = {
            "subject": _SUBJECT,
            "content": _CONTENT,
            "language": language,
            "site_name": site_name,
            "site_url": site_url,
            "organisation": organisation,
            "colour": colour,
            "link": link,
            "logo": dict(zip(("url", "width", "height"), logo, strict=True)) if logo else None,
        }
        shell = render_to_string("emails/layout.html", context)
        style = _Style(
            gettext("Open this page"), BUTTON.format(colour=colour, on_colour=on_colour), LINK.format(link=link)
        )
        return shell, style


def plain_word(value: str) -> bool:
    """Whether `value` (a name, an address, a token) shows in the HTML part exactly as escaped
    text wherever a line of the text part holds it, so that an outline's HTML can be filled with
    it (feedback's batches): no link in it, no line break, nothing at its ends a line's start or
    end could read as a list, a quiet block or trailing space."""
    return value == value.strip() and "\n" not in value and not value.startswith("- ") and not URL.search(value)


class _Style(NamedTuple):
    label: str  # the button's words
    button: str
    link: str


def _linked(text: str, style) -> str:
    """A line of text, escaped, its links clickable."""
    out, last = [], 0
    for match in URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?)")
        out.append(escape(text[last : match.start()]))
        out.append(f'<a href="{escape(url)}" style="{style.link}">{escape(url)}</a>')
        last = match.start() + len(url)
    out.append(escape(text[last:]))
    return "".join(out)


def _button(url: str, style) -> str:
    url = escape(url)
    return (
        f'<p style="margin:0 0 6px;"><a href="{url}" style="{style.button}">{escape(style.label)}</a></p>'
        f'<p style="{P}font-size:13px;"><a href="{url}" style="{style.link}">{url}</a></p>'
    )


def _run(kind: str, lines: list[str], style) -> str:
    """Consecutive lines of one kind: a list, a quiet block (indented lines) or a paragraph."""
    if kind == "list":
        items = "".join(f'<li style="margin:0 0 4px;">{_linked(item, style)}</li>' for item in lines)
        return f'<ul style="{P}padding-left:22px;">{items}</ul>'
    block = QUIET if kind == "quiet" else P
    return f'<p style="{block}">{"<br>".join(_linked(line, style) for line in lines)}</p>'


def _blocks(body: str, style) -> str:
    """Text blocks (separated by blank lines) as HTML: paragraphs, lists, quiet blocks, buttons."""
    html = []
    for block in re.split(r"\n\s*\n", body.strip("\n")):
        runs = []  # (kind, lines) in order; a button is its own run
        for line in (line.rstrip() for line in block.split("\n") if line.strip()):
            text = line.strip()
            if URL.fullmatch(text):
                runs.append(("button", [text]))
                continue
            kind = "list" if text.startswith("- ") else "quiet" if line.startswith("  ") else "text"
            if not runs or runs[-1][0] != kind:
                runs.append((kind, []))
            runs[-1][1].append(text[2:] if kind == "list" else text)
        html += [_button(lines[0], style) if kind == "button" else _run(kind, lines, style) for kind, lines in runs]
    return "".join(html)
