-- Caseflow in production uses two PostgreSQL roles.
--
--   caseflow_owner  owns the schema and runs the migrations (flask db upgrade). Nobody signs in
--                   to the application with it.
--   caseflow_app    the role the running application connects as. It does not own any table,
--                   so it cannot drop or disable the triggers that keep the tables auditors rely
--                   on append-only, and it is never granted UPDATE, DELETE or TRUNCATE on them.
--
-- The tables auditors rely on: audit_events (the log), break_glass_grants (every emergency
-- access) and break_glass_reviews (the verdicts on them). The application may add rows to them
-- and read them, but nothing it runs can change, remove or empty a row. Audit checkpoints are
-- kept outside the database (the application log, a file, Redis), so no table holds them.
--
-- On PostgreSQL the audit log is partitioned by month (migration 0020). Its partitions live in
-- the schema audit_partitions, on which the application role is granted nothing: it reads and
-- appends through audit_events only (PostgreSQL routes the rows), and cannot name a partition.
-- It may call caseflow_audit_partition(month), which makes one month's partition and nothing
-- else, as the scheduled job does (flask jobs run audit-partitions).
--
-- Run as caseflow_owner (or a superuser) after each migration. :app is the application role's
-- name (psql -v app=caseflow_app -f docs/database-roles.sql). tests/audit/test_database_roles.py
-- applies this file to a scratch database and checks what the application role can and cannot do.

GRANT USAGE ON SCHEMA public TO :app;

-- Everything the application reads and writes in the ordinary way.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :app;

-- The tables auditors rely on: read and append only.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, break_glass_grants, break_glass_reviews FROM :app;

-- The audit chain's head: every audit write locks its row (an UPDATE of the id to itself) and the
-- log's trigger, running as the owner, moves it on. The application may not set it, add to it or
-- remove it: a head set by hand would chain the next rows to a row of someone's choosing, and
-- without its row no audit write can be made.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_chain_head FROM :app;
GRANT UPDATE (id) ON audit_chain_head TO :app;

-- The schema version is the owner's business.
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM :app;
