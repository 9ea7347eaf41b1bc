from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    # Organisations (shared by every plan)
    path("organisations/", views.OrganisationListView.as_view(), name="organisations"),
    path("organisations/nouvelle/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/modifier/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/archiver/", views.organisation_archive, name="organisation_archive"),
    path("organisations/<int:pk>/fusionner/", views.organisation_merge, name="organisation_merge"),
    # The people of a plan
    path("plans/<slug:slug>/personnes/", views.PersonListView.as_view(), name="people"),
    path("plans/<slug:slug>/personnes/inviter/", views.person_invite, name="person_invite"),
    path(
        "plans/<slug:slug>/personnes/<int:user_id>/reinviter/",
        views.person_resend_invitation,
        name="person_resend_invitation",
    ),
    path("plans/<slug:slug>/personnes/<int:user_id>/desactiver/", views.person_deactivate, name="person_deactivate"),
    path("plans/<slug:slug>/personnes/<int:user_id>/reactiver/", views.person_reactivate, name="person_reactivate"),
    path("plans/<slug:slug>/personnes/<int:user_id>/retirer/", views.person_remove, name="person_remove"),
    # The link of an invitation email (no sign-in needed: that is what it is for)
    path("comptes/invitation/<uidb64>/<token>/", views.accept_invitation, name="accept_invitation"),
]
