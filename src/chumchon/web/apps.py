from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "chumchon.web"
    label = "web"
    verbose_name = "หน้าจอ"
