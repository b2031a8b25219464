"""Admin registration of the article snippets (authors and topics)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Author, Topic


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_label = _("Authors")
    list_display = ["name", "role", "locale"]
    list_filter = ["locale"]
    search_fields = ["name", "role"]


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Topics")
    list_display = ["name", "slug", "locale"]
    list_filter = ["locale"]
    search_fields = ["name", "slug"]


class ArticleSnippetsGroup(SnippetViewSetGroup):
    menu_label = _("Magazine")
    menu_icon = "doc-full"
    menu_order = 250
    items = (AuthorViewSet, TopicViewSet)


register_snippet(ArticleSnippetsGroup)
