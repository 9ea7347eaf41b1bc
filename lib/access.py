"""Refusing a request the person has no right to: the one way views ask the rules."""

from django.core.exceptions import PermissionDenied


def require(user, permission, obj):
    """Refuse with 403 unless the person has the permission on the object."""
    if not user.has_perm(permission, obj):
        raise PermissionDenied
