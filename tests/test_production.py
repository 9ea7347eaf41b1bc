"""Chantier in production: the deployment checks pass with the README's variables, HTTPS is on by default,
errors and sign-ins reach the log (never a password), and people read French error pages."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse

BASE_DIR = Path(__file__).resolve().parent.parent
SLUG = "lanaudiere-2024-2026"
PASSWORD = "Mauvais-Mot-De-Passe-42"

# A subprocess prints its settings, then runs Django's deployment checks (a warning fails them).
PROBE = """
import json, logging, django
from django.conf import settings
from django.core.management import call_command
django.setup()
names = ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
         "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "DEBUG"]
print(json.dumps({name: getattr(settings, name) for name in names}), flush=True)
logging.getLogger("chantier.auth").warning("sonde username=%r", "quelqu'un")
call_command("check", deploy=True, fail_level="WARNING")
"""


def production(**variables):
    """Run the probe as production runs: DEBUG=0, a fresh 50-character secret key, one host name."""
    # Not the test session's own switches (conftest allows the ORM in Playwright's event loop).
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "BEHIND_")) and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50)[:50], ALLOWED_HOSTS="chantier.example.org")
    env.update(DJANGO_SETTINGS_MODULE="chantier.settings", **variables)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


# The least production needs, and the README's example (behind a TLS proxy, mail by SMTP).
README_EXAMPLE = {
    "CSRF_TRUSTED_ORIGINS": "https://chantier.example.org",
    "BEHIND_TLS_PROXY": "1",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "chantier@example.org",
}


@pytest.mark.parametrize(
    "variables, trusted_header",
    [({}, None), (README_EXAMPLE, ["HTTP_X_FORWARDED_PROTO", "https"])],
    ids=["minimum", "readme"],
)
def test_check_deploy_is_clean_with_the_documented_variables_and_https_is_on(variables, trusted_header):
    done = production(**variables)
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
    assert not re.search(r"\b(W|E)\d{3}\b", done.stdout + done.stderr)
    settings = json.loads(done.stdout.strip().splitlines()[0])
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings["SECURE_HSTS_PRELOAD"] is False
    assert settings["SECURE_PROXY_SSL_HEADER"] == trusted_header  # none unless a proxy is declared
    assert settings["SESSION_COOKIE_SECURE"] and settings["CSRF_COOKIE_SECURE"]
    # The log: standard error, one line for the event: time, level, logger, message.
    line = next(line for line in done.stderr.splitlines() if "sonde" in line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} WARNING chantier\.auth sonde username=\"quelqu'un\"", line)


def test_turning_the_https_redirect_off_is_explicit_and_the_checks_say_so():
    done = production(BEHIND_TLS_PROXY="1", SECURE_SSL_REDIRECT="0")
    assert done.returncode != 0  # the deployment checks remind the host that the proxy must redirect
    assert "security.W008" in done.stderr and "W004" not in done.stderr
    assert json.loads(done.stdout.strip().splitlines()[0])["SECURE_SSL_REDIRECT"] is False


def test_a_bad_value_names_the_variable():
    done = production(SECURE_SSL_REDIRECT="peut-être")
    assert done.returncode != 0
    assert "SECURE_SSL_REDIRECT must be 0 or 1" in done.stderr


# Sign-ins -------------------------------------------------------------------------------------------------


def auth_lines(caplog):
    return [record.getMessage() for record in caplog.records if record.name == "chantier.auth"]


def test_a_failed_sign_in_logs_the_username_and_address_never_the_password(client, coordinator, caplog):
    caplog.set_level("INFO")
    response = client.post(reverse("login"), {"username": "coordo", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert auth_lines(caplog) == ["sign-in failed username='coordo' address=127.0.0.1"]
    assert [record.levelname for record in caplog.records if record.name == "chantier.auth"] == ["WARNING"]
    assert PASSWORD not in caplog.text


def test_a_sign_in_and_a_sign_out_are_logged(client, coordinator, caplog):
    coordinator.set_password(PASSWORD)
    coordinator.save()
    caplog.set_level("INFO")
    assert client.post(reverse("login"), {"username": "coordo", "password": PASSWORD}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert auth_lines(caplog) == [
        "sign-in username='coordo' address=127.0.0.1",
        "sign-out username='coordo' address=127.0.0.1",
    ]
    assert PASSWORD not in caplog.text


def test_behind_the_proxy_the_address_is_the_one_the_proxy_added(client, db, settings, caplog):
    settings.BEHIND_TLS_PROXY = True
    caplog.set_level("INFO")
    # The client wrote the first address itself; the proxy appended the one it saw.
    client.post(reverse("login"), {"username": "x", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.7")
    assert auth_lines(caplog) == ["sign-in failed username='x' address=203.0.113.7"]


def test_a_username_cannot_forge_a_line_of_the_log(client, db, caplog):
    caplog.set_level("INFO")
    client.post(reverse("login"), {"username": "x\n2026-12-01 INFO chantier.auth sign-in", "password": PASSWORD})
    [line] = auth_lines(caplog)
    assert "\n" not in line and "\\n" in line


# Error pages ----------------------------------------------------------------------------------------------


def broken_view(request):
    raise RuntimeError("la vue a planté")


@login_not_required
def refused_post(request):
    return HttpResponse("écrit")


# A URL configuration for the tests that need a failing page; the app's own URLs are there too.
urlpatterns = [
    path("essai/panne/", broken_view),
    path("essai/ecrire/", refused_post),
    path("", include("chantier.urls")),
]


@pytest.mark.urls("tests.test_production")
def test_a_crash_logs_its_traceback_and_shows_a_plain_french_page(coordinator, settings, caplog):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    response = client.get("/essai/panne/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Une erreur est survenue" in page and "réessayez dans quelques instants" in page
    assert "RuntimeError" not in page and "Traceback" not in page  # nothing of the code shown to people
    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert record.levelname == "ERROR" and "/essai/panne/" in record.getMessage()
    assert "Traceback" in caplog.text and "RuntimeError: la vue a planté" in caplog.text


def test_the_500_page_needs_no_context_and_has_no_inline_style_or_script():
    source = (BASE_DIR / "templates" / "500.html").read_text()
    assert "extends" not in source and "{% static" not in source
    assert "style=" not in source and "<script" not in source and "<style" not in source


def test_a_refused_page_is_french_and_logged(client, partner, settings, caplog):
    settings.DEBUG = False
    client.force_login(partner)
    response = client.get(reverse("plans:people", args=[SLUG]))
    assert response.status_code == 403
    assert "Vous n’avez pas la permission de faire cette action." in response.content.decode()
    assert any(
        record.name == "django.request" and record.levelname == "WARNING" and "Forbidden" in record.getMessage()
        for record in caplog.records
    )


def test_a_missing_page_is_french(client, outsider, settings):
    settings.DEBUG = False
    client.force_login(outsider)
    response = client.get(reverse("plans:detail", args=[SLUG]))
    assert response.status_code == 404
    assert "Cette page n’existe pas, ou vous n’y avez pas accès." in response.content.decode()


@pytest.mark.urls("tests.test_production")
def test_a_post_without_its_csrf_token_is_refused_in_french_and_logged(db, settings, caplog):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post("/essai/ecrire/", {"texte": "bonjour"})
    assert response.status_code == 403
    assert "La vérification CSRF a échoué" in response.content.decode()
    assert any(record.name == "django.security.csrf" for record in caplog.records)
