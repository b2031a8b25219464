"""The columns of a lead export: one per question key of the exported leads' questionnaires, then fixed ones.

Answers are written as the stored option keys (machine-readable; list answers
joined with ", "); headers use the question labels. Translations share their
question keys, so German and English leads share columns.
"""

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

ANSWER_PREFIX = "answers."


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
    ("top_vendors", "top_matches", _("Top vendors")),
)
FIXED_KEYS = tuple(key for key, _field, _header in FIXED_COLUMNS)
TEXT_COLUMNS = frozenset({"phone"})


def answer_key(column_key):
    """The question key of an answer column, or None for a fixed column."""
    return column_key[len(ANSWER_PREFIX) :] if column_key.startswith(ANSWER_PREFIX) else None


def export_columns(questionnaires):
    """The export's columns as ``[(key, header), ...]``.

    ``questionnaires``: questionnaires (or their ``Definition``\\ s), the source
    language first (``export_questionnaires`` orders them so). First one column per
    question key in questionnaire order, the union over all of them: translations
    share their keys, so German and English leads share columns, and the header is
    the label of the first questionnaire that has the key. Answer column keys are
    ``"answers.<question key>"``. Then the fixed columns of ``FIXED_COLUMNS``.
    """
    from ..models import Lead

    columns, seen = [], set()
    for questionnaire in questionnaires:
        definition = getattr(questionnaire, "definition", questionnaire)
        for step in definition.steps:
            for question in step.questions:
                if question.key not in seen:
                    seen.add(question.key)
                    columns.append((ANSWER_PREFIX + question.key, str(question.label or question.key)))
    for key, field, header in FIXED_COLUMNS:
        header = str(Lead._meta.get_field(field or key).verbose_name if header is None else header)
        # Technical names (utm_source, ...) stay as they are.
        columns.append((key, header if "_" in header else capfirst(header)))
    return columns


def export_questionnaires(queryset):
    """The questionnaires of the leads in ``queryset`` and their translations, default language first."""
    from wagtail.models import Locale

    from ..models import Questionnaire

    used = Questionnaire.objects.filter(pk__in=queryset.order_by().values("questionnaire_id"))
    questionnaires = list(
        Questionnaire.objects.filter(translation_key__in=used.values("translation_key")).order_by("pk")
    )
    try:
        default_locale_id = Locale.get_default().pk
    except Locale.DoesNotExist:
        default_locale_id = None
    questionnaires.sort(key=lambda q: (q.locale_id != default_locale_id, q.pk))
    return questionnaires


def columns_for(queryset):
    """``export_columns`` for the questionnaires of the leads in ``queryset``."""
    return export_columns(export_questionnaires(queryset))


def is_text_column(key):
    """Columns written as text even when they look like numbers: phone numbers and postcodes."""
    return key in TEXT_COLUMNS or (answer_key(key) or "").lower() in POSTCODE_KEYS
