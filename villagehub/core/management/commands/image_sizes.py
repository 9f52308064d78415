from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from villagehub.communities.models import Community
from villagehub.core.services import image_variants_update
from villagehub.news.models import NewsItem
from villagehub.practices.models import Practice

# The records whose images the pages show in responsive sizes.
MODELS = (Practice, NewsItem, Community)


class Command(BaseCommand):
    help = (
        "Make the responsive sizes of the practices', news items' and communities' images "
        "that have none yet (images uploaded before the hub made them, or whose task did not run). "
        "Safe to run again: an image whose sizes exist is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--again", action="store_true", help="make the sizes of every image again"
        )

    def handle(self, *args, **options):
        made = 0
        for model in MODELS:
            for record in model.objects.exclude(image="").only("image", "image_variants"):
                before = record.image_variants
                after = image_variants_update(instance=record, again=options["again"])
                if after.get("widths") and (after != before or options["again"]):
                    made += 1
        self.stdout.write(
            ngettext("Sizes made for %(n)d image.", "Sizes made for %(n)d images.", made)
            % {"n": made}
        )
