-- Two roles: baqylau_owner owns the tables and runs `manage.py migrate`; baqylau_app is what the
-- application connects as. The audit triggers (append-only audit tables, legal state edges, a
-- case's state or event counter changing only with its event) bind every role that does not own
-- the tables (an owner could disable them), so the application must never run as the owner.
--   psql -v ON_ERROR_STOP=1 -v app_password="'...'" -v owner_password="'...'" -f roles.sql
-- Run as a superuser, in the baqylau database, before the first migrate.
SELECT 'CREATE ROLE baqylau_owner LOGIN' WHERE NOT EXISTS
    (SELECT 1 FROM pg_roles WHERE rolname = 'baqylau_owner') \gexec
SELECT 'CREATE ROLE baqylau_app LOGIN' WHERE NOT EXISTS
    (SELECT 1 FROM pg_roles WHERE rolname = 'baqylau_app') \gexec
ALTER ROLE baqylau_owner NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS;
ALTER ROLE baqylau_app NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS;
-- Extensions the migrations use; cube and earthdistance are not trusted, so a superuser
-- creates them here (pg_trgm the owner could create itself).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
ALTER DATABASE baqylau OWNER TO baqylau_owner;
ALTER SCHEMA public OWNER TO baqylau_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO baqylau_app;
-- Tables migrations create later are the application's to read and write, not to own.
ALTER DEFAULT PRIVILEGES FOR ROLE baqylau_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO baqylau_app;
ALTER DEFAULT PRIVILEGES FOR ROLE baqylau_owner IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO baqylau_app;
ALTER DEFAULT PRIVILEGES FOR ROLE baqylau_owner IN SCHEMA public
    GRANT EXECUTE ON FUNCTIONS TO baqylau_app;
-- And those that exist already (a database migrated before these roles were set up).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO baqylau_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO baqylau_app;
