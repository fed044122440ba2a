"""A server error reaches the people in ADMINS by email, without what anyone posted; logs are
JSON lines in production."""

import json
import logging
import sys

import pytest
from django.core import mail
from django.test import RequestFactory
from django.utils.log import AdminEmailHandler

pytestmark = pytest.mark.django_db


def test_the_error_email_to_admins_holds_no_posted_text(settings):
    settings.ADMINS = ["IT volunteer <it@example.org>"]
    settings.DEBUG = False
    request = RequestFactory().post("/feedback/x/", {"concerns": "My mentor keeps cancelling", "password": "p"})
    try:
        secret = "My mentor keeps cancelling"  # a local variable of the failing frame, too
        raise RuntimeError("boom " + str(len(secret)))
    except RuntimeError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", None, None)
        record.exc_info = sys.exc_info()
    record.request = request
    record.status_code = 500
    AdminEmailHandler(include_html=True).emit(record)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["IT volunteer <it@example.org>"]
    everything = mail.outbox[0].body + "".join(str(a[1]) for a in mail.outbox[0].alternatives)
    assert "RuntimeError" in everything and "My mentor keeps cancelling" not in everything


def test_production_logs_are_json_lines():
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    line = formatter.format(logging.LogRecord("feedback", logging.INFO, __file__, 1, "sent %s", (3,), None))
    assert json.loads(line)["message"] == "sent 3"
