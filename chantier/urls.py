from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("tableur.urls")),  # first: plans/importer/ is not a plan
    path("", include("plans.urls")),
    path("", include("suivi.urls")),
    path("", include("bilans.urls")),
    path("", include("partners.urls")),
    path("comptes/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
