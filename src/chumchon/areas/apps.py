from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "chumchon.areas"
    label = "areas"
    verbose_name = "พื้นที่และหน่วยงาน"
