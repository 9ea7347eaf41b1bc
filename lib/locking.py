"""Optimistic locking, for every row people edit in a form (plan, items, organisations): the form carries
the version of the row it was opened on, a save from an older version is refused and the person sees
what was saved since, with their own typing kept. The row has a `version` field (not in its history)."""

from django import forms
from django.db import transaction


def save_from_version(instance, version):
    """Optimistic locking: save an edit made on `version` of this row only if nobody saved it since.

    One UPDATE … WHERE version = n claims version n + 1, so of two concurrent saves from the same version
    exactly one wins; the full save follows in the same transaction so that history records it."""
    with transaction.atomic():
        claimed = type(instance)._default_manager.filter(pk=instance.pk, version=version).update(version=version + 1)
        if not claimed:
            return False
        instance.version = version + 1
        instance.save()
    return True


class VersionedForm(forms.ModelForm):
    """A model form that carries the version of the row it was opened on."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["version"].required = False


def refuse_stale(form_class, data, instance, message, **form_kwargs):
    """A form opened on an older version of `instance`: what this person typed, now on the version saved
    since (so that saving again replaces it knowingly), with `message` (which may name `%(version)s`).
    Returns the form and the row as saved since."""
    model = type(instance)
    theirs = model._default_manager.get(pk=instance.pk)
    data = data.copy()
    data["version"] = theirs.version
    form = form_class(data, instance=model._default_manager.get(pk=instance.pk), **form_kwargs)
    form.is_valid()
    form.add_error(None, message % {"version": theirs.version})
    return form, theirs
