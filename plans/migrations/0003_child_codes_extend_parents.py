"""The database itself holds that a child's code extends its parent's: objective 1.2 under axis 1, action
1.2.3 under objective 1.2, result 1.2.3.4 under action 1.2.3, all in the parent's plan.

Django 5.2 has no composite foreign keys, so this is done with triggers, on SQLite and PostgreSQL alike:
- writing a child checks its code against its parent's (and that both are in the same plan);
- changing a parent's code rewrites its children's codes (and theirs, level by level), as ON UPDATE
  CASCADE would, so renumbering an item is one UPDATE and the tree below follows.
"""

from django.db import migrations

# (child table, foreign key to the parent, parent table)
LEVELS = [
    ("plans_objective", "axis_id", "plans_axis"),
    ("plans_action", "objective_id", "plans_objective"),
    ("plans_expectedresult", "action_id", "plans_action"),
]

POSTGRESQL_FUNCTIONS = """
CREATE FUNCTION plans_check_code_extends_parent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent_code text;
    parent_plan bigint;
BEGIN
    EXECUTE format('SELECT code, plan_id FROM %I WHERE id = $1', TG_ARGV[0])
        INTO parent_code, parent_plan
        USING (to_jsonb(NEW) ->> TG_ARGV[1])::bigint;
    IF parent_code IS NULL OR NEW.code <> parent_code || '.' || NEW.number OR NEW.plan_id <> parent_plan THEN
        RAISE EXCEPTION USING
            ERRCODE = 'check_violation',
            MESSAGE = format('%s: le code %s ne prolonge pas celui de son parent (%s)', TG_TABLE_NAME, NEW.code, parent_code);
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION plans_cascade_code_to_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('UPDATE %I SET code = $1 || ''.'' || number WHERE %I = $2', TG_ARGV[0], TG_ARGV[1])
        USING NEW.code, NEW.id;
    RETURN NULL;
END $$;
"""


def postgresql(child, fk, parent):
    return f"""
CREATE TRIGGER {child}_code_extends_parent BEFORE INSERT OR UPDATE OF code, number, plan_id, {fk} ON {child}
    FOR EACH ROW EXECUTE FUNCTION plans_check_code_extends_parent('{parent}', '{fk}');
CREATE TRIGGER {parent}_code_cascades AFTER UPDATE OF code ON {parent}
    FOR EACH ROW WHEN (NEW.code IS DISTINCT FROM OLD.code)
    EXECUTE FUNCTION plans_cascade_code_to_children('{child}', '{fk}');
"""


def sqlite(child, fk, parent):
    mismatch = (
        f"NEW.code IS NOT (SELECT code FROM {parent} WHERE id = NEW.{fk}) || '.' || NEW.number"
        f" OR NEW.plan_id IS NOT (SELECT plan_id FROM {parent} WHERE id = NEW.{fk})"
    )
    message = f"{child}: le code ne prolonge pas celui de son parent"
    return [
        f"""CREATE TRIGGER {child}_code_extends_parent_insert BEFORE INSERT ON {child}
            WHEN {mismatch} BEGIN SELECT RAISE(ABORT, '{message}'); END""",
        f"""CREATE TRIGGER {child}_code_extends_parent_update BEFORE UPDATE OF code, number, plan_id, {fk} ON {child}
            WHEN {mismatch} BEGIN SELECT RAISE(ABORT, '{message}'); END""",
        f"""CREATE TRIGGER {parent}_code_cascades AFTER UPDATE OF code ON {parent}
            WHEN NEW.code IS NOT OLD.code
            BEGIN UPDATE {child} SET code = NEW.code || '.' || number WHERE {fk} = NEW.id; END""",
    ]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTIONS, params=None)  # no %-interpolation
        for level in LEVELS:
            schema_editor.execute(postgresql(*level))
    else:
        for level in LEVELS:
            for statement in sqlite(*level):
                schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for child, fk, parent in LEVELS:
        if postgres:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {child}_code_extends_parent ON {child}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {parent}_code_cascades ON {parent}")
        else:
            for suffix in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {child}_code_extends_parent_{suffix}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {parent}_code_cascades")
    if postgres:
        schema_editor.execute("DROP FUNCTION IF EXISTS plans_check_code_extends_parent()")
        schema_editor.execute("DROP FUNCTION IF EXISTS plans_cascade_code_to_children()")


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_steps_review_files_history")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
