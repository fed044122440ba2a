from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError

from .services import create_profile


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email):
        # allauth's form field has no length limit; the column has one (254, as RFC 5321 allows).
        if len(email) > 254:
            raise ValidationError("That email address is too long: 254 characters at most.")
        return super().clean_email(email)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            create_profile(user=user)
        return user
