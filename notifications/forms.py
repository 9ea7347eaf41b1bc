from django import forms

from .models import Preference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["reminder_frequency", "emails", "email_when_validated"]
        widgets = {"reminder_frequency": forms.RadioSelect}
