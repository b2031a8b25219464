"""Security headers: the Content-Security-Policy on pages and in the admin, referrer and opener policies."""

import pytest
from django.http import HttpResponse, HttpResponseNotFound
from django.test import Client, RequestFactory

from website.security import ContentSecurityPolicyMiddleware, render_policy


def directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


def test_render_policy():
    policy = {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "upgrade-insecure-requests": True,
        "report-uri": "/csp-report/",
        "sandbox": None,
    }
    assert render_policy(policy) == (
        "default-src 'self'; img-src 'self' data:; upgrade-insecure-requests; report-uri /csp-report/"
    )
    assert render_policy({}) == ""


@pytest.mark.django_db
def test_pages_get_the_strict_policy(client, site_tree):
    response = client.get(site_tree.home.url)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "Content-Security-Policy-Report-Only" not in response
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_cached_pages_get_the_policy_too(settings, site_tree):
    settings.PAGE_CACHE_ENABLED = True
    client = Client()
    client.get(site_tree.home.url)
    response = client.get(site_tree.home.url)
    assert response["X-Page-Cache"] == "hit"
    assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_admin_gets_the_admin_policy(client, admin_user):
    login = client.get("/admin/login/")
    assert login.status_code == 200
    client.force_login(admin_user)
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    for response in (login, dashboard):
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
        assert "'unsafe-eval'" not in policy["script-src"]
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
        assert policy["img-src"] == ["'self'", "data:", "blob:"]
        assert policy["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_admin_sends_no_gravatar_urls(client, admin_user):
    client.force_login(admin_user)
    assert b"gravatar.com" not in client.get("/admin/").content


def build_middleware(response):
    return ContentSecurityPolicyMiddleware(lambda request: response)


def test_a_policy_set_by_the_view_is_kept():
    response = HttpResponse()
    response["Content-Security-Policy"] = "default-src 'none'"
    result = build_middleware(response)(RequestFactory().get("/documents/1/file.pdf"))
    assert result["Content-Security-Policy"] == "default-src 'none'"


def test_report_only(settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = True
    result = build_middleware(HttpResponse())(RequestFactory().get("/"))
    assert "Content-Security-Policy" not in result
    assert directives(result["Content-Security-Policy-Report-Only"])["script-src"] == ["'self'"]


def test_without_an_admin_policy_the_admin_gets_the_site_policy(settings):
    settings.CONTENT_SECURITY_POLICY_ADMIN = None
    result = build_middleware(HttpResponse())(RequestFactory().get("/admin/"))
    assert directives(result["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_debug_error_pages_keep_their_inline_styles(settings):
    settings.DEBUG = True
    result = build_middleware(HttpResponseNotFound())(RequestFactory().get("/missing/"))
    assert "Content-Security-Policy" not in result
    settings.DEBUG = False
    result = build_middleware(HttpResponseNotFound())(RequestFactory().get("/missing/"))
    assert "Content-Security-Policy" in result
