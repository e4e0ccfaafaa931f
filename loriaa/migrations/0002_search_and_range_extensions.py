"""pg_trgm for substring search over names and emails; btree_gist for the tour exclusion
constraint (one agent, no overlapping tours); and the immutable function the lead search index
is built on (CONCAT is only STABLE, so it cannot be indexed)."""

from django.contrib.postgres.operations import BtreeGistExtension, TrigramExtension
from django.db import migrations

SEARCH_FUNCTION = """
CREATE OR REPLACE FUNCTION loriaa_lead_search_text(first_name text, last_name text, email text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, ''))
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("loriaa", "0001_extensions")]
    operations = [
        TrigramExtension(),
        BtreeGistExtension(),
        migrations.RunSQL(
            SEARCH_FUNCTION, reverse_sql="DROP FUNCTION IF EXISTS loriaa_lead_search_text(text, text, text);"
        ),
    ]
