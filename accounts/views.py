from django.contrib import messages
from django.shortcuts import redirect, render

from .forms import ProfileForm
from .services import create_profile, update_profile


def profile(request):
    """The member's own profile. There is no URL for anyone else's."""
    instance = create_profile(user=request.user)
    form = ProfileForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        update_profile(user=request.user, data=form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        return redirect("home")
    return render(request, "accounts/profile.html", {"form": form})
