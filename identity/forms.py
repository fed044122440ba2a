from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AssociationMapping, IdentityProvider


class ProviderForm(forms.ModelForm):
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Never shown again once saved. Leave it blank to keep the one stored."),
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "enabled",
            "button_label_en",
            "button_label_fr",
            "issuer",
            "client_id",
            "client_secret",
            "members_only",
            "member_number_claim",
            "status_claim",
            "renewal_claim",
            "association_claim",
        ]

        labels = {
            "button_label_en": _("The button’s words in English"),
            "button_label_fr": _("The button’s words in French"),
        }
        help_texts = {
            "button_label_en": _("What the sign-in button says, e.g. “Sign in with your association login”."),
            "button_label_fr": _("Members who read the site in French see these words (or the English ones if empty)."),
        }

    def __init__(self, *args, has_secret=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_secret = has_secret
        if not has_secret:
            self.fields["client_secret"].help_text = _("Never shown again once saved.")

    def clean_issuer(self):
        issuer = self.cleaned_data["issuer"].rstrip("/")
        if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise forms.ValidationError(
                _("The address must start with https:// (the provider’s sign-in must be encrypted).")
            )
        return issuer

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enabled"):
            if not cleaned.get("button_label_en") and not cleaned.get("button_label_fr"):
                self.add_error("button_label_en", _("Write what the button says, so members know it is theirs."))
            if not cleaned.get("client_secret") and not self.has_secret:
                self.add_error("client_secret", _("Give the client secret the identity provider gave you."))
        if cleaned.get("members_only") and not cleaned.get("enabled"):
            self.add_error(
                "members_only",
                _("Members can sign in only this way once the identity provider is turned on."),
            )
        return cleaned


MappingFormSet = forms.modelformset_factory(
    AssociationMapping, fields=["claim_value", "association"], extra=2, can_delete=True, max_num=500
)
