from django.core.management.base import BaseCommand

from villagehub.ngsi.services import hub_records_sync


class Command(BaseCommand):
    help = (
        "Publish the hub's public records (communities, networks, organisations, practices) "
        "as read-only NGSI-LD entities; changed ones notify their subscribers."
    )

    def handle(self, *args, **options):
        counts = hub_records_sync()
        self.stdout.write(
            "NGSI-LD hub records: {created} created, {updated} updated, {deleted} deleted".format(
                **counts
            )
        )
