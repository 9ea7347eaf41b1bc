from django.urls import path

import lib.converters  # noqa: F401  (registers <id:…>)

from . import views

app_name = "meetings"

# A plan's meetings and committees, under the plan's address.
urlpatterns = [
    path("plans/<slug:slug>/reunions/", views.meeting_list, name="list"),
    path("plans/<slug:slug>/reunions/nouvelle/", views.meeting_create, name="create"),
    path("plans/<slug:slug>/reunions/mon-calendrier/", views.my_calendar, name="my_calendar"),
    path("plans/<slug:slug>/reunions/calendrier/<token:key>.ics", views.calendar_feed, name="feed"),
    path("plans/<slug:slug>/reunions/<id:pk>/", views.meeting_detail, name="detail"),
    path("plans/<slug:slug>/reunions/<id:pk>/modifier/", views.meeting_edit, name="edit"),
    path("plans/<slug:slug>/reunions/<id:pk>/ordre-du-jour/", views.meeting_agenda, name="agenda"),
    path("plans/<slug:slug>/reunions/<id:pk>/presences/", views.meeting_attendance, name="attendance"),
    path("plans/<slug:slug>/reunions/<id:pk>/compte-rendu/", views.meeting_minutes, name="minutes"),
    path("plans/<slug:slug>/reunions/<id:pk>/decisions/", views.meeting_decisions, name="decisions"),
    path("plans/<slug:slug>/reunions/<id:pk>/invitation/", views.meeting_invite, name="invite"),
    path("plans/<slug:slug>/reunions/<id:pk>/reunion.ics", views.meeting_ics, name="ics"),
    path("plans/<slug:slug>/reunions/points/<id:pk>/supprimer/", views.delete_agenda_point, name="delete_agenda_point"),
    path("plans/<slug:slug>/reunions/decisions/<id:pk>/supprimer/", views.delete_decision, name="delete_decision"),
    path("plans/<slug:slug>/reunions/fichiers/<id:pk>/", views.meeting_file, name="file"),
    path("plans/<slug:slug>/comites/<id:pk>/", views.committee_detail, name="committee"),
]
