-- A fingerprint of a database's user data and security, as rows (kind, name, value), ordered.
-- Two databases with the same fingerprint hold the same rows, policies, grants and sequence values.
-- Used by the xunit tests, the Pester tests and the demo (psql -At -F '|' -f fingerprint.sql).
-- Schemas compared: every schema except the system ones.
WITH tables AS (
  SELECT c.oid, n.nspname, c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'm', 'p') AND NOT c.relispartition
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
)
SELECT kind, name, value FROM (
  SELECT 'table' AS kind,
         quote_ident(t.nspname) || '.' || quote_ident(t.relname) AS name,
         (xpath('/row/c/text()', query_to_xml(format(
            'SELECT count(*) || '':'' || coalesce(md5(string_agg(r::text, E''\n'' ORDER BY r::text)), ''-'') AS c FROM %I.%I AS r',
            t.nspname, t.relname), false, true, '')))[1]::text AS value
  FROM tables t
  UNION ALL
  SELECT 'policy', schemaname || '.' || tablename || '.' || policyname,
         concat_ws(' | ', permissive, array_to_string(roles, ','), cmd, qual, with_check)
  FROM pg_policies
  UNION ALL
  SELECT 'rls', n.nspname || '.' || c.relname, c.relrowsecurity::text || '/' || c.relforcerowsecurity::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
  UNION ALL
  SELECT 'grant', table_schema || '.' || table_name || ' ' || grantee,
         string_agg(privilege_type, ',' ORDER BY privilege_type)
  FROM information_schema.role_table_grants
  WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
  GROUP BY table_schema, table_name, grantee
  UNION ALL
  SELECT 'sequence', schemaname || '.' || sequencename, coalesce(last_value::text, 'null')
  FROM pg_sequences
) f
ORDER BY kind, name;
