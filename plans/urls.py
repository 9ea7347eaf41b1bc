from django.urls import path

from . import edit_views, list_views, spreadsheet_views, step_views, views

app_name = "plans"

urlpatterns = [
    path("", views.home, name="home"),
    # A new plan from a spreadsheet (issue 6), before plans/<slug>/ which would take "importer" for a slug
    path("plans/importer/", spreadsheet_views.new_plan_import, name="new_plan_import"),
    path("plans/importer/confirmer/", spreadsheet_views.new_plan_confirm, name="new_plan_confirm"),
    path("plans/importer/modele.xlsx", spreadsheet_views.spreadsheet_template, name="spreadsheet_template"),
    path("plans/<slug:slug>/", views.plan_detail, name="detail"),
    path("plans/<slug:slug>/acronymes/", views.plan_acronyms, name="acronyms"),
    # Editing the plan (coordinators): settings, archived items, and each item by kind (axes, objectifs,
    # actions, resultats) and id.
    path("nouveau-plan/", edit_views.new_plan, name="new_plan"),
    path("plans/<slug:slug>/modifier/", edit_views.plan_settings, name="plan_settings"),
    path("plans/<slug:slug>/modifier/archives/", edit_views.archived_items, name="archived"),
    path("plans/<slug:slug>/modifier/historique/", edit_views.plan_history, name="plan_history"),
    path("plans/<slug:slug>/modifier/<str:kind>/ajouter/", edit_views.add_item, name="add_item"),
    path("plans/<slug:slug>/modifier/<str:kind>/<int:pk>/", edit_views.edit_item, name="edit_item"),
    path("plans/<slug:slug>/modifier/<str:kind>/<int:pk>/deplacer/", edit_views.move_item, name="move_item"),
    path("plans/<slug:slug>/modifier/<str:kind>/<int:pk>/supprimer/", edit_views.delete_item, name="delete_item"),
    path("plans/<slug:slug>/modifier/<str:kind>/<int:pk>/archiver/", edit_views.archive_item, name="archive_item"),
    path("plans/<slug:slug>/modifier/<str:kind>/<int:pk>/restaurer/", edit_views.restore_item, name="restore_item"),
    path("plans/<slug:slug>/modifier/<str:kind>/<int:pk>/historique/", edit_views.item_history, name="item_history"),
    path("plans/<slug:slug>/actions/", list_views.ActionListView.as_view(), name="actions"),
    # Steps, results and their review (issue 4)
    path("plans/<slug:slug>/objectifs/<str:code>/", views.objective_detail, name="objective"),
    path("plans/<slug:slug>/mes-actions/", step_views.my_actions, name="my_actions"),
    path("plans/<slug:slug>/actions/<str:code>/", step_views.action_detail, name="action"),
    path("plans/<slug:slug>/actions/<str:code>/etapes/", step_views.add_step, name="add_step"),
    path("plans/<slug:slug>/actions/<str:code>/etat/", step_views.set_action_status, name="action_status"),
    path("plans/<slug:slug>/etapes/", step_views.plan_steps, name="steps"),
    path("plans/<slug:slug>/etapes/a-valider/", step_views.steps_to_review, name="steps_to_review"),
    path("plans/<slug:slug>/etapes/<int:pk>/modifier/", step_views.edit_step, name="edit_step"),
    path("plans/<slug:slug>/etapes/<int:pk>/supprimer/", step_views.delete_step, name="delete_step"),
    path("plans/<slug:slug>/etapes/<int:pk>/valider/", step_views.validate_step, name="validate_step"),
    path("plans/<slug:slug>/etapes/<int:pk>/renvoyer/", step_views.return_step, name="return_step"),
    path("plans/<slug:slug>/resultats/<int:pk>/atteint/", step_views.toggle_result, name="toggle_result"),
    path("plans/<slug:slug>/fichiers/<int:pk>/", step_views.download_file, name="step_file"),
    path("plans/<slug:slug>/a-relancer/", step_views.stale_actions, name="stale_actions"),
    # The plan in a spreadsheet: import with preview, exports, a partner's own sheet (issue 6)
    path("plans/<slug:slug>/tableur/", spreadsheet_views.plan_spreadsheet, name="spreadsheet"),
    path("plans/<slug:slug>/tableur/confirmer/", spreadsheet_views.plan_spreadsheet_confirm, name="spreadsheet_confirm"),
    path("plans/<slug:slug>/tableur/plan.<str:file_format>", spreadsheet_views.plan_export, name="spreadsheet_export"),
    path("plans/<slug:slug>/tableur/mon-organisme/", spreadsheet_views.partner_sheet, name="partner_sheet"),
    path("plans/<slug:slug>/tableur/mon-organisme/feuille.xlsx", spreadsheet_views.partner_sheet_download,
         name="partner_sheet_download"),
    path("plans/<slug:slug>/tableur/mon-organisme/confirmer/", spreadsheet_views.partner_sheet_confirm,
         name="partner_sheet_confirm"),
]
