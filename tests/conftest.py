"""Shared fixtures: the Lanaudière plan as `load_demo` loads it, and one person in each role.

The plan and the people are written once per test session into the test database (`django_db_setup`);
each test runs in a transaction rolled back at its end, so it finds them as they were loaded. The fixtures
below only read them back, as fresh objects for each test.
"""

import os
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.test.utils import override_settings
from pytest_django.plugin import blocking_manager_key

from partners.models import Organisation
from plans.models import Membership, Plan, PlanRole

CHROMIUM = shutil.which("chromium")
LANAUDIERE = "lanaudiere-2024-2026"
OTHER_PLAN = "autre-chantier"

# The people of the style guide, by fixture name: username, plan, role, acronym of their organisation.
PEOPLE = {
    "coordinator": ("coordo", LANAUDIERE, PlanRole.Role.COORDINATOR, None),
    "partner": ("partner", LANAUDIERE, PlanRole.Role.PARTNER, "ALL"),  # ALL: partner on 3.1.1, not on 1.1.1
    "other_partner": ("autre-partenaire", LANAUDIERE, PlanRole.Role.PARTNER, "TPDSL"),  # the reverse
    "committee_member": ("comite-test", LANAUDIERE, PlanRole.Role.COMMITTEE, None),
    "other_coordinator": ("autre-coordo", OTHER_PLAN, PlanRole.Role.COORDINATOR, None),
    "outsider": ("outsider", None, None, None),  # signed in, but with no role in any plan
}

# Playwright's sync API runs an event loop in the test thread, and Django then refuses the ORM calls
# that fixtures make (creating the test database, loading the plan). Tests are not async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def make_person(username, plan=None, role=None, organisation=None):
    """A person with a role in `plan`, acting there for `organisation` (an organisation is acted for in a
    plan: it needs the plan)."""
    user = get_user_model().objects.create_user(username=username, password="motdepasse-test")
    if plan is not None:
        PlanRole.objects.create(plan=plan, user=user, role=role)
    if organisation is not None:
        if plan is None:
            raise ValueError("A person acts for an organisation in a plan: give the plan too.")
        Membership.objects.create(plan=plan, user=user, organisation=organisation)
    return user


def load_shared_data():
    """The Lanaudière plan, another coalition's plan, and the people of `PEOPLE`; nothing when
    they are there already."""
    if Plan.objects.filter(slug=OTHER_PLAN).exists():
        return
    call_command("load_demo", no_accounts=True, sans_activite=True, stdout=open(os.devnull, "w"))
    # Another coalition's plan, only begun: its coordinator is the one who matters here.
    Plan.objects.create(title="Un autre chantier", slug=OTHER_PLAN, region="Ailleurs", first_year=2025, last_year=2027)
    for username, slug, role, acronym in PEOPLE.values():
        make_person(
            username,
            Plan.objects.get(slug=slug) if slug else None,
            role,
            Organisation.objects.get(acronym=acronym) if acronym else None,
        )


def shared_person(name):
    return get_user_model().objects.get(username=PEOPLE[name][0])


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Django's default hasher spends about half a second on each password, by design; tests create
    hundreds of accounts and need no such strength."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, fast_password_hashing):
    with django_db_blocker.unblock():
        load_shared_data()


def empties_the_database(item):
    """Whether this test runs outside a transaction (pytest-django's rule, from its test ordering): its
    changes are committed, and the database is flushed at its end."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a test that flushed the database (browser tests, `transaction=True`), load the shared data
    again for the tests after it, whatever their order. A hook rather than a fixture: it must run after
    every fixture's teardown, the flush included."""
    result = yield
    if nextitem is not None and empties_the_database(item):  # no next item: the test database is gone
        # The object behind pytest-django's `django_db_blocker` fixture, which a hook cannot request.
        with item.config.stash[blocking_manager_key].unblock():
            load_shared_data()
    return result


@pytest.fixture
def empty_database(db):
    """No plan, organisation or person, for the tests of what loads them. Emptied inside the test's
    transaction: the shared data is back for the next test. Content types and permissions stay, as a
    migrated database has them."""
    kept = {ContentType._meta.db_table, Permission._meta.db_table}
    tables = [table for table in connection.introspection.django_table_names(only_existing=True) if table not in kept]
    with connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(no_style(), tables):
            cursor.execute(statement)


@pytest.fixture
def lanaudiere(db):
    return Plan.objects.get(slug=LANAUDIERE)


@pytest.fixture
def all_org(lanaudiere):
    """Action-Logement Lanaudière, the organisation the `partner` acts for."""
    return Organisation.objects.get(acronym="ALL")


@pytest.fixture
def tpdsl(lanaudiere):
    """The organisation the `other_partner` acts for."""
    return Organisation.objects.get(acronym="TPDSL")


@pytest.fixture
def other_plan(db):
    return Plan.objects.get(slug=OTHER_PLAN)


@pytest.fixture
def coordinator(db):
    return shared_person("coordinator")


@pytest.fixture
def partner(db):
    return shared_person("partner")


@pytest.fixture
def other_partner(db):
    return shared_person("other_partner")


@pytest.fixture
def committee_member(db):
    return shared_person("committee_member")


@pytest.fixture
def other_coordinator(db):
    return shared_person("other_coordinator")


@pytest.fixture
def outsider(db):
    """Signed in, but with no role in any plan."""
    return shared_person("outsider")


# Browser tests drive Debian's chromium; Playwright must never download a browser of its own.
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if CHROMIUM is None:
        pytest.skip("Tests navigateur ignorés : chromium est absent (apt-get install chromium, comme dans .ci/run).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    }
