from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "chumchon.reports"
    verbose_name = _("รายงานและแดชบอร์ด")
    default_auto_field = "django.db.models.BigAutoField"
