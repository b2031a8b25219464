"""load_demo builds the whole demo site, through wagtail-localize for English, and is idempotent."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail_localize.models import Translation

from articles.models import ArticlePage, Author, RelatedArticle, Topic
from leadwizard.models import Questionnaire, Vendor
from website.models import HomePage


def snapshot():
    return {
        "pages": sorted(Page.objects.values_list("url_path", "title", "live", "locale__language_code")),
        "related": sorted(RelatedArticle.objects.values_list("page_id", "article_id", "sort_order")),
        "topics": sorted(Topic.objects.values_list("slug", "name", "locale__language_code")),
        "authors": sorted(Author.objects.values_list("name", "role", "locale__language_code")),
        "images": sorted(get_image_model().objects.values_list("title", flat=True)),
        "questionnaires": sorted(Questionnaire.objects.values_list("title", "locale__language_code")),
        "vendors": sorted(Vendor.objects.values_list("name", "short_description", "locale__language_code")),
        "translations": Translation.objects.count(),
    }


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())


def test_demo_content(demo, client):
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)

    german = ArticlePage.objects.filter(locale__language_code="de", live=True)
    english = ArticlePage.objects.filter(locale__language_code="en", live=True)
    assert german.count() >= 6
    assert english.count() >= 2
    for article in german:
        assert article.hero_image and article.author and article.topics.exists()
        assert article.hero_alt_text
    assert RelatedArticle.objects.filter(page__in=german).exists()
    assert any(block.block_type == "read_also" for article in german for block in article.body)

    # English versions come from wagtail-localize, with English text.
    for article in english:
        source = ArticlePage.objects.get(translation_key=article.translation_key, locale__language_code="de")
        assert Translation.objects.filter(
            source__object_id=article.translation_key, target_locale=article.locale
        ).exists()
        assert article.title != source.title
        assert article.url.startswith("/en/")
        assert client.get(article.url).status_code == 200

    # The wizard: questionnaire in both languages, a real catalogue, on the home page and in articles.
    assert Questionnaire.objects.filter(locale__language_code="de").count() == 1
    assert Questionnaire.objects.filter(locale__language_code="en").count() == 1
    assert Vendor.objects.filter(locale__language_code="de").count() >= 30
    with_wizard = [a for a in german if any(b.block_type == "lead_wizard" for b in a.body)]
    assert len(with_wizard) >= 2
    assert any(b.block_type == "lead_wizard" for b in site.root_page.specific.body)
    html = client.get(with_wizard[0].url).content.decode()
    assert "Starten Sie Ihre CRM-Auswahl" in html
    assert "Schritt 1 von 7" in html


def test_load_demo_twice_gives_the_same_content(demo, django_capture_on_commit_callbacks):
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    assert snapshot() == before


def test_ensure_superuser_creates_one_admin_once(db, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    out = io.StringIO()
    call_command("ensure_superuser", stdout=out)
    assert "Its password is:" in out.getvalue()
    password = out.getvalue().split("Its password is: ")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    again = io.StringIO()
    call_command("ensure_superuser", stdout=again)
    assert "exists already" in again.getvalue()
    assert get_user_model().objects.count() == 1


def test_ensure_superuser_takes_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "geheim-und-lang-genug")
    out = io.StringIO()
    call_command("ensure_superuser", stdout=out)
    assert "geheim" not in out.getvalue()
    assert get_user_model().objects.get(username="admin").check_password("geheim-und-lang-genug")
