"""What the pages need to know of an account."""

from django import template

from ..models import account_status as status_of
from ..models import name_of_person

register = template.Library()


@register.filter
def account_status(user):
    """"active", "invited" (has not arrived yet) or "inactive" (deactivated): what may be done to it."""
    return status_of(user)


@register.filter
def person_name(user):
    """How a person is named on a page: their full name, else their user name; an erased person by no name."""
    return name_of_person(user)
