#!/bin/bash
# What monthly partitioning of the audit log buys and costs, on PostgreSQL (docs/scaling.md).
#
#   bench/audit_partitions.sh [ROWS]     (default 2,000,000 rows over two years, 1,000 users)
#
# Builds two copies of the same synthetic log in a scratch database (BENCH_PARTITIONS_URL, or
# caseflow_bench_partitions on 127.0.0.1): one plain table and one partitioned by month like
# migration 0020, with the same indexes; times three queries on each (median of 5 runs after
# one warm-up, server-side execution time from EXPLAIN ANALYZE), prints one table and drops the
# database. The rows are generated in SQL, not through the chain: only their shape matters here.
set -euo pipefail
ROWS=${1:-2000000}
URL=${BENCH_PARTITIONS_URL:-postgresql://postgres@127.0.0.1:5432/caseflow_bench_partitions}
ADMIN=${URL%/*}/postgres
DB=${URL##*/}
psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
trap 'psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT
psql -q -v ON_ERROR_STOP=1 -v rows="$ROWS" "$URL" <<'SQL'
CREATE TABLE plain (id bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL, user_id uuid,
  person_id uuid, action varchar(40), detail jsonb);
CREATE TABLE parted (LIKE plain, PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at);
DO $$ DECLARE m date; BEGIN
  FOR m IN SELECT generate_series(date_trunc('month', now() - interval '24 months'),
                                  date_trunc('month', now()), interval '1 month')::date LOOP
    EXECUTE format('CREATE TABLE parted_%s PARTITION OF parted FOR VALUES FROM (%L) TO (%L)',
                   to_char(m, 'YYYY_MM'), m::timestamptz, (m + interval '1 month')::timestamptz);
  END LOOP; END $$;
CREATE TABLE parted_default PARTITION OF parted DEFAULT;
INSERT INTO plain (occurred_at, user_id, person_id, action, detail)
SELECT now() - random() * interval '730 days', md5((i % 1000)::text)::uuid,
       md5('p' || (i % 50000))::uuid, 'view', '{"fields": 3}'
FROM generate_series(1, :rows) i;
INSERT INTO parted SELECT * FROM plain;
CREATE INDEX ON plain (user_id); CREATE INDEX ON parted (user_id);
VACUUM ANALYZE plain; VACUUM ANALYZE parted;
SQL
USER_ID=$(echo -n 7 | md5sum | cut -c1-32)
median() {  # the median execution time (ms) of 5 runs of a statement, after one warm-up
  for _ in 1 2 3 4 5 6; do echo "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $1;"; done \
    | psql -q "$URL" -c "SET jit = off" -f - | awk '/Execution Time/ {print $3}' | tail -5 | sort -g | sed -n 3p
}
echo "| query ($ROWS rows, $(psql -Atq "$URL" -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'parted'::regclass") partitions) | plain ms | partitioned ms |"
echo "| --- | --- | --- |"
for pair in \
  "one user's events over 30 days|SELECT id, occurred_at, action FROM %s WHERE user_id = '$USER_ID' AND occurred_at >= now() - interval '30 days' ORDER BY id DESC" \
  "every event of the last 30 days, counted|SELECT count(*) FROM %s WHERE occurred_at >= now() - interval '30 days'" \
  "the chain's last row (read by every audited write)|SELECT id FROM %s ORDER BY id DESC LIMIT 1"; do
  label=${pair%%|*}; sql=${pair#*|}
  # shellcheck disable=SC2059
  echo "| $label | $(median "$(printf "$sql" plain)") | $(median "$(printf "$sql" parted)") |"
done
