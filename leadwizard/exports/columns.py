"""The columns of a lead export, in the language the caller picks.

First one column per question the exported leads answered: the questions of
their questionnaires (translations share their question keys, so German and
English leads share columns), then the keys of questions since removed that
stored answers still hold. Answers are written as the labels the reader saw;
the option keys follow as machine columns (``answer_keys.<question key>``).
Then the fixed columns; headers are in the export's language.
"""

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ANSWER_PREFIX = "answers."
ANSWER_KEY_PREFIX = "answer_keys."


# Question keys that hold postcodes: always text, or "01067" would become 1067.
POSTCODE_KEYS = frozenset({"postcode", "postal_code", "zip", "zip_code", "zipcode", "plz", "postleitzahl"})


# (column key, lead field read from the database, header); None: the field's verbose name.
FIXED_COLUMNS = (
    ("created_at", "created_at", None),
    ("status", "status", None),
    ("assignee", None, None),  # the assignee's user name
    ("name", "name", None),
    ("company", "company", None),
    ("email", "email", None),
    ("phone", "phone", None),
    ("message", "message", None),
    ("notes", None, _("Internal notes")),  # every LeadNote, oldest first
    ("consent_given_at", "consent_given_at", None),
    ("consent_version", "consent_version", None),
    ("marketing_consent", "marketing_consent", None),
    ("marketing_confirmed_at", "marketing_confirmed_at", None),
    ("source_url", "source_url", None),
    ("locale", "locale", None),
    ("landing_url", "landing_url", None),
    ("referrer", "referrer", None),
    ("utm_source", "utm_source", None),
    ("utm_medium", "utm_medium", None),
    ("utm_campaign", "utm_campaign", None),
    ("utm_term", "utm_term", None),
    ("utm_content", "utm_content", None),
    ("match_count", "match_count", None),
    ("top_vendors", "top_matches", _("Top vendors")),  # "Alpha CRM (87 %), ..."
    ("marketing_state", None, _("Marketing consent")),  # none / asked / confirmed / withdrawn
)
FIXED_KEYS = tuple(key for key, _field, _header in FIXED_COLUMNS)
TEXT_COLUMNS = frozenset({"phone"})


def export_language(language=None):
    """The export's language code: ``language`` if it is one of LANGUAGES, by default LANGUAGE_CODE."""
    language = language or settings.LANGUAGE_CODE
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        raise ValueError(f"Unknown export language {language!r}") from None


def answer_key(column_key):
    """The question key of an answer (label) column, or None for any other column."""
    return column_key[len(ANSWER_PREFIX) :] if column_key.startswith(ANSWER_PREFIX) else None


def option_key_column(column_key):
    """The question key of a machine column of option keys (``answer_keys.<key>``), or None."""
    return column_key[len(ANSWER_KEY_PREFIX) :] if column_key.startswith(ANSWER_KEY_PREFIX) else None


def stored_question_key(column_key):
    """The question key whose stored answer a column shows, label or option keys; None for fixed columns."""
    return answer_key(column_key) or option_key_column(column_key)


def definitions(questionnaires):
    return [getattr(questionnaire, "definition", questionnaire) for questionnaire in questionnaires]


def export_columns(questionnaires, language=None, stored_keys=(), stored_labels=None):
    """The export's columns as ``[(key, header), ...]``, headers in ``language``.

    ``questionnaires``: questionnaires (or their ``Definition``\\ s), the export's
    language first (``export_questionnaires`` orders them so). First one column
    per question key in questionnaire order, the union over all of them, headed
    by the label of the first questionnaire that has the key; then one per key of
    ``stored_keys`` (answers stored by leads) that no questionnaire asks any more,
    headed by ``stored_labels[key]`` or the key. Answer column keys are
    ``"answers.<question key>"``. Then ``"answer_keys.<question key>"`` for every
    question with options: the option keys as stored, for machines. Then the
    fixed columns of ``FIXED_COLUMNS``.
    """
    from ..models import Lead

    language = export_language(language)
    stored_labels = stored_labels or {}
    answers, with_options, seen = [], [], set()
    with translation.override(language):
        for definition in definitions(questionnaires):
            for step in definition.steps:
                for question in step.questions:
                    if question.key not in seen:
                        seen.add(question.key)
                        label = str(question.label or question.key)
                        answers.append((ANSWER_PREFIX + question.key, label))
                        if question.choices:
                            with_options.append((ANSWER_KEY_PREFIX + question.key, label))
        for key in sorted(set(stored_keys) - seen):
            answers.append((ANSWER_PREFIX + key, str(stored_labels.get(key) or key)))
        columns = answers + [
            # Translators: header of a column of machine-readable option keys; label: the question
            (key, gettext("%(label)s (key)") % {"label": label})
            for key, label in with_options
        ]
        for key, field, header in FIXED_COLUMNS:
            header = str(Lead._meta.get_field(field or key).verbose_name if header is None else header)
            # Technical names (utm_source, ...) stay as they are.
            columns.append((key, header if "_" in header else capfirst(header)))
    return columns


def export_questionnaires(queryset, language=None):
    """The questionnaires of the leads in ``queryset`` and their translations, ``language``'s first.

    Then the default language's, then the rest, each in id order.
    """
    from ..models import Questionnaire

    language = export_language(language)
    used = Questionnaire.objects.filter(pk__in=queryset.order_by().values("questionnaire_id"))
    questionnaires = list(
        Questionnaire.objects.filter(translation_key__in=used.values("translation_key"))
        .select_related("locale")
        .order_by("pk")
    )
    return order_questionnaires(questionnaires, language)


def order_questionnaires(questionnaires, language):
    """``questionnaires`` (with their locales) sorted: ``language``'s first, then the default language's, then by id."""
    from wagtail.models import Locale

    try:
        default_locale_id = Locale.get_default().pk
    except Locale.DoesNotExist:
        default_locale_id = None
    return sorted(
        questionnaires,
        key=lambda q: (q.locale.language_code != language, q.locale_id != default_locale_id, q.pk),
    )


def stored_answer_keys(queryset, known=()):
    """The distinct keys of the stored ``answers`` of the leads in ``queryset`` beyond ``known``.

    The answers of questions removed from the questionnaire are still stored, so
    their columns come from the leads, not from the questionnaire. On PostgreSQL
    the keys any lead has stored are kept (``StoredAnswerKey``), and for each of
    them beyond ``known`` (the questions still asked, so usually none) one query
    asks whether a lead of ``queryset`` has it, through the index on the answers:
    the export's first byte does not wait for every lead to be read. Elsewhere
    the keys are listed from the leads in one query.
    """
    from ..models import StoredAnswerKey

    known = set(known)
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        candidates = set(StoredAnswerKey.objects.using(queryset.db).values_list("key", flat=True)) - known
        return {key for key in sorted(candidates) if queryset.filter(answers__has_key=key).exists()}
    try:
        ids_sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a query that matches nothing (.none())
        return set()
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    pk = connection.ops.quote_name(queryset.model._meta.pk.column)
    # Only quoted names and the ORM's own SQL go into the text; the values are parameters.
    if connection.vendor == "sqlite":
        sql = (
            f"SELECT DISTINCT answer.key FROM {table}, json_each({table}.answers) AS answer "  # noqa: S608
            f"WHERE json_type({table}.answers) = 'object' AND {table}.{pk} IN ({ids_sql})"
        )
    else:  # no JSON functions: the keys from the leads themselves
        keys = set()
        for answers in queryset.order_by().values_list("answers", flat=True).iterator():
            keys.update(answers if isinstance(answers, dict) else ())
        return keys - known
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key for (key,) in cursor.fetchall()} - known


def stored_question_labels(queryset, keys, language):
    """The question labels that leads stored (``answer_labels``) for ``keys``: one query per key.

    Only for the keys of removed questions, which are few; a lead in ``language``
    is preferred, the newest first.
    """
    labels = {}
    for key in keys:
        # Two queries newest first rather than one sorted by language: each stops at its first lead.
        having = queryset.filter(answers__has_key=key).order_by("-pk").values_list("answer_labels", flat=True)
        groups = having.filter(locale=language).first()
        if groups is None:
            groups = having.first()
        for group in groups if isinstance(groups, list) else ():
            for row in group.get("questions", []) if isinstance(group, dict) else ():
                if isinstance(row, dict) and row.get("key") == key and row.get("question"):
                    labels[key] = str(row["question"])
    return labels


def columns_for(queryset, language=None):
    """Every column available for the leads in ``queryset``, in the default order, headers in ``language``."""
    language = export_language(language)
    questionnaires = export_questionnaires(queryset, language)
    asked = {
        question.key for d in definitions(questionnaires) for step in d.steps for question in step.questions
    }
    removed = stored_answer_keys(queryset, asked)
    labels = stored_question_labels(queryset, sorted(removed), language) if removed else {}
    return export_columns(questionnaires, language, removed, labels)


def is_text_column(key):
    """Columns written as text even when they look like numbers: phone numbers and postcodes."""
    return key in TEXT_COLUMNS or (stored_question_key(key) or "").lower() in POSTCODE_KEYS
