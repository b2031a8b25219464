"""The reader's path through the wizard: step handling, matching, and the final request.

Each request is handled by a ``Wizard`` for one block on one page, which
returns the context the block template renders, or a redirect after the final
submit (post/redirect/get, so a reload never submits twice). The reader's place
travels between steps in a signed token (``state``); the lead is saved by
``leads.create_lead``.
"""

import time
import uuid
from urllib.parse import urlencode

from django.core import signing
from django.http import HttpResponseRedirect
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Locale

from ..catalogue import localized, source_vendors, vendors_in_order
from ..conf import app_settings
from ..consent import render_consent_html
from ..leads import create_lead
from ..matching import answers_by_role, match_vendors, option_orders
from ..text import clean_line
from . import funnel
from .forms import ContactForm
from .protection import hit_rate_limit, spam_indicators, step_limit, submit_limit
from .state import DONE_SALT, State, structure_version

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
CONTACT_STEP = "contact"
SUCCESS_STEP = "success"


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
        self.anchor = "leadwizard-" + self.block_id.replace(".", "-")
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
            state.landing = clean_line(self.request.POST.get(FIELD_LANDING), 1000)
            state.referrer = clean_line(self.request.POST.get(FIELD_REFERRER), 1000)
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
            option_orders=option_orders(self.definition),
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
            results_text=self.questionnaire.results_text_for(len(matches)),
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
            return self.success_context(done, len(matches))
        return HttpResponseRedirect(self.page_url({PARAM_DONE: done}))

    def save_lead(self, state, contact, matches, spam_reasons):
        """The reader's request as a lead: created once per submission key (``leads.create_lead``)."""
        return create_lead(
            questionnaire=self.questionnaire,
            answers=state.answers,
            contact=contact,
            matches=matches,
            submission_key=uuid.UUID(hex=state.key) if state.key else None,
            source_page=self.page,
            source_url=self.page.get_full_url(self.request),
            locale=translation.get_language(),
            landing_url=state.landing,
            referrer=state.referrer,
            spam_reasons=spam_reasons,
        )

    # Success and longlist -------------------------------------------------------------

    def handle_done(self, token):
        try:
            data = signing.loads(token, salt=DONE_SALT, max_age=app_settings.DONE_MAX_AGE)
        except signing.BadSignature:
            return None
        if not isinstance(data, dict) or data.get("b") != self.block_id or data.get("p") != self.page.pk:
            return None
        if self.request.GET.get(PARAM_VIEW) == "longlist":
            return self.longlist_context(token, data.get("v") or [])
        return self.success_context(token, len(data.get("v") or []))

    def success_context(self, done_token, match_count):
        return self.base_context(
            kind="success",
            state=None,
            match_count=match_count,
            next_steps=self.questionnaire.next_steps_for(match_count),
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
