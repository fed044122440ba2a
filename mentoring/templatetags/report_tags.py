from django import template

register = template.Library()


@register.filter
def attr(obj, name):
    """{{ figures|attr:"matched" }}: a figure chosen by a column name."""
    return getattr(obj, name, None)
