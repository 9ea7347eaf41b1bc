from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TableurConfig(AppConfig):
    name = "tableur"
    verbose_name = _("Plans en tableur")
