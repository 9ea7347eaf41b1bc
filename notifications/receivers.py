"""What the apps below this one say happened, turned into notices. They may not import notifications/
(README, Layout), so they send a signal from the one place the event happens, and this listens."""

from django.db import transaction
from django.dispatch import receiver

from plans.signals import person_invited
from suivi.models import Step
from suivi.signals import step_reviewed

from . import notices


@receiver(step_reviewed)
def tell_author(sender, step, review, by, **kwargs):
    # After the commit: a review rolled back tells nobody.
    if step.author_id is None or step.author_id == getattr(by, "pk", None):
        return  # the coordination validating its own step at once
    if review == Step.Review.RETURNED:
        transaction.on_commit(lambda: notices.step_returned(step))
    elif review == Step.Review.VALIDATED:
        transaction.on_commit(lambda: notices.step_validated(step))


@receiver(person_invited)
def tell_invited(sender, person, plan, **kwargs):
    transaction.on_commit(lambda: notices.person_invited(person, plan))
