from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "chumchon.reports"
    verbose_name = _("รายงานและแดชบอร์ด")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Summaries follow the books: a fund's change queues a refresh when it commits.
        from chumchon.funds.signals import fund_changed

        from .summaries import on_fund_changed

        fund_changed.connect(on_fund_changed, dispatch_uid="chumchon.reports.summaries")
