from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "villagehub.core"
    label = "core"
