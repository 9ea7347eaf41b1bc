"""What plans/ tells the apps above it, which it may not import (notifications/)."""

from django.dispatch import Signal

# sender: the Plan class; person, plan. Sent by `people_forms.send_invitation`, the one place invitations go.
person_invited = Signal()
