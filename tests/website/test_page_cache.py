"""The anonymous page cache: hits, per-locale entries, per-reader holes, invalidation, and what it never stores."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from articles import invalidation
from leadwizard.models import Lead
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    QuestionnaireFactory,
    VendorFactory,
    restrict_page,
    translate_page,
    wizard_article,
)
from tests.utils import CSRF_RE, WizardRun, sent
from website import page_cache

REFERRER_RE = re.compile(r'name="leadwizard-referrer" value="([^"]*)"')


@pytest.fixture
def cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True
    return settings


@pytest.fixture
def wizard_page(site_tree):
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire, name="Alpha CRM", industries=["handel"], uses=["sales"])
    author = AuthorFactory(name="Petra Schreiber")
    related = ArticlePageFactory(parent=site_tree.index, title="Was kostet ein CRM?")
    page, block_id = wizard_article(
        site_tree.index, questionnaire, title="CRM-Ratgeber", slug="crm-ratgeber", author=author
    )
    page.related_links.create(article=related)
    page.save_revision().publish()
    return page, block_id, related, author


def status(response):
    return response.get(page_cache.HEADER)


def test_second_anonymous_request_is_a_hit_without_queries(cache_on, wizard_page):
    page, *_ = wizard_page
    first = Client().get(page.url)
    assert status(first) == "miss"

    with CaptureQueriesContext(connection) as queries:
        second = Client().get(page.url)
    assert status(second) == "hit"
    assert len(queries) == 0
    assert second.status_code == 200
    assert second["Content-Type"] == first["Content-Type"]
    assert "CRM-Ratgeber" in second.content.decode()
    assert "Starten Sie Ihre CRM-Auswahl" in second.content.decode()


def test_each_locale_has_its_own_entry(cache_on, site_tree, wizard_page):
    page, *_ = wizard_page
    english = translate_page(page, site_tree.en, title="CRM guide")
    assert status(Client().get(page.url)) == "miss"
    english_response = Client().get(english.url)
    assert status(english_response) == "miss"
    assert "CRM guide" in english_response.content.decode()
    assert 'lang="en"' in english_response.content.decode()
    german = Client().get(page.url)
    assert status(german) == "hit"
    assert 'lang="de"' in german.content.decode()


def test_no_reader_gets_another_readers_csrf_token_or_referrer(cache_on, wizard_page):
    page, *_ = wizard_page
    first_reader = Client(enforce_csrf_checks=True)
    first = first_reader.get(page.url, HTTP_REFERER="https://suche.example/?q=erika")
    second_reader = Client(enforce_csrf_checks=True)
    second = second_reader.get(page.url, HTTP_REFERER="https://news.example/crm")
    assert status(second) == "hit"

    first_token = CSRF_RE.search(first.content.decode()).group(1)
    assert first_token not in second.content.decode()
    assert REFERRER_RE.search(first.content.decode()).group(1) == "https://suche.example/?q=erika"
    assert REFERRER_RE.search(second.content.decode()).group(1) == "https://news.example/crm"
    assert "suche.example" not in second.content.decode()


def test_a_first_time_reader_of_a_cached_page_gets_no_csrf_cookie_and_no_token(cache_on, wizard_page):
    page, *_ = wizard_page
    Client().get(page.url)
    reader = Client(enforce_csrf_checks=True)

    response = reader.get(page.url)

    assert status(response) == "hit"
    assert "csrftoken" not in response.cookies
    assert re.search(r'name="csrfmiddlewaretoken" value=""', response.content.decode())


def test_a_reader_with_the_csrf_cookie_gets_the_token_that_belongs_to_it(cache_on, wizard_page):
    page, block_id, *_ = wizard_page
    reader = Client(enforce_csrf_checks=True)
    reader.get(page.url)  # a fresh page: the cookie is set
    assert "csrftoken" in reader.cookies

    response = reader.get(page.url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)
    # Posted to the page itself, Django's own check (no origin headers) accepts only a matching token.
    answered = reader.post(
        page.url, {"leadwizard-block": block_id, "csrfmiddlewaretoken": token, "q-industry": "handel"}
    )

    assert status(response) == "hit"
    assert answered.status_code == 302


def test_a_hole_value_is_escaped(cache_on, wizard_page):
    page, *_ = wizard_page
    Client().get(page.url)
    response = Client().get(page.url, HTTP_REFERER='https://x.example/"><script>alert(1)</script>')
    assert status(response) == "hit"
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&quot;&gt;&lt;script&gt;" in html


def test_two_readers_of_one_cached_page_make_two_leads(cache_on, wizard_page):
    """The first step's token is part of the cached page; each reader still gets their own submission key."""
    page, block_id, *_ = wizard_page
    # Browsers say where a post comes from (Fetch Metadata): readers without the cookie post like this.
    readers = [Client(enforce_csrf_checks=True, HTTP_SEC_FETCH_SITE="same-origin") for _ in range(2)]
    for number, reader in enumerate(readers):
        run = WizardRun(reader, page, block_id)
        run.start()
        assert status(run.response) == ("miss" if number == 0 else "hit")
        run.answer(industry="handel")
        assert run.response.status_code == 200, run.html[:500]
        assert "Schritt 2 von 4" in run.html
        assert status(run.response) == "place"  # the post bypassed the cache; its page is the stored one
        run.answer(employees="25")
        run.answer(uses=["sales"], german_hq="yes", market="b2b")
        run.contact(email=f"leser{number}@firma.example")
        assert sent(run.response)
    assert sorted(Lead.objects.values_list("email", flat=True)) == [
        "leser0@firma.example",
        "leser1@firma.example",
    ]


def test_a_cached_token_from_another_reader_is_refused(cache_on, wizard_page):
    page, block_id, *_ = wizard_page
    Client().get(page.url)
    reader = Client(enforce_csrf_checks=True)
    reader.get(page.url)
    stranger_token = CSRF_RE.search(Client().get(page.url).content.decode()).group(1)
    response = reader.post(
        page.url, {"leadwizard-block": block_id, "csrfmiddlewaretoken": "x" + stranger_token[1:]}
    )
    assert response.status_code == 403


def test_publishing_a_linked_page_invalidates_pages_that_show_it(
    cache_on, wizard_page, django_capture_on_commit_callbacks
):
    page, _block_id, related, _author = wizard_page
    Client().get(page.url)
    assert status(Client().get(page.url)) == "hit"

    related.title = "Was ein CRM wirklich kostet"
    with django_capture_on_commit_callbacks(execute=True):
        related.save_revision().publish()

    response = Client().get(page.url)
    assert status(response) == "miss"
    assert "Was ein CRM wirklich kostet" in response.content.decode()


def test_saving_a_snippet_the_page_shows_invalidates_it(
    cache_on, wizard_page, django_capture_on_commit_callbacks
):
    page, _block_id, _related, author = wizard_page
    Client().get(page.url)
    author.name = "Petra Neumann"
    with django_capture_on_commit_callbacks(execute=True):
        author.save()
    response = Client().get(page.url)
    assert status(response) == "miss"
    assert "Petra Neumann" in response.content.decode()


def test_unpublishing_and_deleting_invalidate(cache_on, wizard_page, django_capture_on_commit_callbacks):
    page, _block_id, related, _author = wizard_page
    assert Client().get(related.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        related.unpublish()
    assert Client().get(related.url).status_code == 404
    assert "Was kostet ein CRM?" not in Client().get(page.url).content.decode()

    Client().get(page.url)
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()
    assert Client().get("/magazin/crm-ratgeber/").status_code == 404


def test_invalidation_waits_for_the_commit(cache_on, wizard_page, django_capture_on_commit_callbacks):
    """Until the change is committed, other requests would render the old data again."""
    page, _block_id, _related, author = wizard_page
    Client().get(page.url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        author.save()
        assert status(Client().get(page.url)) == "hit"
    assert callbacks


def test_staff_with_a_session_and_unknown_parameters_bypass_the_cache(cache_on, wizard_page, admin_user):
    page, *_ = wizard_page
    Client().get(page.url)
    staff = Client()
    staff.force_login(admin_user)
    assert status(staff.get(page.url)) is None
    assert status(Client().get(page.url + "?gclid=abc123")) is None
    assert status(Client().get(page.url + "?utm_source=newsletter")) == "miss"
    assert status(Client().get(page.url + "?utm_source=newsletter")) == "hit"


def test_wizard_steps_and_results_are_never_stored(cache_on, wizard_page):
    page, block_id, *_ = wizard_page
    run = WizardRun(Client(), page, block_id)
    run.start()
    run.answer(industry="handel")
    assert status(run.response) == "place"  # made from the stored page, not stored
    assert "Schritt 1 von 4" in Client().get(page.url).content.decode()
    fragment = Client().get(page.url, {"leadwizard-block": block_id}, HTTP_X_LEADWIZARD="fragment")
    assert status(fragment) is None
    assert status(Client().get(page.url, {"leadwizard-done": "x"})) is None


def test_private_pages_and_errors_are_not_stored(cache_on, wizard_page):
    page, *_ = wizard_page
    restrict_page(page)
    for _ in range(2):
        response = Client().get(page.url)
        assert "CRM-Ratgeber" not in response.content.decode() or response.status_code != 200
        assert status(response) is None
    for _ in range(2):
        assert status(Client().get("/gibt-es-nicht/")) is None


def test_head_requests_use_the_same_entry(cache_on, wizard_page):
    page, *_ = wizard_page
    Client().get(page.url)
    assert status(Client().head(page.url)) == "hit"


def test_disabled_cache_stores_nothing(settings, wizard_page):
    settings.PAGE_CACHE_ENABLED = False
    page, *_ = wizard_page
    assert status(Client().get(page.url)) is None
    assert status(Client().get(page.url)) is None


def test_a_new_release_never_serves_pages_the_previous_one_stored(cache_on, wizard_page):
    page, *_ = wizard_page
    cache_on.PAGE_CACHE_RELEASE = "release-1"
    assert status(Client().get(page.url)) == "miss"
    assert status(Client().get(page.url)) == "hit"

    # The new code's form posts elsewhere: its readers must get its own page, not the stored one.
    cache_on.PAGE_CACHE_RELEASE = "release-2"
    first_of_new = Client().get(page.url)
    assert status(first_of_new) == "miss"
    assert status(Client().get(page.url)) == "hit"

    # During a rolling deploy the old processes still find their own entries.
    cache_on.PAGE_CACHE_RELEASE = "release-1"
    assert status(Client().get(page.url)) == "hit"


def test_without_a_configured_release_the_code_decides(cache_on, wizard_page, monkeypatch):
    page, *_ = wizard_page
    cache_on.PAGE_CACHE_RELEASE = ""
    monkeypatch.setattr(invalidation, "_FINGERPRINT", {"code": "code-a"})
    assert status(Client().get(page.url)) == "miss"
    assert status(Client().get(page.url)) == "hit"
    monkeypatch.setattr(invalidation, "_FINGERPRINT", {"code": "code-b"})
    assert status(Client().get(page.url)) == "miss"


def test_cut_and_fill_holes_keep_other_inputs():
    html = (
        b'<form><input type="hidden" name="csrfmiddlewaretoken" value="SECRET">'
        b'<input type="hidden" name="leadwizard-referrer" value="https://a.example/" data-leadwizard-referrer>'
        b'<input type="hidden" name="leadwizard-token" value="TOKEN"></form>'
    )
    cut = page_cache.cut_holes(html)
    assert b"SECRET" not in cut and b"a.example" not in cut
    assert b'value="TOKEN"' in cut

    request = RequestFactory().get("/", HTTP_REFERER="https://b.example/?x=1&y=2")
    request.COOKIES[settings.CSRF_COOKIE_NAME] = "s" * 32
    filled = page_cache.fill_holes(cut, request)
    assert b'value="https://b.example/?x=1&amp;y=2"' in filled
    assert b'value="TOKEN"' in filled
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]*)"', filled).group(1)
    assert len(token) == 64 and token != b"SECRET"
    without_cookie = page_cache.fill_holes(cut, RequestFactory().get("/"))
    assert b'name="csrfmiddlewaretoken" value=""' in without_cookie


@pytest.fixture
def local_copies(cache_on):
    """Each process keeps the entries it served for a minute, as production does for a second."""
    cache_on.PAGE_CACHE_LOCAL_SECONDS = 60
    page_cache.LOCAL.clear()
    yield cache_on
    page_cache.LOCAL.clear()


@pytest.fixture
def shared_cache_reads(monkeypatch):
    """How often the shared cache was asked for entries."""
    calls = []
    cache = page_cache.get_cache()
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: calls.append(keys) or get_many(keys), raising=False)
    monkeypatch.setattr(page_cache, "get_cache", lambda: cache)
    return calls


def test_a_process_serves_its_own_copy_without_asking_the_shared_cache(
    local_copies, wizard_page, shared_cache_reads
):
    page, *_ = wizard_page
    Client().get(page.url)
    asked = len(shared_cache_reads)

    second = Client().get(page.url, HTTP_REFERER="https://news.example/crm")

    assert status(second) == "hit"
    assert len(shared_cache_reads) == asked
    # Still filled for this reader.
    assert REFERRER_RE.search(second.content.decode()).group(1) == "https://news.example/crm"


def test_a_change_through_another_process_shows_once_the_local_reading_is_old(
    local_copies, wizard_page, monkeypatch
):
    page, *_ = wizard_page
    clock = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    Client().get(page.url)
    # Another app server published something: a new generation in the shared cache only.
    page_cache.get_cache().set(page_cache.GENERATION_KEY, "from-another-process", timeout=None)

    clock[0] += 59
    within = Client().get(page.url)
    clock[0] += 2
    after = Client().get(page.url)

    assert status(within) == "hit"
    assert status(after) == "miss"


def test_a_change_through_this_process_shows_at_once(local_copies, wizard_page):
    page, *_ = wizard_page
    Client().get(page.url)
    assert status(Client().get(page.url)) == "hit"

    page_cache.invalidate_all()

    assert status(Client().get(page.url)) == "miss"


def test_a_process_keeps_only_its_most_recent_entries(local_copies, wizard_page, shared_cache_reads):
    local_copies.PAGE_CACHE_LOCAL_ENTRIES = 1
    page, _block_id, related, _author = wizard_page
    Client().get(page.url)
    Client().get(related.url)  # pushes the first page out of this process's copies
    asked = len(shared_cache_reads)

    again = Client().get(page.url)

    assert status(again) == "hit"  # from the shared cache
    assert len(shared_cache_reads) == asked + 1


# A reader's wizard address, served from the stored page --------------------------------------

# Tokens carry the time they were signed: two renderings a second apart differ there.
TOKEN_VALUE_RE = re.compile(r'(name="(?:csrfmiddlewaretoken|leadwizard-token)" value=")[^"]*(")')


STATE_RE = re.compile(r"(leadwizard-state=)[^\"&]*")


def without_tokens(html):
    return STATE_RE.sub(r"\1…", TOKEN_VALUE_RE.sub(r"\1…\2", html))


def test_a_readers_place_is_the_stored_page_with_only_their_wizard_rendered(cache_on, wizard_page, settings):
    page, block_id, *_ = wizard_page
    run = WizardRun(Client(), page, block_id)
    run.start()
    assert status(run.response) == "miss"
    run.answer(industry="handel")
    run.answer(employees="25")
    assert status(run.response) == "place"
    assert "Schritt 3 von 4" in run.html
    assert "private" in run.response["Cache-Control"] and "no-cache" in run.response["Cache-Control"]
    assert run.response["Content-Type"].startswith("text/html")

    # The same address rendered whole, as without a page cache: the same page, the same headers.
    settings.PAGE_CACHE_ENABLED = False
    whole = run.client.get(run.location)
    assert status(whole) is None
    assert without_tokens(run.html) == without_tokens(whole.content.decode())
    assert run.response.status_code == whole.status_code == 200
    assert run.response["Cache-Control"] == whole["Cache-Control"]


def test_no_reader_gets_another_readers_place_or_answers(cache_on, wizard_page):
    page, block_id, *_ = wizard_page
    first = WizardRun(Client(), page, block_id)
    first.start()
    first.answer(industry="handel")
    first.answer(employees="25")
    assert status(first.response) == "place"

    second = WizardRun(Client(), page, block_id)
    second.start()
    assert status(second.response) == "hit"
    assert "Schritt 1 von 4" in second.html and "Schritt 3 von 4" not in second.html
    assert second.token != first.token
    second.answer(industry="it")
    assert status(second.response) == "place"
    assert "Schritt 2 von 4" in second.html
    # Each reader's place carries their own answers only.
    first.post(action="back")
    assert status(first.response) == "place"
    assert "Schritt 2 von 4" in first.html and 'value="25"' in first.html
    assert 'value="25"' not in second.html
    entry = page_cache.get_cache().get(page_cache._key(RequestFactory().get(page.url), []))
    assert entry is not None and b"Schritt 1 von 4" in entry["content"]
    assert b"Schritt 2 von 4" not in entry["content"] and b"Schritt 3 von 4" not in entry["content"]


def test_a_place_without_a_stored_page_or_of_an_unknown_wizard_is_rendered_the_usual_way(
    cache_on, wizard_page
):
    page, block_id, *_ = wizard_page
    run = WizardRun(Client(), page, block_id)
    run.start()
    run.answer(industry="handel")
    page_cache.invalidate_all()
    again = run.client.get(run.location)
    assert status(again) is None  # rendered whole, and not stored
    assert "Schritt 2 von 4" in again.content.decode()
    assert status(Client().get(page.url)) == "miss"

    unknown = Client().get(page.url, {"leadwizard-block": "no-such-block"})
    assert unknown.status_code == 400
    assert status(unknown) is None


def test_a_readers_place_from_the_stored_page_needs_a_fraction_of_the_queries(
    cache_on, wizard_page, settings
):
    page, block_id, *_ = wizard_page
    run = WizardRun(Client(), page, block_id)
    run.start()
    run.answer(industry="handel")
    with CaptureQueriesContext(connection) as placed:
        assert status(run.client.get(run.location)) == "place"
    settings.PAGE_CACHE_ENABLED = False
    with CaptureQueriesContext(connection) as whole:
        run.client.get(run.location)
    assert len(placed) <= 4, [q["sql"] for q in placed.captured_queries]
    assert len(placed) < len(whole)


def test_a_readers_confirmation_and_longlist_are_the_stored_page_with_only_their_wizard(
    cache_on, wizard_page, settings
):
    page, block_id, *_ = wizard_page
    run = WizardRun(Client(), page, block_id)
    run.start()
    run.answer(industry="handel")
    run.answer(employees="25")
    run.answer(uses=["sales"], german_hq="yes", market="b2b")
    run.contact(email="leser@firma.example")
    assert sent(run.response)
    done = run.location
    assert "leadwizard-done=" in done and "leadwizard-block=" not in done  # the token names the block
    assert status(run.response) == "place"
    longlist = re.search(r'class="button" href="([^"]*leadwizard-view=longlist[^"]*)"', run.html).group(1)
    placed_longlist = run.client.get(longlist.replace("&amp;", "&"))
    assert status(placed_longlist) == "place"
    assert "Alpha CRM" in placed_longlist.content.decode()

    settings.PAGE_CACHE_ENABLED = False
    for placed, address in ((run.response, done), (placed_longlist, longlist.replace("&amp;", "&"))):
        whole = run.client.get(address)
        assert status(whole) is None
        assert without_tokens(placed.content.decode()) == without_tokens(whole.content.decode())
        assert placed["Cache-Control"] == whole["Cache-Control"]
    # A confirmation token of another page's wizard, or none that is valid: the page is rendered whole.
    settings.PAGE_CACHE_ENABLED = True
    assert status(Client().get(page.url, {"leadwizard-done": "forged"})) is None
