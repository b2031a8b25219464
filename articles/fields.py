"""The article body's StreamField, whose blocks depend on the plugins installed but whose migrations do not.

With ``leadwizard`` installed, editors can put the CRM-Auswahl wizard and the
ranking explanation into an article; without it, those blocks are not offered.
Wagtail writes a StreamField's blocks into migrations, so a site without
``leadwizard`` would see "changes not reflected in migrations" for this app. The
body's blocks are a fact of the code, not of the database (the column is JSON
either way), so this field leaves them out of its migrations.
"""

from wagtail.fields import StreamField


class ArticleBodyField(StreamField):
    """``StreamField(ArticleBodyBlock())`` that migrations know only by its options."""

    def __init__(self, *args, **kwargs):
        from .blocks import ArticleBodyBlock

        kwargs.pop("block_lookup", None)
        super().__init__(ArticleBodyBlock(), **kwargs)

    def deconstruct(self):
        name, _path, _args, kwargs = super().deconstruct()
        kwargs.pop("block_lookup", None)
        return name, "articles.fields.ArticleBodyField", [], kwargs
