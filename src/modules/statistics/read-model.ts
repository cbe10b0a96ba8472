import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type CompiledQuery, type RawBuilder } from 'kysely'
import type { CommitStatement } from '../../db/commit-hooks.js'
import type { DB } from '../../db/schema.js'
import { casesOfThisTransaction } from '../../shared/outbox.js'
import { reintegrationReach } from '../reintegration/index.js'
import { ELDERLY_AGE, returneeFacts, vulnerabilityFacts } from '../return-cases/index.js'
import { departures } from '../travel/index.js'
import { COUNTED_VULNERABILITIES, ELDERLY } from './definitions.js'

/**
 * The statistics read model (ADR 0059): `statistics_returnees`, one row per returned traveller (a
 * used ticket) with exactly what the return figures count: the case's columns (office, partner
 * office, project, country, legal status), sex, the dates of departure and arrival, the age on
 * the departure date, the household's returned travellers, the vulnerability codes counted (with
 * and without the restricted ones), and whether an approved plan covers the traveller and reached
 * them. The rows are computed by the owners' facts (the same SQL the aggregates ran before), so
 * every figure over the read model equals the figure over the facts.
 *
 * It is kept current in the transaction of every write: before COMMIT, the cases of the events the
 * transaction emitted are refreshed (their rows deleted and inserted again from the facts, one
 * statement). `rebuildReturnees` recomputes the whole table: for the server start and the seed
 * while the table is marked stale (a new database, the migration's backfill), and for data loaded
 * by raw SQL (the benchmark).
 */

export const RETURNEE_COLUMNS = [
  'member_id',
  'case_id',
  'office_id',
  'partner_office_id',
  'project_id',
  'country_of_return',
  'legal_status',
  'sex',
  'departed_on',
  'arrived_on',
  'age',
  'travellers',
  'codes',
  'open_codes',
  'planned',
  'reached',
] as const

/**
 * Event types that never change a fact the read model holds (ledger postings: money, which no
 * return figure counts), so a transaction that emitted only these refreshes nothing: a payment's
 * posting alone costs no refresh. Data, tested in test/statistics/read-model.test.ts.
 */
export const EVENTS_WITHOUT_FACTS = ['ledger.committed', 'ledger.released', 'ledger.spent', 'ledger.refunded'] as const

/** The rows of the read model, for every case or for the cases of `caseIds` (SQL yielding case ids). */
export function returneeRows(db: Kysely<DB>, caseIds?: RawBuilder<unknown>): RawBuilder<unknown> {
  const codes = COUNTED_VULNERABILITIES.filter((code) => code !== ELDERLY)
  const counted = sql.join(codes.map((code) => sql.lit(code)))
  const only = caseIds === undefined ? sql`` : sql`where d.case_id in (${caseIds})`
  const onlyTravellers = caseIds === undefined ? sql`` : sql`where t.case_id in (${caseIds})`
  const elderly = sql`case when a.age >= ${sql.lit(ELDERLY_AGE)} then array[${sql.lit(ELDERLY)}]::text[] else array[]::text[] end`
  const covered = sql`r.case_id = d.case_id and (r.member_id is null or r.member_id = d.member_id)`
  return sql`
    select d.member_id, d.case_id, f.office_id, f.partner_office_id, f.project_id, f.country_of_return, f.legal_status, f.sex,
      d.departed_on, d.arrived_on, a.age,
      h.travellers,
      array(
        select distinct v.code from (${vulnerabilityFacts(db, { includeRestricted: true })}) v where v.member_id = d.member_id and v.code in (${counted})
      ) || ${elderly} as codes,
      array(
        select distinct v.code from (${vulnerabilityFacts(db, { includeRestricted: false })}) v where v.member_id = d.member_id and v.code in (${counted})
      ) || ${elderly} as open_codes,
      exists (select 1 from (${reintegrationReach(db)}) r where ${covered}) as planned,
      exists (select 1 from (${reintegrationReach(db)}) r where ${covered} and r.first_delivered_on is not null) as reached
    from (${departures(db)}) d
    join (${returneeFacts(db)}) f on f.member_id = d.member_id
    join (select t.case_id, count(*)::int as travellers from (${departures(db)}) t ${onlyTravellers} group by t.case_id) h on h.case_id = d.case_id
    cross join lateral (
      select greatest(0, coalesce(date_part('year', age(d.departed_on, f.date_of_birth))::int, extract(year from d.departed_on)::int - f.birth_year)) as age
    ) a
    ${only}`
}

const columns = sql.join(RETURNEE_COLUMNS.map((column) => sql.ref(column)))

/** Refreshes the cases of `caseIds` (SQL yielding case ids): delete their rows, insert them again; one statement. */
export function refreshReturnees(db: Kysely<DB>, caseIds: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    with refreshed as (${caseIds}),
    removed as (delete from statistics_returnees where case_id in (select case_id from refreshed))
    insert into statistics_returnees (${columns}) ${returneeRows(db, sql`select case_id from refreshed`)}`
}

/** Compiles without a connection: the commit statement is compiled once, run on each transaction's connection. */
const compiler = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
})

let refreshStatement: CompiledQuery | undefined

/** The statement the composition root registers to run before every commit (src/db/commit-hooks.ts). */
export const refreshReturneesOnCommit: CommitStatement = {
  name: 'statistics: refresh the returnees of the cases this transaction changed',
  statement: () => (refreshStatement ??= refreshReturnees(compiler, casesOfThisTransaction(EVENTS_WITHOUT_FACTS)).compile(compiler)),
}

/**
 * Recomputes the whole read model from the facts and marks it built. The table is locked first, so
 * a write's refresh waits for the rebuild and then replaces its cases' rows with its own view.
 */
export async function rebuildReturnees(db: Kysely<DB>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`lock table statistics_returnees in exclusive mode`.execute(trx)
    await sql`delete from statistics_returnees`.execute(trx)
    const inserted = await sql`insert into statistics_returnees (${columns}) ${returneeRows(trx)}`.execute(trx)
    await trx.updateTable('statistics_read_models').set({ built_at: sql<Date>`now()` }).where('name', '=', 'returnees').execute()
    return Number(inserted.numAffectedRows ?? 0)
  })
}

/** Rebuilds the read model when it is marked stale (a new or just-migrated database); true when it did. */
export async function ensureReturnees(db: Kysely<DB>): Promise<boolean> {
  const state = await db.selectFrom('statistics_read_models').select('built_at').where('name', '=', 'returnees').executeTakeFirst()
  if (state && state.built_at !== null) return false
  await rebuildReturnees(db)
  return true
}

/** Marks the read model stale: the next server start or seed rebuilds it. */
export async function markReturneesStale(db: Kysely<DB>): Promise<void> {
  await db.updateTable('statistics_read_models').set({ built_at: null }).where('name', '=', 'returnees').execute()
}
