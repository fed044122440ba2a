from pathlib import Path

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.core.validators import validate_email
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.html import conditional_escape, escape, format_html
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_no_markup

from . import cycles
from .models import (
    AVAILABILITY,
    COMMUNICATION_CHANNELS,
    Application,
    CommitteeMembership,
    MeetingFrequency,
    Milestone,
    Objective,
    Program,
    Question,
    Resource,
    VettingNote,
)
from .services import setup_checklist
from .translation import answer_values

# The values stay the English names (what matching compares); the labels are in the reader's language.
LANGUAGES = [
    ("English", _("English")),
    ("Spanish", _("Spanish")),
    ("French", _("French")),
    ("Mandarin", _("Mandarin")),
    ("Cantonese", _("Cantonese")),
    ("Vietnamese", _("Vietnamese")),
    ("Tagalog", _("Tagalog")),
    ("Korean", _("Korean")),
    ("Arabic", _("Arabic")),
    ("Portuguese", _("Portuguese")),
    ("German", _("German")),
    ("Polish", _("Polish")),
    ("Hindi", _("Hindi")),
    ("Russian", _("Russian")),
]
HOURS = [
    (1, _("About 1 hour a month")),
    (2, _("About 2 hours a month")),
    (4, _("About 4 hours a month")),
    (8, _("8 hours or more")),
]
MAX_TOPICS = 60
MAX_CHOICES = 20
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The models' choices as the member reads them; the stored values are unchanged.
CHOICE_WORDS = {
    "in_person": _("In person"),
    "video": _("Video call"),
    "phone": _("Phone"),
    "weekday_mornings": _("Weekday mornings"),
    "weekday_daytime": _("Weekdays, during the day"),
    "weekday_evenings": _("Weekday evenings"),
    "weekends": _("Weekends"),
    "student": _("Student or just starting"),
    "early": _("Early career (under 5 years)"),
    "mid": _("Mid career (5 to 15 years)"),
    "senior": _("Senior (over 15 years)"),
    "executive": _("Executive or owner"),
    "weekly": _("Every week"),
    "fortnightly": _("Every two weeks"),
    "monthly": _("Every month"),
    "quarterly": _("Every three months"),
    # a question's kind and audience
    "single": _("Single choice"),
    "multiple": _("Multiple choice"),
    "scale": _("Scale from 1 to 5"),
    "text": _("Short text"),
    "both": _("Mentees and mentors"),
    "mentee": _("Mentees only"),
    "mentor": _("Mentors only"),
}


def worded(choices):
    return [(value, CHOICE_WORDS.get(value, label)) for value, label in choices]


UPLOAD_TYPES = {".pdf", ".docx", ".doc", ".pptx", ".xlsx", ".odt", ".txt", ".png", ".jpg", ".jpeg"}


def row(*fields):
    """Form fields side by side in equal columns (one above the other on a phone)."""
    return Div(*[Div(name, css_class=f"col-md-{12 // len(fields)}") for name in fields], css_class="row")


def lines(text, *, max_lines, max_length, what):
    """Textarea input, one item per line: trimmed, blank lines and repeats dropped."""
    items = []
    for line in text.splitlines():
        item = " ".join(line.split())
        if not item or item.lower() in (i.lower() for i in items):
            continue
        if len(item) > max_length:
            words = {
                "topic": _("Each topic can be at most %(limit)s characters; “%(start)s…” is longer."),
                "answer": _("Each answer can be at most %(limit)s characters; “%(start)s…” is longer."),
            }
            message = words.get(what, f"Each {what} can be at most %(limit)s characters; “%(start)s…” is longer.")
            raise forms.ValidationError(message % {"limit": max_length, "start": item[:30]})
        validate_no_markup(item)
        items.append(item)
    if len(items) > max_lines:
        words = {
            "topic": _("Please keep it to %(limit)s topics or fewer (you have %(count)s)."),
            "answer": _("Please keep it to %(limit)s answers or fewer (you have %(count)s)."),
        }
        message = words.get(what, f"Please keep it to %(limit)s {what}s or fewer (you have %(count)s).")
        raise forms.ValidationError(message % {"limit": max_lines, "count": len(items)})
    return items


def legend(text):
    """A fieldset legend made of people's words. crispy-forms renders a legend as a template and
    shows it as HTML: escape the markup, and the braces that a template would run."""
    return escape(text).replace("{", "&#123;").replace("}", "&#125;").replace("%", "&#37;")


# The program's own texts are written in English, in French or both (mentoring/translation.py):
# each language's box is labelled in that language's own words, whatever the page's language.
TEXT_LANGUAGES = {"en": "English", "fr": "Français"}


def in_each_language(name):
    return [f"{name}_{code}" for code in TEXT_LANGUAGES]


class TwoLanguages:
    """For a ModelForm whose Meta.fields list a text's column per language (summary_en,
    summary_fr): `texts` names each text with its legend and hint; those in `required_texts` need
    at least one language. The boxes stand side by side under the legend (`side_by_side`)."""

    texts: dict = {}
    required_texts: tuple = ()

    def label_languages(self):
        for name in self.texts:
            for code, language in TEXT_LANGUAGES.items():
                if field := self.fields.get(f"{name}_{code}"):
                    field.label, field.help_text, field.required = language, "", False
                    field.widget.attrs["lang"] = code
                    if isinstance(field.widget, forms.Textarea):
                        field.widget.attrs["rows"] = self.text_rows.get(name, 3)

    text_rows: dict = {}

    def side_by_side(self, name):
        legend_text, hint = self.texts[name]
        parts = [row(*in_each_language(name))]
        if hint:
            parts.insert(0, HTML(f'<p class="form-text mt-0">{legend(hint)}</p>'))
        mark = '<span class="asteriskField">*</span>' if name in self.required_texts else ""
        return Fieldset(legend(legend_text) + mark, *parts, css_class="two-languages")

    def no_markup(self, name):
        value = self.cleaned_data[name] or ""
        validate_no_markup(value)
        return value

    def check_written(self, data):
        for name in self.required_texts:
            names = [n for n in in_each_language(name) if n in self.fields]
            if names and not any((data.get(n) or "").strip() for n in names) and not self.has_error(names[0]):
                self.add_error(names[0], _("Please write it in English, in French or in both."))
        return data


class EmailListField(forms.CharField):
    """Email addresses separated by commas, spaces or new lines."""

    def __init__(self, *, max_addresses=10, **kwargs):
        self.max_addresses = max_addresses
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def clean(self, value):
        value = super().clean(value)
        addresses = [a.lower() for a in value.replace(",", " ").split()]
        if len(addresses) > self.max_addresses:
            raise forms.ValidationError(
                _("Please list at most %(limit)s email addresses.") % {"limit": self.max_addresses}
            )
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“%(address)s” is not an email address.") % {"address": address[:60]}
                ) from None
        return list(dict.fromkeys(addresses))


# --- The chair's set-up ----------------------------------------------------------------------


# The set-up page's sections, each saved on its own, essentials first: (title, fields).
SETUP_SECTIONS = {
    "essentials": (
        _("Essentials"),
        [
            *in_each_language("summary"),
            "topics",
            "length_months",
            "enrollment_open",
            "enrollment_opens_on",
            "enrollment_closes_on",
        ],
    ),
    "guidelines": (
        _("Guidelines and the pledge"),
        [
            *in_each_language("expectations"),
            *in_each_language("confidentiality"),
            "meeting_frequency",
            "communication_channels",
            *in_each_language("ending_early"),
            "pledge_text",
        ],
    ),
    "people": (
        _("Who can take part"),
        [
            "mentee_joined_within_months",
            "mentor_min_years",
            "allow_both_roles",
            "default_mentor_capacity",
            "max_mentor_capacity",
        ],
    ),
    "matching": (
        _("Matching"),
        [
            "allow_same_employer",
            "mentor_accepts_first",
            "mentor_answer_days",
            "members_choose",
            "member_asks_at_once",
            "member_choice_needs_committee",
            "offers_flash",
            "offers_circles",
            "circle_size",
        ],
    ),
    "feedback": (
        _("Confidential feedback"),
        [
            "feedback_first_after_days",
            "feedback_every_days",
            "feedback_at_end",
            "feedback_link_days",
            "reminder_after_days",
            "max_reminders",
            "nudge_after_days",
            "agreement_due_days",
            "grace_days_after_end",
            "waiting_notice_every_days",
        ],
    ),
    "timeline": (_("Objectives and timeline"), []),  # the two formsets
}


class ProgramSetupForm(TwoLanguages, forms.ModelForm):
    texts = {
        "summary": (_("Summary"), _("A few sentences that members read before they apply.")),
        "expectations": (_("Expectations of mentors and mentees"), ""),
        "confidentiality": (_("Confidentiality guideline"), ""),
        "ending_early": (
            _("How to end a partnership early"),
            _("Part of the agreement both partners confirm when their partnership starts."),
        ),
    }
    text_rows = {"expectations": 4}

    topics = forms.CharField(
        label=_("Goal areas"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line. Mentees choose their goals and mentors their expertise from this list."),
    )
    communication_channels = forms.MultipleChoiceField(
        label=_("Communication channels"),
        choices=worded(COMMUNICATION_CHANNELS),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("How partners are encouraged to meet."),
    )

    class Meta:
        model = Program
        fields = [
            *in_each_language("summary"),
            "enrollment_open",
            "enrollment_opens_on",
            "enrollment_closes_on",
            "mentee_joined_within_months",
            "mentor_min_years",
            "allow_both_roles",
            "default_mentor_capacity",
            "max_mentor_capacity",
            "topics",
            *in_each_language("expectations"),
            *in_each_language("confidentiality"),
            "meeting_frequency",
            "communication_channels",
            *in_each_language("ending_early"),
            "agreement_due_days",
            "length_months",
            "feedback_first_after_days",
            "feedback_every_days",
            "feedback_at_end",
            "feedback_link_days",
            "reminder_after_days",
            "max_reminders",
            "nudge_after_days",
            "grace_days_after_end",
            "waiting_notice_every_days",
            "allow_same_employer",
            "mentor_accepts_first",
            "mentor_answer_days",
            "members_choose",
            "member_asks_at_once",
            "member_choice_needs_committee",
            "offers_flash",
            "offers_circles",
            "circle_size",
            "pledge_text",
        ]
        widgets = {
            "pledge_text": forms.Textarea(attrs={"rows": 4}),
            "enrollment_opens_on": forms.DateInput(attrs={"type": "date"}),
            "enrollment_closes_on": forms.DateInput(attrs={"type": "date"}),
        }
        # The model's words, named here so that the chair reads them in their language.
        labels = {
            "enrollment_opens_on": _("Opens on (optional)"),
            "enrollment_closes_on": _("Closes on (optional)"),
            "meeting_frequency": _("Suggested meeting frequency"),
            "length_months": _("Length in months"),
            "enrollment_open": _("Enrollment open"),
            "mentee_joined_within_months": _("Mentees joined within (months)"),
            "mentor_min_years": _("Mentors have at least (years of membership or experience)"),
            "allow_both_roles": _("A member may apply as mentee and as mentor"),
            "default_mentor_capacity": _("Mentees a mentor is offered"),
            "max_mentor_capacity": _("Most mentees one mentor may take"),
            "allow_same_employer": _("Mentor and mentee may work for the same employer"),
            "feedback_first_after_days": _("First feedback after (days)"),
            "feedback_every_days": _("Then every (days)"),
            "feedback_at_end": _("A final round when the partnership ends"),
            "mentor_accepts_first": _("The mentor accepts first"),
            "mentor_answer_days": _("Mentors answer within (days)"),
            "members_choose": _("Members choose their mentor"),
            "member_asks_at_once": _("Mentors a mentee may ask at once"),
            "member_choice_needs_committee": _("The committee approves a request the mentor accepts"),
            "offers_flash": _("Flash conversations"),
            "offers_circles": _("Mentoring circles"),
            "circle_size": _("Mentees in a circle, at most"),
            "feedback_link_days": _("Feedback links work for (days)"),
            "reminder_after_days": _("Remind after (days without an answer)"),
            "max_reminders": _("Reminders at most"),
            "nudge_after_days": _("Nudge partners with no meeting logged for (days)"),
            "agreement_due_days": _("Follow up agreements not confirmed after (days)"),
            "grace_days_after_end": _("Complete automatically after the planned end (days)"),
            "waiting_notice_every_days": _("Tell waiting mentees we are still looking every (days)"),
            "pledge_text": _("Confidentiality pledge"),
        }
        help_texts = {
            "pledge_text": _("Changing it asks every committee member to accept the new text."),
            "enrollment_open": _("Members can apply while this is on."),
            "mentee_joined_within_months": _("Leave empty for no limit. New-member programs often use 24."),
            "default_mentor_capacity": _(
                "What the mentor's questionnaire suggests; each mentor may choose more, up to the limit."
            ),
            "max_mentor_capacity": _("The limit a mentor can choose on their questionnaire."),
            "allow_same_employer": _("Off by default: a mentor outside the mentee's company can speak more freely."),
            "mentor_accepts_first": _(
                "After you approve a pair, the mentor is asked to accept before both are introduced "
                "(circumstances change between applying and matching). On for leadership programs unless you "
                "switch it off."
            ),
            "mentor_answer_days": _("Without an answer by then, the mentee goes back to the front of the pool."),
            "members_choose": _(
                "Mentees whose application is accepted see the vetted mentors with a free place (their name, "
                "local association, areas of help, ways to meet, languages and how well they fit) and ask one, "
                "with a note. The mentor accepts or declines within the days above; every matching rule still "
                "holds. Beside the committee's matching, not instead of it."
            ),
            "member_asks_at_once": _(
                "From 1 to 5. Each request waiting for an answer holds one of the mentor's places."
            ),
            "member_choice_needs_committee": _(
                "On: a request the mentor accepts waits in your matching queue, marked as the member's choice, "
                "until you approve it. Off: it starts the partnership at once."
            ),
            "offers_flash": _(
                "Vetted mentors offer one-hour conversations, and members who may take part in the program "
                "book one with a question. Beside the committee's matching, not instead of it."
            ),
            "offers_circles": _(
                "A vetted mentor, or two, meets a small group of mentees. The committee forms each circle, or "
                "opens it for members to join. The rules of matching hold for every mentor and mentee in it."
            ),
            "circle_size": _("From 3 to 12."),
            "agreement_due_days": _(
                "Partnerships whose two partners have not both confirmed their agreement by then "
                "appear under “Needs attention”."
            ),
            "grace_days_after_end": _(
                "Both partners are then thanked and asked the close-out survey. To keep one open, extend it."
            ),
            "waiting_notice_every_days": _("A kind note to mentees without a mentor yet. Leave empty to send none."),
        }

    def __init__(self, *args, section=None, **kwargs):
        """``section``: one of SETUP_SECTIONS, saved on its own (its fields only); None: all."""
        super().__init__(*args, **kwargs)
        self.initial["topics"] = "\n".join(self.instance.topics or [])
        if "meeting_frequency" in self.fields:
            self.fields["meeting_frequency"].choices = worded(self.fields["meeting_frequency"].choices)
        self.label_languages()
        self.helper = FormHelper()
        self.helper.form_tag = False
        sections = [section] if section else [k for k, (_, fields) in SETUP_SECTIONS.items() if fields]
        keep = {name for key in sections for name in SETUP_SECTIONS[key][1]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        layouts = {
            "essentials": (
                self.side_by_side("summary"),
                "topics",
                row("length_months", "enrollment_open"),
                row("enrollment_opens_on", "enrollment_closes_on"),
            ),
            "guidelines": (
                self.side_by_side("expectations"),
                self.side_by_side("confidentiality"),
                row("meeting_frequency"),
                "communication_channels",
                self.side_by_side("ending_early"),
                "pledge_text",
            ),
            "people": (
                row("mentee_joined_within_months", "mentor_min_years"),
                "allow_both_roles",
                row("default_mentor_capacity", "max_mentor_capacity"),
            ),
            "matching": (
                "allow_same_employer",
                row("mentor_accepts_first", "mentor_answer_days"),
                "members_choose",
                row("member_asks_at_once", "member_choice_needs_committee"),
                "offers_flash",
                row("offers_circles", "circle_size"),
            ),
            "feedback": (
                row("feedback_first_after_days", "feedback_every_days"),
                "feedback_at_end",
                row("feedback_link_days", "reminder_after_days", "max_reminders"),
                row("nudge_after_days", "agreement_due_days"),
                row("grace_days_after_end", "waiting_notice_every_days"),
            ),
        }
        if section:
            self.helper.layout = Layout(*layouts[section])
        else:
            self.helper.layout = Layout(*(Fieldset(SETUP_SECTIONS[k][0], *layouts[k]) for k in sections))

    def clean_topics(self):
        topics = lines(self.cleaned_data["topics"], max_lines=MAX_TOPICS, max_length=60, what="topic")
        if not topics:
            raise forms.ValidationError(_("Please list at least one goal area."))
        return topics

    def clean(self):
        data = super().clean()
        if data.get("enrollment_open") and not self.instance.enrollment_open:
            missing = [i.label for i in setup_checklist(self.instance, **data) if i.needed and not i.done]
            if missing:
                self.add_error(
                    "enrollment_open",
                    _("Before members can apply, the program needs: %(missing)s.")
                    % {"missing": "; ".join(str(m) for m in missing).lower()},
                )
        opens, closes = data.get("enrollment_opens_on"), data.get("enrollment_closes_on")
        if opens and closes and closes < opens:
            self.add_error("enrollment_closes_on", _("The closing date is before the opening date."))
        default, most = data.get("default_mentor_capacity"), data.get("max_mentor_capacity")
        if default and most and default > most:
            self.add_error(
                "default_mentor_capacity", _("The default can't be more than the most (%(most)s).") % {"most": most}
            )
        return data


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["description", "measure", "target"]
        labels = {"description": _("Description"), "measure": _("Measure"), "target": _("Target")}
        help_texts = {"description": _("E.g. “New members feel at home in the association”.")}

    def clean_description(self):
        value = self.cleaned_data["description"]
        validate_no_markup(value)
        return value


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["day", "title", "description"]
        labels = {"day": _("Day (from the start)"), "title": _("Title"), "description": _("Description")}


class PerProgramLimit(BaseInlineFormSet):
    """`max_num` holds for the program, not for one submission: rows added since the form was
    opened (in another window) count too, so re-posting a stale form cannot pass the limit. The
    view validates under a lock on the program, so two saves at once cannot either."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        on_the_form = {f.instance.pk for f in self.initial_forms if f.instance.pk}
        removed = {f.instance.pk for f in self.deleted_forms if f.instance.pk}
        added = sum(1 for f in self.extra_forms if f.has_changed() and not self._should_delete_form(f))
        elsewhere = self.model.objects.filter(**{self.fk.name: self.instance}).exclude(pk__in=on_the_form).count()
        if elsewhere + len(on_the_form - removed) + added > self.max_num:
            kinds = {"objective": _("objectives"), "milestone": _("milestones")}
            words = {
                "limit": self.max_num,
                "kind": kinds.get(self.model._meta.model_name, self.model._meta.verbose_name_plural),
                "count": elsewhere + len(on_the_form - removed) + added,
                "elsewhere": elsewhere,
            }
            if elsewhere:
                message = _(
                    "A program has at most %(limit)s %(kind)s, and this one would have %(count)s (%(elsewhere)s "
                    "were added in another window since you opened this page). Remove some first."
                )
            else:
                message = _(
                    "A program has at most %(limit)s %(kind)s, and this one would have %(count)s. Remove some first."
                )
            raise forms.ValidationError(message % words)


ObjectiveFormSet = inlineformset_factory(
    Program,
    Objective,
    form=ObjectiveForm,
    formset=PerProgramLimit,
    extra=1,
    max_num=10,
    validate_max=True,
    can_delete=True,
)
MilestoneFormSet = inlineformset_factory(
    Program,
    Milestone,
    form=MilestoneForm,
    formset=PerProgramLimit,
    extra=1,
    max_num=15,
    validate_max=True,
    can_delete=True,
)


class QuestionForm(TwoLanguages, forms.ModelForm):
    texts = {
        "text": (_("Question"), ""),
        "help_text": (_("Hint (optional)"), ""),
        "choice_labels": (_("Answers to choose from"), _("For single and multiple choice: one answer per line.")),
    }
    required_texts = ("text",)
    text_rows = {"choice_labels": 4}
    choice_labels_en = forms.CharField(required=False, widget=forms.Textarea)
    choice_labels_fr = forms.CharField(required=False, widget=forms.Textarea)

    class Meta:
        model = Question
        fields = [
            *in_each_language("text"),
            *in_each_language("help_text"),
            "kind",
            "audience",
            "required",
            "weight",
            "position",
        ]
        labels = {
            "kind": _("Kind"),
            "audience": _("Audience"),
            "required": _("Required"),
            "weight": _("Matching weight"),
            "position": _("Order on the questionnaire"),
        }
        help_texts = {
            "weight": _("0: the matching engine ignores it. Higher: partners with similar answers score higher."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in TEXT_LANGUAGES:
            self.initial[f"choice_labels_{code}"] = "\n".join(getattr(self.instance, f"choice_labels_{code}") or [])
        self.label_languages()
        self.fields["weight"].widget.attrs.update({"min": 0, "max": 10, "step": "0.5"})
        self.fields["kind"].choices = worded(self.fields["kind"].choices)
        self.fields["audience"].choices = worded(self.fields["audience"].choices)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            self.side_by_side("text"),
            self.side_by_side("help_text"),
            row("kind", "audience"),
            self.side_by_side("choice_labels"),
            Div(
                Div("weight", css_class="col-md-4"),
                Div("position", css_class="col-md-4"),
                Div("required", css_class="col-md-4 pt-md-4"),
                css_class="row",
            ),
            Submit("save", _("Save question")),
        )

    def clean_text_en(self):
        return self.no_markup("text_en")

    def clean_text_fr(self):
        return self.no_markup("text_fr")

    def clean(self):
        data = self.check_written(super().clean())
        asks_choices = data.get("kind") in (Question.Kind.SINGLE, Question.Kind.MULTIPLE)
        labels = {}
        for code in TEXT_LANGUAGES:
            name = f"choice_labels_{code}"
            try:
                labels[code] = lines(data.get(name) or "", max_lines=MAX_CHOICES, max_length=100, what="answer")
            except forms.ValidationError as error:
                self.add_error(name, error)
                return data
        counts = {len(words) for words in labels.values() if words}
        if asks_choices and len(counts) > 1:
            self.add_error(
                "choice_labels_fr",
                _("The English and French answers are the same answers: one per line, as many, in the same order."),
            )
        elif asks_choices and (not counts or min(counts) < 2):
            self.add_error("choice_labels_en", _("A choice question needs at least two answers, one per line."))
        elif not self.errors:
            if not asks_choices:
                labels = {code: [] for code in labels}
            self.instance.choices = answer_values(self.instance, labels)
            for code, words in labels.items():
                setattr(self.instance, f"choice_labels_{code}", words)
        return data


class LinkOrFileFields:
    """Clean methods for a form with a title, a link and an uploaded file (training resources,
    orientation items): no markup in the title, web links only, files of the allowed types and
    size. An unchanged file (already saved) is not checked again."""

    def clean_title(self):
        value = self.cleaned_data["title"]
        validate_no_markup(value)
        return value

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Links start with https:// or http://."))
        return url

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or upload == self.instance.file:
            return upload
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is 10 MB.") % {"size": upload.size // (1024 * 1024)}
            )
        if Path(upload.name).suffix.lower() not in UPLOAD_TYPES:
            raise forms.ValidationError(_("Please upload a PDF, Word, PowerPoint, Excel, text or image file."))
        return upload


class ResourceForm(LinkOrFileFields, forms.ModelForm):
    class Meta:
        model = Resource
        fields = ["title", "url", "file"]
        labels = {"title": _("Title"), "url": _("Link"), "file": _("File")}
        help_texts = {
            "url": _("A web address…"),
            "file": _("…or a file (PDF, Word, PowerPoint, Excel, text or image, 10 MB at most)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "title",
            row("url", "file"),
            Submit("save", _("Add resource")),
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("url")) == bool(data.get("file")):
            if not self.errors:
                raise forms.ValidationError(_("Give either a link or a file (one of the two)."))
        return data


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("Their email address"), max_length=254)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        profile = getattr(obj, "profile", None)
        where = [str(profile.association)] if profile and profile.association else []
        if profile and profile.job_title:
            where.append(profile.job_title)
        return f"{obj.get_full_name() or obj.email}" + (f" ({', '.join(where)})" if where else "")


class AppointChairForm(forms.Form):
    """The chair is chosen by name among the members of the program's area."""

    person = MemberChoiceField(
        queryset=None,
        label=_("The new chair"),
        empty_label=_("Choose a member"),
        error_messages={
            "required": _("Choose the member who will chair the program."),
            "invalid_choice": _("Choose a member of the list; that one is no longer there."),
        },
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members


class NextCycleForm(forms.Form):
    """The next cycle's name and how far its dates move on (mentoring/cycles.py)."""

    name = forms.CharField(
        label=_("Name of the next cycle"),
        max_length=150,
        validators=[validate_no_markup],
        error_messages={
            "required": _("Give the next cycle a name."),
            "max_length": _("The name is too long: 150 characters at most (it has %(show_value)d)."),
        },
    )
    months = forms.IntegerField(
        label=_("Move the dates on by (months)"),
        min_value=cycles.MIN_MONTHS,
        max_value=cycles.MAX_MONTHS,
        help_text=_("12 for next year's cycle."),
        error_messages={
            "required": _("Say how many months later the next cycle runs, from 1 to 36."),
            "invalid": _("Say how many months later the next cycle runs, from 1 to 36."),
            "min_value": _("Say how many months later the next cycle runs, from 1 to 36."),
            "max_value": _("Say how many months later the next cycle runs, from 1 to 36."),
        },
    )


class CommitteeMemberForm(PersonForm):
    role = forms.ChoiceField(
        choices=[
            (CommitteeMembership.Role.MEMBER, _("Committee member")),
            (CommitteeMembership.Role.FACILITATOR, _("Facilitator")),
        ]
    )


class VettingForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (VettingNote.Decision.APPROVE, _("Approve: the candidate enters the matching pool")),
            (VettingNote.Decision.MORE_INFO, _("Ask the candidate for more information")),
            (VettingNote.Decision.DECLINE, _("Decline")),
            (VettingNote.Decision.NOTE, _("No decision yet, add a note only")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Internal note (the committee only)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    message = forms.CharField(
        label=_("Message to the candidate"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you ask for more information. The candidate never sees the internal note."),
    )

    def __init__(self, *args, note_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        if note_only:  # the candidate is still doing the required orientation: no decision yet
            # (A decision posted anyway is refused by the vetting service, in words.)
            self.fields["decision"].initial = VettingNote.Decision.NOTE
            self.fields["decision"].widget = forms.HiddenInput()
            del self.fields["message"]


# --- The member's questionnaire -------------------------------------------------------------


class QuestionnaireForm(forms.Form):
    """The questionnaire for one program and role, with the program's own questions added."""

    goals = forms.CharField(
        label=_("Your goals"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    topics = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)
    career_stage = forms.ChoiceField(
        label=_("Where you are in your career"), choices=[("", _("Choose…")), *worded(Application.CareerStage.choices)]
    )
    years_experience = forms.IntegerField(label=_("Years of experience in the profession"), min_value=0, max_value=70)
    communication_modes = forms.MultipleChoiceField(
        label=_("How you would like to meet"),
        choices=worded(COMMUNICATION_CHANNELS),
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label=_("When you are usually available"), choices=worded(AVAILABILITY), widget=forms.CheckboxSelectMultiple
    )
    hours_per_month = forms.TypedChoiceField(
        label=_("Time you can give"), choices=[("", _("Choose…")), *HOURS], coerce=int
    )
    meeting_frequency = forms.ChoiceField(
        label=_("How often you would like to meet"), choices=[("", _("Choose…")), *worded(MeetingFrequency.choices)]
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you are comfortable meeting in"),
        choices=LANGUAGES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "columns"}),
    )
    partner_preferences = forms.CharField(
        label=_("Anything you would like in a partner"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. E.g. “someone who has run a small agency”."),
    )
    preferred_partner_emails = EmailListField(
        label=_("Members you would like as a partner"),
        help_text=_("Optional: their email addresses. The committee takes them into account."),
    )
    avoid_emails = EmailListField(
        label=_("Members you must not be matched with"),
        help_text=_("Optional and confidential: their email addresses. You will never be matched with them."),
    )
    capacity = forms.TypedChoiceField(label=_("How many mentees you can take on"), coerce=int)
    introduction = forms.CharField(
        label=_("Introduce yourself"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your partner reads this when you are matched."),
    )

    def __init__(self, *args, program, role, questions, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.program, self.role, self.user = program, role, user
        self.questions = [q for q in questions if q.asks(role)]
        mentor = role == Application.Role.MENTOR
        topic = self.fields["topics"]
        topic.choices = [(t, t) for t in program.topics]
        topic.label = _("Areas where you can help") if mentor else _("What you would like help with")
        self.fields["goals"].label = _("What you hope to give and gain as a mentor") if mentor else _("Your goals")
        self.fields["goals"].help_text = (
            _("E.g. “share what I learned opening my own agency”.")
            if mentor
            else _("What would you like to achieve in the next months? E.g. “get my CPCU”, “lead a team”.")
        )
        if mentor:
            self.fields["capacity"].choices = [(n, str(n)) for n in range(1, program.max_mentor_capacity + 1)]
        else:
            del self.fields["capacity"]
        for question in self.questions:
            self.fields[question.field_name] = self._field_for(question)
        for field in self.fields.values():
            # Plain words, not "This field is required.": the summary above the form names the field.
            choose = isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.Select)
            field.error_messages["required"] = _("Please choose an answer.") if choose else _("Please answer this one.")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("Your goals"), "goals", "topics"),
            Fieldset(
                _("Your experience"),
                row("career_stage", "years_experience"),
            ),
            Fieldset(
                _("Meeting"),
                "communication_modes",
                "availability",
                row("hours_per_month", "meeting_frequency"),
                "languages",
                *(["capacity"] if mentor else []),
            ),
            Fieldset(_("Your partner"), "partner_preferences", "preferred_partner_emails", "avoid_emails"),
            *(
                [
                    Fieldset(
                        legend(_("%(program)s: a few more questions") % {"program": program.name}),
                        *[q.field_name for q in self.questions],
                    )
                ]
                if self.questions
                else []
            ),
            Fieldset(_("Introduction"), "introduction"),
        )

    def _field_for(self, question):
        # A hint is shown as HTML by the form templates: the chair's words are escaped first.
        hint = question.help_text or (_("1: not at all · 5: very much") if question.kind == Question.Kind.SCALE else "")
        if question.optional_but_counts:
            hint = format_html(
                _(
                    "{hint}<strong>Optional, but it helps your match:</strong> the matching counts your answer, "
                    "and a blank one counts for nothing."
                ),
                hint=f"{hint} " if hint else "",
            )
        common = {"label": question.text, "required": question.required, "help_text": conditional_escape(hint)}
        if question.kind == Question.Kind.SINGLE:
            return forms.ChoiceField(choices=question.options, widget=forms.RadioSelect, **common)
        if question.kind == Question.Kind.MULTIPLE:
            return forms.MultipleChoiceField(choices=question.options, widget=forms.CheckboxSelectMultiple, **common)
        if question.kind == Question.Kind.SCALE:
            return forms.TypedChoiceField(
                choices=[(n, str(n)) for n in range(1, 6)],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
                **common,
            )
        return forms.CharField(max_length=200, **common)

    def clean_goals(self):
        return self.cleaned_data["goals"].strip()

    def clean(self):
        data = super().clean()
        me = self.user.email.lower()
        for name in ("preferred_partner_emails", "avoid_emails"):
            if me and me in (data.get(name) or []):
                self.add_error(name, _("That's your own email address."))
        both = set(data.get("preferred_partner_emails") or []) & set(data.get("avoid_emails") or [])
        if both:
            self.add_error(
                "avoid_emails",
                _("%(address)s is also on your list of preferred partners.") % {"address": sorted(both)[0]},
            )
        return data

    def answers(self):
        extra = {q.field_name for q in self.questions}
        return {name: value for name, value in self.cleaned_data.items() if name not in extra}

    def extra_answers(self):
        return {
            str(q.pk): self.cleaned_data.get(q.field_name) for q in self.questions if q.field_name in self.cleaned_data
        }
