from allauth.account.adapter import DefaultAccountAdapter

from .services import create_profile


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            create_profile(user=user)
        return user
