from django.urls import path

from . import views

app_name = "tableur"

urlpatterns = [
    # A new plan from a spreadsheet: included before plans/<slug>/, which would take "importer" for a slug.
    path("plans/importer/", views.new_plan_import, name="new_plan_import"),
    path("plans/importer/confirmer/", views.new_plan_confirm, name="new_plan_confirm"),
    path("plans/importer/modele.xlsx", views.spreadsheet_template, name="spreadsheet_template"),
    # The plan in a spreadsheet: import with preview, exports, a partner's own sheet.
    path("plans/<slug:slug>/tableur/", views.plan_spreadsheet, name="spreadsheet"),
    path("plans/<slug:slug>/tableur/confirmer/", views.plan_spreadsheet_confirm, name="spreadsheet_confirm"),
    path("plans/<slug:slug>/tableur/plan.<str:file_format>", views.plan_export, name="spreadsheet_export"),
    path("plans/<slug:slug>/tableur/mon-organisme/", views.partner_sheet, name="partner_sheet"),
    path("plans/<slug:slug>/tableur/mon-organisme/feuille.xlsx", views.partner_sheet_download,
         name="partner_sheet_download"),
    path("plans/<slug:slug>/tableur/mon-organisme/confirmer/", views.partner_sheet_confirm,
         name="partner_sheet_confirm"),
]
