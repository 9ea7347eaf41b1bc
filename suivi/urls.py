from django.urls import path

import lib.converters  # noqa: F401  (registers <id:…>)

from . import planned_views, views

app_name = "suivi"

# Steps, results achieved, action status and the review, under the plan's address.
urlpatterns = [
    path("plans/<slug:slug>/mes-actions/", views.my_actions, name="my_actions"),
    path("plans/<slug:slug>/actions/<code:code>/", views.action_detail, name="action"),
    path("plans/<slug:slug>/actions/<code:code>/etapes/", views.add_step, name="add_step"),
    path("plans/<slug:slug>/actions/<code:code>/rien-de-nouveau/", views.check_in, name="check_in"),
    path("plans/<slug:slug>/actions/<code:code>/etat/", views.set_action_status, name="action_status"),
    path("plans/<slug:slug>/actions/<code:code>/etapes-prevues/", planned_views.add_planned_step, name="add_planned_step"),
    path("plans/<slug:slug>/etapes-prevues/<id:pk>/cocher/", planned_views.tick_planned_step, name="tick_planned_step"),
    path("plans/<slug:slug>/etapes-prevues/<id:pk>/decocher/", planned_views.untick_planned_step, name="untick_planned_step"),
    path("plans/<slug:slug>/etapes-prevues/<id:pk>/modifier/", planned_views.change_planned_step, name="change_planned_step"),
    path("plans/<slug:slug>/etapes-prevues/<id:pk>/historique/", planned_views.planned_step_history, name="planned_step_history"),
    path("plans/<slug:slug>/etapes/", views.plan_steps, name="steps"),
    path("plans/<slug:slug>/etapes/a-valider/", views.steps_to_review, name="steps_to_review"),
    path("plans/<slug:slug>/etapes/<id:pk>/modifier/", views.edit_step, name="edit_step"),
    path("plans/<slug:slug>/etapes/<id:pk>/supprimer/", views.delete_step, name="delete_step"),
    path("plans/<slug:slug>/etapes/<id:pk>/valider/", views.validate_step, name="validate_step"),
    path("plans/<slug:slug>/etapes/<id:pk>/renvoyer/", views.return_step, name="return_step"),
    path("plans/<slug:slug>/resultats/<id:pk>/atteint/", views.toggle_result, name="toggle_result"),
    path("plans/<slug:slug>/fichiers/<id:pk>/", views.download_file, name="step_file"),
    path("plans/<slug:slug>/a-relancer/", views.stale_actions, name="stale_actions"),
    path("plans/<slug:slug>/activite/", views.plan_activity, name="activity"),
]
