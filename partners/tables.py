"""The lists of organisations and of accounts as django-tables2 tables (their headers are also the columns
of the CSV and XLSX exports)."""

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import account_status


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
        template_name = "lists/table.html"
        per_page = 50
        order_by = "name"
        empty_text = _("Aucune organisation ne correspond à ces filtres.")
        attrs = {"class": "table"}

    def order_name(self, queryset, is_descending):
        field = F("sort_key")
        return queryset.order_by(field.desc() if is_descending else field.asc()), True

    def render_archived_at(self, value):
        return _("Oui") if value else _("Non")

    def value_archived_at(self, value):
        return _("Oui") if value else _("Non")


ACCOUNT_STATUS = {"active": _("Active"), "invited": _("Invitée"), "inactive": _("Désactivée")}
LOCKED_OUT = _("connexion bloquée")


class AccountTable(tables.Table):
    """Every account, for whoever answers for every plan: who, in which plans, whether they can sign in."""

    name = tables.Column(
        verbose_name=_("Nom"), accessor="last_name", order_by=("last_name", "first_name", "username"), empty_values=()
    )
    email = tables.EmailColumn(verbose_name=_("Courriel"))
    plans = tables.Column(verbose_name=_("Plans"), accessor="pk", orderable=False)
    status = tables.Column(verbose_name=_("Accès"), accessor="is_active")
    manage = tables.TemplateColumn(
        template_name="partners/includes/account_actions.html",
        verbose_name=_("Gérer"),
        orderable=False,
        exclude_from_export=True,
        empty_values=(),
    )

    class Meta:
        template_name = "lists/table.html"
        per_page = 50
        order_by = "name"
        empty_text = _("Aucun compte ne correspond à ces filtres.")
        attrs = {"class": "table"}

    def render_name(self, record):
        return record.get_full_name() or record.get_username()

    def value_name(self, record):
        return self.render_name(record)

    def value_plans(self, record):
        """The plans the person takes part in (plans' roles, through the reverse relation the list prefetches)."""
        return ", ".join(str(role.plan) for role in record.plan_roles.all())

    def render_plans(self, record):
        return self.value_plans(record) or "—"

    def __init__(self, *args, locked_out=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.locked_out = locked_out  # the usernames whose sign-in is locked now (partners/sign_in.py)

    def render_status(self, record):
        status = account_status(record)
        badge = format_html('<span class="badge {}">{}</span>', status, ACCOUNT_STATUS[status])
        if record.get_username() in self.locked_out:
            badge = format_html('{} <span class="badge locked">{}</span>', badge, LOCKED_OUT)
        return badge

    def value_status(self, record):
        if record.get_username() in self.locked_out:
            return f"{ACCOUNT_STATUS[account_status(record)]} ({LOCKED_OUT})"
        return ACCOUNT_STATUS[account_status(record)]
