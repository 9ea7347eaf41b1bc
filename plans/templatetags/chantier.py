from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def person(user):
    """How a person is named on a page: their full name, else their user name."""
    if user is None:
        return _("une personne dont le compte a été supprimé")
    return user.get_full_name() or user.get_username()


@register.simple_tag
def progress(value, label=None):
    """A progress bar with its figure, or nothing when there is nothing to measure. A tag rather than an
    include: the plan page draws one per item, thousands on a large plan."""
    if value is None:
        return ""
    return format_html(
        '<span class="progress"><progress value="{}" max="100" aria-label="{}">{} %</progress>'
        ' <span class="progress-value">{}\u00a0%</span></span>',
        value,
        label or _("Avancement"),
        value,
        value,
    )
