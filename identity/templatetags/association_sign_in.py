from django import template

from identity import services

register = template.Library()


@register.simple_tag
def members_sign_in_only_this_way():
    """True when staff chose "members sign in only through the identity provider"."""
    return services.members_sign_in_only_this_way()
