"""The settings reference names every setting the plugins read, and nothing they do not."""

import re
from pathlib import Path

from articles.conf import documented_settings as article_settings
from leadwizard.conf import documented_settings as leadwizard_settings

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "settings.md"
RETIRED = {"LEADWIZARD_TRUST_X_FORWARDED_FOR"}


def test_every_setting_is_in_the_reference_and_the_reference_invents_none():
    text = REFERENCE.read_text(encoding="utf-8")
    documented = set(re.findall(r"`((?:ARTICLES|LEADWIZARD)_[A-Z_]+)`", text)) - RETIRED
    assert documented == set(article_settings()) | set(leadwizard_settings())


def test_every_setting_has_a_default_in_its_app(settings):
    """A site without any of them: every property answers, none raises."""
    from articles.conf import app_settings as articles_conf
    from leadwizard.conf import app_settings as leadwizard_conf

    for name in article_settings():
        if hasattr(settings, name):
            delattr(settings, name)
        getattr(articles_conf, name.removeprefix("ARTICLES_"))
    for name in leadwizard_settings():
        if hasattr(settings, name):
            delattr(settings, name)
        getattr(leadwizard_conf, name.removeprefix("LEADWIZARD_"))
