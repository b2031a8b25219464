"""RSS and Atom feeds of an article index, in the index's language."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from .localization import localize_objects

FEED_LENGTH = 20


class ArticleRssFeed(Feed):
    feed_type = Rss201rev2Feed

    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page
        # Django reads ``language`` as a plain attribute, never calls it.
        self.language = index_page.locale.language_code

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return self.index_page.seo_title or self.index_page.title

    def link(self):
        return self.index_page.get_full_url(self.request)

    def description(self):
        return self.index_page.search_description or self.index_page.title

    def feed_url(self):
        return self.request.build_absolute_uri()

    def items(self):
        articles = list(self.index_page.get_articles().prefetch_related("topics")[:FEED_LENGTH])
        topics = {topic for article in articles for topic in article.topics.all()}
        self.topic_names = {
            topic.translation_key: topic.name for topic in localize_objects(topics, self.index_page.locale)
        }
        return articles

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.teaser

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_guid(self, item):
        return item.get_full_url(self.request)

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.datetime.combine(item.display_date, datetime.time(8)))

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return item.author.name if item.author else None

    def item_categories(self, item):
        return [self.topic_names[topic.translation_key] for topic in item.topics.all()]


class ArticleAtomFeed(ArticleRssFeed):
    feed_type = Atom1Feed
    subtitle = ArticleRssFeed.description
