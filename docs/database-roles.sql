-- Caseflow in production uses two PostgreSQL roles.
--
--   caseflow_owner  owns the schema and runs the migrations (flask db upgrade). Nobody signs in
--                   to the application with it.
--   caseflow_app    the role the running application connects as. It does not own any table,
--                   so it cannot drop or disable the triggers that keep the audit log
--                   append-only, and it is never granted UPDATE, DELETE or TRUNCATE on the audit
--                   log or the break-glass reviews.
--
-- Run as caseflow_owner (or a superuser) after each migration. :app is the application role's
-- name (psql -v app=caseflow_app -f docs/database-roles.sql). tests/audit/test_database_roles.py
-- applies this file to a scratch database and checks what the application role can and cannot do.

GRANT USAGE ON SCHEMA public TO :app;

-- Everything the application reads and writes in the ordinary way.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :app;

-- The audit log and break-glass verdicts: read and append only.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, break_glass_reviews FROM :app;

-- The schema version is the owner's business.
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM :app;
