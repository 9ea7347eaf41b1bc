from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from lib import french
from partners.models import name_of_person

register = template.Library()


@register.filter
def person(user):
    """How a person is named on a page: their full name, else their user name (an erased person: no name)."""
    return name_of_person(user)


@register.simple_tag
def progress(value, label=None):
    """A progress bar with its figure, or nothing when there is nothing to measure. A tag rather than an
    include: the plan page draws one per item, thousands on a large plan."""
    if value is None:
        return ""
    return format_html(
        '<span class="progress"><progress value="{}" max="100" aria-label="{}">{}</progress>'
        ' <span class="progress-value">{}</span></span>',
        value,
        label or _("Avancement"),
        french.percent(value),
        french.percent(value),
    )
