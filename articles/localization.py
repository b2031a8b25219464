"""Resolve pages and snippets to the reader's locale in bulk.

Links between articles are stored as the page an editor chose (usually the
German source). Readers must land on the version in their own language, so the
links are resolved when the page is rendered: the translation in the reader's
locale when it exists and is visible, the chosen page otherwise. Everything here
works on whole lists at once, so the number of queries never depends on how
many links a page has.
"""

from collections.abc import Iterable


def localize_pages(pages: Iterable, locale, queryset):
    """Return ``pages`` mapped to their versions in ``locale``, in the same order.

    ``queryset`` is the set of pages a reader may see (e.g. live and public
    article pages); a page that has no visible translation falls back to itself
    when it is visible, and is dropped otherwise. Duplicates (two links to the
    same article in different languages) are dropped. One query.
    """
    pages = [page for page in pages if page is not None]
    if not pages:
        return []
    keys = {page.translation_key for page in pages}
    chosen_ids = {page.pk for page in pages}
    candidates = list(queryset.filter(translation_key__in=keys))
    in_locale = {page.translation_key: page for page in candidates if page.locale_id == locale.pk}
    by_id = {page.pk: page for page in candidates if page.pk in chosen_ids}

    result, seen = [], set()
    for page in pages:
        resolved = in_locale.get(page.translation_key) or by_id.get(page.pk)
        if resolved is None or resolved.translation_key in seen:
            continue
        seen.add(resolved.translation_key)
        result.append(resolved)
    return result


def localize_objects(objects: Iterable, locale):
    """Return translatable snippets mapped to ``locale`` where a translation exists. One query at most."""
    objects = list(objects)
    if not objects:
        return []
    if all(obj.locale_id == locale.pk for obj in objects):
        return objects  # each is its own translation in its locale: nothing to look up
    model = type(objects[0])
    translations = {
        obj.translation_key: obj
        for obj in model.objects.filter(
            translation_key__in={obj.translation_key for obj in objects}, locale=locale
        )
    }
    return [translations.get(obj.translation_key, obj) for obj in objects]
