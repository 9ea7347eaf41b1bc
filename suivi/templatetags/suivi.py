"""The follow-up's parts of the plan's own pages (plans/ shows them without importing this app), and the card
of a step that every list of steps draws."""

from django import template
from django.template.defaultfilters import filesizeformat, linebreaksbr, truncatechars
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from plans.templatetags.chantier import person

from ..filters import StepFilter
from ..models import Step
from ..views import LATEST_STEPS

register = template.Library()


@register.inclusion_tag("suivi/includes/latest_steps.html", takes_context=True)
def latest_steps(context, plan):
    """The plan's latest steps, with the filters of its steps page."""
    return {
        **context.flatten(),
        "plan": plan,
        "steps": Step.objects.filter(action__plan=plan).for_display()[:LATEST_STEPS],
        "filter": StepFilter(plan=plan),
    }


# A step's card, as every list of steps shows it (the action's page, « Mes actions », the review queue, the
# steps list, the plan's latest steps). A tag rather than an include, like `progress`: pages draw up to 150
# cards, and a card's template took about 2 ms, several times what the rest of the page takes (issue 11).
# What the cards of a page share is worked out once per request (`Cards`), each card only adds its own.

# A step's controls' addresses differ only by its id, which comes last: each is reversed once per request
# with this id, and the step's own put in its place.
ANY_STEP = 987654321


class Cards:
    """What every step card of a request shares: the words, the shapes of the addresses, the CSRF field,
    the page to come back to."""

    def __init__(self, context):
        request = context["request"]
        self.words = {
            "files": _("Fichiers joints"),
            "advances": _("Fait avancer :"),
            "returned": _("Renvoyée par la coordination :"),
            "change": _("Modifier"),
            "delete": _("Supprimer"),
            "validate": _("Valider"),
            "send_back": _("Renvoyer avec un commentaire"),
            "why": _("Pourquoi renvoyer cette étape?"),
            "return": _("Renvoyer"),
            "action": _("action %(code)s"),
            "recorded": _("Inscrite par %(who)s le %(when)s"),
            "validated_by": _("validée par %(who)s le %(when)s"),
        }
        self.reviews = {review: str(label) for review, label in Step.Review.choices}
        self.csrf = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', str(context.get("csrf_token"))
        )
        self.page = request.get_full_path()
        self.shapes = {}
        self.action_addresses = {}

    @classmethod
    def of(cls, context):
        request = context["request"]
        if not hasattr(request, "_step_cards"):
            request._step_cards = cls(context)
        return request._step_cards

    def address(self, name, slug, pk):
        if (name, slug) not in self.shapes:
            self.shapes[name, slug] = reverse(name, args=[slug, ANY_STEP]).rsplit(str(ANY_STEP), 1)
        before, after = self.shapes[name, slug]
        return f"{before}{pk}{after}"

    def action_address(self, action):
        if action.pk not in self.action_addresses:
            self.action_addresses[action.pk] = action.get_absolute_url()
        return self.action_addresses[action.pk]


@register.simple_tag(takes_context=True)
def step_card(context, step, show_action=False):
    """The step, its proof and its review; its controls for whoever may change or review it."""
    cards, user, plan = Cards.of(context), context["user"], context["plan"]
    words = cards.words
    parts = [
        format_html(
            '<li class="step review-{}" id="etape-{}">\n  <p class="step-head"><time datetime="{}">{}</time>\n'
            "    · <strong>{}</strong>\n",
            step.review,
            step.pk,
            step.done_on.isoformat(),
            date_format(step.done_on),
            step.organisation.display_name,
        )
    ]
    if show_action:
        parts.append(
            format_html(
                '    · <a href="{}">{}</a>\n',
                cards.action_address(step.action),
                words["action"] % {"code": step.action.code},
            )
        )
    parts.append(
        format_html(
            '    <span class="badge review-{}">{}</span></p>\n  <p class="step-text">{}</p>\n',
            step.review,
            cards.reviews[step.review],
            linebreaksbr(step.description),
        )
    )
    if step.link:
        parts.append(format_html('  <p><a href="{}" rel="noopener">{}</a></p>\n', step.link, truncatechars(step.link, 80)))
    files = step.files.all()
    if files:
        parts.append(
            format_html(
                '  <ul class="files" aria-label="{}">{}</ul>\n',
                words["files"],
                format_html_join(
                    "",
                    '<li><a href="{}">{}</a> ({})</li>',
                    (
                        (cards.address("suivi:step_file", plan.slug, stored.pk), stored.name, filesizeformat(stored.size))
                        for stored in files
                    ),
                ),
            )
        )
    results = step.results.all()
    if results:
        parts.append(
            format_html('  <p class="meta">{} {}</p>\n', words["advances"], ", ".join(result.code for result in results))
        )
    recorded = words["recorded"] % {
        "who": conditional_escape(person(step.author)),
        "when": date_format(localtime(step.created_at), "j F Y"),
    }
    if step.reviewed_by and step.review == Step.Review.VALIDATED:
        recorded += " · " + words["validated_by"] % {
            "who": conditional_escape(person(step.reviewed_by)),
            "when": date_format(localtime(step.reviewed_at), "j F Y"),
        }
    parts.append(format_html('  <p class="meta">{}</p>\n', mark_safe(recorded)))
    if step.review == Step.Review.RETURNED:
        parts.append(
            format_html(
                '  <p class="returned" role="note"><strong>{}</strong> {}</p>\n', words["returned"], step.review_comment
            )
        )
    can_change = user.has_perm("suivi.change_step", step)
    can_review = user.has_perm("suivi.review_step", step)
    if can_change or can_review:
        back = f"{cards.page}#etape-{step.pk}"
        parts.append('    <div class="step-controls">\n')
        if can_change:
            parts.append(
                format_html(
                    '        <a href="{}">{}</a>\n        <a href="{}">{}</a>\n',
                    cards.address("suivi:edit_step", plan.slug, step.pk),
                    words["change"],
                    cards.address("suivi:delete_step", plan.slug, step.pk),
                    words["delete"],
                )
            )
        if can_review and step.review != Step.Review.VALIDATED:
            parts.append(
                format_html(
                    '        <form method="post" action="{}" class="inline">{}<input type="hidden" name="next" value="{}">'
                    '<button type="submit">{}</button></form>\n',
                    cards.address("suivi:validate_step", plan.slug, step.pk),
                    cards.csrf,
                    back,
                    words["validate"],
                )
            )
        if can_review and step.review == Step.Review.PENDING:
            parts.append(
                format_html(
                    '        <details class="return"><summary>{}</summary>\n'
                    '          <form method="post" action="{}">{}<input type="hidden" name="next" value="{}">\n'
                    '            <label for="commentaire-{}">{}</label>\n'
                    '            <textarea id="commentaire-{}" name="comment" rows="2" required></textarea>\n'
                    '            <button type="submit">{}</button></form>\n        </details>\n',
                    words["send_back"],
                    cards.address("suivi:return_step", plan.slug, step.pk),
                    cards.csrf,
                    back,
                    step.pk,
                    words["why"],
                    step.pk,
                    words["return"],
                )
            )
        parts.append("    </div>\n")
    parts.append("</li>")
    return mark_safe("".join(parts))
