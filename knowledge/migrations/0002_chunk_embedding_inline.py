"""Keep a chunk's vector, text and tsvector in its table row instead of in TOAST.

pgvector's type defaults to EXTERNAL storage, and PostgreSQL moves values out of a row once it
passes ~2 kB. A chunk row (a 1,544-byte vector, 800–1,200 characters of text and their tsvector)
is past that, so the vector or the tsvector went out of line and every distance or full-text match
computed outside an index (the exact path the planner takes for a team with few chunks; the
full-text filter) cost a TOAST lookup per row: at 100,000 chunks an exact search over a
5,000-chunk team took ~45 ms instead of ~5. PLAIN keeps the vector in the row; a 4 kB target lets
a typical chunk's compressed text and tsvector stay there too (longer ones still move out).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE knowledge_chunk ALTER COLUMN embedding SET STORAGE PLAIN, SET (toast_tuple_target = 4080)",
            reverse_sql="ALTER TABLE knowledge_chunk ALTER COLUMN embedding SET STORAGE EXTERNAL, "
            "RESET (toast_tuple_target)",
        )
    ]
