"""An association's or a region's look in its emails (the Brand model): what a logo, a colour, a
sender's name and a reply-to address may be, the logo as the site serves it, and the brand an
email being sent is built with.

A logo is taken only as a PNG or a JPEG, known from its bytes (never from its name or the type
the browser claims), within LOGO_MAX_BYTES and sane dimensions, and is then drawn again by
Pillow at the size emails show it: what the site serves is an image it wrote itself, so a file
that is also HTML or a script, or carries a camera's location, is served as none of these.
The colour goes behind the button's words, which are white or near-black, whichever reads
better on it; a colour on which neither reaches WCAG AA (4.5:1) is refused. Links use the
colour only where it reads on the email's white; else they keep the site's blue."""

import hashlib
import io
import re
import time
import warnings

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from .models import Brand

LOGO_MAX_BYTES = 1024 * 1024  # what may be uploaded; what is kept is much smaller (drawn again)
LOGO_MAX_PIXELS = 4000 * 4000  # more is a decompression bomb, not a logo
LOGO_BOX = (200, 60)  # the largest the email shows it, in CSS pixels
LOGO_SCALE = 2  # drawn at twice that, for sharp screens
SIGNATURES = {b"\x89PNG\r\n\x1a\n": ("PNG", "image/png"), b"\xff\xd8\xff": ("JPEG", "image/jpeg")}
HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
DEFAULT_COLOUR = "#0b5cad"  # the site's own look
WHITE, NEAR_BLACK = "#ffffff", "#111111"
AA = 4.5
NAME_MAX = 80


# --- What may be set ---------------------------------------------------------------------------


def clean_colour(value: str) -> str:
    """A colour as #rrggbb (lower case), or a ValidationError in plain words."""
    match = HEX.fullmatch((value or "").strip())
    if not match:
        raise ValidationError(_("Enter a colour as # and six digits or letters a to f, such as #0b5cad."))
    digits = match.group(1).lower()
    colour = "#" + (digits if len(digits) == 6 else "".join(d * 2 for d in digits))
    if max(contrast(colour, WHITE), contrast(colour, NEAR_BLACK)) < AA:
        raise ValidationError(
            _("Words on this colour would be hard to read, in white or in black. Choose a darker or a lighter shade.")
        )
    return colour


def clean_sender_name(value: str) -> str:
    """The sender's name on one line (no line break can reach a header), NAME_MAX at most."""
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError(_("Enter the name your emails come from."))
    if len(name) > NAME_MAX or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValidationError(
            _("Keep the sender’s name to %(count)s characters or fewer, on one line.") % {"count": NAME_MAX}
        )
    return name


def clean_reply_to(value: str) -> str:
    """A reply-to address, or "" for none."""
    address = (value or "").strip()
    if not address:
        return ""
    try:
        if any(c in address for c in '\r\n\x00<>,;"') or len(address) > 254:
            raise ValidationError("")
        validate_email(address)
    except ValidationError:
        raise ValidationError(_("Enter one email address, such as mentoring@example.org.")) from None
    return address


def clean_logo(data: bytes) -> dict:
    """An uploaded logo as Brand's logo fields: drawn again, as PNG (or JPEG for a photo), to
    fit LOGO_BOX at LOGO_SCALE. A ValidationError in plain words for anything else."""
    from PIL import Image

    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(
            _("This file is too large: a logo must be under %(size)s KB.") % {"size": LOGO_MAX_BYTES // 1024}
        )
    kind = next((found for head, found in SIGNATURES.items() if data.startswith(head)), None)
    if kind is None:
        raise ValidationError(_("Choose a PNG or JPEG image: this file is not one."))
    image_format, _mimetype = kind
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[image_format]) as probe:
                width, height = probe.size
                if width * height > LOGO_MAX_PIXELS:
                    raise ValidationError("too big")
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=[image_format])
            image.load()
    except (ValidationError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("This image is too large: use one of at most %(pixels)s pixels a side.") % {"pixels": 4000}
        ) from None
    except Exception:  # Pillow says a broken image in many ways
        raise ValidationError(_("This image could not be read. Save it again as PNG or JPEG and try again.")) from None
    if min(width, height) < 16 or max(width / height, height / width) > 12:
        raise ValidationError(
            _("Use a logo at least 16 pixels high and wide, and no more than 12 times wider than high.")
        )
    return _drawn_again(image, image_format)


def _drawn_again(image, image_format) -> dict:
    from PIL import Image

    box = (LOGO_BOX[0] * LOGO_SCALE, LOGO_BOX[1] * LOGO_SCALE)
    image = image.convert("RGBA" if image_format == "PNG" else "RGB")
    image.thumbnail(box, Image.Resampling.LANCZOS)  # only ever smaller
    out = io.BytesIO()
    if image_format == "PNG":
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="JPEG", quality=88)
    data = out.getvalue()
    scale = min(LOGO_BOX[0] / image.width, LOGO_BOX[1] / image.height, 1)
    return {
        "logo": data,
        "logo_type": "image/png" if image_format == "PNG" else "image/jpeg",
        "logo_digest": hashlib.sha256(data).hexdigest()[:16],
        "logo_width": max(1, round(image.width * scale)),
        "logo_height": max(1, round(image.height * scale)),
    }


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two #rrggbb colours."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --- How an email looks with it ----------------------------------------------------------------


def look(brand: Brand | None) -> tuple:
    """What the email's layout needs of a brand, as a key for outbox.html's cache: an edited
    brand is another key, so nothing stale is ever filled. () for the site's own look."""
    if brand is None:
        return ()
    colour = brand.colour if HEX.fullmatch(brand.colour or "") and len(brand.colour) == 7 else DEFAULT_COLOUR
    on_colour = WHITE if contrast(colour, WHITE) >= contrast(colour, NEAR_BLACK) else NEAR_BLACK
    link = colour if contrast(colour, WHITE) >= AA else DEFAULT_COLOUR
    logo = (logo_url(brand), brand.logo_width, brand.logo_height) if brand.logo_digest else None
    return (brand.organisation, colour, on_colour, link, logo)


def logo_url(brand: Brand) -> str:
    """The logo's absolute address on the site (emails are read elsewhere)."""
    extension = "png" if brand.logo_type == "image/png" else "jpg"
    path = reverse("brand_logo", kwargs={"brand_id": brand.pk, "digest": brand.logo_digest, "extension": extension})
    return settings.SITE_URL.rstrip("/") + path


def from_header(brand: Brand | None) -> str:
    """The From header: the brand's name with the site's own address (a provider refuses mail
    "from" an address it may not send for: the chair's goes in Reply-To)."""
    from email.utils import formataddr, parseaddr

    if brand is None:
        return settings.DEFAULT_FROM_EMAIL
    name = " ".join("".join(c if ord(c) >= 32 and ord(c) != 127 else " " for c in brand.sender_name).split())
    return formataddr((name[:NAME_MAX], parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def reply_to(brand: Brand | None) -> list[str]:
    """[the brand's reply-to address], or [] when there is none (or none valid any more)."""
    if brand is None or not brand.reply_to:
        return []
    try:
        return [clean_reply_to(brand.reply_to)]
    except ValidationError:
        return []


# --- The brand of an email being sent ------------------------------------------------------------

FRESH_FOR = 30  # seconds a sending process keeps a brand (an edit here clears it at once)
_kept: dict[int, tuple[float, Brand | None]] = {}


def brand_by_id(brand_id: int | None) -> Brand | None:
    """The brand an outbox row names, kept a little while: a batch of thousands asks for the
    same few. Another process's edit shows within FRESH_FOR seconds; this one's at once."""
    if brand_id is None:
        return None
    now = time.monotonic()
    kept = _kept.get(brand_id)
    if kept is None or kept[0] < now:
        brand = Brand.objects.defer("logo").filter(pk=brand_id).first()
        kept = _kept[brand_id] = (now + FRESH_FOR, brand)
    return kept[1]


def _forget(sender, instance, **kwargs):
    _kept.pop(instance.pk, None)


post_save.connect(_forget, sender=Brand, dispatch_uid="outbox-brand-saved")
post_delete.connect(_forget, sender=Brand, dispatch_uid="outbox-brand-deleted")


# --- The logo, served by the site --------------------------------------------------------------


@login_not_required
@require_safe
@csp_override({"default-src": [CSP.NONE]})
def brand_logo(request, brand_id, digest, extension):
    """The logo emails show: public (mail clients and their image proxies fetch it without
    signing in), an image the site drew itself, cached for a year at its address (a new logo
    gets a new address). An old address still shows the current logo, cached for a day."""
    brand = Brand.objects.filter(pk=brand_id).exclude(logo_digest="").only("logo", "logo_type", "logo_digest").first()
    if brand is None:
        raise Http404
    current = digest == brand.logo_digest
    etag = f'"{brand.logo_digest}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(bytes(brand.logo), content_type=brand.logo_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable" if current else "public, max-age=86400"
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
