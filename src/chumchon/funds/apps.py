from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "chumchon.funds"
    verbose_name = _("กองทุนสวัสดิการชุมชน")
    default_auto_field = "django.db.models.BigAutoField"
