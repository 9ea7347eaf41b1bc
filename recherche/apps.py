from django.apps import AppConfig


class RechercheConfig(AppConfig):
    name = "recherche"
    verbose_name = "Recherche"
