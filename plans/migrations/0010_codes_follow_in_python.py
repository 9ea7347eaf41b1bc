"""A parent's new code is carried down to its children by the models now (PlanItem.save and the numbering
methods, in the same transaction, with a history row for each item whose code changes): the triggers of
migration 0003 that rewrote the children's codes behind the ORM's back go, on SQLite and PostgreSQL.

The triggers that only refuse a child whose code does not extend its parent's, or that is in another plan,
stay: Django 5.2 cannot declare that check (it spans two tables; there are no composite foreign keys), and
they never change a row.
"""

from django.db import migrations

# (child table, foreign key to the parent, parent table), as in 0003
LEVELS = [
    ("plans_objective", "axis_id", "plans_axis"),
    ("plans_action", "objective_id", "plans_objective"),
    ("plans_expectedresult", "action_id", "plans_action"),
]


def drop_cascades(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for child, fk, parent in LEVELS:
        if postgres:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {parent}_code_cascades ON {parent}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {parent}_code_cascades")
    if postgres:
        schema_editor.execute("DROP FUNCTION IF EXISTS plans_cascade_code_to_children()")


def create_cascades(apps, schema_editor):
    """Back to 0003: the triggers as it created them."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            """
CREATE FUNCTION plans_cascade_code_to_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('UPDATE %I SET code = $1 || ''.'' || number WHERE %I = $2', TG_ARGV[0], TG_ARGV[1])
        USING NEW.code, NEW.id;
    RETURN NULL;
END $$;
""",
            params=None,  # no %-interpolation
        )
        for child, fk, parent in LEVELS:
            schema_editor.execute(
                f"""CREATE TRIGGER {parent}_code_cascades AFTER UPDATE OF code ON {parent}
                    FOR EACH ROW WHEN (NEW.code IS DISTINCT FROM OLD.code)
                    EXECUTE FUNCTION plans_cascade_code_to_children('{child}', '{fk}')"""
            )
    else:
        for child, fk, parent in LEVELS:
            schema_editor.execute(
                f"""CREATE TRIGGER {parent}_code_cascades AFTER UPDATE OF code ON {parent}
                    WHEN NEW.code IS NOT OLD.code
                    BEGIN UPDATE {child} SET code = NEW.code || '.' || number WHERE {fk} = NEW.id; END"""
            )


class Migration(migrations.Migration):
    dependencies = [("plans", "0009_code_in_history_diffs")]

    operations = [migrations.RunPython(drop_cascades, create_cascades, elidable=False)]
