"""The one `committee` namespace: every page under /committee/, whichever app serves it, assembled
here (each app lists its own committee pages as `committee_urlpatterns`). URL names are
`committee:<name>`, e.g. `committee:vetting`, `committee:matching`, `committee:partnership`."""

from circles import urls as circles
from feedback import urls as feedback
from flash import urls as flash
from matching import urls as matching
from mentoring import urls as mentoring
from recruitment import urls as recruitment
from reports import urls as reports
from retention import urls as retention

app_name = "committee"

urlpatterns = [
    *mentoring.committee_urlpatterns,
    *recruitment.committee_urlpatterns,
    *retention.committee_urlpatterns,
    *matching.committee_urlpatterns,
    *feedback.committee_urlpatterns,
    *flash.committee_urlpatterns,
    *circles.committee_urlpatterns,
    *reports.committee_urlpatterns,
]
