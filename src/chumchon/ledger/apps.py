from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "chumchon.ledger"
    verbose_name = _("บัญชีคู่")
    default_auto_field = "django.db.models.BigAutoField"
