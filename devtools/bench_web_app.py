"""What bench_web's gunicorn serves: the site as production runs it, plus one bare Django page
to measure it against, and each answer's query count in a header.

The bare page is reachable only here (never in config.urls): the benchmark's server loads this
module instead of config.wsgi. The site's URLs are included by name, as ROOT_URLCONF names them.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
_django = get_wsgi_application()  # sets Django up: the models below can be imported

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import include, path  # noqa: E402

from accounts.models import Profile  # noqa: E402

QUERIES_HEADER = "X-Bench-Queries"


def bare(request):
    """A plain signed-in Django page: 4 queries (the session and the user, read by the
    middleware, then a count and 20 rows) and a 20-row table, in a template of its own."""
    rows = Profile.objects.select_related("user").order_by("pk")[:20]
    return render(request, "devtools/bench_bare.html", {"count": Profile.objects.count(), "rows": rows})


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("config.urls")),
]

# The handler reads ROOT_URLCONF when the first request comes.
settings.ROOT_URLCONF = __name__


def application(environ, start_response):
    """The site, with the number of queries each request made in a response header (sync
    workers: one request at a time per process, on this thread's connection)."""
    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, (QUERIES_HEADER, str(count))], exc_info)

    with connection.execute_wrapper(counting):
        return _django(environ, start)
