"""A minimal Wagtail site that hosts the plugins for their own tests: one trivial page type, nothing else.

Its settings name the apps and what any bilingual Wagtail site sets, and nothing
the plugins read: every plugin setting comes from the plugins' own defaults.
"""
