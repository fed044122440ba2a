"""The member's circles on My mentoring (templates/mentoring/my_mentoring.html): mentoring sits
below circles and does not import it; its template asks this tag."""

from django import template

from ..services import circles_of

register = template.Library()


@register.simple_tag
def my_circles(user):
    """The circles `user` is in, each with its members and next meeting (three queries)."""
    return circles_of(user)
