"""The label of a field's choice, read the fast way."""


class ChoiceLabel:
    """`step.review_label`: what `step.get_review_display()` says (« Validée »). Django builds a dictionary
    of every choice at each call of get_FOO_display(); a list page asks once a row, thousands of times on a
    large plan. An invalid stored value reads as itself, as get_FOO_display() has it."""

    def __init__(self, field, choices):
        self.field, self.choices = field, choices

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = getattr(instance, self.field)
        try:
            return self.choices(value).label
        except ValueError:
            return value
