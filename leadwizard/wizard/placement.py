"""Where wizard blocks sit on a page: a stable path for each, however deeply it is nested.

A wizard block at the top of a StreamField is named by its block id, as Wagtail
gives it. Inside a StructBlock, a ListBlock or a nested StreamBlock it has no id
of its own, so its path continues from the nearest one: the StreamField child's
id, then a struct field's name or a list or stream item's id, joined by dots
(``"1f3c…"``, ``"1f3c….wizard"``, ``"1f3c….items.8a2d…"``). The path travels in the
wizard's forms and tokens, and the serve hook finds the block by it again.
"""

import operator

from wagtail import blocks
from wagtail.fields import StreamField

SEPARATOR = "."


def _walk(block, value, path, found):
    # A class attribute rather than isinstance(): the block's module needs this one, not the other way round.
    if getattr(block, "is_lead_wizard", False):
        found[path] = (block, value)
    elif isinstance(block, blocks.StructBlock) and value is not None:
        for name, child in block.child_blocks.items():
            _walk(child, value.get(name), f"{path}{SEPARATOR}{name}", found)
    elif isinstance(block, blocks.StreamBlock) and value is not None:
        for child in value:
            _walk(child.block, child.value, f"{path}{SEPARATOR}{child.id}", found)
    elif isinstance(block, blocks.ListBlock) and value is not None:
        for item in getattr(value, "bound_blocks", ()):
            _walk(block.child_block, item.value, f"{path}{SEPARATOR}{item.id}", found)


def _may_hold_wizard(block):
    """Whether ``block`` (a definition) is a wizard block or has one among its child blocks."""
    if getattr(block, "is_lead_wizard", False):
        return True
    children = list(getattr(block, "child_blocks", {}).values())
    if getattr(block, "child_block", None) is not None:
        children.append(block.child_block)
    return any(_may_hold_wizard(child) for child in children)


def wizard_placements(page):
    """Every wizard block of ``page`` by its path: ``{path: (block, value)}``.

    Kept on the page object for as long as its StreamField values are the same
    objects: a step finds its block, then renders it, from the same values.
    """
    streams = [
        getattr(page, model_field.name)
        for model_field in page._meta.get_fields()
        if isinstance(model_field, StreamField)
    ]
    kept = getattr(page, "_leadwizard_placements", None)
    if kept is not None and len(kept[0]) == len(streams) and all(map(operator.is_, kept[0], streams)):
        return kept[1]
    found = {}
    for stream in streams:
        kinds = {name for name, block in stream.stream_block.child_blocks.items() if _may_hold_wizard(block)}
        # Only children of a kind that can hold a wizard are read: Wagtail turns a StreamField's
        # stored data into values one kind at a time, with a query for chosen pages, images and
        # snippets, which a page served from cached fragments never needs for its other blocks.
        for index, raw in enumerate(stream.raw_data):
            if raw["type"] in kinds:
                child = stream[index]
                _walk(child.block, child.value, str(child.id), found)
    # The streams themselves are kept, so that a new value can never be taken for them by its id.
    page._leadwizard_placements = (streams, found)
    return found


def find_wizard(page, path):
    """The wizard block at ``path`` on ``page``, as ``(block, value)``, or None."""
    if not path:
        return None
    return wizard_placements(page).get(path)


def path_of(request, page, value):
    """The path of the wizard block whose value is ``value`` on ``page``; None when it is not the page's own.

    The page's StreamField values are the very objects its template renders, so a
    value is recognised by its identity among the placements found for the page.
    """
    if request is None or page is None:
        return None
    return next(
        (path for path, (_block, found_value) in wizard_placements(page).items() if found_value is value),
        None,
    )
