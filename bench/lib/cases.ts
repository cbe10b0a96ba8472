import { sql } from 'kysely'
import type { Database } from '../../src/db/database.js'
import { DEVELOPMENT_JWT_SECRET } from '../../src/config.js'
import { createOffice } from '../../src/modules/offices/service.js'
import type { RequestContext } from '../../src/shared/context.js'
import { benchDatabase } from './database.js'

/**
 * The return-case data set the case benchmarks run on: `count` cases of one country office, each with
 * three or four people whose family names are unique (so a create's duplicate check finds nothing),
 * spread over ten countries of return and five statuses; deterministic ids so pgbench and the bare
 * routes can address case n without a lookup.
 */
export const COUNTRIES = ['GE', 'IQ', 'AF', 'UA', 'MD', 'AZ', 'AM', 'TJ', 'UZ', 'VN']
export const STATUSES = ['draft', 'submitted', 'in_counselling', 'approved', 'closed']
const CONTEXT: RequestContext = { actor: { sub: 'bench', roles: ['admin'], officeId: null }, requestId: 'bench-setup' }

export const caseIdSql = (variable: string) => `('00000000-0000-4000-8000-' || lpad(${variable}::text, 12, '0'))::uuid`
export const caseId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

/** Loads the cases with SQL (seconds, not minutes) and returns the office id. */
export async function loadCases(database: Database, count: number): Promise<string> {
  const office = await database.db.transaction().execute((trx) =>
    createOffice(trx, CONTEXT, { code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' }),
  )
  const countries = `array[${COUNTRIES.map((code) => `'${code}'`).join(',')}]`
  const statuses = `array[${STATUSES.map((status) => `'${status}'`).join(',')}]`
  await sql
    .raw(
      `insert into return_cases (id, reference, office_id, legal_status, referral_source, country_of_return, intended_departure_on, status, closure_reason, created_by, created_at, updated_at)
       select ${caseIdSql('n')}, 'VNO-2025-' || lpad(n::text, 6, '0'), '${office.id}'::uuid, 'irregular_stay', 'self',
              (${countries})[1 + n % ${COUNTRIES.length}], date '2026-12-01' + (n % 60), s.status,
              case when s.status = 'closed' then 'withdrawn' end, 'bench', now() - make_interval(mins => n), now()
       from generate_series(1, ${count}) as n
       cross join lateral (select (${statuses})[1 + (n / 10) % ${STATUSES.length}] as status) as s`,
    )
    .execute(database.db)
  // Three people in odd cases, four in even ones; the family name carries the case number, so no two households share names.
  await sql
    .raw(
      `insert into case_members (id, case_id, relationship, is_principal, given_name, family_name, name_key, sex, date_of_birth, nationality, created_by)
       select gen_random_uuid(), c.id, (array['principal','spouse_partner','child','child'])[p], p = 1,
              'Given' || p, 'Family' || substr(c.reference, 10), 'given' || p || '|family' || substr(c.reference, 10),
              (array['male','female','male','female'])[p], date '1980-01-01' + (p * 3000 + length(c.reference)), c.country_of_return, 'bench'
       from return_cases c cross join generate_series(1, 4) as p
       where p <= 3 + (substr(c.reference, 10)::int % 2)`,
    )
    .execute(database.db)
  await sql`vacuum analyze`.execute(database.db)
  return office.id
}

/** The environment the servers of a case benchmark run with: production mode, pool 10, no rate limit, no load shedding by loop delay. */
export function serverEnvironment(databaseUrl: string): Record<string, string> {
  return { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '10', LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000000', MAX_EVENT_LOOP_DELAY_MS: '0', NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET }
}

/** Runs `work` on a database of its own holding `count` cases, dropped afterwards. */
export async function withCases<T>(serverUrl: string, count: number, work: (bench: Awaited<ReturnType<typeof benchDatabase>>, officeId: string) => Promise<T>): Promise<T> {
  const bench = await benchDatabase(serverUrl)
  try {
    return await work(bench, await loadCases(bench.database, count))
  } finally {
    await bench.drop()
  }
}
