"""What the follow-up tells the apps above it (notifications/), which it may not import: a step was
reviewed, a check-in recorded. Sent from the one place each happens (`Step.set_review`, `CheckIn.record`)."""

from django.dispatch import Signal

# sender: Step; step, review, by
step_reviewed = Signal()
