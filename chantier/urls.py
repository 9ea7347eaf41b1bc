from django.contrib import admin
from django.urls import include, path

from partners.views import password_reset

urlpatterns = [
    path("", include("tableur.urls")),  # first: plans/importer/ is not a plan
    path("", include("plans.urls")),
    path("", include("notifications.urls")),  # before suivi: its links live under an action's address
    path("", include("suivi.urls")),
    path("", include("meetings.urls")),
    path("", include("bilans.urls")),
    path("", include("partners.urls")),
    path("", include("recherche.urls")),
    # Before Django's own: the same page, with its emails rate-limited.
    path("comptes/password_reset/", password_reset, name="password_reset"),
    path("comptes/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
