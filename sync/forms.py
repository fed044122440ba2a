from django import forms

from .models import IntegrationKey


class KeyForm(forms.ModelForm):
    class Meta:
        model = IntegrationKey
        fields = ["name", "scope"]
        widgets = {"scope": forms.RadioSelect}
