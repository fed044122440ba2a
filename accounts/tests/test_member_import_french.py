"""The membership list import for French staff: every problem with the file is listed in French,
row by row (the file's columns and statuses stay as the template writes them), numbers with a
decimal comma; the changes imported are named in French."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Profile
from conftest import in_french, read

pytestmark = [pytest.mark.django_db, pytest.mark.french]

URL = reverse("member_import")
HEADER = "email,membership_status,member_since,renewal_date,local_association\n"


def upload(client, data):
    data = data.encode() if isinstance(data, str) else data
    return client.post(URL, {"file": SimpleUploadedFile("members.csv", data, content_type="text/csv")})


@pytest.fixture
def french_staff(client, world):
    return in_french(client, world["people"]["staff"])


def test_a_french_staff_member_reads_the_row_errors_in_french(french_staff, world):
    rows = (
        "not-an-address,active,,,\n"
        "member@example.org,maybe,,,\n"
        "chair@example.org,active,31/01/2020,,\n"
        "vp@example.org,active,,,Atlantis\n"
        "officer@example.org,=cmd,,,\n"
        "staff@example.org,active\n"
    )
    response = upload(french_staff, HEADER + rows)
    assert response.context["result"].problems == [
        "Ligne 2 : « not-an-address » n’est pas une adresse courriel.",
        "Ligne 3 : le statut d’adhésion « maybe » n’est pas l’un de active, renewal due (ou grace) et lapsed.",
        "Ligne 4 : la date d’adhésion « 31/01/2020 » n’est pas une date écrite comme 2026-01-31.",
        "Ligne 5 : aucune association locale ne s’appelle « Atlantis ».",
        "Ligne 6, membership_status : « =cmd » commence par « = », qu’un tableur exécuterait comme une formule. "
        "Retirez-le.",
        "Ligne 7 : 2 cellules, alors que la première ligne nomme 5 colonnes.",
    ]
    page = read(response)
    assert "Ligne 2 : « not-an-address » n’est pas une adresse courriel." in page
    assert "is not an email address" not in page
    assert Profile.objects.get(user=world["people"]["member"]).membership_status == "active"  # nothing imported


def test_a_french_staff_member_is_told_in_french_what_is_wrong_with_the_file(french_staff):
    assert upload(french_staff, "name,status\n").context["result"].problems == [
        "La première ligne doit nommer les colonnes : email et membership_status et, si vous les avez, "
        "member_since, renewal_date et local_association (dans n’importe quel ordre). "
        "Elle contient « name », « status »."
    ]
    big = HEADER.encode() + b"member@example.org,active,,,\n" * (6 * 1024 * 1024 // 29)
    assert upload(french_staff, big).context["result"].problems == [
        "Le fichier fait 6,0 Mo; le plus gros accepté fait 5 Mo. Divisez-le en plusieurs fichiers."
    ]


def test_the_changes_are_named_in_french(french_staff, world):
    response = upload(french_staff, HEADER + "member@example.org,lapsed,,,\n")
    result = response.context["result"]
    assert result.ok and result.changes == [("member@example.org", [("adhésion", "active", "échue")])]
