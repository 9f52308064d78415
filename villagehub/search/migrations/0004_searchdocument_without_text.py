"""Documents keep no readable text: a hit's snippet is cut from its record's text (see
search.selectors), read for the page's hits only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("search", "0003_postgresql_vector_by_trigger")]
    operations = [migrations.RemoveField(model_name="searchdocument", name="text")]
