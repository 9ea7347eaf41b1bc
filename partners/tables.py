"""The lists of organisations and of a plan's people, as django-tables2 tables (their headers are also the
columns of the CSV and XLSX exports)."""

import django_tables2 as tables
from django.db.models.functions import Lower
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .forms import is_invited


class OrganisationTable(tables.Table):
    name = tables.Column(verbose_name=_("Nom"), linkify=("partners:organisation", [tables.A("pk")]))
    acronym = tables.Column(verbose_name=_("Sigle"))
    kind = tables.Column(verbose_name=_("Type"))
    website = tables.URLColumn(verbose_name=_("Site web"))
    action_count = tables.Column(verbose_name=_("Actions"), attrs={"td": {"class": "number"}})
    objective_count = tables.Column(verbose_name=_("Objectifs"), attrs={"td": {"class": "number"}})
    member_count = tables.Column(verbose_name=_("Personnes"), attrs={"td": {"class": "number"}})
    archived_at = tables.Column(verbose_name=_("Archivée"), empty_values=())

    class Meta:
        template_name = "plans/lists/table.html"
        per_page = 50
        order_by = "name"
        empty_text = _("Aucune organisation ne correspond à ces filtres.")
        attrs = {"class": "table"}

    def order_name(self, queryset, is_descending):
        field = Lower("name")
        return queryset.order_by(field.desc() if is_descending else field.asc()), True

    def render_archived_at(self, value):
        return _("Oui") if value else _("Non")

    def value_archived_at(self, value):
        return _("Oui") if value else _("Non")


PERSON_STATUS = {"active": _("Active"), "invited": _("Invitée"), "inactive": _("Désactivée")}


def person_status(person):
    if person.is_active:
        return "active"
    return "invited" if is_invited(person) else "inactive"


class PersonTable(tables.Table):
    """One row per role in the plan (a person holds one role in a plan)."""

    name = tables.Column(
        verbose_name=_("Nom"),
        accessor="user__last_name",
        order_by=("user__last_name", "user__first_name", "user__username"),
        empty_values=(),
    )
    email = tables.EmailColumn(verbose_name=_("Courriel"), accessor="user__email")
    organisations = tables.Column(verbose_name=_("Organisation(s)"), accessor="user", orderable=False)
    role = tables.Column(verbose_name=_("Rôle"))
    status = tables.Column(verbose_name=_("Accès"), accessor="user__is_active", order_by=("user__is_active",))
    last_login = tables.Column(verbose_name=_("Dernière connexion"), accessor="user__last_login", empty_values=())
    manage = tables.TemplateColumn(
        template_name="partners/includes/person_actions.html",
        verbose_name=_("Gérer"),
        orderable=False,
        exclude_from_export=True,
        empty_values=(),
    )

    class Meta:
        template_name = "plans/lists/table.html"
        per_page = 50
        order_by = "name"
        empty_text = _("Personne ne correspond à ces filtres.")
        attrs = {"class": "table"}

    def render_name(self, record):
        return record.user.get_full_name() or record.user.get_username()

    def value_name(self, record):
        return self.render_name(record)

    def render_organisations(self, value):
        return ", ".join(m.organisation.display_name for m in value.memberships.all()) or "—"

    def value_organisations(self, value):
        return ", ".join(m.organisation.display_name for m in value.memberships.all())

    def render_status(self, record):
        status = person_status(record.user)
        return format_html('<span class="badge {}">{}</span>', status, PERSON_STATUS[status])

    def value_status(self, record):
        return PERSON_STATUS[person_status(record.user)]

    def render_last_login(self, value):
        # Spelled out: fr_CA's SHORT_DATETIME_FORMAT leaves its "h" unescaped, which prints the hour twice.
        return date_format(localtime(value), "Y-m-d H\xa0\\h\xa0i") if value else _("Jamais")

    def value_last_login(self, value):
        return localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
