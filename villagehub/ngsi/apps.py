from django.apps import AppConfig


class NgsiConfig(AppConfig):
    name = "villagehub.ngsi"
    label = "ngsi"
    verbose_name = "NGSI-LD"
