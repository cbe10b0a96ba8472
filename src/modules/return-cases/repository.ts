import { sql, type ExpressionBuilder, type Insertable, type Kysely, type Selectable, type SelectQueryBuilder, type Transaction } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import type { CaseMembersTable, CaseStatus, ClosureReason, DB, MemberVulnerabilitiesTable, ReturnCasesTable } from '../../db/schema.js'
import { PREPARED, Precompiled, allColumns } from '../../db/prepared.js'
import { auditEntriesInsert, type AuditInput } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { eventInsert, type DomainEvent } from '../../shared/outbox.js'
import { UUID_PATTERN } from '../../shared/ids.js'
import { findRow } from '../../shared/rows.js'

export type ReturnCaseRow = Selectable<ReturnCasesTable>
export type CaseMemberRow = Selectable<CaseMembersTable>
export type VulnerabilityRow = Selectable<MemberVulnerabilitiesTable>

/** A vulnerability entry as loaded with its member (timestamps already ISO strings). */
export type LoadedVulnerability = Omit<VulnerabilityRow, 'recorded_at' | 'updated_at'> & { recorded_at: string }

export type MemberWithVulnerabilities = CaseMemberRow & { vulnerabilities: LoadedVulnerability[] }

const CASE_COLUMNS = allColumns<ReturnCasesTable>()([
  'id', 'reference', 'office_id', 'partner_office_id', 'referred_at', 'project_id', 'status', 'legal_status', 'referral_source',
  'external_reference', 'country_of_return', 'place_of_return', 'intended_departure_on', 'consent_given_at', 'consent_given_by',
  'consent_scope', 'consent_recorded_by', 'notes', 'created_by', 'version', 'created_at', 'updated_at', 'closed_at', 'applied_on',
  'closure_reason',
])

export const MEMBER_COLUMNS = allColumns<CaseMembersTable>()([
  'id', 'case_id', 'relationship', 'is_principal', 'given_name', 'family_name', 'name_key', 'sex', 'date_of_birth', 'birth_year',
  'nationality', 'identity_documents', 'created_by', 'version', 'created_at', 'updated_at',
])

function caseQuery(db: Kysely<DB>, id: string, partnerOfficeId: string | undefined, forUpdate: boolean) {
  let query = db.selectFrom('return_cases').modifyFront(PREPARED).select(CASE_COLUMNS).where('id', '=', id)
  if (partnerOfficeId !== undefined) query = query.where('partner_office_id', '=', partnerOfficeId)
  if (forUpdate) query = query.forUpdate()
  return query
}

/** One precompiled case lookup per shape: with or without the partner office scope, with or without the row lock. */
const CASE_LOOKUPS = new Map(
  [false, true].flatMap((partner) =>
    [false, true].map((forUpdate) => {
      const lookup = new Precompiled<ReturnCaseRow, string[]>(partner ? 2 : 1, (db, id, office) => caseQuery(db, id!, office, forUpdate))
      return [`${partner}/${forUpdate}`, lookup] as const
    }),
  ),
)

export const VULNERABILITY_COLUMNS = allColumns<MemberVulnerabilitiesTable>()([
  'id', 'case_id', 'member_id', 'code', 'notes', 'escort_needed', 'recorded_by', 'recorded_at', 'version', 'updated_at',
])

export async function findCase(
  db: Kysely<DB>,
  id: string,
  options: { partnerOfficeId?: string; forUpdate?: boolean } = {},
): Promise<ReturnCaseRow | undefined> {
  const lookup = CASE_LOOKUPS.get(`${options.partnerOfficeId !== undefined}/${options.forUpdate === true}`)!
  const [row] = await lookup.execute(db, ...(options.partnerOfficeId === undefined ? [id] : [id, options.partnerOfficeId]))
  return row
}

/** The sequence that numbers an office's cases of one year (a name PostgreSQL accepts: 50 characters, lower-case hex). */
export function caseNumberSequence(officeId: string, year: number): string {
  if (!UUID_PATTERN.test(officeId) || !Number.isInteger(year) || year < 2000 || year > 9999) throw new Error(`no case number sequence for ${officeId}/${year}`)
  return `case_numbers_${officeId.replaceAll('-', '').toLowerCase()}_${year}`
}

/**
 * The next case number of an office in a year, from a sequence of its own (see ADR 0047): no row
 * lock, so concurrent creates of one office do not queue on each other; a create that fails after
 * taking its number leaves a gap. The sequence is made by the first create of the office and year,
 * continuing after what the earlier counter row (`case_reference_counters`) handed out. Concurrent
 * first creates race on the catalog: the losers wait for the winner and then use its sequence.
 */
export async function nextCaseNumber(db: Transaction<DB>, officeId: string, year: number): Promise<number> {
  const sequence = caseNumberSequence(officeId, year)
  const taken = await takeNumber(db, sequence)
  if (taken !== null) return taken
  await sql`savepoint case_number_sequence`.execute(db)
  try {
    const counter = await db
      .selectFrom('case_reference_counters')
      .select('last_number')
      .where('office_id', '=', officeId)
      .where('year', '=', year)
      .executeTakeFirst()
    await sql`create sequence if not exists ${sql.id(sequence)} as integer start with ${sql.lit((counter?.last_number ?? 0) + 1)}`.execute(db)
    await sql`release savepoint case_number_sequence`.execute(db)
  } catch (error) {
    // Another create made the same sequence and committed meanwhile: PostgreSQL reports the catalog's unique index.
    if (!['23505', '42P07'].includes((error as { code?: string }).code ?? '')) throw error
    await sql`rollback to savepoint case_number_sequence`.execute(db)
  }
  const number = await takeNumber(db, sequence)
  if (number === null) throw new Error(`case number sequence ${sequence} is missing`)
  return number
}

/** nextval of the sequence, or null when it does not exist yet (nextval of a null regclass is null). */
async function takeNumber(db: Kysely<DB>, sequence: string): Promise<number | null> {
  const { rows } = await sql<{ number: string | number | null }>`${PREPARED} select nextval(to_regclass(${sequence})) as number`.execute(db)
  const value = rows[0]?.number
  return value === null || value === undefined ? null : Number(value)
}

export type NewCase = Omit<ReturnCaseRow, 'version' | 'created_at' | 'updated_at' | 'closed_at' | 'status' | 'referred_at' | 'closure_reason'> & {
  referred_at: Date | null
}

export async function insertCase(db: Kysely<DB>, values: NewCase): Promise<ReturnCaseRow> {
  return db
    .insertInto('return_cases')
    .values({ ...values, status: 'draft' })
    .returning(CASE_COLUMNS)
    .modifyEnd(PREPARED)
    .executeTakeFirstOrThrow()
}

export type CaseChanges = Partial<
  Pick<
    ReturnCaseRow,
    | 'project_id'
    | 'legal_status'
    | 'referral_source'
    | 'external_reference'
    | 'country_of_return'
    | 'place_of_return'
    | 'intended_departure_on'
    | 'consent_given_by'
    | 'consent_scope'
    | 'consent_recorded_by'
    | 'notes'
    | 'partner_office_id'
  > & { consent_given_at: Date | null; referred_at: Date | null; status: CaseStatus; closed_at: Date | null; closure_reason: ClosureReason | null }
>

/** Applies changes and bumps the version. `expectedStatus` guards against a row changed since it was read. */
export async function updateCase(db: Kysely<DB>, id: string, changes: CaseChanges, expectedStatus?: CaseStatus): Promise<ReturnCaseRow | undefined> {
  let query = db
    .updateTable('return_cases')
    .set((eb) => ({ ...changes, version: eb('version', '+', 1), updated_at: new Date() }))
    .where('id', '=', id)
  if (expectedStatus) query = query.where('status', '=', expectedStatus)
  return query.returningAll().executeTakeFirst()
}

function withVulnerabilities(eb: ExpressionBuilder<DB & { m: CaseMembersTable }, 'm'>) {
  return jsonArrayFrom(
    eb
      .selectFrom('member_vulnerabilities as v')
      .select(['v.id', 'v.case_id', 'v.member_id', 'v.code', 'v.notes', 'v.escort_needed', 'v.recorded_by', 'v.recorded_at', 'v.version'])
      .whereRef('v.member_id', '=', 'm.id')
      .orderBy('v.id'),
  ).as('vulnerabilities')
}

function normalizeLoaded(rows: Array<CaseMemberRow & { vulnerabilities: Array<Omit<LoadedVulnerability, 'recorded_at'> & { recorded_at: unknown }> }>): MemberWithVulnerabilities[] {
  return rows.map((row) => ({
    ...row,
    vulnerabilities: row.vulnerabilities.map((entry) => ({ ...entry, recorded_at: new Date(String(entry.recorded_at)).toISOString() })),
  }))
}

/** Members (`m`) with their columns by name and their vulnerability entries, in the order recorded. */
function withMemberFields<O>(query: SelectQueryBuilder<DB & { m: CaseMembersTable }, 'm', O>) {
  return query
    .select(MEMBER_COLUMNS.map((column) => `m.${column}` as const))
    .select((eb) => withVulnerabilities(eb))
    .orderBy('m.id')
}

function membersQuery(db: Kysely<DB>, caseIds: readonly string[]) {
  return withMemberFields(db.selectFrom('case_members as m').where('m.case_id', 'in', caseIds))
}

/** The household of one case (a get, the hottest read), precompiled and prepared. */
const MEMBERS_OF_ONE_CASE = new Precompiled<Parameters<typeof normalizeLoaded>[0][number], [string]>(1, (db, caseId) =>
  membersQuery(db, [caseId]).modifyFront(PREPARED),
)

/** Members of some cases, each with its vulnerability entries: one query. */
export async function membersOfCases(db: Kysely<DB>, caseIds: readonly string[]): Promise<MemberWithVulnerabilities[]> {
  if (caseIds.length === 0) return []
  const rows = caseIds.length === 1 ? await MEMBERS_OF_ONE_CASE.execute(db, caseIds[0]!) : await membersQuery(db, caseIds).execute()
  return normalizeLoaded(rows)
}

type MemberJson = Omit<Parameters<typeof normalizeLoaded>[0][number], 'created_at' | 'updated_at'> & { created_at: string; updated_at: string }

/** A case and its household in one query, the members as JSON (one round trip for a get, the hottest read). Exported for the benchmark's pgbench script. */
export function caseWithMembersQuery(db: Kysely<DB>, id: string, partnerOfficeId: string | undefined) {
  return caseQuery(db, id, partnerOfficeId, false).select((eb) =>
    jsonArrayFrom(withMemberFields(eb.selectFrom('case_members as m').whereRef('m.case_id', '=', 'return_cases.id'))).as('members'),
  )
}

const CASE_WITH_MEMBERS = {
  anyOffice: new Precompiled<ReturnCaseRow & { members: MemberJson[] }, [string]>(1, (db, id) => caseWithMembersQuery(db, id!, undefined)),
  partnerOffice: new Precompiled<ReturnCaseRow & { members: MemberJson[] }, [string, string]>(2, (db, id, office) => caseWithMembersQuery(db, id!, office)),
}

/** The case (scoped to a partner office when given) with its members, each with its vulnerability entries. */
export async function findCaseWithMembers(
  db: Kysely<DB>,
  id: string,
  partnerOfficeId?: string,
): Promise<{ row: ReturnCaseRow; members: MemberWithVulnerabilities[] } | undefined> {
  const [found] =
    partnerOfficeId === undefined
      ? await CASE_WITH_MEMBERS.anyOffice.execute(db, id)
      : await CASE_WITH_MEMBERS.partnerOffice.execute(db, id, partnerOfficeId)
  if (!found) return undefined
  const { members, ...row } = found
  // JSON carries timestamps as text; the rows of the other queries carry Dates.
  const rows = members.map((member) => ({ ...member, created_at: new Date(member.created_at), updated_at: new Date(member.updated_at) }))
  return { row, members: normalizeLoaded(rows) }
}

/** What a list row shows of a member: enough for the principal, the household size and family type, and the vulnerability codes. */
export interface SummaryMember {
  id: string
  relationship: string
  is_principal: boolean
  given_name: string
  family_name: string
  nationality: string
  vulnerabilities: Array<{ id: string; case_id: string; member_id: string; code: string; recorded_by: string }>
}

export type SummaryRow = Pick<
  ReturnCaseRow,
  'id' | 'reference' | 'status' | 'office_id' | 'partner_office_id' | 'project_id' | 'country_of_return' | 'intended_departure_on' | 'created_at' | 'updated_at'
> & { members: SummaryMember[] }

/**
 * One page of the case list in one query: `ids` picks the page (its filters, order and limit; it
 * selects only ids, so PostgreSQL reads them off the index whose leading columns are the filters,
 * without visiting the table for rows it then drops); the outer query reads those cases and their
 * members as JSON, only the columns a list row shows.
 */
export function summaryPage(db: Kysely<DB>, ids: SelectQueryBuilder<DB & { c: ReturnCasesTable }, 'c', { id: string }>) {
  return db
    .selectFrom(ids.as('page'))
    .innerJoin('return_cases as c', 'c.id', 'page.id')
    .select(['c.id', 'c.reference', 'c.status', 'c.office_id', 'c.partner_office_id', 'c.project_id', 'c.country_of_return', 'c.intended_departure_on', 'c.created_at', 'c.updated_at'])
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('case_members as m')
          .select(['m.id', 'm.relationship', 'm.is_principal', 'm.given_name', 'm.family_name', 'm.nationality'])
          .select((inner) =>
            jsonArrayFrom(
              inner.selectFrom('member_vulnerabilities as v').select(['v.id', 'v.case_id', 'v.member_id', 'v.code', 'v.recorded_by']).whereRef('v.member_id', '=', 'm.id').orderBy('v.id'),
            ).as('vulnerabilities'),
          )
          .whereRef('m.case_id', '=', 'c.id')
          .orderBy('m.id'),
      ).as('members'),
    )
    .orderBy('c.id', 'desc')
    .$castTo<SummaryRow>()
}

export async function memberPage(db: Kysely<DB>, caseId: string, limit: number, afterId: string | undefined): Promise<MemberWithVulnerabilities[]> {
  let query = withMemberFields(db.selectFrom('case_members as m').where('m.case_id', '=', caseId)).limit(limit + 1)
  if (afterId !== undefined) query = query.where('m.id', '>', afterId)
  return normalizeLoaded(await query.execute())
}

export async function findMember(db: Kysely<DB>, caseId: string, memberId: string, options: { forUpdate?: boolean } = {}): Promise<CaseMemberRow | undefined> {
  return findRow(db, 'case_members', { id: memberId, case_id: caseId }, options)
}

export async function memberWithVulnerabilities(db: Kysely<DB>, caseId: string, memberId: string): Promise<MemberWithVulnerabilities | undefined> {
  const rows = await withMemberFields(db.selectFrom('case_members as m').where('m.id', '=', memberId).where('m.case_id', '=', caseId)).execute()
  return normalizeLoaded(rows)[0]
}

/** Rebuilds a case's search terms from its reference and its members' normalized names. */
export async function rebuildSearchTerms(db: Kysely<DB>, caseId: string, options: { fresh?: boolean } = {}): Promise<void> {
  if (!options.fresh) await db.deleteFrom('case_search_terms').where('case_id', '=', caseId).execute()
  // References are upper-case ASCII ([A-Z0-9] office code, year, number): lower() normalizes them
  // exactly as the application's normalizeText would; names are stored already normalized.
  await sql`${PREPARED}
    insert into case_search_terms (case_id, term)
    select distinct c.id, t.term
    from return_cases c
    cross join lateral (
      select regexp_split_to_table(lower(c.reference), '[^a-z0-9]+') as term
      union
      select regexp_split_to_table(m.name_key, '[| ]+') from case_members m where m.case_id = c.id
    ) t
    where c.id = ${caseId} and t.term <> ''`.execute(db)
}

export interface HistoryEntry {
  caseId: string
  action: string
  from: CaseStatus | null
  to: CaseStatus
  reason: string | null
  occurredAt?: Date
}

function historyRow(context: RequestContext, entry: HistoryEntry) {
  return {
    occurred_at: entry.occurredAt ?? new Date(),
    case_id: entry.caseId,
    action: entry.action,
    from_status: entry.from,
    to_status: entry.to,
    reason: entry.reason,
    actor_sub: context.actor.sub,
    actor_roles: context.actor.roles,
    request_id: context.requestId,
  }
}

export async function insertHistory(db: Transaction<DB>, context: RequestContext, entry: HistoryEntry): Promise<void> {
  await db.insertInto('case_status_history').values(historyRow(context, entry)).modifyEnd(PREPARED).execute()
}

/**
 * The search terms of a case, as rebuildSearchTerms derives them in SQL: the words of the
 * reference (lower-case, split on anything but [a-z0-9]) and of the members' name keys (split on
 * `|` and spaces), without duplicates or empty words.
 */
export function searchTermsOf(reference: string, nameKeys: readonly string[]): string[] {
  const words = [...reference.toLowerCase().split(/[^a-z0-9]+/), ...nameKeys.flatMap((key) => key.split(/[| ]+/))]
  return [...new Set(words.filter((word) => word !== ''))]
}

/** What a new case is written with: its household, search terms, first history row, audit entries and event. */
export interface NewCaseRecords {
  case: NewCase
  members: readonly Insertable<CaseMembersTable>[]
  vulnerabilities: readonly Insertable<MemberVulnerabilitiesTable>[]
  history: HistoryEntry
  audits: readonly AuditInput[]
  event: DomainEvent
  /** The household's probes for possible duplicates in other open cases, looked for by the same statement. */
  duplicateProbes: readonly DuplicateProbe[]
  /** Set for a partner-office caller: only the cases referred to it are compared. */
  visibleToPartnerOffice?: string
}

/**
 * A new case and everything written with it in one statement (one round trip): the case insert
 * returns the row, and the household, search terms, history, audit entries and event are inserted
 * by the same statement's CTEs. The foreign keys of the CTEs' rows are checked at the statement's
 * end, when the case row exists.
 */
export async function insertCaseWithRecords(db: Transaction<DB>, context: RequestContext, records: NewCaseRecords): Promise<{ row: ReturnCaseRow; duplicates: DuplicateMatch[] }> {
  const caseId = records.case.id
  const terms = searchTermsOf(records.case.reference, records.members.map((member) => member.name_key))
  const writes = [
    records.members.length > 0 ? db.insertInto('case_members').values([...records.members]) : undefined,
    records.vulnerabilities.length > 0 ? db.insertInto('member_vulnerabilities').values([...records.vulnerabilities]) : undefined,
    terms.length > 0 ? db.insertInto('case_search_terms').values(terms.map((term) => ({ case_id: caseId, term }))) : undefined,
    db.insertInto('case_status_history').values(historyRow(context, records.history)),
    records.audits.length > 0 ? auditEntriesInsert(db, context, records.audits) : undefined,
    eventInsert(db, records.event),
  ].filter((write) => write !== undefined)
  const ctes = sql.join(writes.map((write, index) => sql`${sql.id(`write_${index}`)} as (${write})`))
  const insertCase = db.insertInto('return_cases').values({ ...records.case, status: 'draft' }).returning(CASE_COLUMNS)
  // The candidates are read in the statement's snapshot, which does not hold the new household.
  const candidates =
    records.duplicateProbes.length > 0
      ? sql`(select coalesce(json_agg(candidate order by candidate.id), '[]'::json) from (${duplicateCandidates(db, caseId, records.duplicateProbes, records.visibleToPartnerOffice)}) as candidate)`
      : sql`'[]'::json`
  const { rows } = await sql<ReturnCaseRow & { duplicate_candidates: DuplicateCandidate[] }>`${PREPARED}
    with ${ctes}, new_case as (${insertCase})
    select new_case.*, ${candidates} as duplicate_candidates from new_case`.execute(db)
  const inserted = rows[0]
  if (!inserted) throw new Error(`case ${caseId} was not inserted`)
  const { duplicate_candidates: found, ...row } = inserted
  return { row, duplicates: matchDuplicates(records.duplicateProbes, found) }
}


export interface DuplicateProbe {
  memberId: string
  nameKey: string
  nationality: string
  dateOfBirth: string | null
  birthYear: number | null
}

export interface DuplicateMatch {
  member_id: string
  matching_case_id: string
  matching_case_reference: string
  matching_case_status: CaseStatus
  matching_member_id: string
}

/**
 * People in other open (not closed) cases with the same normalized names, date of birth (or
 * estimated year) and nationality. `visibleToPartnerOffice` restricts the search to the cases a
 * partner office may see, so the answer never reveals other cases.
 */
export async function findDuplicates(
  db: Kysely<DB>,
  caseId: string,
  probes: readonly DuplicateProbe[],
  visibleToPartnerOffice?: string,
): Promise<DuplicateMatch[]> {
  if (probes.length === 0) return []
  return matchDuplicates(probes, await duplicateCandidates(db, caseId, probes, visibleToPartnerOffice).modifyFront(PREPARED).execute())
}

/** Members of other open cases with a probe's names, nationality and date of birth (or birth year). */
function duplicateCandidates(db: Kysely<DB>, caseId: string, probes: readonly DuplicateProbe[], visibleToPartnerOffice?: string) {
  let query = db
    .selectFrom('case_members as m')
    .innerJoin('return_cases as c', 'c.id', 'm.case_id')
    .select(['m.id', 'm.name_key', 'm.nationality', 'm.date_of_birth', 'm.birth_year', 'c.id as case_id', 'c.reference', 'c.status'])
    .where('c.status', '<>', 'closed')
    .where('c.id', '<>', caseId)
    .where((eb) =>
      eb.or(
        probes.map((probe) =>
          eb.and([
            eb('m.name_key', '=', probe.nameKey),
            eb('m.nationality', '=', probe.nationality),
            probe.dateOfBirth === null ? eb('m.date_of_birth', 'is', null) : eb('m.date_of_birth', '=', probe.dateOfBirth),
            probe.birthYear === null ? eb('m.birth_year', 'is', null) : eb('m.birth_year', '=', probe.birthYear),
          ]),
        ),
      ),
    )
    .orderBy('m.id')
    .limit(100)
  if (visibleToPartnerOffice !== undefined) query = query.where('c.partner_office_id', '=', visibleToPartnerOffice)
  return query
}

type DuplicateCandidate = Pick<CaseMemberRow, 'id' | 'name_key' | 'nationality' | 'date_of_birth' | 'birth_year'> & Pick<ReturnCaseRow, 'reference' | 'status'> & { case_id: string }

function matchDuplicates(probes: readonly DuplicateProbe[], rows: readonly DuplicateCandidate[]): DuplicateMatch[] {
  const matches: DuplicateMatch[] = []
  for (const probe of probes) {
    for (const row of rows) {
      if (row.name_key === probe.nameKey && row.nationality === probe.nationality && row.date_of_birth === probe.dateOfBirth && row.birth_year === probe.birthYear) {
        matches.push({
          member_id: probe.memberId,
          matching_case_id: row.case_id,
          matching_case_reference: row.reference,
          matching_case_status: row.status,
          matching_member_id: row.id,
        })
      }
    }
  }
  return matches
}

/** The first case (in creation order) with this external reference, optionally of one office. */
export async function findCaseByExternalReference(db: Kysely<DB>, externalReference: string, officeId?: string): Promise<ReturnCaseRow | undefined> {
  let query = db.selectFrom('return_cases').selectAll().where('external_reference', '=', externalReference).orderBy('id')
  if (officeId !== undefined) query = query.where('office_id', '=', officeId)
  return query.executeTakeFirst()
}

/** Whether a case is referred to a partner office. */
export async function isCaseReferredTo(db: Kysely<DB>, caseId: string, officeId: string): Promise<boolean> {
  const row = await db.selectFrom('return_cases').select('id').where('id', '=', caseId).where('partner_office_id', '=', officeId).executeTakeFirst()
  return row !== undefined
}

/** The ids of the cases referred to a partner office, as a subquery (`where case_id in (…)`). */
export function casesReferredTo(db: Kysely<DB>, officeId: string) {
  return db.selectFrom('return_cases').select('id').where('partner_office_id', '=', officeId)
}

/**
 * The columns of a case other modules may read with their own rows, as a derived table to join
 * (`innerJoin(caseFacts(db).as('c'), 'c.id', '….case_id')`): PostgreSQL inlines it, so the join
 * costs what a join on return_cases costs, and return_cases stays this module's own.
 */
export function caseFacts(db: Kysely<DB>) {
  return db
    .selectFrom('return_cases')
    .select(['id', 'reference', 'status', 'office_id', 'partner_office_id', 'project_id', 'country_of_return', 'intended_departure_on'])
}

/** The case row, locked, for writes that act for the system rather than a caller's view (payment hooks). */
export async function lockCase(db: Transaction<DB>, caseId: string): Promise<ReturnCaseRow> {
  const row = await findCase(db, caseId, { forUpdate: true })
  if (!row) throw new Error(`Return case ${caseId} does not exist`)
  return row
}

/** Whether the member's medical needs call for an escort when travelling. */
export async function needsMedicalEscort(db: Kysely<DB>, memberId: string): Promise<boolean> {
  const entry = await db
    .selectFrom('member_vulnerabilities')
    .select('id')
    .where('member_id', '=', memberId)
    .where('code', '=', 'medical_needs')
    .where('escort_needed', '=', true)
    .executeTakeFirst()
  return entry !== undefined
}

/** Whether the member has medical needs recorded (with or without an escort): a medical case, which travels insured. */
export async function hasMedicalNeeds(db: Kysely<DB>, memberId: string): Promise<boolean> {
  const entry = await db.selectFrom('member_vulnerabilities').select('id').where('member_id', '=', memberId).where('code', '=', 'medical_needs').executeTakeFirst()
  return entry !== undefined
}

/** The day the case arrived (its latest move to `arrived`), else departed, from its status history; null before either. */
export async function arrivedOrDepartedOn(db: Kysely<DB>, caseId: string): Promise<string | null> {
  const moves = await db
    .selectFrom('case_status_history')
    .select(['to_status', 'occurred_at'])
    .where('case_id', '=', caseId)
    .where('to_status', 'in', ['arrived', 'departed'])
    .orderBy('id', 'desc')
    .execute()
  const moved = moves.find((move) => move.to_status === 'arrived') ?? moves.find((move) => move.to_status === 'departed')
  return moved ? moved.occurred_at.toISOString().slice(0, 10) : null
}

/** The vulnerability codes recorded in a case's household (codes only: never the notes). */
export async function vulnerabilityCodesOfCase(db: Kysely<DB>, caseId: string): Promise<string[]> {
  const entries = await db.selectFrom('member_vulnerabilities').select('code').where('case_id', '=', caseId).execute()
  return entries.map((entry) => entry.code)
}
