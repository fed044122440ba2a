"""One way to write a time on the whole site, pages and emails alike: "12:32 PM". Django's own
English formats write "12:32 p.m." where a template gives no format, while our templates wrote
"12:32 PM": the same page showed both. Templates write `|time` and `|date:"DATETIME_FORMAT"`
and take these."""

TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "M j, Y, g:i A"
SHORT_DATETIME_FORMAT = "m/d/Y g:i A"
