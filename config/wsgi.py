import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Refuse to serve when the keys cannot read the confidential data (a changed SECRET_KEY or
# FIELD_ENCRYPTION_KEYS): the workers fail to boot, with the reason in the log.
from accounts.fields import refuse_to_serve_with_wrong_keys  # noqa: E402 - needs the app registry

refuse_to_serve_with_wrong_keys()
