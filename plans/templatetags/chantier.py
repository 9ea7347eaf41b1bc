from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def person(user):
    """How a person is named on a page: their full name, else their user name."""
    if user is None:
        return _("une personne dont le compte a été supprimé")
    return user.get_full_name() or user.get_username()
