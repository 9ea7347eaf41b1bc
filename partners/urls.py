from django.urls import path

import lib.converters  # noqa: F401  (registers <id:…>)

from . import privacy_views, views

app_name = "partners"

urlpatterns = [
    # Organisations (shared by every plan); the people of a plan are in plans/urls.py
    path("organisations/", views.OrganisationListView.as_view(), name="organisations"),
    path("organisations/nouvelle/", views.organisation_create, name="organisation_create"),
    path("organisations/<id:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<id:pk>/modifier/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<id:pk>/archiver/", views.organisation_archive, name="organisation_archive"),
    path("organisations/<id:pk>/fusionner/", views.organisation_merge, name="organisation_merge"),
    # Accounts (an instance administrator's)
    path("comptes/personnes/", views.AccountListView.as_view(), name="accounts"),
    path("comptes/personnes/<id:user_id>/desactiver/", views.account_deactivate, name="account_deactivate"),
    path("comptes/personnes/<id:user_id>/reactiver/", views.account_reactivate, name="account_reactivate"),
    path("comptes/personnes/<id:user_id>/debloquer/", views.account_unlock, name="account_unlock"),
    path("comptes/personnes/<id:user_id>/effacer/", privacy_views.person_erase, name="person_erase"),
    # Personal information (Law 25): the privacy page (no sign-in needed), a person's own data
    path("confidentialite/", privacy_views.privacy, name="privacy"),
    path("comptes/mes-donnees/", privacy_views.my_data, name="my_data"),
    path("comptes/mes-donnees.json", privacy_views.my_data_json, name="my_data_json"),
    # The language switch of every page (no sign-in needed)
    path("langue/", views.set_language, name="set_language"),
    # The link of an invitation email (no sign-in needed: that is what it is for)
    path("comptes/invitation/<uidb64>/<token>/", views.accept_invitation, name="accept_invitation"),
]
