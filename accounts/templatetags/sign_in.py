"""The line above the sign-in form that says what the person is signing in for."""

from django import template

from ..services import sign_in_reason

register = template.Library()


@register.simple_tag(takes_context=True)
def sign_in_reason_for(context):
    request = context.get("request")
    if request is None or getattr(request.resolver_match, "url_name", "") != "account_login":
        return ""
    return sign_in_reason(request.GET.get("next", ""))
