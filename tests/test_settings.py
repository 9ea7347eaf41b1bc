import os

from django.db import connection


def test_tests_run_on_the_database_ci_asked_for(db):
    """CI runs the suite twice; this fails if the PostgreSQL run silently fell back to SQLite."""
    expected = os.environ.get("EXPECT_DATABASE")
    if expected:
        assert connection.vendor == expected


def test_interface_is_in_quebec_french(settings):
    assert settings.LANGUAGE_CODE == "fr-ca"
    assert settings.TIME_ZONE == "America/Toronto"
