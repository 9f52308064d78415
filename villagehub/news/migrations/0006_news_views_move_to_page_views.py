from django.db import migrations


def views_copy(apps, schema_editor):
    """The news items' daily counts join every other page's in `core.PageView`."""
    NewsView = apps.get_model("news", "NewsView")
    PageView = apps.get_model("core", "PageView")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not NewsView.objects.exists():
        return
    news_type, _ = ContentType.objects.get_or_create(app_label="news", model="newsitem")
    PageView.objects.bulk_create(
        PageView(content_type=news_type, object_id=item_id, day=day, count=count)
        for item_id, day, count in NewsView.objects.values_list("item_id", "day", "count")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0005_page_view_per_day"),
        ("news", "0005_image_variants"),
    ]

    operations = [
        migrations.RunPython(views_copy, migrations.RunPython.noop),
        migrations.DeleteModel(name="NewsView"),
    ]
