"""The partnership page's forms: goals, the meeting log, recognition, the agreement's terms and
the milestones; and the form to propose a meeting (or another time for one), whose times are
typed in the member's own time zone and stored as an aware moment."""

from datetime import datetime, timedelta

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentoring.models import COMMUNICATION_CHANNELS

from .models import Goal, Meeting

TOO_LONG = _("Please keep this to %(limit_value)d characters or fewer (it has %(show_value)d).")
FURTHEST_AHEAD = timedelta(days=400)


class ScheduleMeetingForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Please choose a date."),
            "invalid": _("Please give the date as year-month-day."),
        },
    )
    time = forms.TimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Please choose a start time."),
            "invalid": _("Please give the time as hours:minutes."),
        },
    )
    minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        initial=60,
        min_value=15,
        max_value=480,
        widget=forms.NumberInput(attrs={"step": 15}),
        error_messages={
            "required": _("Please say how long the meeting will last."),
            "invalid": _("Please give the length as a number of minutes."),
            "min_value": _("Please allow at least 15 minutes."),
            "max_value": _("Please keep a meeting to 8 hours (480 minutes) or less."),
        },
    )
    mode = forms.ChoiceField(label=_("How you will meet"), choices=COMMUNICATION_CHANNELS)
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=200,
        help_text=_("For a meeting in person: where (an address, a café). For a call: a phone number if you like."),
        error_messages={"max_length": TOO_LONG},
    )
    video_url = forms.CharField(
        label=_("Video link"),
        required=False,
        max_length=500,
        help_text=_("For a video call: the meeting's link, starting with https://"),
        widget=forms.URLInput(),
        error_messages={"max_length": TOO_LONG},
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you would like to talk about. It goes into both calendars."),
        error_messages={"max_length": TOO_LONG},
    )

    def __init__(self, *args, zone, channels=None, **kwargs):
        """`zone`: the member's time zone, in which the date and time are read. `channels`: the
        program's ways of meeting (all of them when it names none)."""
        super().__init__(*args, **kwargs)
        self.zone = zone
        allowed = [choice for choice in COMMUNICATION_CHANNELS if not channels or choice[0] in channels]
        self.fields["mode"].choices = allowed
        self.fields["mode"].error_messages["invalid_choice"] = _("Please choose one of the ways listed.")
        self.fields["time"].help_text = _("In your time zone (%(zone)s).") % {"zone": zone.key}

    @classmethod
    def initial_for(cls, meeting, zone):
        starts = meeting.starts_at.astimezone(zone)
        return {
            "date": starts.date(),
            "time": starts.time().replace(second=0, microsecond=0),
            "minutes": meeting.minutes,
            "mode": meeting.mode,
            "place": meeting.place,
            "video_url": meeting.video_url,
            "agenda": meeting.agenda,
        }

    def clean_video_url(self):
        url = self.cleaned_data["video_url"].strip()
        if url:
            try:
                URLValidator(schemes=["https"])(url)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("Please give the full link of the video call, starting with https://")
                ) from None
        return url

    def clean(self):
        data = super().clean()
        day, time = data.get("date"), data.get("time")
        if day and time:
            starts_at = datetime.combine(day, time, tzinfo=self.zone)
            now = timezone.now()
            if starts_at <= now:
                self.add_error("date", _("Please choose a time from now on: this one has passed."))
            elif starts_at > now + FURTHEST_AHEAD:
                self.add_error("date", _("Please choose a date within the next year."))
            else:
                data["starts_at"] = starts_at
        if data.get("mode") == "in_person" and "place" in data and not data["place"]:
            self.add_error("place", _("Please say where you will meet."))
        return data

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "minutes": data["minutes"],
            "mode": data["mode"],
            "place": data["place"].strip(),
            "video_url": data["video_url"],
            "agenda": data["agenda"].strip(),
        }


# --- The partnership page ----------------------------------------------------------------


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "target_date"]
        labels = {"title": _("A goal"), "target_date": _("By (optional)")}
        widgets = {"target_date": forms.DateInput(attrs={"type": "date"})}


class GoalProgressForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["progress"]


class MeetingForm(forms.ModelForm):
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=5, max_value=600, initial=60)

    class Meta:
        model = Meeting
        fields = ["met_on", "mode", "minutes", "notes"]
        labels = {"mode": _("Mode")}  # the model's field has no name of its own
        widgets = {"met_on": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 2})}


class RecognitionForm(forms.Form):
    consent = forms.BooleanField(label=_("Yes, the program may recognise our partnership"), required=False)
    story = forms.CharField(
        label=_("A short success story (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AgreementTermsForm(forms.Form):
    terms = forms.CharField(
        label=_("Your own terms (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example “We meet on the first Tuesday of the month” or “No calls after 8 pm”."),
    )


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=forms.DateInput(attrs={"type": "date"}))
