from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class RechercheConfig(AppConfig):
    name = "recherche"
    verbose_name = _("Recherche")

    def ready(self):
        from lib.search import register_fold

        connection_created.connect(register_fold, dispatch_uid="chantier_fold")
