"""The actions table (django-tables2). Its column headers are also the columns of the CSV and XLSX exports,
so each value a spreadsheet needs plain has a `value_<column>` method."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

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
    status = tables.Column(verbose_name=_("État"))
    progress = tables.Column(verbose_name=_("Avancement"), accessor="pk", orderable=False, attrs={"td": {"class": "number"}})

    class Meta:
        model = Action
        fields = []
        sequence = ["code", "text", "objective", "partners", "period", "status", "progress"]
        template_name = "plans/lists/table.html"
        per_page = 50
        order_by = "code"
        empty_text = _("Aucune action ne correspond à ces filtres.")
        attrs = {"class": "table actions-table"}

    def render_code(self, record):
        return format_html('<a href="{}" class="code">{}</a>', record.get_absolute_url(), record.code)

    def value_code(self, record):
        return record.code

    def render_objective(self, record):
        return format_html('<span title="{}">{}</span>', record.objective.title, record.objective.code)

    def value_objective(self, record):
        return record.objective.code

    def render_partners(self, record):
        names = partners_in_effect(record)
        if record.inherits_partners and names:
            return format_html('{} <span class="meta">{}</span>', names, _("(de l’objectif)"))
        return names or "—"

    def value_partners(self, record):
        return partners_in_effect(record)

    def render_period(self, record):
        return record.period or "—"

    def value_period(self, record):
        return record.period

    def render_progress(self, record):
        progress = record.progress()
        return "—" if progress is None else f"{progress} %"

    def value_progress(self, record):
        return record.progress()
