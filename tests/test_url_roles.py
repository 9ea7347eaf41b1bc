"""Every URL of the configuration, asked by every kind of person: what each one gets is declared in
EXPECTED below, one row per URL and object, one answer per person, for GET and, where the view writes,
for a POST of valid data. A refused write leaves the database exactly as it was; an accepted one changes
it. A new URL fails `test_every_url_is_in_the_table` until it is given its row.

The people: nobody signed in; Lanaudière's partner acting for ALL (a partner on action 3.1.1, not on
1.1.1) and the one acting for the TPDSL (the reverse); its committee member and its coordinator; the
coordinator of another plan only; a former partner whose account was deactivated after they signed in
(their session must stop working); an instance administrator and a person signed in with no plan.
"""

import datetime
import tempfile
from http.cookies import SimpleCookie
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
import tablib
from sesame.utils import get_token
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from bilans.documents import gather
from bilans.models import Bilan, PlanDocument
from meetings.models import AgendaPoint, CalendarKey, Decision, Meeting, MeetingFile
from partners.forms import OrganisationForm, invitation_token
from partners.models import Deactivation, InstanceAdministrator, Organisation
from plans.forms import ActionForm, PlanSettingsForm
from plans.models import Action, ActionPartner, Axis, Committee, ExpectedResult, Objective, Plan, PlanRole
from suivi.forms import ActionStatusForm, StepForm
from suivi.models import PlannedStep, Step, StepFile
from notifications.links import CHECK_IN, STEP, preferences_link
from notifications.links import scope as link_scope
from notifications.models import Notification
from tableur.spreadsheets import export_dataset, partner_column, partner_dataset
from tableur.views import keep_upload
from tests.conftest import LANAUDIERE, OTHER_PLAN, make_person, shared_person
from tests.spreadsheet_helpers import ROW, csv_bytes
from tests.urls_helpers import routes

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-test"  # everyone's, in tests/conftest.py
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# The people, in the order of the answers in EXPECTED.
ROLES = (
    "anonymous",
    "partner",  # acts for ALL in Lanaudière
    "other_partner",  # acts for the TPDSL in Lanaudière
    "committee_member",
    "coordinator",
    "other_coordinator",  # of « Autre chantier » only
    "deactivated",  # a former partner for ALL, deactivated after signing in
    "administrator",  # of the instance, with no role in any plan
    "outsider",  # signed in, with no role in any plan
)

# The answers: an HTTP status, or
LOGIN = "login"  # a redirect to the sign-in page
ADMIN_LOGIN = "admin"  # a redirect to the admin's sign-in page
DONE = "done"  # a write accepted: a redirect (not to a sign-in page), and the database changed
REDIRECT = "302"  # a redirect elsewhere than a sign-in page, whatever the database
REFUSED = {"403", "404", "405", LOGIN, ADMIN_LOGIN}  # after a POST answered so, the database is unchanged

# Rows that many URLs share (the columns of ROLES):   anon  ALL   TPDSL comité coordo autre désact admin dehors
IN_PLAN = "                                           login 200   200   200    200    404   login  404   404"
COORDINATION = "                                      login 403   403   403    200    404   login  404   404"
COORDINATION_WRITES = "                               login 403   403   403    done   404   login  404   404"
WRITE_ONLY = "                                        login 405   405   405    405    405   login  405   405"
NOBODY = "                                            login 404   404   404    404    404   login  404   404"
SIGNED_IN = "                                         login 200   200   200    200    200   login  200   200"
EVERYONE = "                                          200   200   200   200    200    200   200    200   200"
EVERYONE_REDIRECTED = "                               302   302   302   302    302    302   302    302   302"
BILAN_READERS = "                                     login 403   403   200    200    404   login  404   404"
# Another plan's object under Lanaudière's address: who may not do this in Lanaudière is refused before the
# object is looked for; the others do not find it.
ELSEWHERE_COORDINATION = "                            login 403   403   403    404    404   login  404   404"
ELSEWHERE_BILANS = "                                  login 403   403   404    404    404   login  404   404"

# What each URL answers, by the object its parameters name (TARGETS), for GET and, where the view writes,
# a POST of valid data (POST_DATA). « autre adresse » rows try an object of one plan under the address of
# the other: nobody reaches it (whoever may not do this in the plan at all is refused before it is looked for).
EXPECTED = {
    # Plans: the pages every person of the plan reads, and the coordinator's editing
    #                                                      anon  ALL   TPDSL comité coordo autre désact admin dehors
    ("plans:home", "-"): {"GET": SIGNED_IN},
    # The search: everyone signed in, among the plans they take part in (tests/test_search.py)
    ("recherche:search", "-"): {"GET": SIGNED_IN},
    ("plans:detail", "Lanaudière"): {"GET": IN_PLAN},
    ("plans:acronyms", "Lanaudière"): {"GET": IN_PLAN},
    ("plans:actions", "Lanaudière"): {"GET": IN_PLAN},
    ("plans:objective", "objectif 1.1"): {"GET": IN_PLAN},
    ("plans:plan_history", "Lanaudière"): {"GET": IN_PLAN},
    ("plans:item_history", "action 1.1.1"): {"GET": IN_PLAN},
    ("plans:item_history", "autre adresse"): {"GET": NOBODY},
    ("plans:new_plan", "-"): {
        "GET": "                                           login 403   403   403    200    200   login  403   403",
        "POST": "                                          login 403   403   403    done   done  login  403   403",
    },
    ("plans:plan_settings", "Lanaudière"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("plans:archived", "Lanaudière"): {"GET": COORDINATION},
    ("plans:add_item", "action sous 1.1"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("plans:add_item", "autre adresse"): {"GET": ELSEWHERE_COORDINATION, "POST": ELSEWHERE_COORDINATION},
    ("plans:edit_item", "action 1.1.1"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("plans:edit_item", "autre adresse"): {"GET": ELSEWHERE_COORDINATION, "POST": ELSEWHERE_COORDINATION},
    ("plans:move_item", "action 1.1.1"): {"GET": WRITE_ONLY, "POST": COORDINATION_WRITES},
    ("plans:move_item", "autre adresse"): {"POST": ELSEWHERE_COORDINATION},
    ("plans:delete_item", "action 1.1.1"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("plans:delete_item", "autre adresse"): {"GET": ELSEWHERE_COORDINATION, "POST": ELSEWHERE_COORDINATION},
    ("plans:archive_item", "action 1.1.1"): {"GET": WRITE_ONLY, "POST": COORDINATION_WRITES},
    ("plans:archive_item", "autre adresse"): {"POST": ELSEWHERE_COORDINATION},
    ("plans:restore_item", "résultat archivé"): {"GET": WRITE_ONLY, "POST": COORDINATION_WRITES},
    # The people of a plan
    #                                                      anon  ALL   TPDSL comité coordo autre désact admin dehors
    ("plans:people", "Lanaudière"): {"GET": COORDINATION},
    ("plans:person_invite", "Lanaudière"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("plans:person_resend_invitation", "personne invitée"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login 403   403   403    302    404   login  404   404",
    },
    ("plans:person_deactivate", "partenaire"): {"GET": WRITE_ONLY, "POST": COORDINATION_WRITES},
    ("plans:person_deactivate", "autre adresse"): {"POST": NOBODY},
    ("plans:person_reactivate", "personne désactivée"): {"GET": WRITE_ONLY, "POST": COORDINATION_WRITES},
    ("plans:person_remove", "partenaire"): {"GET": WRITE_ONLY, "POST": COORDINATION_WRITES},
    ("plans:person_remove", "autre adresse"): {"POST": NOBODY},
    ("plans:person_unlock", "partenaire"): {"GET": WRITE_ONLY, "POST": COORDINATION_WRITES},
    # Archiving a plan (read-only for everyone), and opening it again
    ("plans:archive_plan", "Lanaudière"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("plans:restore_plan", "Lanaudière"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login 403   403   403    302    404   login  404   404",
    },
    # Steps, results achieved, an action's status, the review
    #                                                      anon  ALL   TPDSL comité coordo autre désact admin dehors
    ("suivi:my_actions", "Lanaudière"): {
        "GET": "                                           login 200   200   403    403    404   login  404   404",
    },
    ("suivi:action", "action 3.1.1 (ALL)"): {"GET": IN_PLAN},
    ("suivi:action", "autre adresse"): {"GET": NOBODY},
    ("suivi:steps", "Lanaudière"): {"GET": IN_PLAN},
    ("suivi:steps_to_review", "Lanaudière"): {"GET": COORDINATION},
    ("suivi:stale_actions", "Lanaudière"): {"GET": IN_PLAN},
    ("suivi:activity", "Lanaudière"): {"GET": COORDINATION},
    ("suivi:add_step", "action 3.1.1 (ALL)"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login done  403   403    done   404   login  404   404",
    },
    ("suivi:add_step", "action 1.1.1 (TPDSL)"): {
        "POST": "                                          login 403   done  403    done   404   login  404   404",
    },
    ("suivi:add_step", "autre adresse"): {"POST": NOBODY},
    ("suivi:check_in", "action 3.1.1 (ALL)"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login done  403   403    403    404   login  404   404",
    },
    ("suivi:check_in", "autre adresse"): {"POST": NOBODY},
    ("suivi:action_status", "action 3.1.1 (ALL)"): {"GET": WRITE_ONLY, "POST": COORDINATION_WRITES},
    ("suivi:action_status", "autre adresse"): {"POST": NOBODY},
    ("suivi:edit_step", "étape d’ALL"): {
        "GET": "                                           login 200   403   403    200    404   login  404   404",
        "POST": "                                          login done  403   403    done   404   login  404   404",
    },
    ("suivi:edit_step", "étape validée d’ALL"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("suivi:edit_step", "étape de la TPDSL"): {
        "GET": "                                           login 403   200   403    200    404   login  404   404",
        "POST": "                                          login 403   done  403    done   404   login  404   404",
    },
    ("suivi:edit_step", "autre adresse"): {"GET": NOBODY, "POST": NOBODY},
    ("suivi:delete_step", "étape d’ALL"): {
        "GET": "                                           login 200   403   403    200    404   login  404   404",
        "POST": "                                          login done  403   403    done   404   login  404   404",
    },
    ("suivi:delete_step", "étape validée d’ALL"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("suivi:delete_step", "autre adresse"): {"GET": NOBODY, "POST": NOBODY},
    ("suivi:validate_step", "étape d’ALL"): {"GET": WRITE_ONLY, "POST": COORDINATION_WRITES},
    ("suivi:validate_step", "autre adresse"): {"POST": NOBODY},
    ("suivi:return_step", "étape d’ALL"): {"GET": WRITE_ONLY, "POST": COORDINATION_WRITES},
    ("suivi:return_step", "autre adresse"): {"POST": NOBODY},
    ("suivi:toggle_result", "résultat de 3.1.1 (ALL)"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login done  403   403    done   404   login  404   404",
    },
    ("suivi:toggle_result", "résultat de 1.1.1 (TPDSL)"): {
        "POST": "                                          login 403   done  403    done   404   login  404   404",
    },
    ("suivi:toggle_result", "autre adresse"): {"POST": NOBODY},
    ("suivi:step_file", "fichier d’une étape d’ALL"): {"GET": IN_PLAN},
    ("suivi:step_file", "autre adresse"): {"GET": NOBODY},
    # Planned steps: planned, ticked off and unticked, moved or dropped by their organisation or the coordination
    ("suivi:add_planned_step", "action 3.1.1 (ALL)"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login done  403   403    done   404   login  404   404",
    },
    ("suivi:add_planned_step", "autre adresse"): {"POST": NOBODY},
    ("suivi:tick_planned_step", "étape prévue d’ALL"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login done  403   403    done   404   login  404   404",
    },
    ("suivi:tick_planned_step", "autre adresse"): {"POST": NOBODY},
    ("suivi:untick_planned_step", "étape prévue cochée d’ALL"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login done  403   403    done   404   login  404   404",
    },
    ("suivi:untick_planned_step", "autre adresse"): {"POST": NOBODY},
    ("suivi:change_planned_step", "étape prévue d’ALL"): {
        "GET": "                                           login 200   403   403    200    404   login  404   404",
        "POST": "                                          login done  403   403    done   404   login  404   404",
    },
    ("suivi:change_planned_step", "autre adresse"): {"GET": NOBODY, "POST": NOBODY},
    ("suivi:planned_step_history", "étape prévue d’ALL"): {"GET": IN_PLAN},
    ("suivi:planned_step_history", "autre adresse"): {"GET": NOBODY},
    # Meetings: every person of the plan reads them, its coordinator prepares them
    #                                                      anon  ALL   TPDSL comité coordo autre désact admin dehors
    ("meetings:list", "Lanaudière"): {"GET": IN_PLAN},
    ("meetings:create", "Lanaudière"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("meetings:detail", "réunion"): {"GET": IN_PLAN},
    ("meetings:detail", "autre adresse"): {"GET": NOBODY},
    ("meetings:ics", "réunion"): {"GET": IN_PLAN},
    ("meetings:ics", "autre adresse"): {"GET": NOBODY},
    # A change of date or place changes no count: the page after it is the proof.
    ("meetings:edit", "réunion"): {"GET": COORDINATION, "POST": COORDINATION_WRITES.replace("done", REDIRECT)},
    ("meetings:edit", "autre adresse"): {"GET": ELSEWHERE_COORDINATION, "POST": ELSEWHERE_COORDINATION},
    ("meetings:agenda", "réunion"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("meetings:agenda", "autre adresse"): {"GET": ELSEWHERE_COORDINATION, "POST": ELSEWHERE_COORDINATION},
    ("meetings:attendance", "réunion"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("meetings:minutes", "réunion"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("meetings:decisions", "réunion"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("meetings:decisions", "autre adresse"): {"GET": ELSEWHERE_COORDINATION, "POST": ELSEWHERE_COORDINATION},
    # Sending notes the date only (no count changes): the mail is the proof (tests/test_meetings.py).
    ("meetings:delete_agenda_point", "point de l’ordre du jour"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("meetings:delete_agenda_point", "autre adresse"): {"GET": ELSEWHERE_COORDINATION, "POST": ELSEWHERE_COORDINATION},
    ("meetings:delete_decision", "décision"): {"GET": COORDINATION, "POST": COORDINATION_WRITES},
    ("meetings:delete_decision", "autre adresse"): {"GET": ELSEWHERE_COORDINATION, "POST": ELSEWHERE_COORDINATION},
    ("meetings:invite", "réunion"): {"GET": WRITE_ONLY, "POST": COORDINATION_WRITES.replace("done", REDIRECT)},
    ("meetings:invite", "autre adresse"): {"POST": ELSEWHERE_COORDINATION},
    ("meetings:file", "fichier d’une réunion"): {"GET": IN_PLAN},
    ("meetings:file", "autre adresse"): {"GET": NOBODY},
    ("meetings:committee", "comité Menus travaux"): {"GET": IN_PLAN},
    ("meetings:committee", "autre adresse"): {"GET": NOBODY},
    # The partner has a key already: renewing it changes no count (tests/test_meetings.py checks the old
    # address stops); the others' first key is made.
    ("meetings:my_calendar", "Lanaudière"): {
        "GET": IN_PLAN,
        "POST": "                                          login 302   done  done   done   404   login  404   404",
    },
    # A calendar program reads the feed without signing in: the key is the secret, whoever holds it.
    ("meetings:feed", "clé de la partenaire"): {"GET": EVERYONE},
    ("meetings:feed", "clé erronée"): {"GET": "                    404   404   404   404    404    404   404    404   404"},
    # Yearly reports
    #                                                      anon  ALL   TPDSL comité coordo autre désact admin dehors
    ("bilans:list", "Lanaudière"): {"GET": BILAN_READERS},
    ("bilans:plan_steps", "Lanaudière"): {"GET": BILAN_READERS},
    ("bilans:plan_steps_pdf", "Lanaudière"): {"GET": BILAN_READERS},
    ("bilans:plan_steps_docx", "Lanaudière"): {"GET": BILAN_READERS},
    ("bilans:plan_document", "PDF prêt du plan"): {"GET": BILAN_READERS},
    ("bilans:plan_document", "autre adresse"): {"GET": ELSEWHERE_BILANS},
    ("bilans:plan_document_file", "PDF prêt du plan"): {"GET": BILAN_READERS},
    ("bilans:create", "Lanaudière"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login 403   403   done   done   404   login  404   404",
    },
    ("bilans:detail", "brouillon prêt"): {"GET": BILAN_READERS},
    ("bilans:detail", "autre adresse"): {"GET": ELSEWHERE_BILANS},
    ("bilans:pdf", "brouillon prêt"): {"GET": BILAN_READERS},
    ("bilans:pdf", "autre adresse"): {"GET": NOBODY},
    ("bilans:preview", "brouillon prêt"): {"GET": BILAN_READERS},
    ("bilans:xlsx", "brouillon prêt"): {"GET": BILAN_READERS},
    ("bilans:docx", "brouillon prêt"): {"GET": BILAN_READERS},
    ("bilans:docx", "autre adresse"): {"GET": NOBODY},
    ("bilans:adopt", "brouillon prêt"): {
        "GET": WRITE_ONLY,
        # Adopting changes no count (the bilan's state): the page after it is the proof.
        "POST": "                                          login 403   403   302    302    404   login  404   404",
    },
    ("bilans:adopt", "autre adresse"): {"POST": ELSEWHERE_BILANS},
    ("bilans:texts", "brouillon prêt"): {
        "GET": "                                           login 403   403   200    200    404   login  404   404",
        # The words go into the draft's own row (no count changes): the page after it is the proof.
        "POST": "                                          login 403   403   302    302    404   login  404   404",
    },
    # Spreadsheets: a new plan from a file, the plan's import and exports, a partner's own sheet
    #                                                      anon  ALL   TPDSL comité coordo autre désact admin dehors
    ("tableur:spreadsheet_template", "-"): {"GET": SIGNED_IN},
    ("tableur:new_plan_import", "-"): {
        "GET": "                                           login 403   403   403    200    200   login  403   403",
        "POST": "                                          login 403   403   403    200    200   login  403   403",
    },
    ("tableur:new_plan_confirm", "-"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login 403   403   403    done   done  login  403   403",
    },
    ("tableur:spreadsheet", "Lanaudière"): {"GET": COORDINATION, "POST": COORDINATION},
    ("tableur:spreadsheet_confirm", "Lanaudière"): {"GET": WRITE_ONLY, "POST": COORDINATION_WRITES},
    ("tableur:spreadsheet_export", "xlsx"): {"GET": COORDINATION},
    ("tableur:spreadsheet_export", "csv"): {"GET": COORDINATION},
    ("tableur:partner_sheet", "Lanaudière"): {
        "GET": "                                           login 200   200   403    403    404   login  404   404",
        "POST": "                                          login 200   200   403    403    404   login  404   404",
    },
    ("tableur:partner_sheet_download", "Lanaudière"): {
        "GET": "                                           login 200   200   403    403    404   login  404   404",
    },
    ("tableur:partner_sheet_confirm", "Lanaudière"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login done  done  403    403    404   login  404   404",
    },
    # Organisations (every plan's) and accounts
    #                                                      anon  ALL   TPDSL comité coordo autre désact admin dehors
    ("partners:organisations", "-"): {
        "GET": "                                           login 200   200   200    200    200   login  200   403",
    },
    ("partners:organisation", "ALL"): {
        "GET": "                                           login 200   200   200    200    200   login  200   403",
    },
    ("partners:organisation_create", "-"): {
        "GET": "                                           login 403   403   403    200    200   login  200   403",
        "POST": "                                          login 403   403   403    done   done  login  done  403",
    },
    ("partners:organisation_edit", "ALL (Lanaudière seulement)"): {
        "GET": "                                           login 403   403   403    200    403   login  200   403",
        "POST": "                                          login 403   403   403    done   403   login  done  403",
    },
    ("partners:organisation_edit", "TPDSL (aussi dans l’autre plan)"): {
        "GET": "                                           login 403   403   403    403    403   login  200   403",
        "POST": "                                          login 403   403   403    403    403   login  done  403",
    },
    ("partners:organisation_archive", "ALL (Lanaudière seulement)"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login 403   403   403    done   403   login  done  403",
    },
    ("partners:organisation_archive", "TPDSL (aussi dans l’autre plan)"): {
        "POST": "                                          login 403   403   403    403    403   login  done  403",
    },
    ("partners:organisation_merge", "ALL (Lanaudière seulement)"): {
        "GET": "                                           login 403   403   403    200    403   login  200   403",
        "POST": "                                          login 403   403   403    done   403   login  done  403",
    },
    ("partners:accounts", "-"): {
        "GET": "                                           login 403   403   403    403    403   login  200   403",
    },
    ("partners:account_deactivate", "partenaire"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login 403   403   403    403    403   login  done  403",
    },
    ("partners:account_reactivate", "personne désactivée"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login 403   403   403    403    403   login  done  403",
    },
    ("partners:account_unlock", "partenaire"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login 403   403   403    403    403   login  done  403",
    },
    # Personal information (Law 25): the privacy page, one's own data, erasing a departed person
    # Notices, email choices, the one-click links of reminders (the link is the credential: whoever opens
    # it acts as the person it was sent to, here ALL's partner), reminding now
    #                                                      anon  ALL   TPDSL comité coordo autre désact admin dehors
    ("notifications:list", "-"): {"GET": SIGNED_IN},
    ("notifications:preferences", "-"): {
        "GET": SIGNED_IN,
        "POST": "                                          login done  done  done   done   done  login  done  done",
    },
    ("notifications:mark_all_read", "-"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login 302   302   302    302    302   login  302   302",
    },
    # Marked read: a date set, which the fingerprint does not see (tests/test_notifications.py checks it).
    ("notifications:mark_read", "avis d’ALL"): {
        "GET": WRITE_ONLY,
        "POST": "                                          login 302   404   404    404    404   login  404   404",
    },
    # A mail program's one-click unsubscribe (RFC 8058) POSTs and expects 200, not a redirect; the page
    # says it is done (tests/test_reminders.py checks the preference).
    ("notifications:unsubscribe", "désabonnement d’ALL"): {"GET": EVERYONE, "POST": EVERYONE},
    ("notifications:unsubscribe", "lien forgé"): {"GET": "400 400 400 400 400 400 400 400 400", "POST": "400 400 400 400 400 400 400 400 400"},
    ("notifications:link_step", "lien « étape » d’ALL sur 3.1.1"): {"GET": EVERYONE, "POST": "done done done done done done done done done"},
    ("notifications:link_step", "lien « étape » d’ALL sur une autre action"): {
        "GET": "403 403 403 403 403 403 403 403 403", "POST": "403 403 403 403 403 403 403 403 403"
    },
    ("notifications:link_check_in", "lien « rien de nouveau » d’ALL sur 3.1.1"): {"GET": EVERYONE, "POST": "done done done done done done done done done"},
    ("notifications:link_check_in", "lien « étape » d’ALL sur 3.1.1"): {
        "GET": "403 403 403 403 403 403 403 403 403", "POST": "403 403 403 403 403 403 403 403 403"
    },
    ("notifications:link_check_in", "lien « rien de nouveau » d’ALL sur une autre action"): {
        "GET": "403 403 403 403 403 403 403 403 403", "POST": "403 403 403 403 403 403 403 403 403"
    },
    ("notifications:link_done", "étape"): {"GET": EVERYONE},
    ("notifications:remind_now", "Lanaudière"): {"GET": WRITE_ONLY, "POST": COORDINATION_WRITES},
    ("partners:privacy", "-"): {"GET": EVERYONE},
    ("partners:my_data", "-"): {"GET": SIGNED_IN},
    ("partners:my_data_json", "-"): {"GET": SIGNED_IN},
    # The language switch: anyone (a cookie); a signed-in person's choice is also stored on them.
    ("partners:set_language", "-"): {
        "GET": "                                           405   405   405   405    405    405   405    405   405",
        "POST": "                                          302   done  done  done   done   done  302    done  done",
    },
    ("partners:person_erase", "partenaire"): {
        "GET": "                                           login 403   403   403    200    403   login  200   403",
        "POST": "                                          login 403   403   403    done   403   login  done  403",
    },
    # Signing in: the pages a person needs before they are signed in
    #                                                      anon  ALL   TPDSL comité coordo autre désact admin dehors
    ("partners:accept_invitation", "personne invitée"): {"GET": EVERYONE_REDIRECTED, "POST": EVERYONE_REDIRECTED},
    # A link made for the deactivated person (before or after): it no longer opens anything.
    ("partners:accept_invitation", "personne désactivée"): {"GET": EVERYONE, "POST": EVERYONE},
    ("login", "-"): {"GET": EVERYONE, "POST": EVERYONE_REDIRECTED},
    ("logout", "-"): {  # signed out, everyone is sent to the sign-in page
        "GET": WRITE_ONLY,
        "POST": "                                          login login login login  login  login login  login login",
    },
    ("password_change", "-"): {"GET": SIGNED_IN, "POST": SIGNED_IN.replace("200", REDIRECT)},
    ("password_change_done", "-"): {"GET": SIGNED_IN},
    ("password_reset", "-"): {"GET": EVERYONE, "POST": EVERYONE_REDIRECTED},
    ("password_reset_done", "-"): {"GET": EVERYONE},
    ("password_reset_confirm", "lien périmé"): {"GET": EVERYONE},
    ("password_reset_complete", "-"): {"GET": EVERYONE},
    ("admin:login", "-"): {"GET": EVERYONE},
    # The admin sends whoever is signed in but not staff to its index, the others to its sign-in page.
    ("admin:logout", "-"): {
        "GET": "                                           admin 302   302   302    302    302   admin  302   302",
    },
}
# The admin is for staff, which none of these people is: each of its pages (every route under admin/
# but its sign-in and sign-out) sends every one of them to its sign-in page.
ADMIN_PREFIX = "admin/"
ADMIN_IN_TABLE = {"admin:login", "admin:logout"}


@dataclass
class World:
    """What the URLs' parameters name, and the people who ask them."""

    people: dict
    clients: dict  # each person's browser, signed in once
    lanaudiere: Plan
    other_plan: Plan
    all_org: Organisation
    tpdsl: Organisation
    duplicate: Organisation  # an organisation no plan uses, to merge into ALL
    own_action: Action  # 3.1.1: ALL's, not the TPDSL's
    other_action: Action  # 1.1.1: the TPDSL's, not ALL's
    step: Step  # ALL's, waiting for validation, with a file
    validated_step: Step  # ALL's, validated
    tpdsl_step: Step
    planned: PlannedStep  # ALL's, on 3.1.1, open
    ticked: PlannedStep  # ALL's, on 3.1.1, ticked off: its step waits for validation
    stored_file: StepFile
    archived_result: ExpectedResult
    bilan: Bilan  # a draft, ready
    plan_document: PlanDocument  # « Le plan et ses étapes réalisées » made in the background, ready
    target_partner: object  # a partner of Lanaudière only, to deactivate or take out of the plan
    invited: object  # invited into Lanaudière, not arrived yet
    elsewhere: SimpleNamespace  # the other plan's action, result, step, file and bilan
    notice: Notification  # ALL's partner's, unread
    meetings: SimpleNamespace = None  # Lanaudière's meeting, its file, a committee, a calendar key; the other plan's

    def person(self, role):
        return self.people[role]


def build_world():
    """The objects and people of the table, written once for the module (rolled back at its end)."""
    lanaudiere = Plan.objects.get(slug=LANAUDIERE)
    other_plan = Plan.objects.get(slug=OTHER_PLAN)
    coordinator = shared_person("coordinator")
    all_org, tpdsl = Organisation.objects.get(acronym="ALL"), Organisation.objects.get(acronym="TPDSL")
    own_action, other_action = lanaudiere.actions.get(code="3.1.1"), lanaudiere.actions.get(code="1.1.1")
    today = timezone.localdate()

    deactivated = make_person("ancien-partenaire", lanaudiere, PlanRole.Role.PARTNER, all_org)
    clients = {"deactivated": Client()}
    clients["deactivated"].force_login(deactivated)  # signed in before the deactivation: it must not last
    Deactivation.deactivate(deactivated, by=coordinator)
    administrator = make_person("admin-instance")
    InstanceAdministrator.objects.create(user=administrator)
    target_partner = make_person("partenaire-cible", lanaudiere, PlanRole.Role.PARTNER, all_org)
    # Locked out after five wrong passwords: the lockout is there to be lifted.
    AccessAttempt.objects.create(
        username=target_partner.username, ip_address="192.0.2.1", user_agent="", http_accept="", path_info="/",
        get_data="", post_data="", failures_since_start=5,
    )
    invited = get_user_model().objects.create(username="invitee@example.org", email="invitee@example.org", is_active=False)
    invited.set_unusable_password()
    invited.save()
    PlanRole.objects.create(plan=lanaudiere, user=invited, role=PlanRole.Role.PARTNER)

    step = Step.objects.create(action=own_action, organisation=all_org, description="Rencontre d’ALL", done_on=today)
    stored_file = StepFile(step=step, name="compte-rendu.pdf", content_type="application/pdf", size=len(PDF))
    stored_file.file.save("compte-rendu.pdf", ContentFile(PDF))
    validated_step = Step.objects.create(action=own_action, organisation=all_org, description="Validée", done_on=today)
    validated_step.set_review(Step.Review.VALIDATED, by=coordinator)
    tpdsl_step = Step.objects.create(action=other_action, organisation=tpdsl, description="De la TPDSL", done_on=today)
    planned = PlannedStep.objects.create(action=own_action, organisation=all_org, description="Prévue", due_on=today)
    ticked_step = Step.objects.create(action=own_action, organisation=all_org, description="Cochée", done_on=today)
    ticked = PlannedStep.objects.create(
        action=own_action, organisation=all_org, description="Cochée", due_on=today, step=ticked_step
    )
    archived_result = lanaudiere.results.get(code="3.1.2.1")
    archived_result.archive()
    bilan = ready_bilan(lanaudiere, coordinator)
    plan_document = ready_plan_document(lanaudiere, coordinator)

    # The other plan, only begun in tests/conftest.py: one of each object, and the TPDSL among its partners.
    axis = Axis.objects.create(plan=other_plan, number=1, code="1", title="Axe ailleurs")
    objective = Objective.objects.create(plan=other_plan, axis=axis, number=1, code="1.1", title="Objectif ailleurs")
    action = Action.objects.create(plan=other_plan, objective=objective, number=1, code="1.1.1", text="Action ailleurs")
    ActionPartner.objects.create(action=action, organisation=tpdsl, position=1)
    result = ExpectedResult.objects.create(plan=other_plan, action=action, number=1, code="1.1.1.1", text="Résultat")
    other_step = Step.objects.create(action=action, organisation=tpdsl, description="Ailleurs", done_on=today)
    other_file = StepFile(step=other_step, name="ailleurs.pdf", content_type="application/pdf", size=len(PDF))
    other_file.file.save("ailleurs.pdf", ContentFile(PDF))
    other_planned = PlannedStep.objects.create(action=action, organisation=tpdsl, description="Ailleurs", due_on=today)
    elsewhere = SimpleNamespace(
        action=action, result=result, step=other_step, file=other_file, bilan=ready_bilan(other_plan, coordinator),
        planned=other_planned, plan_document=ready_plan_document(other_plan, coordinator),
    )

    # Someone of ALL with an email, for the reminders sent now.
    target_partner.email = "partenaire-cible@example.org"
    target_partner.save()
    notice = Notification.objects.create(
        person=shared_person("partner"), plan=lanaudiere, kind=Notification.Kind.STEP_RETURNED, text="Renvoyée",
        url=own_action.get_absolute_url(),
    )

    people = {role: shared_person(role) for role in ROLES if role not in ("anonymous", "deactivated", "administrator")}
    people.update(anonymous=None, deactivated=deactivated, administrator=administrator)
    for role, person in people.items():
        if role != "deactivated":
            clients[role] = Client()
            if person is not None:
                clients[role].force_login(person)
    return World(
        people=people,
        clients=clients,
        lanaudiere=lanaudiere,
        other_plan=other_plan,
        all_org=all_org,
        tpdsl=tpdsl,
        duplicate=Organisation.objects.create(name="Doublon d’ALL"),
        own_action=own_action,
        other_action=other_action,
        step=step,
        validated_step=validated_step,
        tpdsl_step=tpdsl_step,
        planned=planned,
        ticked=ticked,
        stored_file=stored_file,
        archived_result=archived_result,
        bilan=bilan,
        plan_document=plan_document,
        target_partner=target_partner,
        invited=invited,
        elsewhere=elsewhere,
        notice=notice,
        meetings=meetings_of(lanaudiere, other_plan, shared_person("partner"), elsewhere),
    )


def meetings_of(lanaudiere, other_plan, partner, elsewhere):
    """A meeting of each plan (Lanaudière's with a file), a working committee, the partner's calendar key."""
    when = timezone.now() + datetime.timedelta(days=7)
    length = datetime.timedelta(hours=2)
    meeting = Meeting.objects.create(plan=lanaudiere, starts_at=when, ends_at=when + length, place="Joliette")
    stored = MeetingFile(meeting=meeting, name="compte-rendu.pdf", content_type="application/pdf", size=len(PDF))
    stored.file.save("compte-rendu.pdf", ContentFile(PDF))
    other = Meeting.objects.create(plan=other_plan, starts_at=when, ends_at=when + length)
    elsewhere.meeting = other
    elsewhere.meeting_file = MeetingFile(meeting=other, name="ailleurs.pdf", content_type="application/pdf", size=len(PDF))
    elsewhere.meeting_file.file.save("ailleurs.pdf", ContentFile(PDF))
    elsewhere.committee = Committee.objects.create(plan=other_plan, name="Comité d’ailleurs")
    elsewhere.point = AgendaPoint.objects.create(meeting=other, title="Varia d’ailleurs")
    elsewhere.decision = Decision.objects.create(meeting=other, text="Une décision d’ailleurs.")
    return SimpleNamespace(
        meeting=meeting, file=stored, committee=lanaudiere.committees.get(name="Menus travaux"),
        point=AgendaPoint.objects.create(meeting=meeting, title="Varia"),
        decision=Decision.objects.create(meeting=meeting, text="Le comité adopte le calendrier."),
        key=CalendarKey.objects.for_person(partner, lanaudiere),
    )


def ready_plan_document(plan, user):
    document = PlanDocument.objects.create(
        plan=plan, starts_on=datetime.date(2024, 4, 1), ends_on=datetime.date(2025, 3, 31), requested_by=user
    )
    document.file.save(document.file_name(), ContentFile(PDF), save=False)
    document.rendering = Bilan.Rendering.READY
    document.save()
    return document


def ready_bilan(plan, user):
    bilan = Bilan.create_draft(plan, datetime.date(2024, 4, 1), datetime.date(2025, 3, 31), year=2024, user=user)
    bilan.data = gather(plan, bilan.starts_on, bilan.ends_on)
    bilan.pdf.save(bilan.file_name(), ContentFile(PDF), save=False)
    bilan.rendering, bilan.progress, bilan.generated_at = Bilan.Rendering.READY, 100, timezone.now()
    bilan.save()
    return bilan


# The parameters each target gives its URL ("-": none), and a query string when it needs one.
def item(w, kind, obj):
    """An item of a plan under Lanaudière's address."""
    return {"slug": w.lanaudiere.slug, "kind": kind, "pk": obj.pk}


TARGETS = {
    "-": lambda w: {},
    "Lanaudière": lambda w: {"slug": w.lanaudiere.slug},
    "objectif 1.1": lambda w: {"slug": w.lanaudiere.slug, "code": "1.1"},
    "action 1.1.1": lambda w: item(w, "actions", w.other_action),
    "action sous 1.1": lambda w: ({"slug": w.lanaudiere.slug, "kind": "actions"}, {"parent": w.other_action.objective_id}),
    "résultat archivé": lambda w: item(w, "resultats", w.archived_result),
    "action 3.1.1 (ALL)": lambda w: {"slug": w.lanaudiere.slug, "code": w.own_action.code},
    "action 1.1.1 (TPDSL)": lambda w: {"slug": w.lanaudiere.slug, "code": w.other_action.code},
    "étape d’ALL": lambda w: {"slug": w.lanaudiere.slug, "pk": w.step.pk},
    "étape validée d’ALL": lambda w: {"slug": w.lanaudiere.slug, "pk": w.validated_step.pk},
    "étape de la TPDSL": lambda w: {"slug": w.lanaudiere.slug, "pk": w.tpdsl_step.pk},
    "résultat de 3.1.1 (ALL)": lambda w: {"slug": w.lanaudiere.slug, "pk": w.own_action.results.get().pk},
    "résultat de 1.1.1 (TPDSL)": lambda w: {"slug": w.lanaudiere.slug, "pk": w.other_action.results.get().pk},
    "étape prévue d’ALL": lambda w: {"slug": w.lanaudiere.slug, "pk": w.planned.pk},
    "étape prévue cochée d’ALL": lambda w: {"slug": w.lanaudiere.slug, "pk": w.ticked.pk},
    "fichier d’une étape d’ALL": lambda w: {"slug": w.lanaudiere.slug, "pk": w.stored_file.pk},
    "brouillon prêt": lambda w: {"slug": w.lanaudiere.slug, "pk": w.bilan.pk},
    "PDF prêt du plan": lambda w: {"slug": w.lanaudiere.slug, "pk": w.plan_document.pk},
    "réunion": lambda w: {"slug": w.lanaudiere.slug, "pk": w.meetings.meeting.pk},
    "fichier d’une réunion": lambda w: {"slug": w.lanaudiere.slug, "pk": w.meetings.file.pk},
    "point de l’ordre du jour": lambda w: {"slug": w.lanaudiere.slug, "pk": w.meetings.point.pk},
    "décision": lambda w: {"slug": w.lanaudiere.slug, "pk": w.meetings.decision.pk},
    "comité Menus travaux": lambda w: {"slug": w.lanaudiere.slug, "pk": w.meetings.committee.pk},
    "clé de la partenaire": lambda w: {"slug": w.lanaudiere.slug, "key": w.meetings.key.key},
    "clé erronée": lambda w: {"slug": w.lanaudiere.slug, "key": "pas-la-bonne-cle"},
    "partenaire": lambda w: target_person(w, w.target_partner),
    "personne invitée": lambda w: target_person(w, w.invited),
    "personne désactivée": lambda w: target_person(w, w.people["deactivated"]),
    "xlsx": lambda w: {"slug": w.lanaudiere.slug, "file_format": "xlsx"},
    "csv": lambda w: {"slug": w.lanaudiere.slug, "file_format": "csv"},
    "ALL": lambda w: {"pk": w.all_org.pk},
    "ALL (Lanaudière seulement)": lambda w: {"pk": w.all_org.pk},
    "TPDSL (aussi dans l’autre plan)": lambda w: {"pk": w.tpdsl.pk},
    "lien périmé": lambda w: {"uidb64": "MQ", "token": "ce-lien-a-expire"},
    "avis d’ALL": lambda w: {"pk": w.notice.pk},
    "désabonnement d’ALL": lambda w: {"token": preferences_link(w.person("partner"), "never").split("/")[-2]},
    "lien forgé": lambda w: {"token": preferences_link(w.person("partner"), "never").split("/")[-2][:-3] + "abc"},
    "lien « étape » d’ALL sur 3.1.1": lambda w: link_of(w, STEP, w.own_action),
    "lien « rien de nouveau » d’ALL sur 3.1.1": lambda w: link_of(w, CHECK_IN, w.own_action),
    # Its token is for 3.1.1: at another action's address it opens nothing.
    "lien « étape » d’ALL sur une autre action": lambda w: link_of(w, STEP, w.own_action, "3.1.2"),
    "lien « rien de nouveau » d’ALL sur une autre action": lambda w: link_of(w, CHECK_IN, w.own_action, "3.1.2"),
    "étape": lambda w: {"what": "etape"},
}


def link_of(w, purpose, action, at=None):
    """A reminder's one-click link for ALL's partner, for `purpose` on `action`, at the address of `at`."""
    return {"slug": w.lanaudiere.slug, "code": at or action.code}, {"t": token_of(w, purpose, action)}


def token_of(w, purpose, action):
    return get_token(w.person("partner"), scope=link_scope(purpose, action))


def token_of_target(w, target):
    return token_of(w, CHECK_IN if "rien de nouveau" in target else STEP, w.own_action)


def target_person(w, person):
    """A person among Lanaudière's people (the accounts' pages take only their id, address())."""
    return {"slug": w.lanaudiere.slug, "user_id": person.pk}


def invitation_link(w, person):
    return {"uidb64": urlsafe_base64_encode(force_bytes(person.pk)), "token": invitation_token.make_token(person)}


# « autre adresse »: an object of the other plan under Lanaudière's address (as its coordinator would try),
# or the reverse for the other plan's coordinator: each route names its object its own way.
def elsewhere(name, w):
    mine, theirs = w.lanaudiere.slug, w.other_plan.slug
    e = w.elsewhere
    return {
        "plans:item_history": item(w, "actions", e.action),
        "plans:add_item": ({"slug": mine, "kind": "actions"}, {"parent": e.action.objective_id}),
        "plans:edit_item": item(w, "actions", e.action),
        "plans:move_item": item(w, "actions", e.action),
        "plans:delete_item": item(w, "actions", e.action),
        "plans:archive_item": item(w, "actions", e.action),
        "plans:person_deactivate": {"slug": theirs, "user_id": w.target_partner.pk},
        "plans:person_remove": {"slug": theirs, "user_id": w.target_partner.pk},
        "suivi:action": {"slug": theirs, "code": w.own_action.code},  # 3.1.1 is no action of the other plan
        "suivi:add_step": {"slug": theirs, "code": w.own_action.code},
        "suivi:action_status": {"slug": theirs, "code": w.own_action.code},
        "suivi:check_in": {"slug": theirs, "code": w.own_action.code},
        "suivi:edit_step": {"slug": mine, "pk": e.step.pk},
        "suivi:delete_step": {"slug": mine, "pk": e.step.pk},
        "suivi:validate_step": {"slug": mine, "pk": e.step.pk},
        "suivi:return_step": {"slug": theirs, "pk": w.step.pk},
        "suivi:toggle_result": {"slug": mine, "pk": e.result.pk},
        "suivi:step_file": {"slug": mine, "pk": e.file.pk},
        "suivi:add_planned_step": {"slug": theirs, "code": w.own_action.code},
        "suivi:tick_planned_step": {"slug": mine, "pk": e.planned.pk},
        "suivi:untick_planned_step": {"slug": mine, "pk": e.planned.pk},
        "suivi:change_planned_step": {"slug": mine, "pk": e.planned.pk},
        "suivi:planned_step_history": {"slug": mine, "pk": e.planned.pk},
        "bilans:detail": {"slug": mine, "pk": e.bilan.pk},
        "bilans:plan_document": {"slug": mine, "pk": e.plan_document.pk},
        "bilans:pdf": {"slug": theirs, "pk": w.bilan.pk},
        "bilans:docx": {"slug": theirs, "pk": w.bilan.pk},
        "bilans:adopt": {"slug": mine, "pk": e.bilan.pk},
        "meetings:detail": {"slug": mine, "pk": e.meeting.pk},
        "meetings:ics": {"slug": theirs, "pk": w.meetings.meeting.pk},
        "meetings:edit": {"slug": mine, "pk": e.meeting.pk},
        "meetings:agenda": {"slug": mine, "pk": e.meeting.pk},
        "meetings:decisions": {"slug": mine, "pk": e.meeting.pk},
        "meetings:invite": {"slug": mine, "pk": e.meeting.pk},
        "meetings:file": {"slug": mine, "pk": e.meeting_file.pk},
        "meetings:delete_agenda_point": {"slug": mine, "pk": e.point.pk},
        "meetings:delete_decision": {"slug": mine, "pk": e.decision.pk},
        "meetings:committee": {"slug": mine, "pk": e.committee.pk},
    }[name]


def address(name, target, w):
    if target == "autre adresse":
        parameters = elsewhere(name, w)
    elif name == "partners:accept_invitation":
        parameters = invitation_link(w, w.invited if target == "personne invitée" else w.people["deactivated"])
    elif name.startswith("partners:account_") or name == "partners:person_erase":
        parameters = {"user_id": TARGETS[target](w)["user_id"]}
    else:
        parameters = TARGETS[target](w)
    kwargs, query = parameters if isinstance(parameters, tuple) else (parameters, {})
    url = reverse(name, kwargs=kwargs)
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


# Valid data for each URL that writes: what its form would send, for this person.
def as_posted(form, **changes):
    """An unbound form's values as the browser would send them, with some changed."""
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        data[field.html_name] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
    data.update(changes)
    return data


def today():
    return timezone.localdate().isoformat()


def new_step(w, code):
    action = w.lanaudiere.actions.get(code=code)
    organisation = w.all_org if code == w.own_action.code else w.tpdsl
    return as_posted(StepForm(action=action, user=w.person("coordinator")), description="Rencontre",
                     done_on=today(), organisation=organisation.pk)


def edited_step(w, target, person):
    step = {"étape d’ALL": w.step, "étape validée d’ALL": w.validated_step, "étape de la TPDSL": w.tpdsl_step}.get(
        target, w.step
    )
    return as_posted(StepForm(instance=step, action=step.action, user=w.person("coordinator")), description="Modifiée")


def plan_file(w, person):
    """The plan's own export with one action's text changed: a file whose import changes the plan."""
    dataset = export_dataset(w.lanaudiere)
    rows = [list(row) for row in dataset]
    text = dataset.headers.index("action_texte")
    rows[0][text] = "Un texte changé par l’import"
    return tablib.Dataset(*rows, headers=dataset.headers).export("csv").encode("utf-8")


def partner_file(w, person):
    """A partner's sheet with one step described on an action of their organisation."""
    organisation = w.tpdsl if person == w.person("other_partner") else w.all_org
    dataset = partner_dataset(w.lanaudiere, organisation)
    rows = [list(row) for row in dataset]
    headers = [partner_column(header) for header in dataset.headers]  # the sheet's French headers, by their keys
    row = next(row for row in rows if not row[headers.index("resultat")])
    row[headers.index("etape_date")] = today()
    row[headers.index("etape_description")] = "Rencontre inscrite dans la feuille"
    return tablib.Dataset(*rows, headers=dataset.headers).export("xlsx")


class Uploader:
    """The person a kept upload is signed for (tableur/views.py keep_upload), nobody when anonymous."""

    def __init__(self, person):
        self.user = SimpleNamespace(pk=getattr(person, "pk", None))


POST_DATA = {
    "plans:new_plan": lambda w, target, person: {
        "title": "Plan neuf", "slug": "plan-neuf", "region": "Lanaudière", "first_year": 2027, "last_year": 2029
    },
    "plans:plan_settings": lambda w, target, person: as_posted(
        PlanSettingsForm(instance=w.lanaudiere), title="Un titre changé"
    ),
    "plans:add_item": lambda w, target, person: {"text": "Une action ajoutée", "period_start": 2024, "period_end": 2026},
    "plans:edit_item": lambda w, target, person: as_posted(ActionForm(instance=w.other_action), text="Texte changé"),
    "plans:move_item": lambda w, target, person: {"direction": "down"},
    "plans:delete_item": lambda w, target, person: {},
    "plans:archive_item": lambda w, target, person: {},
    "plans:restore_item": lambda w, target, person: {},
    "plans:person_invite": lambda w, target, person: {
        "first_name": "Julie", "last_name": "Tremblay", "email": "julie@example.org",
        "organisation": w.all_org.pk, "role": PlanRole.Role.PARTNER,
    },
    "plans:person_resend_invitation": lambda w, target, person: {},
    "plans:person_deactivate": lambda w, target, person: {},
    "plans:person_reactivate": lambda w, target, person: {},
    "plans:person_remove": lambda w, target, person: {},
    "suivi:add_step": lambda w, target, person: new_step(
        w, w.other_action.code if "TPDSL" in target else w.own_action.code
    ),
    "suivi:action_status": lambda w, target, person: as_posted(
        ActionStatusForm(action=w.own_action), status=Action.Status.ABANDONED, reason="Plus de financement"
    ),
    "suivi:edit_step": edited_step,
    "suivi:delete_step": lambda w, target, person: {},
    "suivi:validate_step": lambda w, target, person: {},
    "suivi:return_step": lambda w, target, person: {"comment": "À préciser"},
    "suivi:toggle_result": lambda w, target, person: {"achieved": "1"},
    "suivi:add_planned_step": lambda w, target, person: {
        "prevue-description": "Rencontre prévue", "prevue-due_on": today(), "prevue-organisation": w.all_org.pk
    },
    "suivi:tick_planned_step": lambda w, target, person: {},
    "suivi:untick_planned_step": lambda w, target, person: {},
    "suivi:change_planned_step": lambda w, target, person: {"report-due_on": today(), "report-reason": "Reportée"},
    "meetings:create": lambda w, target, person: {"body": "chantier", "starts_at": "2026-12-10T13:30", "place": "Joliette"},
    "meetings:edit": lambda w, target, person: {"body": "chantier", "starts_at": "2026-12-11T13:30", "place": "Rawdon"},
    "meetings:agenda": lambda w, target, person: {"title": "Tour de table", "actions": w.own_action.code},
    "meetings:attendance": lambda w, target, person: {"present_organisations": [w.all_org.pk]},
    "meetings:minutes": lambda w, target, person: {
        "minutes": "Ouverture", "files": SimpleUploadedFile("compte-rendu.pdf", PDF)
    },
    "meetings:decisions": lambda w, target, person: {"text": "Le comité adopte le portrait.", "actions": w.own_action.code},
    "meetings:invite": lambda w, target, person: {},
    "meetings:delete_agenda_point": lambda w, target, person: {},
    "meetings:delete_decision": lambda w, target, person: {},
    "meetings:my_calendar": lambda w, target, person: {},
    "bilans:create": lambda w, target, person: {"year": 2024},
    "bilans:adopt": lambda w, target, person: {
        "meeting": "Comité du jour", "adopting_body": "le comité de coordination", "adopted_on": today(), "confirm": "1"
    },
    "bilans:texts": lambda w, target, person: {"word": "Une année **riche**."},
    "tableur:new_plan_import": lambda w, target, person: {
        "title": "Plan importé", "slug": "plan-importe", "file": SimpleUploadedFile("plan.csv", csv_bytes([ROW]))
    },
    "tableur:new_plan_confirm": lambda w, target, person: {
        "token": keep_upload(Uploader(person), csv_bytes([ROW]), "plan.csv",
                             new_plan={"title": "Plan importé", "slug": "plan-importe"})
    },
    "tableur:spreadsheet": lambda w, target, person: {"file": SimpleUploadedFile("plan.csv", plan_file(w, person))},
    "tableur:spreadsheet_confirm": lambda w, target, person: {
        "token": keep_upload(Uploader(person), plan_file(w, person), "plan.csv", plan=w.lanaudiere.slug)
    },
    "tableur:partner_sheet": lambda w, target, person: {
        "file": SimpleUploadedFile("feuille.xlsx", partner_file(w, person))
    },
    "tableur:partner_sheet_confirm": lambda w, target, person: {
        "token": keep_upload(
            Uploader(person), partner_file(w, person), "feuille.xlsx", plan=w.lanaudiere.slug,
            organisation=(w.tpdsl if person == w.person("other_partner") else w.all_org).pk,
        )
    },
    "partners:organisation_create": lambda w, target, person: {"name": "Nouvel organisme", "kind": "other"},
    "partners:organisation_edit": lambda w, target, person: as_posted(
        OrganisationForm(instance=w.tpdsl if "TPDSL" in target else w.all_org), website="https://exemple.org"
    ),
    "partners:organisation_archive": lambda w, target, person: {},
    "partners:organisation_merge": lambda w, target, person: {"duplicate": w.duplicate.pk, "confirm": "1"},
    "partners:account_deactivate": lambda w, target, person: {},
    "partners:account_reactivate": lambda w, target, person: {},
    "partners:account_unlock": lambda w, target, person: {},
    "partners:person_erase": lambda w, target, person: {},
    "partners:set_language": lambda w, target, person: {"language": "en", "next": "/"},
    "plans:person_unlock": lambda w, target, person: {},
    "plans:archive_plan": lambda w, target, person: {},
    "plans:restore_plan": lambda w, target, person: {},
    "partners:accept_invitation": lambda w, target, person: {
        "new_password1": "Un-mot-de-passe-2026", "new_password2": "Un-mot-de-passe-2026"
    },
    "suivi:check_in": lambda w, target, person: {},
    "notifications:preferences": lambda w, target, person: {"reminder_frequency": "weekly", "emails": "on"},
    "notifications:mark_all_read": lambda w, target, person: {},
    "notifications:mark_read": lambda w, target, person: {},
    "notifications:unsubscribe": lambda w, target, person: {},
    "notifications:link_step": lambda w, target, person: {
        "t": token_of_target(w, target), "description": "Rencontre", "done_on": today(), "organisation": w.all_org.pk
    },
    "notifications:link_check_in": lambda w, target, person: {"t": token_of_target(w, target)},
    "notifications:remind_now": lambda w, target, person: {
        "action": [str(pk) for pk in w.lanaudiere.stale_actions().values_list("pk", flat=True)]
    },
    "login": lambda w, target, person: {"username": "partner", "password": PASSWORD},
    "logout": lambda w, target, person: {},
    "password_change": lambda w, target, person: {
        "old_password": PASSWORD, "new_password1": "Un-mot-de-passe-2026", "new_password2": "Un-mot-de-passe-2026"
    },
    "password_reset": lambda w, target, person: {"email": "partenaire@example.org"},
}


# The database, in one query: each table's row count, highest id and sum of versions (history tables are
# tables too: a save that changes no count still adds a history row). Sessions change at every request.
def fingerprint_query():
    parts = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label == "sessions":
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        if isinstance(model._meta.pk, models.IntegerField):  # not the tasks' uuids
            parts.append(f"(SELECT MAX({pk}) FROM {table})")
        if any(field.name == "version" for field in model._meta.concrete_fields):
            parts.append(f"(SELECT SUM({connection.ops.quote_name('version')}) FROM {table})")
    return "SELECT " + ", ".join(parts)


def fingerprint():
    with connection.cursor() as cursor:
        cursor.execute(fingerprint_query())
        return cursor.fetchone()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Written once for the module inside a transaction rolled back at its end; each request below runs
    in a savepoint of its own, rolled back too, so that every person finds the same world."""
    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # no PDF rendered here
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media, TASKS=dummy):
        with django_db_blocker.unblock(), transaction.atomic():
            world = build_world()
            world.baseline = fingerprint()
            yield world
            transaction.set_rollback(True)


def answer(response):
    """The response as EXPECTED writes it."""
    if response.status_code == 302:
        target = response.url
        if target.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if target.startswith(reverse(settings.LOGIN_URL)):
            return LOGIN
        return REDIRECT
    return str(response.status_code)


def ask(world, role, method, url, data):
    """One request by one person, in a savepoint rolled back after it: (answer, database after). The
    person's cookies are put back after it: a request that signs in or out changes nothing for the next."""
    client = world.clients[role]
    cookies = SimpleCookie(client.cookies)
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, data)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # a file is read when it is sent
        after = fingerprint() if method == "POST" else None
        transaction.set_rollback(True)
    client.cookies = cookies
    return answer(response), after


def check(world, name, target, method, expected):
    """The differences between what each person gets and what EXPECTED says."""
    problems = []
    url = address(name, target, world)
    for role, wanted in zip(ROLES, expected.split(), strict=True):
        person = world.person(role)
        data = POST_DATA[name](world, target, person) if method == "POST" else None
        got, after = ask(world, role, method, url, data)
        if wanted == DONE:
            if got != REDIRECT:
                problems.append(f"{method} {url} as {role}: {got}, expected a write accepted (a redirect)")
            elif after == world.baseline:
                problems.append(f"{method} {url} as {role}: accepted, but nothing was written")
        elif got != wanted:
            problems.append(f"{method} {url} as {role}: {got}, expected {wanted}")
        elif method == "POST" and got in REFUSED and after != world.baseline:
            problems.append(f"{method} {url} as {role}: refused ({got}), but the database changed")
    return problems


def test_every_url_is_in_the_table():
    named = {name for name, _parameters, route in routes() if not route.startswith(ADMIN_PREFIX)}
    named |= ADMIN_IN_TABLE
    in_table = {name for name, _target in EXPECTED}
    missing = sorted(named - in_table)
    assert missing == [], (
        f"These URLs have no row in EXPECTED (tests/test_url_roles.py): {', '.join(missing)}. Add one for each, "
        "with what every person gets, for GET and, if the view writes, for POST (and its data in POST_DATA)."
    )
    assert sorted(in_table - named) == [], "EXPECTED names URLs the configuration no longer has"
    writes = {name for (name, _target), methods in EXPECTED.items() if "POST" in methods}
    assert sorted(writes - set(POST_DATA)) == [], "these URLs are posted to without data in POST_DATA"


@pytest.mark.parametrize(("name", "target"), list(EXPECTED), ids=[f"{name} {target}" for name, target in EXPECTED])
def test_each_person_gets_the_expected_answer(world, name, target):
    problems = []
    for method, expected in EXPECTED[name, target].items():
        problems += check(world, name, target, method, expected)
    assert not problems, "\n".join(problems)


ADMIN_FILL = {"app_label": "partners", "object_id": "1", "content_type_id": "1", "id": "1", "url": "nulle-part/"}


def admin_address(name, parameters, route):
    """An admin route's address with its parameters filled: by their names, or (simple-history's pages)
    by position; an unnamed route by its own text."""
    if name == route:
        return "/" + route.replace("(?P<url>.*)$", "nulle-part/").replace("<path:object_id>", "1")
    try:
        return reverse(name, kwargs={parameter: ADMIN_FILL[parameter] for parameter in parameters})
    except NoReverseMatch:
        return reverse(name, args=["1"] * route.count("("))


def test_nobody_here_opens_the_admin(world):
    """The admin is for staff: every one of its pages sends these people to its own sign-in page."""
    problems = []
    for name, parameters, route in routes():
        if not route.startswith(ADMIN_PREFIX) or name in ADMIN_IN_TABLE:
            continue
        url = admin_address(name, parameters, route)
        for role in ROLES:
            got, _after = ask(world, role, "GET", url, None)
            if got not in (ADMIN_LOGIN, LOGIN):  # some admin pages leave anonymous people to the site's sign-in
                problems.append(f"GET {url} as {role}: {got}, expected a redirect to the admin's sign-in page")
    assert not problems, "\n".join(problems)


# A deactivated person


def test_a_deactivated_person_cannot_sign_in(client, world):
    response = client.post(reverse("login"), {"username": "ancien-partenaire", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].non_field_errors()


def test_a_session_opened_before_the_deactivation_stops_working(client, world):
    """Signed in with their password, then deactivated by the coordinator: their next request finds them
    signed out, and what they send is not written."""
    with transaction.atomic():
        partner = world.target_partner
        assert client.post(reverse("login"), {"username": partner.username, "password": PASSWORD}).status_code == 302
        assert client.get(reverse("plans:detail", args=[LANAUDIERE])).status_code == 200
        Deactivation.deactivate(partner, by=world.person("coordinator"))
        before = fingerprint()

        page = client.get(reverse("plans:detail", args=[LANAUDIERE]))
        write = client.post(
            reverse("suivi:add_step", args=[LANAUDIERE, world.own_action.code]),
            new_step(world, world.own_action.code),
        )

        assert page.status_code == 302 and page.url.startswith(reverse("login"))
        assert write.status_code == 302 and write.url.startswith(reverse("login"))
        assert fingerprint() == before
        transaction.set_rollback(True)
