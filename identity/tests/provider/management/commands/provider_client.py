from django.core.management.base import BaseCommand
from oauth2_provider.models import Application


class Command(BaseCommand):
    help = "Register the site under test as a confidential client (authorization code, PKCE, RS256)."

    def add_arguments(self, parser):
        parser.add_argument("client_id")
        parser.add_argument("client_secret")

    def handle(self, client_id, client_secret, **options):
        Application.objects.filter(client_id=client_id).delete()
        Application.objects.create(
            name="Mentoring site",
            client_id=client_id,
            client_secret=client_secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris="http://testserver/accounts/oidc/association/login/callback/",
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=False,  # the member is asked to allow it (and can refuse)
        )
