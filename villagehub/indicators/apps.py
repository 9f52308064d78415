from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "villagehub.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self):
        from villagehub.ngsi.services import hub_source_register, type_writer_register

        from .selectors import kpi_documents, kpi_ids
        from .services import KPI_TYPE, kpi_entity_write

        # NGSI-LD writes of KeyPerformanceIndicator entities land in this app's table, the
        # one source of truth; the entity is its read-only view (see docs/ARCHITECTURE.md).
        type_writer_register(KPI_TYPE, kpi_entity_write)
        hub_source_register(kpi_ids, kpi_documents)
