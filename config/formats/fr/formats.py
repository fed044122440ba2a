"""French as written in Canada (Django's own fr_CA formats, the site's "fr" being Canadian French):
"3 décembre 2026", "14 h 30", "2026-12-03". Django's "fr" formats are France's ("14:30",
"03/12/2026"); the attributes set here come first, the rest (week, numbers) are Django's "fr".

The spaces in "14 h 30" are plain spaces (Django's fr_CA has non-breaking ones): the same words
then read alike in a page, an email and a calendar file, and in the tests that look for them.
Dates typed in a form are read year first ("2026-12-03"), as `<input type="date">` sends them
and shows them again after an error; the day-first spellings are still understood."""

DATE_FORMAT = "j F Y"  # 3 décembre 2026
TIME_FORMAT = r"H \h i"  # 14 h 30
DATETIME_FORMAT = r"j F Y, H \h i"  # 3 décembre 2026, 14 h 30
YEAR_MONTH_FORMAT = "F Y"  # décembre 2026
MONTH_DAY_FORMAT = "j F"  # 3 décembre
SHORT_DATE_FORMAT = "Y-m-d"  # 2026-12-03
SHORT_DATETIME_FORMAT = r"Y-m-d H \h i"
FIRST_DAY_OF_WEEK = 0  # Sunday, as Canadian calendars show the week

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
]
