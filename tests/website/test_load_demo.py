"""load_demo builds the whole demo site from its data files, through wagtail-localize for English, and is idempotent."""

import io
import shutil
import tomllib

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail_localize.models import Translation

from articles.models import ArticlePage, Author, RelatedArticle, Topic
from leadwizard.models import Lead, Questionnaire, Shortlist, Vendor
from leadwizard.questionnaire import Condition, Definition, Question, Step
from website.demo import datafiles
from website.demo.datafiles import DATA_DIR, DemoDataError, article_files, load_content
from website.demo.loader import DemoLoader
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
        "leads": sorted(Lead.objects.values_list("email", "status", "match_count")),
        "shortlists": Shortlist.objects.count(),
    }


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())


def test_demo_content(demo, client):
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)

    # Every article file becomes a German page, and an English one where it has [en].
    files = article_files()
    german = ArticlePage.objects.filter(locale__language_code="de", live=True)
    english = ArticlePage.objects.filter(locale__language_code="en", live=True)
    assert sorted(german.values_list("slug", flat=True)) == sorted(path.stem for path in files)
    assert english.count() == sum("en" in tomllib.loads(path.read_text("utf-8")) for path in files) >= 2
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
        assert article.url.startswith("/en/magazine/")
        assert client.get(article.url).status_code == 200

    # English readers get English addresses: the slugs are translated like the titles.
    english_urls = {article.url for article in english}
    assert "/en/magazine/crm-selection-in-five-steps/" in english_urls
    assert client.get("/en/privacy/").status_code == 200
    assert client.get("/magazin/autor/lena-hoffmann/").status_code == 200
    assert client.get("/en/magazine/author/lena-hoffmann/").status_code == 200
    assert client.get("/magazin/thema/datenschutz/").status_code == 200
    assert client.get("/en/magazine/topic/data-protection/").status_code == 200

    # The wizard: questionnaire in both languages, a real catalogue, on the home page and in articles.
    assert Questionnaire.objects.filter(locale__language_code="de").count() == 1
    assert Questionnaire.objects.filter(locale__language_code="en").count() == 1
    raw_steps = _raw("questionnaire.toml")["steps"]
    for questionnaire in Questionnaire.objects.all():
        assert [step.value["key"] for step in questionnaire.steps] == [step["key"] for step in raw_steps]
    vendors = _raw("vendors.toml")["vendors"]
    assert len(vendors) >= 30
    for language in ("de", "en"):
        assert sorted(
            Vendor.objects.filter(locale__language_code=language).values_list("name", flat=True)
        ) == (sorted(vendor["name"] for vendor in vendors))
    assert Topic.objects.filter(locale__language_code="de").count() == len(_raw("topics.toml")["topics"])
    assert Author.objects.filter(locale__language_code="de").count() == len(_raw("authors.toml")["authors"])
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


# The data files -------------------------------------------------------------------


def _raw(name):
    """A data file as tomllib reads it, without the loader's checks."""
    return tomllib.loads((DATA_DIR / name).read_text("utf-8"))


@pytest.mark.parametrize(
    "path", sorted(DATA_DIR.rglob("*.toml")), ids=lambda path: str(path.relative_to(DATA_DIR))
)
def test_every_data_file_parses(path):
    # read_toml names the file in its error, so a typo fails here with the file's name.
    assert datafiles.read_toml(path)


def test_the_data_folder_holds_no_other_files():
    # Only TOML is read: anything else (a stray .json, an editor's backup) would be silently ignored.
    others = [
        str(p.relative_to(DATA_DIR)) for p in DATA_DIR.rglob("*") if p.is_file() and p.suffix != ".toml"
    ]
    assert others == []


def test_the_loader_finds_every_article_vendor_and_question():
    content = load_content()
    files = article_files()
    assert len(files) >= 6
    assert [article["slug"] for article in content.articles] == _raw("pages.toml")["magazine"]["articles"]
    assert sorted(article["slug"] for article in content.articles) == sorted(path.stem for path in files)
    assert [article["en"] is not None for article in content.articles] == [
        "en" in _raw(f"articles/{article['slug']}.toml") for article in content.articles
    ]
    assert [vendor["name"] for vendor in content.vendors] == [
        v["name"] for v in _raw("vendors.toml")["vendors"]
    ]
    raw_steps = _raw("questionnaire.toml")["steps"]
    for language in ("de", "en"):
        steps = content.questionnaire[language]["steps"]
        assert [step["key"] for step in steps] == [step["key"] for step in raw_steps]
        assert [len(step["questions"]) for step in steps] == [len(step["questions"]) for step in raw_steps]
    assert len(content.topics) == len(_raw("topics.toml")["topics"])
    assert len(content.authors) == len(_raw("authors.toml")["authors"])
    # The demo reader answers the steps shown to them, in order: the conditional step "sites" only
    # follows a "yes" to multi_branch, which the demo answers do not give. Visibility is decided by
    # the wizard's own rules (Definition.visible_step_indexes), applied to the data file's steps.
    demo_answers = datafiles.demo_answers()
    answers = {key: value for step in demo_answers for key, value in step.items()}
    visible = _definition(raw_steps).visible_step_indexes(answers)
    # The demo questionnaire has a step these answers hide, so the condition is really exercised.
    assert len(visible) < len(raw_steps)
    assert [sorted(step) for step in demo_answers] == [
        sorted(question["key"] for question in raw_steps[index]["questions"]) for index in visible
    ]


def _definition(raw_steps):
    """The questionnaire file's steps as the wizard's ``Definition`` (keys, kinds and conditions only)."""
    return Definition.build(
        [
            Step(
                key=step["key"],
                title=step["key"],
                questions=tuple(
                    Question(
                        key=question["key"],
                        label=question["key"],
                        kind=question["kind"],
                        condition=Condition.from_value(question.get("condition")),
                    )
                    for question in step["questions"]
                ),
                condition=Condition.from_value(step.get("condition")),
            )
            for step in raw_steps
        ]
    )


def test_every_vendor_key_is_a_vendor_field():
    for vendor in load_content().vendors:
        DemoLoader.vendor_fields(vendor)  # raises DemoDataError naming the vendor


def _break(folder, name, old, new):
    path = folder / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


SLUG = "crm-auswahl-in-fuenf-schritten"


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (
            lambda d: _break(d, f"articles/{SLUG}.toml", "\n[de]\n", "\n[de\n"),
            f"articles/{SLUG}.toml: not valid TOML",
        ),
        (
            lambda d: _break(d, f"articles/{SLUG}.toml", 'author = "lena"', ""),
            f"articles/{SLUG}.toml: 'author'",
        ),
        (lambda d: _break(d, f"articles/{SLUG}.toml", 'author = "lena"', 'author = "lea"'), "authors.toml"),
        (lambda d: _break(d, f"articles/{SLUG}.toml", "date = 2026-10-02", 'date = "2.10."'), "TOML date"),
        (lambda d: _break(d, "topics.toml", 'name.en = "Sales"', ""), "topics.toml topic 4"),
        (
            lambda d: _break(d, "pages.toml", f'"{SLUG}",', ""),
            f"articles/{SLUG}.toml: the article is not listed",
        ),
        (
            lambda d: (d / "articles" / f"{SLUG}.toml").unlink(),
            f"pages.toml: magazine.articles lists '{SLUG}'",
        ),
        (
            lambda d: _break(d, "questionnaire.toml", 'title.en = "Industry"', ""),
            "questionnaire.toml: steps[1 industry].title needs a text in each of de, en",
        ),
        (
            lambda d: _break(d, "vendors.toml", 'name = "Kundenwerk"\n', ""),
            "vendors.toml vendor 2 (?): 'name'",
        ),
        (lambda d: (d / "pages.toml").unlink(), "pages.toml: file is missing"),
    ],
    ids=[
        "invalid-toml",
        "missing-key",
        "unknown-author",
        "date-as-string",
        "missing-translation",
        "unlisted-article",
        "listed-article-without-file",
        "questionnaire-one-language",
        "vendor-without-name",
        "missing-file",
    ],
)
def test_a_broken_data_file_is_named(tmp_path, breakage, message):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    breakage(data)
    with pytest.raises(DemoDataError) as error:
        load_content(data)
    assert message in str(error.value)


def test_load_demo_reports_a_broken_file_and_writes_nothing(db, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    _break(data, "vendors.toml", "[[vendors]]", "[[vendors]")
    monkeypatch.setattr("website.demo.loader.load_content", lambda: load_content(data))
    pages = Page.objects.count()
    with pytest.raises(CommandError, match=r"Demo data: vendors\.toml: not valid TOML"):
        call_command("load_demo", stdout=io.StringIO())
    assert Page.objects.count() == pages
    assert not Vendor.objects.exists()


def test_demo_has_a_consultant_and_leads_in_different_states(demo, client):
    consultant = get_user_model().objects.get(username="beraterin")
    assert not consultant.has_usable_password()  # no password in the repository
    assert consultant.has_perm("leadwizard.change_lead")
    leads = {lead.name: lead for lead in Lead.objects.all()}
    assert {lead.status for lead in leads.values()} == {"new", "in_progress", "shortlist_sent"}
    assert {lead.locale for lead in leads.values()} == {"de", "en"}
    sent = leads["Miriam Kolb"]
    shortlist = sent.shortlists.get()
    assert shortlist.sent_at and shortlist.consultant == consultant and len(shortlist.vendors) == 7
    assert all(lead.matches and lead.match_count == len(lead.matches) for lead in leads.values())
    assert leads["Tobias Brandt"].lead_notes.exists() and leads["Tobias Brandt"].assignee == consultant
    assert not sent.deliveries.exists()  # nothing is ever sent to the sample addresses

    client.force_login(consultant)
    html = client.get("/admin/leadwizard/consult/").content.decode()
    assert "Jana Schreiner" in html and "Miriam Kolb" not in html
