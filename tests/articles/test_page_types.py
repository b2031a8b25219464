"""Which page types may be created where, creating an article in the admin, and hero image validation."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)

from articles.models import ArticleIndexPage, ArticlePage
from tests.factories import ArticlePageFactory, ImageFactory, TopicFactory, build_site, home_page_model

HomePage = home_page_model()


class PageTypeRulesTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site_tree = build_site()
        cls.topic = TopicFactory(name="Vertrieb", slug="vertrieb")
        cls.other = ArticlePageFactory(
            parent=cls.site_tree.index, title="Anderer Artikel", slug="anderer-artikel"
        )
        cls.image = ImageFactory(description="")

    def setUp(self):
        self.login()

    def test_article_indexes_go_below_home(self):
        self.assertCanCreateAt(HomePage, ArticleIndexPage)
        self.assertIn(HomePage, ArticleIndexPage.allowed_parent_page_models())
        self.assertNotIn(ArticlePage, HomePage.allowed_subpage_models())

    def test_article_index_holds_only_articles(self):
        self.assertAllowedSubpageTypes(ArticleIndexPage, {ArticlePage})
        self.assertCanCreateAt(ArticleIndexPage, ArticlePage)

    def test_article_has_no_children_and_lives_only_in_an_index(self):
        self.assertAllowedSubpageTypes(ArticlePage, set())
        self.assertAllowedParentPageTypes(ArticlePage, {ArticleIndexPage})
        self.assertCanNotCreateAt(HomePage, ArticlePage)
        self.assertCanNotCreateAt(ArticlePage, ArticlePage)
        self.assertCanNotCreateAt(Page, ArticlePage)

    def test_admin_refuses_an_article_directly_below_home(self):
        for parent in (self.site_tree.home, self.other):
            url = reverse("wagtailadmin_pages:add", args=["articles", "articlepage", parent.pk])
            response = self.client.post(url, self.article_form_data())
            # Wagtail turns the PermissionDenied into a redirect to the dashboard.
            self.assertRedirects(response, reverse("wagtailadmin_home"), fetch_redirect_response=False)
        self.assertFalse(ArticlePage.objects.filter(slug="crm-im-mittelstand").exists())

    def article_form_data(self, **overrides):
        data = {
            "title": "CRM im Mittelstand",
            "slug": "crm-im-mittelstand",
            "teaser": "Was kleine Firmen vom CRM erwarten können.",
            "lead_quote": "",
            "lead_quote_attribution": "",
            "date": "",
            "hero_image": "",
            "hero_image_alt": "",
            "hero_image_caption": "",
            "body": streamfield(
                [
                    ("heading", {"text": "Ausgangslage", "level": "h2"}),
                    (
                        "paragraph",
                        rich_text(
                            "<p>Viele Firmen arbeiten mit Tabellen.</p>",
                            features=["bold", "italic", "link", "ol", "ul"],
                        ),
                    ),
                    ("quote", {"text": "Ein CRM ist so gut wie seine Daten.", "attribution": "Redaktion"}),
                    ("read_also", {"page": self.other.pk, "label": ""}),
                ]
            ),
            "related_links": inline_formset([{"article": self.other.pk}]),
            "comments": inline_formset([]),
        }
        data.update(overrides)
        data = nested_form_data(data)
        # A multiple choice field: posted as a list, not nested form data.
        data["topics"] = [self.topic.pk]
        return data

    def test_create_an_article_in_the_admin(self):
        self.assertCanCreate(self.site_tree.index, ArticlePage, self.article_form_data())

        page = ArticlePage.objects.get(slug="crm-im-mittelstand")
        self.assertTrue(page.live)
        self.assertEqual(page.get_parent().pk, self.site_tree.index.pk)
        self.assertEqual(page.locale, self.site_tree.de)
        self.assertEqual(page.teaser, "Was kleine Firmen vom CRM erwarten können.")
        self.assertEqual(
            [block.block_type for block in page.body],
            ["heading", "paragraph", "quote", "read_also"],
        )
        self.assertEqual(page.body[0].value["level"], "h2")
        self.assertIn("Viele Firmen arbeiten mit Tabellen.", page.body[1].value.source)
        self.assertEqual(page.body[3].value["page"].pk, self.other.pk)
        self.assertEqual([link.article_id for link in page.related_links.all()], [self.other.pk])
        self.assertEqual(list(page.topics.all()), [self.topic])
        # No date entered: the date of first publication is used.
        self.assertEqual(page.date, timezone.localdate(page.first_published_at))

        response = self.client.get(page.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'href="{self.other.url}"')

    def test_admin_rejects_a_hero_image_without_any_description(self):
        url = reverse("wagtailadmin_pages:add", args=["articles", "articlepage", self.site_tree.index.pk])
        response = self.client.post(url, self.article_form_data(hero_image=self.image.pk))

        self.assertEqual(response.status_code, 200)
        self.assertIn("hero_image_alt", response.context["form"].errors)
        self.assertFalse(ArticlePage.objects.filter(slug="crm-im-mittelstand").exists())

    def test_admin_accepts_a_hero_image_with_alt_text(self):
        self.assertCanCreate(
            self.site_tree.index,
            ArticlePage,
            self.article_form_data(hero_image=self.image.pk, hero_image_alt="Ein Team am Whiteboard"),
        )
        page = ArticlePage.objects.get(slug="crm-im-mittelstand")
        self.assertEqual(page.hero_image_id, self.image.pk)
        self.assertEqual(page.hero_alt_text, "Ein Team am Whiteboard")

    def test_existing_article_is_editable_renderable_and_previewable(self):
        # The StreamField editor builds its form data in JavaScript, so it is given here.
        data = self.article_form_data(title=self.other.title, slug=self.other.slug)
        self.assertPageIsEditable(self.other, post_data=data)
        self.assertPageIsRenderable(self.other)
        self.assertPageIsPreviewable(self.other, post_data=data)


class HeroImageCleanTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.undescribed = ImageFactory(description="")
        cls.described = ImageFactory(description="Zwei Personen vor einem Bildschirm")

    def article(self, **kwargs):
        return ArticlePage(title="Artikel", slug="artikel", teaser="Ein Teaser.", **kwargs)

    def test_hero_image_without_alt_text_and_without_description_is_rejected(self):
        with self.assertRaises(ValidationError) as caught:
            self.article(hero_image=self.undescribed).clean()
        self.assertIn("hero_image_alt", caught.exception.error_dict)

    def test_alt_text_makes_the_hero_image_valid(self):
        page = self.article(hero_image=self.undescribed, hero_image_alt="Ein Büro")
        page.clean()
        self.assertEqual(page.hero_alt_text, "Ein Büro")

    def test_image_description_makes_the_hero_image_valid(self):
        page = self.article(hero_image=self.described)
        page.clean()
        self.assertEqual(page.hero_alt_text, "Zwei Personen vor einem Bildschirm")

    def test_no_hero_image_needs_no_alt_text(self):
        page = self.article()
        page.clean()
        self.assertEqual(page.hero_alt_text, "")
