"""No page scrolls sideways on a phone: every public page type and every wizard state at 320–390 px.

A page wider than the screen makes readers scroll in two directions (WCAG 1.4.10
Reflow asks for 320 CSS px without it) and search engines flag it as not
mobile-friendly. A failure names the element that sticks out furthest, so the
culprit is found without opening the page.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.e2e.browser import DEMO_ANSWERS, WIZARD, fill_contact, fill_step, press_next

# Plain ORM between browser steps and in the views they reach, nothing that differs
# between SQLite and PostgreSQL: CI's PostgreSQL pass skips these (see .ci/run).
pytestmark = pytest.mark.orm_only

WIZARD_ARTICLE_SLUG = "crm-einfuehrung-im-mittelstand"
PHONE_WIDTHS = [320, 360, 390]

# The element whose right edge sticks out furthest past the screen, as a CSS path.
# Elements inside a box that scrolls or clips (overflow other than visible) are
# skipped: they do not widen the page.
WIDEST_ELEMENT = """() => {
    const screen = window.innerWidth;
    const pageWidth = document.documentElement.scrollWidth;
    if (pageWidth <= screen) return null;
    const clipped = (element, self) => {
        for (let parent = self ? element : element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
            if (getComputedStyle(parent).overflowX !== "visible") return true;
        }
        return false;
    };
    const describe = (element) => {
        const parts = [];
        for (let node = element; node && node !== document.body; node = node.parentElement) {
            let part = node.localName;
            if (node.id) part += "#" + node.id;
            for (const name of node.classList) part += "." + name;
            parts.unshift(part);
        }
        return parts.join(" > ");
    };
    let widest = null;
    let widestRight = screen;
    const consider = (element, box, isText) => {
        const right = box.right + window.scrollX;
        // Ties keep the first (outermost) element in document order.
        if (right > widestRight + 0.5 && box.width > 0 && !clipped(element, isText)) {
            widest = element;
            widestRight = right;
        }
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.nodeType === Node.ELEMENT_NODE) {
            consider(node, node.getBoundingClientRect(), false);
        } else if (node.textContent.trim()) {
            // A long word overflows its element's box without widening the box itself.
            const range = document.createRange();
            range.selectNodeContents(node);
            consider(node.parentElement, range.getBoundingClientRect(), true);
        }
    }
    return {
        pageWidth,
        screen,
        element: widest ? describe(widest) : "(none found: pseudo-element or margin)",
        right: Math.round(widestRight),
    };
}"""


def public_pages(prefix=""):
    """(name, path) of every public page type of the demo in German and English.

    Taken from the database rather than typed in, so renamed slugs do not hide a
    page. Index page 2 needs ``ARTICLES_PER_PAGE`` below the number of demo
    articles (the tests set 3). Author and topic pages are found by
    ``linked_pages`` on a rendered article.
    """
    from wagtail.models import Locale

    from articles.models import ArticleIndexPage, ArticlePage
    from website.models import HomePage, StandardPage

    pages = []
    # English slugs are translated: the English wizard article is the German one's translation.
    german_wizard_article = ArticlePage.objects.live().get(
        locale__language_code="de", slug=WIZARD_ARTICLE_SLUG
    )
    for language in ("de", "en"):
        locale = Locale.objects.get(language_code=language)
        home = HomePage.objects.live().get(locale=locale)
        index = ArticleIndexPage.objects.live().filter(locale=locale).first()
        newest = index.get_articles().first()
        wizard_article = german_wizard_article.get_translation(locale)
        standard = StandardPage.objects.live().filter(locale=locale).first()
        topic = index.get_topics()[0]
        with translation.override(language):
            search = reverse("search")
        pages += [
            (f"{language} home", home.url),
            (f"{language} article index", index.url),
            (f"{language} article index page 2", f"{index.url}?page=2"),
            (f"{language} article index by topic", f"{index.url}?topic={topic.slug}"),
            (f"{language} newest article", newest.url),
            (f"{language} article with the wizard", wizard_article.url),
            (f"{language} standard page", standard.url),
            (f"{language} search form", search),
            (f"{language} search with results", f"{search}?q=CRM"),
            (f"{language} search without results", f"{search}?q=Zzyzxwq"),
            (f"{language} page not found", ("" if language == "de" else "/en") + "/gibt-es-nicht/"),
        ]
    return [(name, prefix + path) for name, path in pages]


def linked_pages(page):
    """Author and topic pages an article links to (built by the author/topic work; none before)."""
    hrefs = page.eval_on_selector_all(
        ".article__byline a[href], .article__topics a[href]", "links => links.map(link => link.href)"
    )
    return list(dict.fromkeys(urlsplit(href).path for href in hrefs))


def walk_wizard(page, base, check):
    """Every wizard state of the demo questionnaire, ``check(name)`` in each."""
    from articles.models import ArticlePage

    page.goto(base + ArticlePage.objects.get(locale__language_code="de", slug=WIZARD_ARTICLE_SLUG).url)
    wizard = page.locator(WIZARD)
    press_next(page)  # nothing chosen: the error state
    expect(wizard.locator("[data-leadwizard-errors]")).to_be_visible()
    check("wizard error state")
    for number, answers in enumerate(DEMO_ANSWERS, start=1):
        expect(wizard.locator("progress")).to_have_attribute("value", str(number))
        check(f"wizard step {number}")
        fill_step(page, answers)
        press_next(page)
    expect(wizard.locator("progress")).to_have_attribute("value", str(len(DEMO_ANSWERS) + 1))
    # The matches and their reasons are the longest lines of the contact step.
    wizard.locator(".leadwizard__why-summary").click()
    expect(wizard.locator(".leadwizard__why")).to_have_attribute("open", "")
    check("wizard contact step with the matches opened")
    fill_contact(page)
    wizard.locator('button[value="submit"]').click()
    expect(wizard.locator(".leadwizard__success")).to_be_visible()
    check("wizard success step")
    wizard.locator(".leadwizard__success a").first.click()
    expect(wizard.locator(".leadwizard__longlist")).to_be_visible()
    check("wizard longlist")


@pytest.mark.parametrize("width", PHONE_WIDTHS, ids=[f"{width}px" for width in PHONE_WIDTHS])
def test_no_page_is_wider_than_a_phone(demo, new_page, settings, width):
    settings.ARTICLES_PER_PAGE = 3  # so that the index has a page 2
    # One context per width, one tab for all pages: a fresh context per page costs more than the check.
    page = new_page(viewport={"width": width, "height": 740})
    too_wide = {}

    def check(name):
        found = page.evaluate(WIDEST_ELEMENT)
        if found:
            too_wide[name] = (
                f"{found['pageWidth']}px wide on a {found['screen']}px screen; "
                f"widest: {found['element']} (right edge at {found['right']}px)"
            )

    linked = []
    for name, path in public_pages():
        page.goto(demo.url + path)
        check(name)
        if name.endswith("newest article"):
            linked += [(f"{name[:2]} linked page {href}", href) for href in linked_pages(page)]
    for name, path in linked:
        page.goto(demo.url + path)
        check(name)
    walk_wizard(page, demo.url, check)

    assert too_wide == {}


# The largest image that is at least partly on the first screen, and what the browser made of it.
LARGEST_FIRST_SCREEN_IMAGE = """() => {
    let largest = null;
    let largestArea = 0;
    for (const image of document.images) {
        const box = image.getBoundingClientRect();
        const visible = Math.max(0, Math.min(box.bottom, window.innerHeight) - Math.max(box.top, 0))
            * Math.max(0, Math.min(box.right, window.innerWidth) - Math.max(box.left, 0));
        if (visible > largestArea) {
            largest = image;
            largestArea = visible;
        }
    }
    return largest && {
        loading: largest.getAttribute("loading"),
        fetchpriority: largest.getAttribute("fetchpriority"),
        source: largest.currentSrc,
    };
}"""


def test_the_largest_image_on_a_phone_screen_is_not_lazy(demo, new_page):
    # A lazy image starts loading only after layout, which delays the Largest Contentful Paint.
    page = new_page(viewport={"width": 360, "height": 740})
    for name, path in public_pages():
        if not name.startswith("de ") or not name.endswith(("article index", "newest article")):
            continue
        page.goto(demo.url + path, wait_until="load")
        largest = page.evaluate(LARGEST_FIRST_SCREEN_IMAGE)
        assert largest is not None, f"{name}: no image on the first screen"
        assert largest["loading"] != "lazy", f"{name}: {largest}"
        assert largest["fetchpriority"] == "high", f"{name}: {largest}"
        # Chromium knows WebP, so <picture> must have offered it.
        assert largest["source"].endswith(".webp"), f"{name}: {largest}"
