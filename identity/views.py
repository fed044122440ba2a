from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from . import services
from .forms import MappingFormSet, ProviderForm
from .models import AssociationMapping


@cache_control(no_store=True, private=True)
def staff_sign_in(request):
    """Staff connect the association's identity provider and keep the claim → local association
    mapping. Nobody else finds this page."""
    if not request.user.is_staff:
        raise Http404
    provider = services.get_provider()
    has_secret = bool(provider and provider.client_secret)
    posted = request.POST if request.method == "POST" else None
    form = ProviderForm(posted, instance=provider, has_secret=has_secret)
    mappings = MappingFormSet(
        posted, queryset=AssociationMapping.objects.select_related("association"), prefix="mapping"
    )
    if posted is not None and form.is_valid() and mappings.is_valid():
        services.save_provider(data=dict(form.cleaned_data), by=request.user, mappings=mappings)
        messages.success(request, _("The sign-in settings are saved."))
        return redirect("identity:staff_sign_in")
    return render(
        request,
        "identity/staff_sign_in.html",
        {"form": form, "mappings": mappings, "has_secret": has_secret, "provider": provider},
    )
