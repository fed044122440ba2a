"""The sign-in pages let their forms lead to the association's identity provider.

The site's Content-Security-Policy allows forms to go only to the site itself (form-action
'self'), and browsers apply that to where a form's answer redirects as well: the sign-in button
posts here, and the answer sends the member on to the provider. On the sign-in pages (under
/accounts/), when a provider is turned on, its origin is added to form-action, and nothing else."""

from urllib.parse import urlsplit

from django.conf import settings

from . import services


class ProviderInFormAction:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/accounts/") and response.get("Content-Type", "").startswith("text/html"):
            provider = services.active_provider()
            if provider is not None:
                issuer = urlsplit(provider.issuer)
                policy = getattr(response, "_csp_config", settings.SECURE_CSP)
                if policy:
                    origin = f"{issuer.scheme}://{issuer.netloc}"
                    response._csp_config = {**policy, "form-action": [*policy.get("form-action", []), origin]}
        return response
