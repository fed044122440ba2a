"""The provider's members, from PROVIDER_DIR/members.json:
{"username": {"password": "...", "claims": {"email": ..., "member_number": ..., ...}}}"""

import json
import os
import re
from pathlib import Path

from django.contrib.auth.models import User
from oauth2_provider.oauth2_validators import OAuth2Validator


def members() -> dict:
    return json.loads((Path(os.environ["PROVIDER_DIR"]) / "members.json").read_text())


class MembersFileBackend:
    """Signs in a member of members.json (making their Django user on first use)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        member = members().get(username or "")
        if member is None or member["password"] != password:
            return None
        user, _ = User.objects.get_or_create(username=username)
        return user

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id).first()


# The site under test answers on a loopback port chosen at run time (or as Django's test client).
CALLBACK = re.compile(r"^http://(127\.0\.0\.1:\d+|localhost:\d+|testserver)/accounts/oidc/association/login/callback/$")


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = None  # every claim, whatever the scopes: the membership claims are the point

    def get_additional_claims(self, request):
        claims = dict(members()[request.user.username]["claims"])
        sub = claims.pop("sub", None)
        return claims | ({"sub": sub} if sub else {})

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        return bool(CALLBACK.match(redirect_uri or ""))
