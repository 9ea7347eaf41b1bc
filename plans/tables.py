"""The actions table and the people of a plan (django-tables2). Their column headers are also the columns
of the CSV and XLSX exports, so each value a spreadsheet needs plain has a `value_<column>` method."""

import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from lib import french
from partners.models import account_status
from partners.tables import LOCKED_OUT

from .models import Action


def partners_in_effect(action):
    return ", ".join(str(link.organisation) for link in action.partner_links_in_effect)


class ActionTable(tables.Table):
    code = tables.Column(
        verbose_name=_("Code"), order_by=("objective__axis__number", "objective__number", "number")
    )
    text = tables.Column(verbose_name=_("Moyen ou action"))
    objective = tables.Column(
        verbose_name=_("Objectif"), accessor="objective__code", order_by=("objective__axis__number", "objective__number")
    )
    partners = tables.Column(verbose_name=_("Organismes partenaires"), accessor="pk", orderable=False)
    period = tables.Column(
        verbose_name=_("Année de référence"), accessor="period_start", order_by=("period_start", "period_end")
    )
    # The label read by `ChoiceLabel`: django-tables2 would call get_status_display() itself for each cell.
    status = tables.Column(verbose_name=_("État"), accessor="status_label", order_by=("status",))
    progress = tables.Column(verbose_name=_("Avancement"), accessor="pk", orderable=False, attrs={"td": {"class": "number"}})

    class Meta:
        model = Action
        fields = []
        sequence = ["code", "text", "objective", "partners", "period", "status", "progress"]
        template_name = "plans/lists/actions_table.html"  # draws the rows itself: see there why
        per_page = 50
        order_by = "code"
        empty_text = _("Aucune action ne correspond à ces filtres.")
        attrs = {"class": "table actions-table"}

    @cached_property
    def headers(self):
        """Each column's header by name, for the rows' cell labels (read once, not once a cell)."""
        return {column.name: column.header for column in self.columns}

    def value_code(self, record):
        return record.code

    def value_objective(self, record):
        return record.objective.code

    def value_partners(self, record):
        return partners_in_effect(record)

    def value_period(self, record):
        return record.period

    def value_progress(self, record):
        return record.progress()


PERSON_STATUS = {"active": _("Active"), "invited": _("Invitée"), "inactive": _("Désactivée")}


class PersonTable(tables.Table):
    """One row per role in the plan (a person holds one role in a plan), with the organisations they act for
    in it."""

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
        template_name="plans/people/includes/person_actions.html",
        verbose_name=_("Gérer"),
        orderable=False,
        exclude_from_export=True,
        empty_values=(),
    )

    class Meta:
        template_name = "lists/table.html"
        per_page = 50
        order_by = "name"
        empty_text = _("Personne ne correspond à ces filtres.")
        attrs = {"class": "table"}

    def render_name(self, record):
        return record.user.get_full_name() or record.user.get_username()

    def value_name(self, record):
        return self.render_name(record)

    def render_organisations(self, value):
        return self.value_organisations(value) or "—"

    def value_organisations(self, value):
        """The organisations the person acts for in this plan (the list prefetches only those)."""
        return ", ".join(m.organisation.display_name for m in value.memberships.all())

    def __init__(self, *args, locked_out=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.locked_out = locked_out  # the usernames whose sign-in is locked now (partners/sign_in.py)

    def render_status(self, record):
        status = account_status(record.user)
        badge = format_html('<span class="badge {}">{}</span>', status, PERSON_STATUS[status])
        if record.user.get_username() in self.locked_out:
            badge = format_html('{} <span class="badge locked">{}</span>', badge, LOCKED_OUT)
        return badge

    def value_status(self, record):
        if record.user.get_username() in self.locked_out:
            return f"{PERSON_STATUS[account_status(record.user)]} ({LOCKED_OUT})"
        return PERSON_STATUS[account_status(record.user)]

    def render_last_login(self, value):
        return french.date(localtime(value), "DATETIME_FORMAT") if value else _("Jamais")

    def value_last_login(self, value):
        return localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
