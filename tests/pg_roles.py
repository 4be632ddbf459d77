"""The application's PostgreSQL role in tests: one that does not own the tables, as in
production (deploy/postgres/roles.sql). The suite migrates as the owner (its own connection);
the app processes it starts, and the tests that prove what such a role cannot do, connect as
APP_ROLE."""

from django.db import connection

from tests.conftest import need

APP_ROLE = "baqylau_app"


def app_role_grant() -> None:
    """Create APP_ROLE if it is missing and grant it what roles.sql grants: read and write the
    rows of every table of this (test) database, own none, bypass nothing."""
    need(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL=postgres://...)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
        need(cursor.fetchone()[0], f"a database user that may create the role {APP_ROLE}")
        # Parallel test processes (pytest-xdist) grant at the same moment: two ALTER ROLEs of
        # one role at once fail with "tuple concurrently updated".
        cursor.execute("SELECT pg_advisory_xact_lock(724242)")
        cursor.execute(
            f"""
            DO $$ BEGIN
                CREATE ROLE {APP_ROLE} LOGIN;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$;
            ALTER ROLE {APP_ROLE} NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS;
            GRANT USAGE ON SCHEMA public TO {APP_ROLE};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE};
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE};
            """
        )


def app_connection_params() -> dict:
    """psycopg keyword arguments for a connection to the test database as APP_ROLE."""
    database = connection.settings_dict
    return {
        "dbname": database["NAME"],
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": APP_ROLE,
    }


def app_database_url() -> str:
    """DATABASE_URL for an app process (gunicorn, a Celery worker) running as APP_ROLE."""
    params = app_connection_params()
    return f"postgres://{APP_ROLE}@{params['host']}:{params['port']}/{params['dbname']}"
