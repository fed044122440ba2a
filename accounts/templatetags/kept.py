"""`{% kept "name" value ... %}…{% endkept %}`: a part of the page frame (the navigation, the
footer) rendered once per process for each set of `value`s, language and time zone, then kept.

The frame is most of what the same pages have in common, and drawing it again on every request
(its URLs, translations and static files' names) cost about a millisecond a page. Only for what
is the same for everyone with the same values, such as a role's menu: anything personal or
confidential (a name, a program's members) stays outside, and so does a CSRF token (refused
here, as a template block is). Kept in this process's memory only, never in a shared cache;
each value must be a plain one (text, a number, true or false, nothing), so that the key says
all the fragment is made from; KEPT fragments at most, the oldest first out."""

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.template.loader_tags import BlockNode, IncludeNode
from django.utils import timezone, translation

register = template.Library()

KEPT = 512

_kept = {}


class KeptNode(template.Node):
    def __init__(self, name, values, nodelist):
        self.name, self.values, self.nodelist = name, values, nodelist

    def render(self, context):
        values = tuple(value.resolve(context) for value in self.values)
        for value in values:
            if value is not None and type(value) not in (str, int, bool):
                raise TypeError(f"{{% kept {self.name} %}}: {value!r} is not a plain value")
        key = (self.name, values, translation.get_language(), timezone.get_current_timezone_name())
        html = _kept.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_kept) >= KEPT:
                _kept.pop(next(iter(_kept)))
            _kept[key] = html
        return html


@register.tag
def kept(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% kept %} takes a name, then the values the fragment is made from")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    # A CSRF token is the reader's own, a block a page's own, an include may be either.
    for refused in (CsrfTokenNode, BlockNode, IncludeNode):
        if nodelist.get_nodes_by_type(refused):
            raise template.TemplateSyntaxError(f"{{% kept {bits[1]} %}} may not hold a {refused.__name__}")
    return KeptNode(bits[1], [parser.compile_filter(bit) for bit in bits[2:]], nodelist)
