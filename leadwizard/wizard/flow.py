"""The reader's path through the wizard: steps, conditions, matching, and the final request.

Each request is handled by a ``Wizard`` for one block on one page. A step is
posted (to ``leadwizard:step``, or to the page itself where a site has not
included ``leadwizard.urls``) and answered with a redirect to the page at the
reader's new place (post/redirect/get); with JavaScript the same post asks for
just the wizard's HTML and its address, which the script puts into the history.
The reader's place travels in a signed token (``state``); the lead is saved by
``leads.create_lead``.
"""

import dataclasses
import datetime
import json
import time
import uuid
from urllib.parse import urlencode

from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponseRedirect, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale

from ..catalogue import lead_reader_matches, localized, questionnaire_source_vendors, reader_matches
from ..conf import app_settings
from ..consent import questionnaire_consent_html
from ..leads import RATE_LIMIT_REASON, create_lead
from ..matching import answers_by_role, match_vendors, option_orders
from ..models import Lead
from ..text import clean_line
from . import funnel
from .forms import ContactForm
from .markup import question_html
from .protection import (
    client_fingerprint,
    hit_rate_limit,
    seconds_until_reset,
    spam_indicators,
    step_limit,
    submit_limit,
)
from .state import DONE_SALT, State, structure_version

FIELD_BLOCK = "leadwizard-block"
FIELD_TOKEN = "leadwizard-token"  # noqa: S105 - a form field name, not a secret
FIELD_ACTION = "leadwizard-action"
FIELD_LANDING = "leadwizard-landing"
FIELD_REFERRER = "leadwizard-referrer"
PARAM_BLOCK = "leadwizard-block"
PARAM_STATE = "leadwizard-state"
PARAM_DONE = "leadwizard-done"
PARAM_VIEW = "leadwizard-view"
#: Query parameters of the wizard's own addresses: never part of a reader's landing page.
WIZARD_PARAMETERS = (PARAM_BLOCK, PARAM_STATE, PARAM_DONE, PARAM_VIEW)
ANSWER_PREFIX = "q-"
CONTACT_PREFIX = "contact"
ACTIONS = {"next", "back", "submit", "restart"}
CONTACT_STEP = "contact"
SUCCESS_STEP = "success"
MAX_POSTED_VALUES = 50
MAX_POSTED_LENGTH = 100
# Notices a redirect carries in the state, by code, so no text travels in a token.
NOTICE_EXPIRED = "expired"
NOTICE_CHANGED = "changed"
NOTICE_UNVERIFIED = "unverified"


def strip_wizard_parameters(path):
    """``path`` without the wizard's own query parameters: where the reader landed."""
    base, _sep, query = path.partition("?")
    if not query:
        return path
    params = QueryDict(query, mutable=True)
    for name in WIZARD_PARAMETERS:
        params.pop(name, None)
    rest = params.urlencode()
    return f"{base}?{rest}" if rest else base


# (questionnaire id, its steps as stored) → (definition, structure version), per process.
_PARSED = {}
_PARSED_MAX = 64


def parsed_definition(questionnaire):
    """``(definition, structure version)`` of ``questionnaire``, parsed once per stored text and process.

    Turning the steps' StreamField into a ``Definition`` was a third of rendering the
    wizard. Keyed by the stored data itself, so an edited questionnaire is simply a
    new entry: nothing can be stale, and no invalidation is needed. Steps built in
    memory (a form, a test) are parsed each time.
    """
    steps = questionnaire.steps
    parsed_steps, parsed = questionnaire.__dict__.get("_leadwizard_parsed", (None, None))
    if parsed_steps is steps:  # parsed already: a questionnaire the process keeps (wizard.questionnaires)
        return parsed
    if not getattr(steps, "is_lazy", False):
        return questionnaire.definition, structure_version(questionnaire.definition)
    key = (questionnaire.pk, json.dumps(steps._raw_data, sort_keys=True, cls=DjangoJSONEncoder))
    found = _PARSED.get(key)
    if found is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        found = _PARSED[key] = (questionnaire.definition, structure_version(questionnaire.definition))
    else:
        questionnaire.__dict__["definition"] = found[0]  # Questionnaire.definition is a cached_property
    questionnaire.__dict__["_leadwizard_parsed"] = (steps, found)
    return found


def active_locale(page):
    """``Locale.get_active()``, without its query when the active language is the page's own.

    A page is served in its language, and its locale is usually loaded with it.
    """
    try:
        code = get_supported_content_language_variant(translation.get_language())
    except LookupError:
        return Locale.get_active()
    locale = getattr(page, "locale", None)
    if locale is not None and locale.language_code == code:
        return locale
    return Locale.get_active()


def done_block_id(token):
    """The wizard block a confirmation address's token (``PARAM_DONE``) belongs to, or None when it is not valid."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=DONE_SALT, max_age=app_settings.DONE_MAX_AGE)
    except signing.BadSignature:
        return None
    return str(data["b"]) if isinstance(data, dict) and data.get("b") else None


class Wizard:
    """One wizard block on one page, for one request."""

    def __init__(self, request, page, block_id, block_value):
        self.request = request
        self.page = page
        self.block_id = str(block_id)
        self.locale = active_locale(page)
        self.questionnaire = localized(block_value["questionnaire"], self.locale)
        self.definition, self.version = parsed_definition(self.questionnaire)
        self.heading = block_value.get("heading") or self.questionnaire.title
        self.anchor = "leadwizard-" + self.block_id.replace(".", "-")
        self.status = 200
        self.retry_after = None
        self._page_path = None
        # What this request counts in the funnel, by cohort day: written at once when the post is handled.
        self.funnel_counts = {}

    # Entry points -------------------------------------------------------------

    def handle(self):
        """The template context for this request, or a redirect after a post without JavaScript."""
        request = self.request
        if request.method == "POST" and request.POST.get(FIELD_BLOCK) == self.block_id:
            return self.handle_post()
        if request.GET.get(PARAM_BLOCK, self.block_id) != self.block_id:
            return self.place_context(self.fresh_state())
        if request.GET.get(PARAM_STATE):
            state, problem = self.load_state(request.GET[PARAM_STATE])
            if problem:
                return self.place_context(self.fresh_state(), notice=_expired_notice())
            return self.place_context(state)
        if request.GET.get(PARAM_DONE):
            context = self.handle_done(request.GET[PARAM_DONE])
            if context is not None:
                return context
        return self.place_context(self.fresh_state())

    def fresh_state(self, keep_from=None):
        state = State(
            questionnaire=str(self.questionnaire.translation_key),
            page=self.page.pk,
            block=self.block_id,
            version=self.version,
        )
        if keep_from is not None and keep_from.key:
            # Starting again is the same reader: where they came from still holds, and the funnel does
            # not count them twice. A new submission key: this is a new request, not a repeat.
            state.landing, state.referrer, state.cohort = (
                keep_from.landing,
                keep_from.referrer,
                keep_from.cohort,
            )
            state.reached, state.answered = keep_from.reached, keep_from.answered
            state.key = uuid.uuid4().hex
        return state

    def load_state(self, token):
        """``(state, problem)``: the reader's state from ``token`` brought up to date, or a reason it is unusable."""
        try:
            state = State.loads(token)
        except signing.BadSignature:
            return None, NOTICE_EXPIRED
        if (
            state.page != self.page.pk
            or state.block != self.block_id
            or state.questionnaire != str(self.questionnaire.translation_key)
        ):
            return None, NOTICE_EXPIRED
        if self.request.method == "POST":
            state.notice = ""  # shown once, on the page the redirect led to
        state.catch_up()
        if state.version != self.version:
            # An editor changed the questions since: keep every answer that is still valid.
            kept = self.definition.valid_answers(state.answers)
            if kept != state.answers:
                # Straight on to the questions that need an answer again, where the notice is shown.
                state.notice, state.repairing = NOTICE_CHANGED, True
            state.answers = kept
            state.pending, state.show_errors = {}, False
            state.version = self.version
        return state, None

    def handle_post(self):
        try:
            return self.handle_step_post()
        finally:
            self.write_funnel_counts()

    def handle_step_post(self):
        post = self.request.POST
        token = post.get(FIELD_TOKEN, "")
        if token:
            state, problem = self.load_state(token)
            if problem:
                return self.respond(self.fresh_state(), notice=NOTICE_EXPIRED)
        else:
            state = self.fresh_state()
        self.fix_attribution(state)

        action = post.get(FIELD_ACTION, "next")
        if action not in ACTIONS:
            action = "next"
        if action == "restart":
            restarted = self.fresh_state(keep_from=state)
            restarted.remember()
            return self.respond(restarted)

        index = self.current_index(state)
        at_contact = index is None
        if not (at_contact and action == "submit"):
            # A finished request is never refused (see handle_contact_step); steps are limited.
            limit, window = step_limit()
            if hit_rate_limit(self.request, "step", limit, window):
                return self.blocked(state, index, seconds_until_reset(window))
        if at_contact:
            return self.handle_contact_step(state, action)
        return self.handle_question_step(state, index, action)

    def fix_attribution(self, state):
        """Where the reader came from is fixed at their first view and kept through every step and error."""
        if state.key:
            return
        state.key = uuid.uuid4().hex
        state.cohort = timezone.localdate().isoformat()
        state.landing = clean_line(self.request.POST.get(FIELD_LANDING), 1000)
        state.referrer = clean_line(self.request.POST.get(FIELD_REFERRER), 1000)

    # Places -----------------------------------------------------------------------------

    def visible_indexes(self, answers):
        return self.definition.visible_step_indexes(answers)

    def step_index(self, key):
        return next((i for i, step in enumerate(self.definition.steps) if step.key == key), None)

    def current_index(self, state):
        """The index of the step the reader is on, or None on the contact step."""
        visible = self.visible_indexes(state.answers) or [0]
        if state.place == CONTACT_STEP and self.definition.complete_answers(state.answers):
            return None
        if not state.place:
            return visible[0]
        index = self.step_index(state.place)
        if index in visible:
            return index
        # The step vanished or is hidden now, or the answers are no longer complete:
        # the first step that still needs an answer.
        state.repairing = True
        incomplete = self.definition.first_incomplete_step(state.answers)
        return incomplete if incomplete is not None else visible[0]

    def move_to(self, state, index):
        """Put the reader on step ``index`` (None: the contact step) and count them there once."""
        key = CONTACT_STEP if index is None else self.definition.steps[index].key
        state.place = key
        state.pending, state.show_errors, state.blocked_until = {}, False, 0
        self.count_reached(state, key)

    def count_reached(self, state, key):
        if key in state.reached:
            return
        state.reached.append(key)
        self.count_in_funnel(state, steps=[key])

    def count_in_funnel(self, state, steps=(), questions=()):
        counted_steps, counted_questions = self.funnel_counts.setdefault(self.cohort_day(state), ([], []))
        counted_steps.extend(steps)
        counted_questions.extend(questions)

    def write_funnel_counts(self):
        """One query for the request's counts: a step counts its answers and the step reached next."""
        counts, self.funnel_counts = self.funnel_counts, {}
        for day, (steps, questions) in counts.items():
            funnel.count(self.page.pk, self.questionnaire.pk, day, steps=steps, questions=questions)

    def cohort_day(self, state):
        try:
            return datetime.date.fromisoformat(state.cohort)
        except ValueError:
            return timezone.localdate()

    def respond(self, state, notice=""):
        """After a post: a redirect to the reader's new place, or its HTML for the script."""
        if notice:
            state.notice = notice
        if self.is_fragment_request():
            return self.place_context(state)
        return HttpResponseRedirect(self.state_url(state))

    def state_url(self, state):
        return self.page_url({PARAM_BLOCK: self.block_id, PARAM_STATE: state.dumps()})

    def place_context(self, state, notice=""):
        """The context of the reader's current place, as a reload or Back shows it."""
        notice = notice or self.notice_text(state)
        index = self.current_index(state)
        if state.blocked_until > time.time():
            self.status = 429
            self.retry_after = int(state.blocked_until - time.time()) + 1
            notice = _blocked_notice(self.retry_after)
        if index is None:
            return self.contact_context(state, notice=notice)
        return self.question_context(state, index, notice=notice)

    def notice_text(self, state):
        return {
            NOTICE_EXPIRED: _expired_notice,
            NOTICE_CHANGED: _changed_notice,
            NOTICE_UNVERIFIED: _unverified_notice,
        }.get(state.notice, str)()

    def blocked(self, state, index, wait_seconds):
        """Too many steps from this address: the reader keeps what they typed and learns how long to wait."""
        if index is not None:
            state.pending = self.posted_answers(index)
        state.blocked_until = time.time() + wait_seconds
        self.status = 429
        self.retry_after = int(wait_seconds) + 1
        if self.is_fragment_request():
            return self.place_context(state)
        return HttpResponseRedirect(self.state_url(state))

    # Question steps ---------------------------------------------------------------

    def posted_answers(self, index):
        # Bounded: what a reader posted may travel in the address when it is shown again.
        return {
            question.key: [
                clean_line(value, MAX_POSTED_LENGTH)
                for value in self.request.POST.getlist(ANSWER_PREFIX + question.key)[:MAX_POSTED_VALUES]
            ]
            for question in self.definition.steps[index].questions
        }

    def handle_question_step(self, state, index, action):
        self.count_reached(state, self.definition.steps[index].key)
        posted = self.posted_answers(index)
        answers, errors = self.definition.clean_step(index, posted, state.answers)

        if action == "back":
            # Keep what is valid so far; going back never shows errors.
            self.store_step_answers(state, index, answers)
            self.move_to(state, self.neighbour(state, index, -1))
            state.remember()
            return self.respond(state)

        if errors:
            state.place = self.definition.steps[index].key
            state.pending, state.show_errors = posted, True
            state.remember()
            return self.respond(state)

        self.store_step_answers(state, index, answers)
        if state.started is None:
            state.started = time.time()
        step_key = self.definition.steps[index].key
        if step_key not in state.answered:
            state.answered.append(step_key)
            self.count_in_funnel(state, questions=list(answers))
        following = self.neighbour(state, index, +1)
        if state.repairing or (following is None and not self.definition.complete_answers(state.answers)):
            # After an edit only the questions that need an answer again are asked, then the reader
            # is back where they were.
            following = self.definition.first_incomplete_step(state.answers)
            state.repairing = following is not None
        self.move_to(state, following)
        state.remember()
        return self.respond(state)

    def neighbour(self, state, index, direction):
        """The visible step before (-1) or after (+1) ``index``; after the last one None (contact)."""
        visible = self.visible_indexes(state.answers)
        if direction < 0:
            earlier = [i for i in visible if i < index]
            return earlier[-1] if earlier else (visible[0] if visible else index)
        later = [i for i in visible if i > index]
        return later[0] if later else None

    def store_step_answers(self, state, index, answers):
        for question in self.definition.steps[index].questions:
            if question.key in answers:
                state.answers[question.key] = answers[question.key]
            else:
                state.answers.pop(question.key, None)
        # An answer can hide later questions: what they held no longer applies.
        state.answers = self.definition.relevant_answers(state.answers)

    def question_context(self, state, index, notice=""):
        state.place = self.definition.steps[index].key
        current = self.definition.steps[index]
        questions = self.definition.visible_questions(index, state.answers)
        errors = {}
        if state.pending:
            values = {
                key: [str(v) for v in raw] for key, raw in state.pending.items() if isinstance(raw, list)
            }
            if state.show_errors:
                _answers, errors = self.definition.clean_step(index, values, state.answers)
        else:
            values = {}
            for question in questions:
                stored = state.answers.get(question.key)
                if isinstance(stored, list):
                    values[question.key] = stored
                elif stored is not None:
                    values[question.key] = [str(stored)]
        visible = self.visible_indexes(state.answers)
        position = visible.index(index) if index in visible else 0
        return self.base_context(
            kind="question",
            state=state,
            notice=notice,
            step=current,
            step_number=position + 1,
            step_count=len(visible) + 1,
            is_first_step=position == 0,
            is_last_question_step=position == len(visible) - 1,
            show_attribution_fields=not state.key,
            questions=[
                {**item, "html": question_html(item)}
                for item in (
                    {
                        "question": question,
                        "field_name": ANSWER_PREFIX + question.key,
                        "field_id": f"{self.anchor}-{question.key}",
                        "values": values.get(question.key, []),
                        "error": errors.get(question.key),
                    }
                    for question in questions
                )
            ],
            error_list=[
                (f"{self.anchor}-{question.key}", question.label, errors[question.key])
                for question in questions
                if question.key in errors
            ],
        )

    # Contact step -------------------------------------------------------------------

    def matches(self, answers):
        # The vendors read for matching, by id: the contact step shows the matched ones (reader_matches).
        self.source_vendors, profiles = questionnaire_source_vendors(self.questionnaire)
        return match_vendors(
            answers_by_role(self.definition, self.definition.relevant_answers(answers)),
            profiles,
            option_orders=option_orders(self.definition),
        )

    def contact_context(self, state, form=None, notice=""):
        state.place = CONTACT_STEP
        if form is None:
            kept = state.kept_contact(client_fingerprint(self.request))
            if kept is not None:
                form = ContactForm(QueryDict(kept), prefix=CONTACT_PREFIX)
            elif state.key and not state.pending:
                # Back to the contact step after sending: the request is in, show its confirmation.
                sent = self.sent_context(state)
                if sent is not None:
                    return sent
        form = form or ContactForm(prefix=CONTACT_PREFIX)
        matches = self.matches(state.answers)
        error_list = []
        if form.is_bound:
            for name, field_errors in form.errors.items():
                if name in form.fields:
                    error_list.append((f"id_{form.prefix}-{name}", form.fields[name].label, field_errors[0]))
        visible = self.visible_indexes(state.answers)
        return self.base_context(
            kind="contact",
            state=state,
            notice=notice,
            step_number=len(visible) + 1,
            step_count=len(visible) + 1,
            form=form,
            match_count=len(matches),
            reader_matches=reader_matches(self.definition, matches, self.locale, self.source_vendors),
            results_text=self.questionnaire.results_text_for(len(matches)),
            consent_html=questionnaire_consent_html(self.questionnaire, "consent_text"),
            vendor_consent_html=questionnaire_consent_html(self.questionnaire, "vendor_consent_text"),
            error_list=error_list,
        )

    def handle_contact_step(self, state, action):
        if action == "back":
            visible = self.visible_indexes(state.answers)
            self.move_to(state, visible[-1] if visible else 0)
            state.remember()
            return self.respond(state)
        if not self.definition.complete_answers(state.answers):
            state.repairing = True
            return self.respond(state, notice=NOTICE_CHANGED)

        form = ContactForm(self.request.POST, prefix=CONTACT_PREFIX)
        if not form.is_valid():
            if self.is_fragment_request():
                return self.contact_context(state, form=form)
            posted = self.request.POST.copy()
            for name in (FIELD_TOKEN, "csrfmiddlewaretoken"):
                posted.pop(name, None)
            state.keep_contact(posted.urlencode(), client_fingerprint(self.request))
            return self.respond(state)

        # Nothing the reader finished is thrown away: above the limit the request is kept
        # and marked for a person to judge (leads.RATE_LIMIT_REASON).
        limit, window = submit_limit()
        over_limit = hit_rate_limit(self.request, "submit", limit, window)
        matches = self.matches(state.answers)
        honeypot = self.request.POST.get(f"{CONTACT_PREFIX}-website", "")
        reasons = spam_indicators({"website": honeypot}, state.started)
        if over_limit:
            reasons.append(RATE_LIMIT_REASON)
        lead, created = self.save_lead(state, form.cleaned_data, matches, reasons)
        state.forget_contact()
        if created:
            self.count_in_funnel(state, steps=[SUCCESS_STEP])

        done = self.done_token(lead, [m.vendor.id for m in matches])
        if self.is_fragment_request():
            return self.success_context(done, len(matches))
        return HttpResponseRedirect(self.page_url({PARAM_DONE: done}))

    def done_token(self, lead, vendor_ids):
        return signing.dumps(
            {"k": str(lead.submission_key), "b": self.block_id, "p": self.page.pk, "v": vendor_ids},
            salt=DONE_SALT,
            compress=True,
        )

    def sent_context(self, state):
        try:
            key = uuid.UUID(hex=state.key)
        except ValueError:
            return None
        lead = Lead.objects.filter(submission_key=key).only("pk", "submission_key", "matches").first()
        if lead is None:
            return None
        vendor_ids = [m.get("vendor_id") for m in lead.matches or [] if isinstance(m, dict)]
        return self.success_context(self.done_token(lead, vendor_ids), len(vendor_ids))

    def save_lead(self, state, contact, matches, spam_reasons):
        """The reader's request as a lead: created once per submission key (``leads.create_lead``)."""
        return create_lead(
            questionnaire=self.questionnaire,
            answers=self.definition.relevant_answers(state.answers),
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
            return self.longlist_context(token, data.get("k"))
        return self.success_context(token, len(data.get("v") or []))

    def success_context(self, done_token, match_count):
        return self.base_context(
            kind="success",
            state=None,
            match_count=match_count,
            next_steps=self.questionnaire.next_steps_for(match_count),
            longlist_url=self.page_url({PARAM_DONE: done_token, PARAM_VIEW: "longlist"}),
            success_url=self.page_url({PARAM_DONE: done_token}),
            place_url=self.page_url({PARAM_DONE: done_token}),
        )

    def longlist_context(self, done_token, submission_key):
        """The vendors found for the reader, from their stored request, each with why it fits."""
        lead = None
        try:
            key = uuid.UUID(str(submission_key))
        except ValueError:
            key = None
        if key is not None:
            lead = Lead.objects.filter(submission_key=key).select_related("questionnaire").first()
        return self.base_context(
            kind="longlist",
            state=None,
            reader_matches=lead_reader_matches(lead) if lead is not None else [],
            success_url=self.page_url({PARAM_DONE: done_token}),
            place_url=self.page_url({PARAM_DONE: done_token, PARAM_VIEW: "longlist"}),
        )

    # Helpers --------------------------------------------------------------------------

    def find_page_path(self):
        """The page's address as Wagtail's ``get_url`` gives it, without looking the site up where one serves all.

        A step posted to the wizard's own address is not served by Wagtail, which
        would have found the request's site already: on a single site the address
        is the page's path anyway, and the site's query is not needed.
        """
        if not hasattr(self.request, "_wagtail_site"):
            parts = self.page.get_url_parts(self.request)
            if parts is None or parts[2] is None:
                return None
            if len({root.site_id for root in self.page._get_site_root_paths(self.request)}) == 1:
                return parts[2]
        return self.page.get_url(self.request)

    def is_fragment_request(self):
        return self.request.headers.get("X-LeadWizard") == "fragment"

    def page_url(self, params=None):
        if self._page_path is None:
            self._page_path = self.find_page_path() or "/"
        url = self._page_path
        if params:
            url = f"{url}?{urlencode(params)}"
        return f"{url}#{self.anchor}"

    def start_url(self, state):
        """The first step's address with this reader's answers: the script puts it in place of the page's own
        history entry, so that Back from the second step returns to answered questions."""
        if state is None or not state.key:
            return ""
        return self.state_url(
            dataclasses.replace(state, place="", pending={}, show_errors=False, notice="", blocked_until=0)
        )

    def action_url(self):
        """Where steps are posted: the wizard's own address (see ``views``), else the page."""
        try:
            return reverse("leadwizard:step", kwargs={"page_id": self.page.pk}) + f"#{self.anchor}"
        except NoReverseMatch:
            return self.page_url()

    def base_context(self, kind, state, **extra):
        context = {
            "wizard": self,
            "kind": kind,
            "questionnaire": self.questionnaire,
            "heading": self.heading,
            "anchor": self.anchor,
            "block_id": self.block_id,
            "step_count": len(self.definition.steps) + 1,
            "action_url": self.action_url(),
            "restart_url": self.page_url({PARAM_BLOCK: self.block_id}),
            "token": state.dumps() if state is not None else "",
            "place_url": self.state_url(state) if state is not None and state.key else "",
            "start_url": self.start_url(state),
            "place": (state.place if state is not None else "") or kind,
            "explanation_url": app_settings.RANKING_EXPLANATION_URL,
            "notice": "",
            "field_block": FIELD_BLOCK,
            "field_token": FIELD_TOKEN,
            "field_action": FIELD_ACTION,
            "field_landing": FIELD_LANDING,
            "field_referrer": FIELD_REFERRER,
            "landing": strip_wizard_parameters(self.request.get_full_path()),
            "referrer": self.request.META.get("HTTP_REFERER", ""),
        }
        context.update(extra)
        if "step_number" in context:
            context["progress_percent"] = round(100 * context["step_number"] / context["step_count"])
        return context


def _expired_notice():
    return _(
        "Your selection had expired or could not be read, so the wizard has started again. "
        "Please answer the questions once more."
    )


def _changed_notice():
    return _(
        "We have changed the questions in the meantime. Your answers are kept; "
        "please answer the questions that are new or changed."
    )


def _unverified_notice():
    return _(
        "Your last step could not be verified as coming from this page, so it was not saved. "
        "Please check your answers and continue."
    )


def _blocked_notice(seconds):
    minutes = max(1, -(-int(seconds) // 60))
    return ngettext(
        "Very many requests have come from your network in a short time. Your answers are kept: "
        "please continue in about %(minutes)d minute.",
        "Very many requests have come from your network in a short time. Your answers are kept: "
        "please continue in about %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
