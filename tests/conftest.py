"""Shared fixtures: the Lanaudière plan as `load_demo` loads it, and people in each role."""

import os
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from partners.models import Organisation
from plans.models import Membership, Plan, PlanRole

CHROMIUM = shutil.which("chromium")

# Playwright's sync API runs an event loop in the test thread, and Django then refuses the ORM calls
# that fixtures make (creating the test database, loading the plan). Tests are not async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def lanaudiere(db):
    call_command("load_demo", no_accounts=True, stdout=open(os.devnull, "w"))
    return Plan.objects.get(slug="lanaudiere-2024-2026")


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


@pytest.fixture
def coordinator(lanaudiere):
    return make_person("coordo", lanaudiere, PlanRole.Role.COORDINATOR)


@pytest.fixture
def partner(lanaudiere):
    return make_person("partner", lanaudiere, PlanRole.Role.PARTNER, Organisation.objects.get(acronym="ALL"))


@pytest.fixture
def committee_member(lanaudiere):
    return make_person("comite-test", lanaudiere, PlanRole.Role.COMMITTEE)


@pytest.fixture
def outsider(db):
    """Signed in, but with no role in any plan."""
    return make_person("outsider")


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


