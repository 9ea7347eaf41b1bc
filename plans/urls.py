from django.urls import path

from . import edit_views, list_views, spreadsheet_views, views

app_name = "plans"

urlpatterns = [
    path("", views.home, name="home"),
    # A new plan from a spreadsheet (issue 6), before plans/<slug>/ which would take "importer" for a slug
    path("plans/importer/", spreadsheet_views.new_plan_import, name="new_plan_import"),
    path("plans/importer/confirmer/", spreadsheet_views.new_plan_confirm, name="new_plan_confirm"),
    path("plans/importer/modele.xlsx", spreadsheet_views.spreadsheet_template, name="spreadsheet_template"),
    path("plans/<slug:slug>/", views.plan_detail, name="detail"),
    path("plans/<slug:slug>/acronymes/", views.plan_acronyms, name="acronyms"),
    path("plans/<slug:slug>/actions/", list_views.ActionListView.as_view(), name="actions"),
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
