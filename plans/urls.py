from django.urls import path

import lib.converters  # noqa: F401  (registers <id:…>)

from . import edit_views, people_views, views

app_name = "plans"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<slug:slug>/", views.plan_detail, name="detail"),
    path("plans/<slug:slug>/acronymes/", views.plan_acronyms, name="acronyms"),
    path("plans/<slug:slug>/archiver/", edit_views.archive_plan, name="archive_plan"),
    path("plans/<slug:slug>/restaurer/", edit_views.restore_plan, name="restore_plan"),
    # Editing the plan (coordinators): settings, archived items, and each item by kind (axes, objectifs,
    # actions, resultats) and id.
    path("nouveau-plan/", edit_views.new_plan, name="new_plan"),
    path("plans/<slug:slug>/modifier/", edit_views.plan_settings, name="plan_settings"),
    path("plans/<slug:slug>/modifier/archives/", edit_views.archived_items, name="archived"),
    path("plans/<slug:slug>/modifier/historique/", edit_views.plan_history, name="plan_history"),
    path("plans/<slug:slug>/modifier/<str:kind>/ajouter/", edit_views.add_item, name="add_item"),
    path("plans/<slug:slug>/modifier/<str:kind>/<id:pk>/", edit_views.edit_item, name="edit_item"),
    path("plans/<slug:slug>/modifier/<str:kind>/<id:pk>/deplacer/", edit_views.move_item, name="move_item"),
    path("plans/<slug:slug>/modifier/<str:kind>/<id:pk>/supprimer/", edit_views.delete_item, name="delete_item"),
    path("plans/<slug:slug>/modifier/<str:kind>/<id:pk>/archiver/", edit_views.archive_item, name="archive_item"),
    path("plans/<slug:slug>/modifier/<str:kind>/<id:pk>/restaurer/", edit_views.restore_item, name="restore_item"),
    path("plans/<slug:slug>/modifier/<str:kind>/<id:pk>/historique/", edit_views.item_history, name="item_history"),
    path("plans/<slug:slug>/actions/", views.ActionListView.as_view(), name="actions"),
    path("plans/<slug:slug>/objectifs/<code:code>/", views.objective_detail, name="objective"),
    # The people of a plan (its coordinator's)
    path("plans/<slug:slug>/personnes/", people_views.PersonListView.as_view(), name="people"),
    path("plans/<slug:slug>/personnes/inviter/", people_views.person_invite, name="person_invite"),
    path(
        "plans/<slug:slug>/personnes/<id:user_id>/reinviter/",
        people_views.person_resend_invitation,
        name="person_resend_invitation",
    ),
    path(
        "plans/<slug:slug>/personnes/<id:user_id>/desactiver/",
        people_views.person_deactivate,
        name="person_deactivate",
    ),
    path(
        "plans/<slug:slug>/personnes/<id:user_id>/reactiver/",
        people_views.person_reactivate,
        name="person_reactivate",
    ),
    path("plans/<slug:slug>/personnes/<id:user_id>/debloquer/", people_views.person_unlock, name="person_unlock"),
    path("plans/<slug:slug>/personnes/<id:user_id>/retirer/", people_views.person_remove, name="person_remove"),
]
