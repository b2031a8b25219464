"""An editor in a real browser: writes an article in the German admin, translates it with wagtail-localize.

The article gets a "Lesen Sie auch" block, the CRM-Auswahl wizard and two
related articles, all chosen through the admin's chooser modals. After the
English translation is published, readers of each language must land on the
articles of their own language.
"""

import re

import pytest
from playwright.sync_api import expect

from articles.models import ArticleIndexPage, ArticlePage
from tests.e2e.browser import WIZARD, localized_path

# Plain ORM between browser steps and in the views they reach, nothing that differs
# between SQLite and PostgreSQL: CI's PostgreSQL pass skips these (see .ci/run).
pytestmark = pytest.mark.orm_only

PASSWORD = "e2e-Passwort-123"
TITLE = "Redaktionstest: CRM-Projekte sicher planen"
SLUG = "redaktionstest-crm-projekte-sicher-planen"
ENGLISH_TITLE = "Editorial test: planning CRM projects safely"
READ_ALSO = ("CRM-Auswahl in fünf Schritten", "crm-auswahl-in-fuenf-schritten")
RELATED = [READ_ALSO, ("DSGVO im CRM-Alltag", "dsgvo-im-crm-alltag")]
QUESTIONNAIRE = "Starten Sie Ihre CRM-Auswahl"


def log_in(page, base_url, username):
    page.goto(base_url + "/admin/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('button[type="submit"]').click()
    expect(page).to_have_url(base_url + "/admin/")


def add_block(page, block_label):
    """Append a block to the body StreamField through its block picker; returns the new block's index."""
    count = page.locator('input[name="body-count"]')
    index = int(count.input_value())
    page.locator("#body-root").get_by_role("button", name="Einen Block einfügen").last.click()
    page.get_by_role("option", name=block_label, exact=True).click()
    expect(count).to_have_value(str(index + 1))
    return index


def choose_page(page, field_name, title):
    """Pick an article for the page chooser behind the hidden input ``field_name`` via the chooser modal."""
    chooser = page.locator(f'input[name="{field_name}"]')
    page.locator(f'[id="{chooser.get_attribute("id")}-chooser"]').get_by_role(
        "button", name="Seite auswählen"
    ).click()
    modal = page.get_by_role("dialog")
    modal.get_by_role("textbox", name="Suchbegriff").fill(title)
    modal.get_by_role("link", name=title).click()
    expect(modal).to_be_hidden()
    expect(chooser).not_to_have_value("")


def test_editor_publishes_and_translates_an_article(demo, page, new_page, django_user_model):
    editor = django_user_model.objects.create_superuser("redakteurin-rita", "rita@example.com", PASSWORD)
    magazine = ArticleIndexPage.objects.get(locale__language_code="de")
    chosen = {slug: ArticlePage.objects.get(slug=slug, locale__language_code="de") for _, slug in RELATED}

    # 1. Log in; open the magazine and add an article below it (its only allowed child type).
    log_in(page, demo.url, editor.username)
    page.goto(demo.url + f"/admin/pages/{magazine.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Magazin")
    page.get_by_role("link", name="Unterseite hinzufügen").click()
    expect(page).to_have_url(demo.url + f"/admin/pages/add/articles/articlepage/{magazine.pk}/")

    # 2. Title, teaser and body: a paragraph, "Lesen Sie auch" and the wizard.
    page.locator('input[name="title"]').fill(TITLE)
    page.locator('textarea[name="teaser"]').fill(
        "Wie Unternehmen ihr CRM-Projekt ohne böse Überraschungen planen."
    )
    paragraph = add_block(page, "Absatz")
    page.locator(f'[data-streamfield-widget]:has(input[name="body-{paragraph}-value"])').get_by_role(
        "textbox"
    ).click()
    page.keyboard.type("Ein gutes CRM-Projekt beginnt mit klaren Zielen.")

    read_also = add_block(page, "Lesen Sie auch")
    choose_page(page, f"body-{read_also}-value-page", READ_ALSO[0])

    wizard = add_block(page, "CRM-Auswahl-Assistent")
    page.locator(f'[id="body-{wizard}-value-questionnaire-chooser"]').get_by_role(
        "button", name="Fragebogen auswählen"
    ).click()
    modal = page.get_by_role("dialog")
    modal.get_by_role("link", name=QUESTIONNAIRE).click()
    expect(modal).to_be_hidden()
    expect(page.locator(f'input[name="body-{wizard}-value-questionnaire"]')).not_to_have_value("")

    # 3. Two related articles in the "Weiterführende Artikel" inline panel.
    total = page.locator('input[name="related_links-TOTAL_FORMS"]')
    for number, (title, _slug) in enumerate(RELATED):
        page.get_by_role("button", name="Weiterführender Artikel hinzufügen").click()
        expect(total).to_have_value(str(number + 1))
        choose_page(page, f"related_links-{number}-article", title)

    # Wagtail autosaves the draft once the form is valid; publishing while that
    # first save is still on its way would create the page twice.
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(page.locator("#w-autosave-indicator")).to_have_attribute("data-w-autosave-state-value", "saved")

    # 4. Publish through the save button's dropdown.
    footer = page.get_by_role("navigation", name="Aktionen (Fußzeile)")
    footer.get_by_role("button", name="Mehr Aktionen").click()
    footer.get_by_role("button", name="Veröffentlichen", exact=True).click()
    expect(page).to_have_url(demo.url + f"/admin/pages/{magazine.pk}/")
    expect(page.locator(".messages")).to_contain_text("veröffentlicht")

    article = ArticlePage.objects.get(slug=SLUG, locale__language_code="de")
    assert article.live
    assert [block.block_type for block in article.body] == ["paragraph", "read_also", "lead_wizard"]
    assert article.body[1].value["page"].pk == chosen[READ_ALSO[1]].pk
    assert [link.article_id for link in article.related_links.all()] == [
        chosen[slug].pk for _, slug in RELATED
    ]

    # 5. Translate into English from the page's actions in the listing.
    page.get_by_role("button", name=f"Weitere Optionen für '{TITLE}'").click()
    page.get_by_role("link", name="Diese Seite übersetzen").click()
    expect(page).to_have_url(demo.url + f"/admin/localize/submit/page/{article.pk}/")
    page.get_by_role("checkbox", name="Englisch").check()
    page.get_by_role("button", name="Absenden").click()

    # The translation editor: translate the title, then publish the English page.
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    title_segment = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Titel", exact=True)
    )
    title_segment.get_by_role("button", name="Übersetzen").click()
    title_segment.get_by_role("textbox").fill(ENGLISH_TITLE)
    title_segment.get_by_role("button", name="Speichern").click()
    expect(title_segment.get_by_role("button", name="Bearbeiten")).to_be_visible()
    expect(title_segment).to_contain_text(ENGLISH_TITLE)
    page.get_by_role("button", name="Veröffentlichen in Englisch").click()
    expect(page.locator(".messages")).to_contain_text("veröffentlicht")

    translation = ArticlePage.objects.get(translation_key=article.translation_key, locale__language_code="en")
    assert translation.live
    assert translation.title == ENGLISH_TITLE

    # 6. An English reader lands on English articles everywhere.
    reader = new_page(locale="en-GB")
    reader.goto(demo.url + translation.url)
    expect(reader.get_by_role("heading", level=1)).to_have_text(ENGLISH_TITLE)
    read_on = reader.get_by_role("region", name="Read on").get_by_role("link", name=re.compile(r"^Read on:"))
    expect(read_on).to_have_count(2)
    for link, (_, slug) in zip(read_on.all(), RELATED, strict=True):
        expect(link).to_have_attribute("href", localized_path(f"/magazin/{slug}/", "en"))
    read_also_link = reader.get_by_role("paragraph").filter(has_text="Read also:").get_by_role("link")
    expect(read_also_link).to_have_attribute("href", localized_path(f"/magazin/{READ_ALSO[1]}/", "en"))
    expect(read_also_link).to_contain_text("Choosing a CRM in five steps")
    expect(reader.locator(WIZARD)).to_contain_text("Start your CRM selection")

    # The German page keeps the German links.
    reader.goto(demo.url + f"/magazin/{SLUG}/")
    expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
    read_on = reader.get_by_role("region", name="Lesen Sie weiter").get_by_role(
        "link", name=re.compile(r"^Lesen Sie weiter:")
    )
    expect(read_on).to_have_count(2)
    for link, (_, slug) in zip(read_on.all(), RELATED, strict=True):
        expect(link).to_have_attribute("href", f"/magazin/{slug}/")
    read_also_link = reader.get_by_role("paragraph").filter(has_text="Lesen Sie auch:").get_by_role("link")
    expect(read_also_link).to_have_attribute("href", f"/magazin/{READ_ALSO[1]}/")
    expect(reader.locator(WIZARD)).to_contain_text(QUESTIONNAIRE)
    assert reader.console_errors == []
