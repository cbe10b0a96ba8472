/**
 * pgbench scripts of the minimal create transaction on the service's schema: the work any
 * implementation of "create a case with its household, idempotently" must do, whatever its own
 * statements are: claim the idempotency key, insert the case, insert the members in one
 * statement, append the audit entries in one statement, write the outbox event, store the
 * response, commit. Not the service's statements (those would carry the service's own
 * bottlenecks into the baseline).
 *
 * `numbering` adds how the case number is taken, for measuring the options against each other:
 * - `none`: the reference is made from the random key (the baseline itself);
 * - `counter-first`: the per-office, per-year counter row upserted before the case insert, its
 *   lock held through the rest of the transaction and the commit;
 * - `counter-last`: the same upsert as the last statement before COMMIT;
 * - `sequence`: `nextval` of a sequence, no lock held (numbers may have gaps).
 */
export type Numbering = 'none' | 'counter-first' | 'counter-last' | 'sequence'

export function minimalCreateScript(officeId: string, numbering: Numbering = 'none'): string {
  const id = `md5(:key || '-' || :number)::uuid`
  const reference = `'PGB-' || :key || '-' || :number`
  const member = (relationship: string, given: string, born: string, sex: string) =>
    `(gen_random_uuid(), ${id}, '${relationship}', ${relationship === 'principal'}, '${given}', 'Pgbench' || :key, '${given.toLowerCase()}|pgbench' || :key, '${sex}', '${born}', 'GE', 'bench')`
  const audit = (action: string) =>
    `('bench', array['counsellor'], null, 'bench', '${action}', 'return_case', ${id}::text, ${id}, '{"status":{"after":"draft"},"country_of_return":{"after":"GE"}}'::jsonb)`
  const counter = `INSERT INTO case_reference_counters (office_id, year, last_number) VALUES ('${officeId}', 2026, 1)
  ON CONFLICT (office_id, year) DO UPDATE SET last_number = case_reference_counters.last_number + 1 RETURNING last_number;`
  return `
\\set key random(1, 1000000000000)
\\set number random(1, 1000000000)
BEGIN;
INSERT INTO idempotency_keys (caller, key, request_hash, method, path, expires_at) VALUES ('bench', 'pgbench-' || :key || '-' || :number, 'cc9310c7b45697d8f6c9a0b9f0b1e2d3c4b5a69788796a5b4c3d2e1f00112233', 'POST', '/v1/return-cases', now() + interval '24 hours')
  ON CONFLICT (caller, key) DO NOTHING RETURNING key;
${numbering === 'counter-first' ? counter : ''}${numbering === 'sequence' ? 'SELECT nextval(\'bench_case_numbers\');' : ''}
INSERT INTO return_cases (id, reference, office_id, legal_status, referral_source, country_of_return, intended_departure_on, created_by, status)
  VALUES (${id}, ${reference}, '${officeId}', 'irregular_stay', 'self', 'GE', '2026-12-20', 'bench', 'draft') RETURNING id, version, created_at;
INSERT INTO case_members (id, case_id, relationship, is_principal, given_name, family_name, name_key, sex, date_of_birth, nationality, created_by) VALUES
  ${member('principal', 'Giorgi', '1978-03-14', 'male')}, ${member('spouse_partner', 'Nino', '1980-05-02', 'female')},
  ${member('child', 'Luka', '2010-09-30', 'male')}, ${member('child', 'Mariam', '2013-01-11', 'female')} RETURNING id;
INSERT INTO audit_events (actor_sub, actor_roles, actor_office_id, request_id, action, entity_type, entity_id, case_id, changes) VALUES
  ${audit('return_case.created')}, ${audit('case_member.added')}, ${audit('case_member.added')}, ${audit('case_member.added')}, ${audit('case_member.added')};
INSERT INTO outbox_events (id, event_type, entity_type, entity_id, case_id, payload) VALUES (gen_random_uuid(), 'return_case.created', 'return_case', ${id}::text, ${id}, '{"status":"draft","country_of_return":"GE"}'::jsonb);
${numbering === 'counter-last' ? counter : ''}
UPDATE idempotency_keys SET response_status = 201, response_body = repeat('x', 2400), response_headers = '{"etag":"\\"1\\""}'::jsonb WHERE caller = 'bench' AND key = 'pgbench-' || :key || '-' || :number;
COMMIT;
`
}
