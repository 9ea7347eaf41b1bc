"""How a signed-in person is read on each request: Django's model backend (passwords, is_active), with
whether they administer the instance read in the same query, since the rules of many pages ask it
(partners/rules.py). As healthchecks' hc/accounts/backends.py reads its profiles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        person = get_user_model()._default_manager.select_related("instance_administrator").filter(pk=user_id).first()
        return person if person is not None and self.user_can_authenticate(person) else None
