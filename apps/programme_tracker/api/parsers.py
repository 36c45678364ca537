"""The API reads JSON bodies only, and refuses the two kinds that Python's JSON reader lets through but nothing
after it can handle: text with a lone surrogate (not Unicode; it cannot even be written back in an error message)
and nesting deeper than any record of the register needs."""



from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MOST_NESTING = 20  # a bulk post is three levels deep: the body, its rows, a row


def _depth_and_text(data):
    """Walk the parsed body without recursion; raise ParseError on a lone surrogate or on too deep a nesting."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MOST_NESTING:
            raise ParseError(_("The JSON is nested more than %(most)s levels deep.") % {"most": MOST_NESTING})
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ParseError(_("The JSON holds text that is not valid Unicode (a lone surrogate).")) from None


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, then the checks above."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested more than %(most)s levels deep.") % {"most": MOST_NESTING}) \
                from None
        _depth_and_text(data)
        return data



