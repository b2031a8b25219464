"""axe-core's best-practice rules on every public page type, on top of WCAG 2.2 AA.

Best practices are not WCAG failures, but they are what screen-reader users
navigate by (one named landmark per purpose, a single main, headings in order)
and what search engines' audits report. test_accessibility.py covers the
WCAG rules in every wizard state; this covers the page types, German and English.
"""

import pytest

from tests.e2e.test_phone_widths import linked_pages, public_pages

# Plain ORM between browser steps and in the views they reach, nothing that differs
# between SQLite and PostgreSQL: CI's PostgreSQL pass skips these (see .ci/run).
pytestmark = pytest.mark.orm_only


def test_no_best_practice_violations_on_any_public_page(demo, page, axe_best_practices, settings):
    settings.ARTICLES_PER_PAGE = 3  # so that the index has a page 2
    violations = {}

    def check(name):
        found = axe_best_practices(page)
        if found:
            violations[name] = found

    linked = []
    for name, path in public_pages():
        page.goto(demo.url + path)
        check(name)
        if name.endswith("newest article"):
            linked += [(f"{name[:2]} linked page {href}", href) for href in linked_pages(page)]
    for name, path in linked:
        page.goto(demo.url + path)
        check(name)

    assert violations == {}
