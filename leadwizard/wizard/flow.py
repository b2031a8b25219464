"""The reader's path through the wizard: state tokens, step handling and the final lead.

State between steps travels in the form as a signed token (Django signing), so
no session and no database row exist before the final submit; app servers stay
stateless. Each request is handled by a ``Wizard`` for one block on one page,
which returns the context the block template renders, or a redirect after the
final submit (post/redirect/get, so a reload never submits twice).
"""

import hashlib
import time
import uuid
from dataclasses import asdict, dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.models import Locale

from . import funnel
from .consent import consent_version, render_consent_html
from .deliveries import schedule_deliveries_safely
from .forms import MARKETING_CONSENT_TEXT, ContactForm
from .matching import answers_by_role, intro_time_order, match_vendors
from .models import Lead, Vendor
from .protection import hit_rate_limit, spam_indicators, step_limit, submit_limit
from .signals import lead_submitted
from .text import clean_line

STATE_SALT = "leadwizard.state"
DONE_SALT = "leadwizard.done"
FIELD_BLOCK = "leadwizard-block"
FIELD_TOKEN = "leadwizard-token"  # noqa: S105 - a form field name, not a secret
FIELD_ACTION = "leadwizard-action"
FIELD_LANDING = "leadwizard-landing"
FIELD_REFERRER = "leadwizard-referrer"
PARAM_DONE = "leadwizard-done"
PARAM_VIEW = "leadwizard-view"
ANSWER_PREFIX = "q-"
CONTACT_PREFIX = "contact"
ACTIONS = {"next", "back", "submit", "restart"}
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
CONTACT_STEP = "contact"
SUCCESS_STEP = "success"


def _setting(name, default):
    return getattr(settings, name, default)


def structure_version(definition):
    """A short hash of the questionnaire's keys: tokens from before a structural change are outdated."""
    return hashlib.sha256(repr(definition.key_structure()).encode()).hexdigest()[:12]


@dataclass
class State:
    """Where a reader is in the wizard and what they answered so far."""

    questionnaire: str
    page: int
    block: str
    version: str
    step: int = 0
    answers: dict = field(default_factory=dict)
    started: float | None = None
    # The submission key; set when the reader starts, since the first step's
    # token is part of the page and cached pages share it between readers.
    key: str = ""
    landing: str = ""
    referrer: str = ""
    counted_start: bool = False

    def dumps(self):
        return signing.dumps(asdict(self), salt=STATE_SALT, compress=True)

    @classmethod
    def loads(cls, token):
        data = signing.loads(
            token, salt=STATE_SALT, max_age=_setting("LEADWIZARD_TOKEN_MAX_AGE", 2 * 24 * 3600)
        )
        if not isinstance(data, dict):
            raise signing.BadSignature("not a state")
        try:
            state = cls(**data)
        except TypeError as exc:
            raise signing.BadSignature("unexpected state") from exc
        if not isinstance(state.answers, dict) or not isinstance(state.step, int):
            raise signing.BadSignature("unexpected state")
        return state


def localized(instance, locale):
    """``instance``'s translation in ``locale`` when there is one, else ``instance`` itself."""
    if instance is None or instance.locale_id == locale.pk:
        return instance
    return instance.get_translation_or_none(locale) or instance


def source_vendors(questionnaire):
    """The active vendors of a questionnaire's catalogue, in the default (source) language."""
    return Vendor.objects.filter(
        active=True,
        questionnaire__translation_key=questionnaire.translation_key,
        locale=Locale.get_default(),
    ).select_related("logo")


def vendors_in_order(vendor_ids, locale):
    """Vendors by id in the given order, each in ``locale`` where translated. Two queries."""
    vendors = {v.pk: v for v in Vendor.objects.filter(pk__in=vendor_ids).select_related("logo")}
    translations = {
        v.translation_key: v
        for v in Vendor.objects.filter(
            translation_key__in=[v.translation_key for v in vendors.values()], locale=locale
        ).select_related("logo")
    }
    ordered = []
    for vendor_id in vendor_ids:
        vendor = vendors.get(vendor_id)
        if vendor is not None:
            ordered.append(translations.get(vendor.translation_key, vendor))
    return ordered


def _clip(value, limit):
    """A one-line value from the request, cleaned of control characters (NUL above all) and cut to ``limit``."""
    return clean_line(value, limit)


def utm_parameters(landing_url):
    """The UTM parameters of the URL the reader arrived with; a URL that cannot be parsed has none."""
    try:
        query = parse_qs(urlsplit(landing_url).query)
    except ValueError:  # e.g. "http://[" : the reader's finished request must not fail on it
        query = {}
    return {name: _clip((query.get(name) or [""])[0], 200) for name in UTM_FIELDS}


class Wizard:
    """One wizard block on one page, for one request."""

    def __init__(self, request, page, block_id, block_value):
        self.request = request
        self.page = page
        self.block_id = str(block_id)
        self.locale = Locale.get_active()
        self.questionnaire = localized(block_value["questionnaire"], self.locale)
        self.definition = self.questionnaire.definition
        self.version = structure_version(self.definition)
        self.heading = block_value.get("heading") or self.questionnaire.title
        self.anchor = f"leadwizard-{self.block_id}"
        self.status = 200

    # Entry points -------------------------------------------------------------

    def handle(self):
        """The template context for this request, or a redirect after a successful submit."""
        request = self.request
        if request.method == "POST" and request.POST.get(FIELD_BLOCK) == self.block_id:
            return self.handle_post()
        if request.GET.get(PARAM_DONE):
            context = self.handle_done(request.GET[PARAM_DONE])
            if context is not None:
                return context
        return self.question_context(self.fresh_state(), step=0)

    def fresh_state(self):
        return State(
            questionnaire=str(self.questionnaire.translation_key),
            page=self.page.pk,
            block=self.block_id,
            version=self.version,
        )

    def restart_context(self, notice):
        return self.question_context(self.fresh_state(), step=0, notice=notice)

    def handle_post(self):
        post = self.request.POST
        limit, window = step_limit()
        if hit_rate_limit(self.request, "step", limit, window):
            return self.too_many_requests()

        token = post.get(FIELD_TOKEN, "")
        if token:
            try:
                state = State.loads(token)
            except signing.BadSignature:
                return self.restart_context(_expired_notice())
            if (
                state.page != self.page.pk
                or state.block != self.block_id
                or state.questionnaire != str(self.questionnaire.translation_key)
                or state.version != self.version
                or not 0 <= state.step <= len(self.definition.steps)
            ):
                return self.restart_context(_expired_notice())
        else:
            state = self.fresh_state()

        if state.step == 0 and not state.counted_start:
            # The reader's first answer to step 1 is a wizard start; counted once per reader.
            state.counted_start = True
            funnel.count_step(self.page.pk, self.questionnaire.pk, self.definition.steps[0].key)

        action = post.get(FIELD_ACTION, "next")
        if action not in ACTIONS:
            action = "next"
        if action == "restart":
            return self.question_context(self.fresh_state(), step=0)
        if state.step < len(self.definition.steps):
            return self.handle_question_step(state, action)
        return self.handle_contact_step(state, action)

    # Question steps ---------------------------------------------------------------

    def posted_answers(self, index):
        return {
            question.key: self.request.POST.getlist(ANSWER_PREFIX + question.key)
            for question in self.definition.steps[index].questions
        }

    def handle_question_step(self, state, action):
        index = state.step
        posted = self.posted_answers(index)
        answers, errors = self.definition.clean_step(index, posted)

        if action == "back":
            # Keep what is valid so far; going back never shows errors.
            self.store_step_answers(state, index, answers)
            return self.question_context(state, step=max(index - 1, 0))

        if errors:
            return self.question_context(state, step=index, values=posted, errors=errors)

        self.store_step_answers(state, index, answers)
        if state.started is None:
            state.started = time.time()
            state.key = uuid.uuid4().hex
            state.landing = _clip(self.request.POST.get(FIELD_LANDING), 1000)
            state.referrer = _clip(self.request.POST.get(FIELD_REFERRER), 1000)
        next_index = index + 1
        if next_index < len(self.definition.steps):
            funnel.count_step(self.page.pk, self.questionnaire.pk, self.definition.steps[next_index].key)
            return self.question_context(state, step=next_index)
        funnel.count_step(self.page.pk, self.questionnaire.pk, CONTACT_STEP)
        return self.contact_context(state)

    def store_step_answers(self, state, index, answers):
        for question in self.definition.steps[index].questions:
            if question.key in answers:
                state.answers[question.key] = answers[question.key]
            else:
                state.answers.pop(question.key, None)

    def question_context(self, state, step, values=None, errors=None, notice=""):
        state.step = step
        current = self.definition.steps[step]
        if values is None:
            values = {}
            for question in current.questions:
                stored = state.answers.get(question.key)
                if isinstance(stored, list):
                    values[question.key] = stored
                elif stored is not None:
                    values[question.key] = [str(stored)]
        errors = errors or {}
        return self.base_context(
            kind="question",
            state=state,
            notice=notice,
            step=current,
            step_number=step + 1,
            is_last_question_step=step == len(self.definition.steps) - 1,
            questions=[
                {
                    "question": question,
                    "field_name": ANSWER_PREFIX + question.key,
                    "field_id": f"{self.anchor}-{question.key}",
                    "values": values.get(question.key, []),
                    "error": errors.get(question.key),
                }
                for question in current.questions
            ],
            error_list=[
                (f"{self.anchor}-{question.key}", question.label, errors[question.key])
                for question in current.questions
                if question.key in errors
            ],
        )

    # Contact step -------------------------------------------------------------------

    def matches(self, answers):
        return match_vendors(
            answers_by_role(self.definition, answers),
            [vendor.to_profile() for vendor in source_vendors(self.questionnaire)],
            intro_time_order=intro_time_order(self.definition),
        )

    def contact_context(self, state, form=None, notice=""):
        state.step = len(self.definition.steps)
        form = form or ContactForm(prefix=CONTACT_PREFIX)
        matches = self.matches(state.answers)
        consent_html = render_consent_html(self.questionnaire.consent_text)
        error_list = []
        if form.is_bound:
            for name, field_errors in form.errors.items():
                if name in form.fields:
                    error_list.append((f"id_{form.prefix}-{name}", form.fields[name].label, field_errors[0]))
        return self.base_context(
            kind="contact",
            state=state,
            notice=notice,
            step_number=len(self.definition.steps) + 1,
            form=form,
            match_count=len(matches),
            consent_html=consent_html,
            error_list=error_list,
        )

    def handle_contact_step(self, state, action):
        if action == "back":
            return self.question_context(state, step=len(self.definition.steps) - 1)
        if not self.definition.complete_answers(state.answers):
            return self.restart_context(_expired_notice())

        form = ContactForm(self.request.POST, prefix=CONTACT_PREFIX)
        if not form.is_valid():
            return self.contact_context(state, form=form)

        limit, window = submit_limit()
        if hit_rate_limit(self.request, "submit", limit, window):
            return self.too_many_requests()

        matches = self.matches(state.answers)
        honeypot = self.request.POST.get(f"{CONTACT_PREFIX}-website", "")
        reasons = spam_indicators({"website": honeypot}, state.started)
        lead, created = self.save_lead(state, form.cleaned_data, matches, reasons)
        if created:
            funnel.count_step(self.page.pk, self.questionnaire.pk, SUCCESS_STEP)

        done = signing.dumps(
            {
                "k": str(lead.submission_key),
                "b": self.block_id,
                "p": self.page.pk,
                "v": [m.vendor.id for m in matches],
            },
            salt=DONE_SALT,
            compress=True,
        )
        if self.is_fragment_request():
            return self.success_context(done)
        return HttpResponseRedirect(self.page_url({PARAM_DONE: done}))

    def save_lead(self, state, contact, matches, spam_reasons):
        """Create the lead once per submission key, in one transaction; announce it after commit."""
        by_role = answers_by_role(self.definition, state.answers)
        consent_html = render_consent_html(self.questionnaire.consent_text)
        utm = utm_parameters(state.landing)
        top = _setting("LEADWIZARD_TOP_MATCHES", 7)
        marketing = bool(contact.get("marketing_consent"))
        marketing_text = str(MARKETING_CONSENT_TEXT) if marketing else ""
        with transaction.atomic():
            lead, created = Lead.objects.get_or_create(
                submission_key=uuid.UUID(hex=state.key) if state.key else uuid.uuid4(),
                defaults={
                    "questionnaire": self.questionnaire,
                    "answers": state.answers,
                    "answer_labels": self.definition.labelled_answers(state.answers),
                    "industry": _clip(by_role.get("industry") or "", 50),
                    "employees": by_role.get("employees"),
                    "name": contact["name"],
                    "company": contact["company"],
                    "email": contact["email"],
                    "phone": contact["phone"],
                    "message": contact["message"],
                    "consent_text": consent_html,
                    "consent_version": consent_version(consent_html),
                    "consent_given_at": timezone.now(),
                    "marketing_consent": marketing,
                    "marketing_consent_text": marketing_text,
                    "marketing_consent_version": consent_version(marketing_text) if marketing else "",
                    "source_page": self.page,
                    "source_url": _clip(self.page.get_full_url(self.request), 500),
                    "locale": translation.get_language() or settings.LANGUAGE_CODE,
                    "landing_url": _clip(state.landing, 1000),
                    "referrer": _clip(state.referrer, 1000),
                    **utm,
                    "match_count": len(matches),
                    "top_matches": [match.as_dict() for match in matches[:top]],
                    "status": Lead.Status.SPAM if spam_reasons else Lead.Status.NEW,
                    "spam_reasons": spam_reasons,
                },
            )
            if created:
                # Planned with the lead, so no commit can leave a lead without its deliveries;
                # their tasks are enqueued once this transaction commits.
                schedule_deliveries_safely(lead)
                transaction.on_commit(lambda: lead_submitted.send(sender=Lead, lead=lead))
        return lead, created

    # Success and longlist -------------------------------------------------------------

    def handle_done(self, token):
        try:
            data = signing.loads(
                token, salt=DONE_SALT, max_age=_setting("LEADWIZARD_DONE_MAX_AGE", 30 * 24 * 3600)
            )
        except signing.BadSignature:
            return None
        if not isinstance(data, dict) or data.get("b") != self.block_id or data.get("p") != self.page.pk:
            return None
        if self.request.GET.get(PARAM_VIEW) == "longlist":
            return self.longlist_context(token, data.get("v") or [])
        return self.success_context(token)

    def success_context(self, done_token):
        return self.base_context(
            kind="success",
            state=None,
            longlist_url=self.page_url({PARAM_DONE: done_token, PARAM_VIEW: "longlist"}),
            success_url=self.page_url({PARAM_DONE: done_token}),
        )

    def longlist_context(self, done_token, vendor_ids):
        vendor_ids = [v for v in vendor_ids if isinstance(v, int)][:500]
        return self.base_context(
            kind="longlist",
            state=None,
            vendors=vendors_in_order(vendor_ids, self.locale),
            success_url=self.page_url({PARAM_DONE: done_token}),
        )

    # Helpers --------------------------------------------------------------------------

    def too_many_requests(self):
        self.status = 429
        context = self.base_context(kind="blocked", state=None)
        context["notice"] = _(
            "You have sent very many requests in a short time. Please wait a few minutes and try again."
        )
        return context

    def is_fragment_request(self):
        return self.request.headers.get("X-LeadWizard") == "fragment"

    def page_url(self, params=None):
        url = self.page.get_url(self.request) or "/"
        if params:
            url = f"{url}?{urlencode(params)}"
        return f"{url}#{self.anchor}"

    def base_context(self, kind, state, **extra):
        step_count = len(self.definition.steps) + 1
        context = {
            "wizard": self,
            "kind": kind,
            "questionnaire": self.questionnaire,
            "heading": self.heading,
            "anchor": self.anchor,
            "block_id": self.block_id,
            "step_count": step_count,
            "action_url": self.page_url(),
            "restart_url": self.page_url(),
            "token": state.dumps() if state is not None else "",
            "notice": "",
            "field_block": FIELD_BLOCK,
            "field_token": FIELD_TOKEN,
            "field_action": FIELD_ACTION,
            "field_landing": FIELD_LANDING,
            "field_referrer": FIELD_REFERRER,
            "landing": self.request.get_full_path() if kind == "question" else "",
            "referrer": self.request.META.get("HTTP_REFERER", "") if kind == "question" else "",
        }
        context.update(extra)
        if "step_number" in context:
            context["progress_percent"] = round(100 * context["step_number"] / step_count)
        return context


def _expired_notice():
    return _(
        "Your selection had expired or could not be read, so the wizard has started again. "
        "Please answer the questions once more."
    )
