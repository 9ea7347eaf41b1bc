from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<slug:slug>/", views.plan_detail, name="detail"),
    path("plans/<slug:slug>/acronymes/", views.plan_acronyms, name="acronyms"),
]
