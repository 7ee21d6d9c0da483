from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "chumchon.benefits"
    verbose_name = _("ระเบียบและการจ่ายสวัสดิการ")
    default_auto_field = "django.db.models.BigAutoField"
