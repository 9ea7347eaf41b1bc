"""Refusing a request the person has no right to: the one way views ask the rules."""

import rules
from django.core.exceptions import PermissionDenied


def allows(user, permission, obj=None):
    """Whether the person has the permission on the object, as the app's rules.py decide it. Django's
    `user.has_perm` answers yes to a superuser without asking them, which would let a superuser write in an
    archived plan: the rules grant a superuser what they say (`is_superuser`), nothing more. A permission
    no rules.py declares is Django's."""
    if rules.perm_exists(permission):
        return rules.has_perm(permission, user, obj)
    return user.has_perm(permission, obj)


def require(user, permission, obj):
    """Refuse with 403 unless the person has the permission on the object."""
    if not allows(user, permission, obj):
        raise PermissionDenied
