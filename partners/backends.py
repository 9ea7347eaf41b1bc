"""How a signed-in person is read on each request: Django's model backend (passwords, is_active), with
whether they administer the instance read in the same query, since the rules of many pages ask it
(partners/rules.py), as healthchecks' hc/accounts/backends.py reads its profiles.

Django's model permissions serve only the Django admin, which is for staff: for anyone else the backend
has none to give, and does not query them when a page asks a rule that says no (each app's rules.py
decides everything else)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        person = get_user_model()._default_manager.select_related("instance_administrator").filter(pk=user_id).first()
        return person if person is not None and self.user_can_authenticate(person) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_staff:
            return set()
        return super().get_all_permissions(user_obj, obj)
