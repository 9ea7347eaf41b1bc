"""The URL configuration, walked: every route with its name and parameters, so that the tests that ask
every page (tests/test_every_plan_page.py, tests/test_url_roles.py) find a new route without anyone
listing it."""

import re

from django.urls import URLResolver, get_resolver

# A parameter in a route: <int:pk>, <slug>, or a regular expression's (?P<url>…) (the admin has some).
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def routes(patterns=None, namespace="", prefix=""):
    """(name, parameters, route) of every URL pattern. A pattern without a name (some of the admin's) is
    named by its route."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from routes(entry.url_patterns, inner, prefix + str(entry.pattern))
            continue
        route = prefix + str(entry.pattern)
        parameters = [plain or regex for plain, regex in PARAMETER.findall(route)]
        if entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
        else:
            name = route
        yield name, parameters, route


def plan_routes():
    """(name, parameters other than <slug>) of every route under a plan's <slug>."""
    for name, parameters, _route in routes():
        if "slug" in parameters:
            yield name, [parameter for parameter in parameters if parameter != "slug"]
