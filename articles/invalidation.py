"""When cached pages and fragments become outdated: on changes they show, and with a new release.

``invalidate_on_change`` runs a cache's ``invalidate`` after the commit of every
change that published pages may show. Shared by the article fragments
(``fragment_cache``) and by any host's page cache: both must forget what they
hold when a page is published, unpublished, moved or deleted, or when a model
pages show (authors, topics, images...) is saved or deleted, and only once the
change is committed, so that no app server renders the old data again into a
new entry.

``code_release`` names the code that rendered an entry. Caches kept in Redis
outlive a deploy, and output of the previous code may not fit the new one (a
form posting fields it no longer takes, markup its styles no longer know), so
their keys carry it.
"""

import hashlib
import importlib.metadata
import sysconfig
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction

_FINGERPRINT = {}


def code_release(configured=""):
    """``configured`` where a deployment names its release (say, the commit), else ``code_fingerprint()``."""
    if configured:
        return str(configured)
    if "code" not in _FINGERPRINT:
        _FINGERPRINT["code"] = code_fingerprint()
    return _FINGERPRINT["code"]


def invalidate_on_change(invalidate, uid, models=()):
    """Connect Wagtail's page signals and ``models``' save and delete to ``invalidate`` after commit.

    ``uid`` names the connections (``dispatch_uid``), so that connecting twice
    connects once. ``models``: model classes or ``app_label.ModelName`` labels.
    """
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished, post_page_move

    def after_commit(**kwargs):
        transaction.on_commit(invalidate)

    def after_page_delete(sender, instance, **kwargs):
        if isinstance(instance, Page):
            after_commit()

    # Held strongly (weak=False): the receivers are closures that nothing else keeps.
    page_published.connect(after_commit, dispatch_uid=f"{uid}.published", weak=False)
    page_unpublished.connect(after_commit, dispatch_uid=f"{uid}.unpublished", weak=False)
    post_page_move.connect(after_commit, dispatch_uid=f"{uid}.moved", weak=False)
    post_delete.connect(after_page_delete, dispatch_uid=f"{uid}.page_deleted", weak=False)
    for model in models:
        model = apps.get_model(model) if isinstance(model, str) else model
        label = model._meta.label_lower
        post_save.connect(after_commit, sender=model, dispatch_uid=f"{uid}.saved.{label}", weak=False)
        post_delete.connect(after_commit, sender=model, dispatch_uid=f"{uid}.deleted.{label}", weak=False)


def code_fingerprint():
    """A digest of the code that renders pages; the same on every app server that runs the same code.

    The installed distributions and their versions (Django, Wagtail, the plugins when
    installed as packages), and the content of every file of the apps inside
    ``BASE_DIR`` and outside the installed packages (templates, Python, static files,
    catalogues), of the template directories, of ``LOCALE_PATHS`` and of the static
    files' manifest. Contents, not modification times: servers with the same code
    agree whenever it was copied. Taken on the first use in each process (about 30 ms),
    not at start-up, so that management commands never pay for it.
    """
    digest = hashlib.sha256()
    installed = {(dist.name or "", dist.version or "") for dist in importlib.metadata.distributions()}
    for name, version in sorted(installed):
        digest.update(f"{name}=={version}\n".encode())
    base = Path(getattr(settings, "BASE_DIR", Path.cwd())).resolve()
    # Installed packages count by their version above, wherever the virtualenv lives.
    packages = {Path(sysconfig.get_paths()[name]).resolve() for name in ("purelib", "platlib")}
    roots = [Path(config.path).resolve() for config in apps.get_app_configs()]
    roots = [
        root
        for root in roots
        if root.is_relative_to(base) and not any(root.is_relative_to(package) for package in packages)
    ]
    for engine in settings.TEMPLATES:
        roots.extend(Path(directory).resolve() for directory in engine.get("DIRS", ()))
    roots.extend(Path(directory).resolve() for directory in getattr(settings, "LOCALE_PATHS", ()))
    files = {
        path
        for root in roots
        if root.is_dir()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    static_root = getattr(settings, "STATIC_ROOT", None)
    if static_root and (Path(static_root) / "staticfiles.json").is_file():
        files.add(Path(static_root) / "staticfiles.json")
    for path in sorted(files):
        digest.update(str(path.relative_to(base) if path.is_relative_to(base) else path).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
