"""Surveys the chair designs: questions added to the periodic feedback and to the close-out
survey (the final round), their versions, the answers given under each wording, and the
figures the reports show (totals only, suppressed below k, free text never)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from modeltranslation.utils import get_language

from mentoring.translation import answer_values

from .models import SurveyAnswer, SurveyQuestion, SurveyQuestionVersion

Kind = SurveyQuestion.Kind
SUPPRESSED = None
NPS_SCORES = range(0, 11)
SCALE_SCORES = range(1, 6)
TEXT_MAX = 500  # a short text answer


# --- The chair's questions ---------------------------------------------------------------------


def _in_each_language(value, blank):
    """A wording {"en": ..., "fr": ...} from a dict by language, or from one text (or list of
    answers) written in the reader's language."""
    if not isinstance(value, dict):
        value = {get_language(): value}
    return {code: value.get(code) or blank for code, _name in settings.LANGUAGES}


def _wording(*, text, help_text, choices, kind, current=None):
    """The version's fields for a wording in one language or both: the texts in each language,
    the answers' stored values (unchanged while their words in either language are, see
    mentoring.translation.answer_values) and their words in each language."""
    texts = {code: " ".join(t.split()) for code, t in _in_each_language(text, "").items()}
    hints = {code: " ".join(t.split()) for code, t in _in_each_language(help_text, "").items()}
    if not any(texts.values()):
        raise ValidationError(_("Please write the question."))
    labels = {code: list(words) for code, words in _in_each_language(choices, []).items()}
    if kind not in SurveyQuestion.CHOICE_KINDS:
        labels = {code: [] for code in labels}
    written = [words for words in labels.values() if words]
    if len({len(words) for words in written}) > 1:
        raise ValidationError(
            _("The English and French answers are the same answers: one per line, as many, in the same order.")
        )
    if kind in SurveyQuestion.CHOICE_KINDS and (not written or min(len(words) for words in written) < 2):
        raise ValidationError(_("A choice question needs at least two answers, one per line."))
    fields = {"choices": answer_values(current, labels)}
    for code in texts:
        fields |= {f"text_{code}": texts[code], f"help_text_{code}": hints[code], f"choice_labels_{code}": labels[code]}
    return fields


@transaction.atomic
def add_question(*, program, survey, audience, kind, text, help_text="", choices=(), required=False):
    """`text`, `help_text`, `choices`: in each language ({"en": ..., "fr": ...}), or in the
    reader's language alone."""
    wording = _wording(text=text, help_text=help_text, choices=choices, kind=kind)
    last = SurveyQuestion.objects.filter(program=program, survey=survey).aggregate(m=Max("position"))["m"]
    question = SurveyQuestion.objects.create(
        program=program,
        survey=survey,
        audience=audience,
        kind=kind,
        required=required,
        position=0 if last is None else last + 1,
    )
    SurveyQuestionVersion.objects.create(question=question, number=1, **wording)
    return question


@transaction.atomic
def edit_question(*, question, survey, audience, kind, text, help_text="", choices=(), required=False):
    """Settings change in place. The wording changes in place while nobody has answered; once
    someone has, a new version holds the new wording and the answers keep theirs."""
    question = SurveyQuestion.objects.select_for_update().get(pk=question.pk)
    answered = question.answers.exists()
    if answered and kind != question.kind:
        raise ValidationError(
            _("This question already has answers, so its kind cannot change. Retire it and add a new question instead.")
        )
    current = question.versions.order_by("-number").first()
    if not isinstance(text, dict):  # one language: the other keeps its words
        text, help_text, choices = (
            {get_language(): value} | {code: getattr(current, f"{name}_{code}") or "" for code in other_languages()}
            for name, value in (("text", text), ("help_text", help_text), ("choice_labels", list(choices)))
        )
    wording = _wording(text=text, help_text=help_text, choices=choices, kind=kind, current=current)
    if any((getattr(current, name) or type(value)()) != value for name, value in wording.items()):
        if answered:
            SurveyQuestionVersion.objects.create(question=question, number=current.number + 1, **wording)
        else:
            for name, value in wording.items():
                setattr(current, name, value)
            current.save(update_fields=list(wording))
    if question.survey != survey:
        last = SurveyQuestion.objects.filter(program=question.program_id, survey=survey).aggregate(m=Max("position"))
        question.position = 0 if last["m"] is None else last["m"] + 1
    question.survey, question.audience, question.kind, question.required = survey, audience, kind, required
    question.save(update_fields=["survey", "audience", "kind", "required", "position"])
    return question


def other_languages():
    return [code for code, _name in settings.LANGUAGES if code != get_language()]


def set_active(*, question, active):
    SurveyQuestion.objects.filter(pk=question.pk).update(active=active)


@transaction.atomic
def move_question(*, question, up):
    """Swap with the neighbour above (or below) in the same survey; positions renumbered 0, 1, 2..."""
    siblings = list(
        SurveyQuestion.objects.select_for_update()
        .filter(program=question.program_id, survey=question.survey)
        .order_by("position", "id")
    )
    i = next(n for n, q in enumerate(siblings) if q.pk == question.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(siblings):
        siblings[i], siblings[j] = siblings[j], siblings[i]
    for position, q in enumerate(siblings):
        if q.position != position:
            q.position = position
            q.save(update_fields=["position"])


def with_current_versions(questions):
    """[(question, its latest version)] in one more query."""
    questions = list(questions)
    latest = {}
    for v in SurveyQuestionVersion.objects.filter(question__in=questions).order_by("question_id", "number"):
        latest[v.question_id] = v
    return [(q, latest[q.pk]) for q in questions if q.pk in latest]


def questions_for(*, program, final, role, seen=()):
    """What a partner is asked after the default questions: [(question, version)].

    `seen`: the version ids the partner's form was shown with (posted back with the answers). A
    wording changed by the chair while the form was open is still answered under the wording
    shown; ids of other questions or programs are ignored."""
    survey = SurveyQuestion.Survey.CLOSEOUT if final else SurveyQuestion.Survey.PERIODIC
    asked = SurveyQuestion.objects.filter(program=program, survey=survey, active=True).filter(
        Q(audience=SurveyQuestion.Audience.BOTH) | Q(audience=role)
    )
    current = with_current_versions(asked.order_by("position", "id"))
    ids = [int(i) for i in seen if str(i).isdigit() and int(i) < 2**31]
    if not ids:
        return current
    shown = {
        v.question_id: v for v in SurveyQuestionVersion.objects.filter(pk__in=ids, question__in=[q for q, _ in current])
    }
    return [(q, shown.get(q.pk, v)) for q, v in current]


def save_answers(*, response, asked, data):
    """Called inside submit_response's transaction: the answers go in with the Response or not at all."""
    rows = []
    for question, version in asked:
        value = data.get(question.field_name)
        common = {"response": response, "question": question, "version": version}
        if value in (None, "", []):
            continue
        if question.kind == Kind.MULTIPLE:
            rows += [SurveyAnswer(choice=choice, **common) for choice in value]
        elif question.kind == Kind.SINGLE:
            rows.append(SurveyAnswer(choice=value, **common))
        elif question.kind in (Kind.SCALE, Kind.NPS):
            rows.append(SurveyAnswer(number=int(value), **common))
        else:
            rows.append(SurveyAnswer(text=value, **common))
    # One by one: the free text is encrypted on save (a bulk insert would be too, but keep it plain).
    for row in rows:
        row.save()
    return rows


def answers_by_response(responses):
    """{response id: [(wording, what they answered)]} for the confidential record, in one query."""
    out = defaultdict(dict)
    answers = (
        SurveyAnswer.objects.filter(response__in=responses)
        .select_related("version", "question")
        .order_by("response_id", "question__survey", "question__position", "question_id", "id")
    )
    for a in answers:
        shown = a.text if a.text is not None else (str(a.number) if a.number is not None else a.choice)
        if a.question.kind == Kind.NPS:
            shown = _("%(number)s out of 10") % {"number": a.number}
        elif a.question.kind == Kind.SCALE:
            shown = _("%(number)s out of 5") % {"number": a.number}
        entry = out[a.response_id].setdefault(a.question_id, {"text": a.version.text, "values": [], "pks": []})
        entry["values"].append(shown)
        entry["pks"].append(a.pk)
    return {r: list(qs.values()) for r, qs in out.items()}


# --- The reports -------------------------------------------------------------------------------


@dataclass
class Group:
    """The answers given under one wording."""

    label: str
    respondents: int = 0
    counts: Counter = field(default_factory=Counter)
    shown: bool = True


@dataclass
class Result:
    program: object
    question: SurveyQuestion
    text: str  # the current wording
    respondents: int = 0
    counts: Counter = field(default_factory=Counter)  # choice or number: answers
    options: list = field(default_factory=list)  # the rows of the table, in order
    words: dict = field(default_factory=dict)  # an answer's stored value: its words for the reader
    wordings: list = field(default_factory=list)  # Group per version, when there were several
    suppressed: bool = False

    @property
    def is_text(self):
        return self.question.kind == Kind.TEXT

    @property
    def mean(self):
        if self.suppressed or self.question.kind != Kind.SCALE or not self.respondents:
            return None
        return round(sum(n * c for n, c in self.counts.items()) / self.respondents, 2)

    @property
    def nps(self):
        if self.suppressed or self.question.kind != Kind.NPS or not self.respondents:
            return None
        return nps(self.counts)

    @property
    def nps_groups(self):
        """(promoters, passives, detractors) in % of those who answered, or None."""
        if self.nps is None:
            return None
        shares = [sum(c for s, c in self.counts.items() if lo <= int(s) <= hi) for lo, hi in ((9, 10), (7, 8), (0, 6))]
        return tuple(round(100 * n / self.respondents, 1) for n in shares)

    @property
    def rows(self):
        """(option, answers, % of respondents): None for each figure when suppressed."""
        out = []
        for option in self.options:
            n = None if self.suppressed else self.counts.get(option, 0)
            share = None if n is None or not self.respondents else round(100 * n / self.respondents, 1)
            out.append((self.words.get(option, option), n, share))
        return out


def nps(counts):
    """Net promoter score: % of promoters (9 and 10) minus % of detractors (0 to 6), a whole
    number from -100 to 100."""
    n = sum(counts.values())
    if not n:
        return None
    promoters = sum(c for score, c in counts.items() if int(score) >= 9)
    detractors = sum(c for score, c in counts.items() if int(score) <= 6)
    return round(100 * (promoters - detractors) / n)


def results(programs, period, k):
    """[Result] for each survey question of the programs (active, or retired with answers in the
    period): answers submitted in the period, counted in the database. A question answered by
    fewer than k partners shows no figures; with several wordings, each wording's figures are
    hidden below k and, while what is hidden could be worked out from the total, the next
    smallest too (secondary suppression). Short text: how many answered, nothing else."""
    in_period = Q(response__submitted_at__date__gte=period.start, response__submitted_at__date__lte=period.end)
    answers = SurveyAnswer.objects.filter(in_period, question__program__in=programs).order_by()
    counts = answers.values_list("question_id", "version_id", "choice", "number").annotate(n=Count("id"))
    # How many partners answered under each wording (a multiple choice answer is several rows).
    respondents = (
        SurveyAnswer.objects.filter(in_period, version=OuterRef("pk"))
        .order_by()
        .values("version_id")
        .annotate(n=Count("response_id", distinct=True))
        .values("n")
    )
    # The questions with their wordings and how many answered each in one query (a question has
    # one wording at least; one without would show nothing), in the questions' order, each
    # question's wordings oldest first.
    wordings = (
        SurveyQuestionVersion.objects.filter(question__program__in=programs)
        .filter(Q(question__active=True) | Q(question__in=answers.values("question_id")))
        .annotate(respondents=Coalesce(Subquery(respondents), 0))
        .select_related("question__program")
        .order_by(
            "question__program__name",
            "question__program_id",
            "question__survey",
            "question__position",
            "question_id",
            "number",
        )
    )
    versions, questions = {}, {}
    for v in wordings:
        versions.setdefault(v.question_id, {})[v.pk] = v
        questions.setdefault(v.question_id, v.question)
    by_question = {}
    for q in questions.values():
        latest = list(versions[q.pk].values())
        by_question[q.pk] = Result(program=q.program, question=q, text=latest[-1].text)
        by_question[q.pk].respondents = sum(v.respondents for v in latest)
        by_question[q.pk].wordings = {v.pk: Group(label=v.text, respondents=v.respondents) for v in latest}
    for qid, vid, choice, number, n in counts:
        r = by_question.get(qid)
        if r is None:
            continue
        value = choice if choice else number
        if value is None:
            value = "text"
        r.counts[value] += n
        r.wordings[vid].counts[value] += n
    out = []
    for r in by_question.values():
        q = r.question
        if q.kind == Kind.NPS:
            r.options = list(NPS_SCORES)
        elif q.kind == Kind.SCALE:
            r.options = list(SCALE_SCORES)
        elif q.kind in SurveyQuestion.CHOICE_KINDS:
            latest = list(versions[q.pk].values())[-1]
            current = latest.choices
            r.options = current + sorted(c for c in r.counts if c not in current)
            r.words = dict(latest.options)  # the rows say the answers in the reader's language
        r.suppressed = r.respondents < k
        groups = [g for g in r.wordings.values() if g.respondents]
        r.wordings = groups if len(groups) > 1 and not q.kind == Kind.TEXT else []
        for g in r.wordings:
            g.shown = not r.suppressed and g.respondents >= k
        if r.wordings and not r.suppressed:
            _hide_smallest_until(r.wordings, r.respondents, k)
        out.append(r)
    return out


def _hide_smallest_until(groups, total, k):
    """Hide the smallest wordings shown until what is hidden is none, or k or more."""
    visible = sorted((g for g in groups if g.shown), key=lambda g: g.respondents)
    hidden = total - sum(g.respondents for g in visible)
    while visible and 0 < hidden < k:
        smallest = visible.pop(0)
        smallest.shown = False
        hidden += smallest.respondents
