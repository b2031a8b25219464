"""The vendor catalogue as readers, consultants and mails see it: vendors in a language, matches in words.

Matching runs on the source-language vendors; what a reader or a consultant
reads is each vendor's translation in the lead's language, and each stored
reason with the questionnaire's labels instead of option keys.
"""

from wagtail.models import Locale

from .criteria import labels as criterion_labels
from .models import Vendor


def localized(instance, locale):
    """``instance``'s translation in ``locale`` when there is one, else ``instance`` itself."""
    if instance is None or instance.locale_id == locale.pk:
        return instance
    return instance.get_translation_or_none(locale) or instance


def catalogue_of(questionnaire):
    """Every vendor of a questionnaire's catalogue, in any language, active or not."""
    return Vendor.objects.filter(questionnaire__translation_key=questionnaire.translation_key)


def source_vendors(questionnaire):
    """The active vendors of a questionnaire's catalogue, in the default (source) language."""
    return catalogue_of(questionnaire).filter(active=True, locale=Locale.get_default()).select_related("logo")


def questionnaire_source_vendors(questionnaire):
    """``source_vendors`` of a questionnaire with each one's matching profile, read once per instance.

    Returns ``(vendors by id, profiles)``. The contact step and the final submit
    each match the reader's answers against every active vendor, and reading and
    building them was most of that. A process keeps its questionnaires briefly
    (``wizard.questionnaires.load``, ``LEADWIZARD_QUESTIONNAIRE_LOCAL_SECONDS``),
    and the vendors read for one go with it: saving or deleting a vendor in this
    process forgets every kept questionnaire, other processes read the catalogue
    again once their copy is older than the setting.
    """
    kept = questionnaire.__dict__.get("_leadwizard_source_vendors")
    if kept is None:
        vendors = {vendor.pk: vendor for vendor in source_vendors(questionnaire)}
        kept = (vendors, tuple(vendor.to_profile() for vendor in vendors.values()))
        questionnaire.__dict__["_leadwizard_source_vendors"] = kept
    return kept


def vendors_by_id(vendor_ids, locale, loaded=None):
    """The vendors of ``vendor_ids`` by id, each in ``locale`` where translated; unknown ids left out.

    At most two queries: the vendors not in ``loaded`` (vendors already read, by
    id, with their logos), and the translations of those not in ``locale``
    already. A reader in the catalogue's own language needs none for vendors
    the matching has read.
    """
    loaded = loaded or {}
    vendors = {pk: loaded[pk] for pk in vendor_ids if pk in loaded}
    missing = [pk for pk in vendor_ids if pk not in loaded]
    if missing:
        vendors.update((v.pk, v) for v in Vendor.objects.filter(pk__in=missing).select_related("logo"))
    elsewhere = [v.translation_key for v in vendors.values() if v.locale_id != locale.pk]
    translations = (
        {
            v.translation_key: v
            for v in Vendor.objects.filter(translation_key__in=elsewhere, locale=locale).select_related(
                "logo"
            )
        }
        if elsewhere
        else {}
    )
    return {pk: translations.get(vendor.translation_key, vendor) for pk, vendor in vendors.items()}


def vendors_in_order(vendor_ids, locale):
    """Vendors by id in the given order, each in ``locale`` where translated. Two queries."""
    found = vendors_by_id(vendor_ids, locale)
    return [found[vendor_id] for vendor_id in vendor_ids if vendor_id in found]


def lead_locale(lead):
    """The Wagtail locale of the lead's language; the default locale when the site has no such locale."""
    return Locale.objects.filter(language_code=lead.locale).first() or Locale.get_default()


def readable_reasons(definition, reasons):
    """Stored reasons with criteria and option keys turned into labels, in the active language."""
    roles = criterion_labels()
    readable = []
    for reason in reasons or []:
        if not isinstance(reason, dict):
            continue
        criterion = reason.get("criterion", "")
        question = definition.question_for_role(criterion) if definition else None
        labels = {option.key: option.label for option in question.choices} if question else {}
        readable.append(
            {
                "criterion": criterion,
                "label": str(roles.get(criterion, criterion)),
                "values": [str(labels.get(key, key)) for key in reason.get("keys", [])],
                "met": bool(reason.get("met", False)),
                "points": reason.get("points", 0),
            }
        )
    return readable


def readable_matches(lead):
    """Every match stored on the lead, best first, with its reasons in words."""
    definition = lead.questionnaire.definition if lead.questionnaire else None
    return [
        {
            "vendor_id": match.get("vendor_id"),
            "vendor": match.get("vendor"),
            "score": match.get("score"),
            "reasons": readable_reasons(definition, match.get("reasons")),
        }
        for match in lead.matches or []
        if isinstance(match, dict)
    ]


def localized_matches(lead):
    """Every stored match with its reasons in words and its vendor (``catalogue_vendor``) in the lead's
    language; ``catalogue_vendor`` is None for a vendor deleted since. Three queries."""
    matches = readable_matches(lead)
    ids = [match["vendor_id"] for match in matches if isinstance(match["vendor_id"], int)]
    vendors = vendors_by_id(ids, lead_locale(lead))
    return [{**match, "catalogue_vendor": vendors.get(match["vendor_id"])} for match in matches]


# The reader's pages (the wizard's contact step and longlist) take one shape for live and stored matches,
# so that one template serves both: before the lead is saved there are only ``Match`` objects.


def _reader_match(vendor, name, score, reasons):
    # The catalogue's current name in the reader's language wins; the name stored with the match is all that
    # is left of a vendor deleted since.
    return {
        "vendor": vendor,
        "name": vendor.name if vendor else (name or ""),
        "score": score,
        "reasons": reasons,
    }


def reader_matches(definition, matches, locale, loaded=None):
    """``match_vendors``' live matches for the reader, in their order (best first): each a dict of ``vendor``
    (the ``Vendor`` in ``locale``, None when gone), ``name``, ``score`` and ``reasons`` (``readable_reasons``,
    labelled from ``definition``, the reader's questionnaire). At most two queries, however many matches;
    ``loaded``: the vendors the matching read, by id (``vendors_by_id``)."""
    vendors = vendors_by_id([match.vendor.id for match in matches], locale, loaded)
    return [
        _reader_match(
            vendors.get(match.vendor.id),
            match.vendor.name,
            match.score,
            readable_reasons(definition, [reason.as_dict() for reason in match.reasons]),
        )
        for match in matches
    ]


def lead_reader_matches(lead):
    """The lead's stored matches in ``reader_matches``' shape, in the lead's language; ``vendor`` is None for a
    vendor deleted since. The queries of ``localized_matches``."""
    return [
        _reader_match(match["catalogue_vendor"], match["vendor"], match["score"], match["reasons"])
        for match in localized_matches(lead)
    ]
