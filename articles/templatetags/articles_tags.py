"""Template tags of the articles plugin."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def read_also_target(context, page):
    """The page a "Read also" link should point to for this reader.

    ArticlePage.get_context resolves all such links in one query and puts the
    map in the context; without it (e.g. a block rendered elsewhere), the chosen
    page is used as long as it is live.
    """
    if page is None:
        return None
    targets = context.get("read_also_targets")
    if targets is not None:
        return targets.get(page.pk)
    return page if page.live else None
