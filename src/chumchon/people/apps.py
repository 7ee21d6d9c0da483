from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "chumchon.people"
    label = "people"
    verbose_name = "บุคคลและครัวเรือน"
