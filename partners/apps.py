from django.apps import AppConfig
from django.contrib.auth import signals as auth
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Organisations et personnes")

    def ready(self):
        from lib import sessions

        from . import languages, signals

        auth.user_logged_in.connect(signals.log_sign_in, dispatch_uid="chantier.auth.sign_in")
        auth.user_logged_in.connect(sessions.note_sign_in, dispatch_uid="chantier.sessions.sign_in")
        auth.user_login_failed.connect(signals.log_failed_sign_in, dispatch_uid="chantier.auth.sign_in_failed")
        auth.user_logged_in.connect(languages.apply_at_sign_in, dispatch_uid="chantier.auth.language")
        auth.user_logged_out.connect(signals.log_sign_out, dispatch_uid="chantier.auth.sign_out")
