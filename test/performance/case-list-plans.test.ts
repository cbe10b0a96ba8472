import { sql } from 'kysely'
import t from 'tap'
import { caseListQuery } from '../../src/modules/return-cases/service.js'
import type { ReturnCaseListFilter } from '../../src/modules/return-cases/schemas.js'
import type { Actor } from '../../src/shared/roles.js'
import { freshDatabase } from '../helpers/database.js'

/**
 * The case list is read off an index for every combination of its equality filters: PostgreSQL's
 * plan (EXPLAIN ANALYZE on a realistic data set) never scans return_cases, and drops (reads and
 * refuses) at most a few rows for a page, rather than walking the newest cases and dropping those
 * that do not match. The data is shaped like an office's: new cases are mostly drafts, old ones mostly closed,
 * one large office and two small ones, a fifth of the cases referred to partner offices.
 */
const CASES = 30_000
const PAGE = 20
const ADMIN: Actor = { sub: 'plans', roles: ['admin'], officeId: null }

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Actual Rows': number
  'Actual Loops': number
  'Rows Removed by Filter'?: number
  Plans?: PlanNode[]
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)]
}

t.test('the case list reads a page off an index for every combination of its filters', { skip: process.env.DATABASE_URL ? false : 'plans are PostgreSQL\'s (run with DATABASE_URL)' }, async (t) => {
  const database = await freshDatabase(t)
  const { db } = database
  const offices = ['00000000-0000-7000-8000-00000000000a', '00000000-0000-7000-8000-00000000000b', '00000000-0000-7000-8000-00000000000c']
  const partners = ['00000000-0000-7000-8000-0000000000a1', '00000000-0000-7000-8000-0000000000a2']
  await sql`insert into offices (id, code, name, country, kind) values
    (${offices[0]}, 'VNO', 'Vilnius', 'LT', 'country_office'), (${offices[1]}, 'KUN', 'Kaunas', 'LT', 'country_office'), (${offices[2]}, 'KLJ', 'Klaipeda', 'LT', 'country_office'),
    (${partners[0]}, 'TBS', 'Tbilisi', 'GE', 'partner_office'), (${partners[1]}, 'BGW', 'Baghdad', 'IQ', 'partner_office')`.execute(db)
  // n = 1 is the oldest case, n = CASES the newest; ids sort as n does (as UUIDv7 ids sort by creation).
  await sql`
    insert into return_cases (id, reference, office_id, partner_office_id, referred_at, legal_status, referral_source, country_of_return, intended_departure_on, status, closure_reason, created_by, created_at, updated_at)
    select ('01900000-0000-7000-8000-' || lpad(n::text, 12, '0'))::uuid, 'C-' || n,
           (${sql.lit(`{${offices.join(',')}}`)}::uuid[])[case when n % 20 = 0 then 3 when n % 7 = 0 then 2 else 1 end],
           case when n % 5 = 0 then (${sql.lit(`{${partners.join(',')}}`)}::uuid[])[1 + (n / 5) % 2] end,
           case when n % 5 = 0 then now() end,
           'irregular_stay', 'self',
           case when n % 5 = 0 then (array['GE','IQ'])[1 + (n / 5) % 2] else (array['GE','IQ','AF','UA','MD','AZ','AM','TJ','UZ','VN'])[1 + n % 10] end,
           date '2026-01-01' + (n % 365),
           s.status, case when s.status = 'closed' then 'other' end,
           'plans', now() - make_interval(mins => ${CASES} - n), now()
    from generate_series(1, ${CASES}) as n
    cross join lateral (select case when n > ${CASES} - 500 then (array['draft','submitted'])[1 + (n / 3) % 2]
                when n > ${CASES} - 3000 then (array['draft','submitted','in_counselling','approved','rejected','withdrawn'])[1 + (n / 3) % 6]
                else (array['closed','closed','closed','closed','rejected','cancelled','no_show','in_reintegration'])[1 + (n / 3) % 8] end as status) s`.execute(db)
  await sql`
    insert into case_members (id, case_id, relationship, is_principal, given_name, family_name, name_key, sex, date_of_birth, nationality, created_by)
    select gen_random_uuid(), c.id, (array['principal','spouse_partner','child'])[p], p = 1, 'Given' || p, 'Family' || c.reference,
           'given' || p || '|family' || lower(c.reference), 'female', date '1980-01-01' + p * 3000, c.country_of_return, 'plans'
    from return_cases c cross join generate_series(1, 3) as p`.execute(db)
  // As autovacuum leaves a table: statistics gathered, the visibility map set (so an index holding the ids answers alone).
  await sql`vacuum analyze`.execute(db)

  const equality: Array<[keyof ReturnCaseListFilter, string]> = [
    ['status', 'submitted'],
    ['office_id', offices[1] as string],
    ['partner_office_id', partners[0] as string],
    ['country_of_return', 'GE'],
  ]
  const filters: ReturnCaseListFilter[] = []
  for (let mask = 1; mask < 1 << equality.length; mask += 1) {
    const filter = Object.fromEntries(equality.filter((_, index) => mask & (1 << index))) as ReturnCaseListFilter
    filters.push(filter)
    // Closed cases are the old ones: a walk from the newest case would pass every open case first.
    if (filter.status) filters.push({ ...filter, status: 'closed' })
  }
  const explain = async (filter: ReturnCaseListFilter) => {
    const compiled = caseListQuery(db, ADMIN, { limit: PAGE, ...filter })!.compile()
    const { rows } = await db.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>({ ...compiled, sql: `explain (analyze, format json) ${compiled.sql}` })
    return nodes(rows[0]!['QUERY PLAN'][0]!.Plan).filter((node) => node['Relation Name'] === 'return_cases')
  }

  for (const filter of filters) {
    const name = Object.entries(filter).map(([key, value]) => (key === 'status' ? `status=${value}` : key)).join(' + ')
    const scans = await explain(filter)
    t.notOk(scans.some((node) => node['Node Type'] === 'Seq Scan'), `${name}: no sequential scan of return_cases`)
    const dropped = scans.reduce((sum, node) => sum + (node['Rows Removed by Filter'] ?? 0) * node['Actual Loops'], 0)
    // Room for a filter the index does not lead with that drops a few rows; a walk that skips the non-matching cases drops thousands.
    t.ok(dropped <= 2 * (PAGE + 1), `${name}: reads and drops ${dropped} case rows for a page of ${PAGE + 1} (${scans.map((node) => node['Index Name'] ?? node['Node Type']).join(', ')})`)
  }

  // The other filters, alone and with a status: never a scan of the table.
  const others: ReturnCaseListFilter[] = [
    { created_from: new Date(Date.now() - 86_400_000).toISOString() },
    { created_to: new Date(Date.now() - 20 * 86_400_000).toISOString() },
    { departure_from: '2026-06-01', departure_to: '2026-06-03' },
    { nationality: 'UA' },
    { vulnerability: 'pregnant' },
    { q: 'family' },
  ]
  for (const filter of others) {
    for (const combined of [filter, { ...filter, status: 'submitted' as const }]) {
      const scans = await explain(combined)
      t.notOk(scans.some((node) => node['Node Type'] === 'Seq Scan'), `${Object.keys(combined).join(' + ')}: no sequential scan of return_cases`)
    }
  }
})
