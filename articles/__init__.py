"""Editorial articles for Wagtail: article pages, listings, related-article teasers and feeds."""
