from django.urls import path

import lib.converters  # noqa: F401  (registers <id:…>)

from . import views

app_name = "notifications"

urlpatterns = [
    # A person's notices and choices
    path("avis/", views.notification_list, name="list"),
    path("avis/tout-lu/", views.mark_read, {"pk": None}, name="mark_all_read"),
    path("avis/<id:pk>/lu/", views.mark_read, name="mark_read"),
    path("avis/preferences/", views.preferences, name="preferences"),
    path("avis/abonnement/<token:token>/", views.unsubscribe, name="unsubscribe"),
    # The one-click links of a reminder, on one action
    path("plans/<slug:slug>/actions/<code:code>/par-courriel/etape/", views.link_step, name="link_step"),
    path("plans/<slug:slug>/actions/<code:code>/par-courriel/rien-de-nouveau/", views.link_check_in, name="link_check_in"),
    path("avis/merci/<token:what>/", views.link_done, name="link_done"),
    # The coordination reminds now
    path("plans/<slug:slug>/a-relancer/relancer/", views.remind_now, name="remind_now"),
]
