"""What the pages need to know of an account."""

from django import template

from ..models import account_status as status_of

register = template.Library()


@register.filter
def account_status(user):
    """"active", "invited" (has not arrived yet) or "inactive" (deactivated): what may be done to it."""
    return status_of(user)
