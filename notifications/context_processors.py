"""The header's unread count, on every page of a signed-in person: one query when the header asks for it,
none otherwise (a fragment, a download) and none for someone signed out."""

from django.utils.functional import cached_property


class Unread:
    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self):
        return self.user.notifications.unread().count()


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Unread(user)}
