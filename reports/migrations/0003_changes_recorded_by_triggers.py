from django.db import migrations, models

# Each table the reports count, and what a changed row of it touches (program, partnership, user,
# association: the columns of reports_reportchange). Written by the database in the statement
# that changes the rows, so that no way of changing them (a service, the admin, a bulk update,
# a cascade, erasure) goes unrecorded. A later migration that renames one of these columns must
# recreate the function: the trigger would fail every write to the table until then.
WATCHED = {
    "mentoring_application": ["program_id, NULL, NULL, NULL"],
    "mentoring_partnership": ["program_id, NULL, mentee_id, NULL", "program_id, NULL, mentor_id, NULL"],
    "feedback_solicitation": ["NULL, partnership_id, NULL, NULL"],
    "feedback_response": ["NULL, partnership_id, NULL, NULL"],
    "partnerships_goal": ["NULL, partnership_id, NULL, NULL"],
    "accounts_profile": ["NULL, NULL, user_id, association_id"],
}
COLUMNS = "reports_reportchange (program_id, partnership_id, user_id, association_id)"


def _insert(rows, table):
    # UNION would take an untyped NULL for text.
    selects = " UNION ".join(
        f"SELECT {columns.replace('NULL', 'NULL::bigint')} FROM {rows}" for columns in WATCHED[table]
    )
    return f"INSERT INTO {COLUMNS} {selects};"


def add_triggers(apps, schema_editor):
    # What changed before the triggers was not recorded: the next snapshot recounts everything.
    apps.get_model("reports", "ReportChange").objects.create()
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the demo) recounts everything at each snapshot
    for table in WATCHED:
        # Statement triggers with transition tables: one insert per statement, however many rows.
        schema_editor.execute(f"""
            CREATE FUNCTION reports_changed_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'TRUNCATE' THEN
                    INSERT INTO {COLUMNS} VALUES (NULL, NULL, NULL, NULL);
                    RETURN NULL;
                END IF;
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    {_insert("old_rows", table)}
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    {_insert("new_rows", table)}
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER reports_inserted AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION reports_changed_{table}();
            CREATE TRIGGER reports_updated AFTER UPDATE ON {table}
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION reports_changed_{table}();
            CREATE TRIGGER reports_deleted AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION reports_changed_{table}();
            CREATE TRIGGER reports_truncated AFTER TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION reports_changed_{table}();
        """)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in WATCHED:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS reports_changed_{table}() CASCADE")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_leaders'),
        ('feedback', '0010_followup_moved'),
        ('mentoring', '0028_partnerships_moved'),
        ('partnerships', '0001_moved_from_mentoring_and_feedback'),
        ('reports', '0002_figures_follow_the_changes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='reportcount',
            name='reports_rep_snapsho_e08197_idx',
        ),
        migrations.RemoveIndex(
            model_name='reportday',
            name='reports_rep_snapsho_986095_idx',
        ),
        migrations.AddIndex(
            model_name='reportcount',
            index=models.Index(fields=['program', 'measure', 'day'], name='reports_rep_program_01cf46_idx'),
        ),
        migrations.AddIndex(
            model_name='reportcount',
            index=models.Index(condition=models.Q(('until__isnull', False)), fields=['until'], name='reports_count_replaced'),
        ),
        migrations.AddIndex(
            model_name='reportday',
            index=models.Index(fields=['program', 'day'], name='reports_rep_program_eb162b_idx'),
        ),
        migrations.AddIndex(
            model_name='reportday',
            index=models.Index(condition=models.Q(('until__isnull', False)), fields=['until'], name='reports_day_replaced'),
        ),
        migrations.RemoveField(
            model_name='reportcount',
            name='snapshot',
        ),
        migrations.RemoveField(
            model_name='reportday',
            name='snapshot',
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
