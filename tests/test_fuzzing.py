"""Every URL of the app, found in the URL configuration, and every form found on its pages, asked with
values hypothesis makes up (unicode and control characters, huge numbers, empty and very long texts,
dates out of range, ids of another plan's rows), as the plan's coordinator (a partner on a partner's own
pages): every answer is below 500, and an answer that refuses a form (its errors, 400, 409 or 422)
leaves the database as it was.

Routes: every one but the admin's (Django's own). The forms posted to each route are read from the
pages' HTML (their fields and the values they carry), so a new form or a new field is fuzzed without
anyone listing it here. Each attempt runs in a savepoint rolled back after it: every attempt starts from
the same plan. `derandomize=True` makes a run reproducible.
"""

import datetime
import html.parser
import re
from urllib.parse import urlsplit

from django.apps import apps
from django.db import connection, transaction
from django.urls import NoReverseMatch, Resolver404, URLResolver, get_resolver, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners.models import Organisation
from plans.models import PlanRole
from tests.conftest import make_person
from tests.factories import make_plan
from tests.test_every_plan_page import FILL, NOT_PAGES, PARTNER_PAGES, populate



def attempts(examples):
    return settings(
        max_examples=examples, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )


# Attempts per form found on the pages, per page's query string, per route's address, and per route no
# form posts to (a POST-only route a page reaches by a link or htmx, or a page that takes no POST).
FORM_EXAMPLES, QUERY_EXAMPLES, ADDRESS_EXAMPLES, BLIND_POST_EXAMPLES = 15, 3, 3, 2
OUR_APPS = {"partners", "plans", "suivi", "meetings", "bilans", "tableur", "notifications", "recherche"}
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
# Parameters pages read from their address besides their forms' fields.
QUERY_KEYS = ["page", "next", "parent", "organisation", "_export", "sort", "year", "direction", "position"]

ODD_TEXTS = [
    "", " ", "²", "٣", "-1", "0", str(2**63), "9" * 40, "1e308", "NaN", "\x00", "\r\n", "\u202e", "'; --",
    "<b>x</b>", "é" * 300, "x" * 5000, "2024-02-30", "0000-00-00", "9999-12-31", "0001-01-01", "31/03/2025",
    "javascript:alert(1)", "//ailleurs.example", "auto", "new", "up", "down", "1", "csv", "xlsx",
]


def odd_values(foreign_ids):
    """What hypothesis sends in a field: odd texts, numbers of any size, dates of any year, and ids of
    another plan's rows."""
    return st.one_of(
        st.sampled_from(ODD_TEXTS),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates(min_value=datetime.date(1, 1, 1)).map(datetime.date.isoformat),
        st.sampled_from(sorted(foreign_ids)).map(str),
    )


class Forms(html.parser.HTMLParser):
    """The forms of a page: (method, action, {field name: value it carries})."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(((attrs.get("method") or "get").lower(), attrs.get("action") or "", {}))
        elif tag in ("input", "select", "textarea", "button") and self.forms and attrs.get("name"):
            fields = self.forms[-1][2]
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs and attrs["name"] in fields:
                return
            fields.setdefault(attrs["name"], attrs.get("value") or "")


def routes(patterns=None, namespace="", prefix=""):
    """(name, route, {parameter: converter}) of every route of the app but the admin's."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from routes(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif entry.name:
            route = prefix + str(entry.pattern)
            converters = {name: kind or "str" for kind, name in PARAMETER.findall(route)}
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), route, converters


def fingerprint():
    """Counts, the highest id and the sum of versions of every table of the app (history tables too), in
    one query."""
    quote = connection.ops.quote_name
    marks = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or not model._meta.managed:
            continue
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        marks += [f"(SELECT COUNT(*) FROM {table})", f"(SELECT MAX({pk}) FROM {table})"]
        if any(field.name == "version" for field in model._meta.fields):
            marks.append(f"(SELECT SUM({quote('version')}) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(marks))
        return cursor.fetchone()


def refused(response):
    if response.status_code in (400, 409, 422):
        return True
    layers = [part for context in getattr(response, "context", None) or [] for part in context.dicts]
    return any(getattr(value, "is_bound", False) and value.errors for layer in layers for value in layer.values())


def real_parameters(name, world):
    """Parameters that reach the route's page in this plan (FILL of test_every_plan_page), for the
    routes outside a plan's pages as well."""
    if name in FILL:
        return FILL[name](world)[0][0]
    organisation = Organisation.objects.get(acronym="ALL")
    return {
        "partners:organisation": {"pk": organisation.pk},
        "partners:organisation_edit": {"pk": organisation.pk},
        "partners:organisation_archive": {"pk": organisation.pk},
        "partners:organisation_merge": {"pk": organisation.pk},
        "partners:account_deactivate": {"user_id": world.partner.pk},
        "partners:account_reactivate": {"user_id": world.partner.pk},
        "partners:accept_invitation": {"uidb64": "MQ", "token": "abc-123"},
        "tableur:spreadsheet_export": {"file_format": "xlsx"},
        "password_reset_confirm": {"uidb64": "MQ", "token": "abc-123"},
    }.get(name, {})


def address(route_name, converters, world, overrides=None):
    kwargs = {"slug": world.plan.slug} if "slug" in converters else {}
    for parameter in converters:
        if parameter != "slug":
            kwargs[parameter] = real_parameters(route_name, world).get(parameter, world.partner.pk)
    kwargs.update(overrides or {})
    try:
        return reverse(route_name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def route_of(url):
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def test_every_url_and_form_answers_below_500_and_a_refusal_writes_nothing(client, lanaudiere, coordinator, partner,
                                                                           settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # no PDF laid out
    world = populate(lanaudiere, coordinator, partner, Organisation.objects.get(acronym="ALL"), steps=30)
    other = make_plan("fuzz-autre", actions=3, organisations=2)
    make_person("coordo-fuzz-autre", other, PlanRole.Role.COORDINATOR)
    foreign_ids = set(other.actions.values_list("pk", flat=True)) | set(other.results.values_list("pk", flat=True))
    values = odd_values(foreign_ids | {world.step.pk + 10_000})
    all_routes = sorted(routes())

    def as_the_person(name):
        client.force_login(world.partner if name in PARTNER_PAGES else world.coordinator)

    # The forms of every page, and where each posts.
    posted_to = {}
    for name, _route, converters in all_routes:
        url = address(name, converters, world)
        if url is None or name in NOT_PAGES or name == "logout":
            continue
        as_the_person(name)
        page = client.get(url)
        if "html" not in page.get("Content-Type", ""):
            continue
        parser = Forms()
        parser.feed(page.content.decode())
        for method, action, fields in parser.forms:
            target = route_of(action) if action else name
            if target:
                posted_to.setdefault((target, method), {}).update(fields)

    problems, asked = [], []
    before = fingerprint()  # every attempt starts from here: each is rolled back after it

    def attempt(method, name, url, data):
        asked.append(url)
        sid = transaction.savepoint()
        try:
            response = client.post(url, data) if method == "post" else client.get(url, data)
            if response.status_code >= 500:
                problems.append(f"{method.upper()} {url} {data!r}: {response.status_code}")
            elif refused(response) and fingerprint() != before:
                problems.append(f"{method.upper()} {url} {data!r}: refused ({response.status_code}) but written")
        except Exception as error:  # the test client raises what the view raised: a 500
            problems.append(f"{method.upper()} {url} {data!r}: {type(error).__name__}: {error}"[:400])
        finally:
            transaction.savepoint_rollback(sid)

    for name, _route, converters in all_routes:
        if name == "logout":
            continue
        as_the_person(name)  # outside the attempts' savepoints, which would take the session away
        url = address(name, converters, world)
        gets = posted_to.get((name, "get"), {})
        posts = posted_to.get((name, "post"), {})
        keys = sorted(set(QUERY_KEYS) | set(gets))

        # The address itself: its parameters made up (past what the converters take, too).
        free = [parameter for parameter in converters if parameter != "slug"]
        if free:
            @attempts(ADDRESS_EXAMPLES)
            @given(made_up=st.fixed_dictionaries({p: st.one_of(st.text(min_size=1, max_size=30), values) for p in free}))
            def odd_address(made_up):
                odd_url = address(name, converters, world, made_up)
                if odd_url is not None:
                    attempt("get", name, odd_url, {})
            odd_address()

        if url is None:
            continue
        if name not in NOT_PAGES:
            @attempts(QUERY_EXAMPLES)
            @given(query=st.dictionaries(st.sampled_from(keys), values, max_size=4))
            def odd_query(query):
                attempt("get", name, url, query)
            odd_query()

        fields = sorted(posts) or sorted(set(QUERY_KEYS) | {"version", "token", "comment", "achieved"})

        @attempts(FORM_EXAMPLES if posts else BLIND_POST_EXAMPLES)
        @given(data=st.fixed_dictionaries({}, optional={field: st.one_of(st.just(posts.get(field, "")), values) for field in fields}))
        def odd_form(data):
            attempt("post", name, url, {**{k: v for k, v in posts.items() if k not in data}, **data})
        odd_form()

    print(f"{len(asked)} requests on {len(all_routes)} routes, {len(posted_to)} forms found")
    assert problems == [], "\n".join(problems)
