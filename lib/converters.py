"""Numbers, codes and keys in addresses and parameters, read safely. `<id:pk>` is Django's `<int:pk>`
bounded to what a database id can be: a number past 2⁶³ − 1 reaches the ORM as an OverflowError (a 500)
through `int`; through `id` it is no such page (404). `<code:code>` and `<token:key>` likewise keep out
what no code or key holds."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import register_converter

BIGGEST_ID = 2**63 - 1  # a BigAutoField, on PostgreSQL and SQLite alike


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = int(value)
        if number > BIGGEST_ID:
            raise ValueError("not an id")  # the route does not match: 404
        return number

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")


class CodeConverter:
    """An item's code, as the plan numbers it (1, 1.2, 1.2.3, 3.10000.1 once archived). Anything else is no
    such page: `str` would pass a NUL character to PostgreSQL, which refuses it in a query (a 500)."""

    regex = "[0-9]{1,9}(?:[.][0-9]{1,9}){0,5}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


class TokenConverter(CodeConverter):
    """A key or a signed token in an address: URL-safe base64 and the signature's separator."""

    regex = "[A-Za-z0-9_:.-]{1,500}"


register_converter(CodeConverter, "code")
register_converter(TokenConverter, "token")


def whole_number(text):
    """The number a form or query parameter gives, or None unless it is digits (ASCII: « ² » passes
    str.isdigit() but not int()) within what a database id can be."""
    if not (text.isascii() and text.isdigit() and len(text) <= 19) or int(text) > BIGGEST_ID:
        return None
    return int(text)


def whole_numbers(texts):
    """The numbers among these parameters (remove_file=3&remove_file=7), leaving out anything else."""
    return [number for number in map(whole_number, texts) if number is not None]


class IdsField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of rows by id, refusing at the field what cannot be an id: Django checks
    each value alone, then asks for them all at once (`pk__in`), where a number past 2⁶³ − 1 is an
    OverflowError rather than an invalid choice."""

    def _check_values(self, value):
        for pk in value:
            if whole_number(str(pk)) is None:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)
