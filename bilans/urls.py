from django.urls import path

import lib.converters  # noqa: F401  (registers <id:…>)

from . import views

app_name = "bilans"

urlpatterns = [
    path("plans/<slug:slug>/bilans/", views.bilan_list, name="list"),
    path("plans/<slug:slug>/bilans/nouveau/", views.bilan_create, name="create"),
    path("plans/<slug:slug>/bilans/<id:pk>/", views.bilan_detail, name="detail"),
    path("plans/<slug:slug>/bilans/<id:pk>/pdf/", views.bilan_pdf, name="pdf"),
    path("plans/<slug:slug>/bilans/<id:pk>/docx/", views.bilan_docx, name="docx"),
    path("plans/<slug:slug>/bilans/<id:pk>/apercu/", views.bilan_preview, name="preview"),
    path("plans/<slug:slug>/bilans/<id:pk>/xlsx/", views.bilan_xlsx, name="xlsx"),
    path("plans/<slug:slug>/bilans/<id:pk>/adopter/", views.bilan_adopt, name="adopt"),
    path("plans/<slug:slug>/bilans/<id:pk>/textes/", views.bilan_texts, name="texts"),
    path("plans/<slug:slug>/plan-et-etapes/", views.plan_steps_page, name="plan_steps"),
    path("plans/<slug:slug>/plan-et-etapes/pdf/", views.plan_steps_pdf, name="plan_steps_pdf"),
    path("plans/<slug:slug>/plan-et-etapes/docx/", views.plan_steps_docx, name="plan_steps_docx"),
    path("plans/<slug:slug>/plan-et-etapes/documents/<id:pk>/", views.plan_document, name="plan_document"),
    path("plans/<slug:slug>/plan-et-etapes/documents/<id:pk>/fichier/", views.plan_document_file, name="plan_document_file"),
]
