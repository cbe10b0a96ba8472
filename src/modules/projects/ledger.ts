import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { DB, LedgerEntriesTable, LedgerEntryKind, LedgerSourceType } from '../../db/schema.js'
import { PREPARED, allColumns } from '../../db/prepared.js'
import { storeResponse, type IdempotencyClaim } from '../../db/unit-of-work.js'
import { auditInsert, diff, type AuditInput } from '../../shared/audit.js'
import { outboxInsert } from '../../shared/outbox.js'
import type { RequestContext } from '../../shared/context.js'
import { newId } from '../../shared/ids.js'
import { ledgerRefusals } from '../../shared/metrics.js'
import { ProblemError, conflict, notFound } from '../../shared/problems.js'
import { money } from '../../shared/money.js'

/**
 * The ledger of every budget line: commitments (money reserved when a cost is approved),
 * releases (a commitment given back), spends (money paid, consuming its commitment) and refunds
 * (paid money given back by the payee, credited to the line it was spent from).
 *
 * Entries are append-only (a trigger refuses UPDATE and DELETE). A line's `committed_minor`
 * and `spent_minor` are a cache of its entries, changed by the same statement that appends
 * the entry, so they cannot drift from the ledger. Each function takes the caller's
 * transaction and writes one outbox event per entry (`ledger.committed`, `ledger.released`,
 * `ledger.spent`, `ledger.refunded`); the entry itself records the actor and request, and callers write the
 * audit entry of the business action (an approved ticket, a paid grant) themselves.
 */

export interface LedgerSource {
  type: LedgerSourceType
  id: string
}

export interface LedgerPosting {
  budgetLineId: string
  amount: { amount_minor: number; currency: string }
  source: LedgerSource
  caseId?: string | null
  paymentRequestId?: string | null
  note?: string | null
  /** When set, the line must belong to this project (404 otherwise), checked by the same statement. */
  projectId?: string
  /**
   * An audit entry written by the same statement as the entry, only if the entry is written:
   * saves the caller a round trip on a hot path. Callers may equally call recordAudit themselves.
   */
  audit?: AuditInput
}

export type LedgerEntryRow = Selectable<LedgerEntriesTable>

const EVENT_TYPES: Record<LedgerEntryKind, string> = {
  commit: 'ledger.committed',
  release: 'ledger.released',
  spend: 'ledger.spent',
  refund: 'ledger.refunded',
}

/** How an entry of each kind moves the line's cached balances. */
const BALANCE_CHANGES: Record<LedgerEntryKind, { committed: -1 | 0 | 1; spent: -1 | 0 | 1 }> = {
  commit: { committed: 1, spent: 0 },
  release: { committed: -1, spent: 0 },
  spend: { committed: -1, spent: 1 },
  refund: { committed: 0, spent: -1 },
}

/** An entry's effect on its source's open commitment (a refund gives back spent money, never a commitment). */
const OPEN_COMMITMENT_EFFECT = (alias: string) =>
  sql.raw(`case ${alias}kind when 'commit' then ${alias}amount_minor when 'refund' then 0 else -${alias}amount_minor end`)

/** The entry's columns by name (the statement is prepared; see allColumns). */
export const ENTRY_COLUMNS = sql.join(
  allColumns<LedgerEntriesTable>()([
    'id', 'budget_line_id', 'kind', 'amount_minor', 'currency', 'source_type', 'source_id', 'case_id', 'payment_request_id', 'actor_sub',
    'request_id', 'note', 'created_at',
  ]).map((column) => sql.ref(column)),
)

/** The payload of an entry's outbox event, from the statement's `entry` (the inserted row) and `line` (its budget line). */
export const EVENT_PAYLOAD = sql`jsonb_build_object(
  'id', entry.id, 'project_id', line.project_id, 'budget_line_id', entry.budget_line_id, 'kind', entry.kind,
  'amount', jsonb_build_object('amount_minor', entry.amount_minor, 'currency', entry.currency),
  'source', jsonb_build_object('type', entry.source_type, 'id', entry.source_id),
  'case_id', entry.case_id, 'payment_request_id', entry.payment_request_id, 'note', entry.note,
  'actor_sub', entry.actor_sub, 'created_at', entry.created_at)`

/** An entry as the API presents it (toLedgerEntry in ledger-repository.ts, kept in step by test/ledger/http.test.ts), as JSON from the statement's `entry`. */
const ENTRY_RESPONSE = sql`json_build_object(
  'id', entry.id, 'budget_line_id', entry.budget_line_id, 'kind', entry.kind,
  'amount', json_build_object('amount_minor', entry.amount_minor, 'currency', entry.currency),
  'source', json_build_object('type', entry.source_type, 'id', entry.source_id),
  'case_id', entry.case_id, 'payment_request_id', entry.payment_request_id, 'actor_sub', entry.actor_sub, 'request_id', entry.request_id,
  'note', entry.note, 'created_at', to_char(entry.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`

/** Refused commitments are diagnosed and, if the line changed meanwhile, tried again this many times. */
const COMMIT_ATTEMPTS = 3

function assertAmount(posting: LedgerPosting): void {
  const amount = posting.amount.amount_minor
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new ProblemError('unprocessable-entity', `A ledger amount must be a positive whole number of minor units, not ${amount}`)
  }
}

function entryValues(posting: LedgerPosting) {
  return {
    id: newId(),
    amount: posting.amount.amount_minor,
    currency: posting.amount.currency,
    caseId: posting.caseId ?? null,
    paymentRequestId: posting.paymentRequestId ?? null,
    note: posting.note ?? null,
  }
}

/**
 * The statement that appends an entry: it changes the line's balances (under `guard`, a
 * condition on the line's row, and the line's project when the posting names one), inserts the
 * entry, its outbox event and the posting's audit entry if any, all in one round trip. No row
 * comes back when the guard does not hold, and then nothing was written.
 */
async function appendEntry(
  db: Transaction<DB>,
  context: RequestContext,
  kind: LedgerEntryKind,
  posting: LedgerPosting,
  guard: ReturnType<typeof sql>,
  claim?: IdempotencyClaim,
): Promise<LedgerEntryRow | undefined> {
  const entry = entryValues(posting)
  const change = BALANCE_CHANGES[kind]
  const committedDelta = change.committed * entry.amount
  const spentDelta = change.spent * entry.amount
  const { rows } = await sql<LedgerEntryRow>`${PREPARED}
    with line as (
      update budget_lines
         set committed_minor = committed_minor + ${committedDelta}::bigint,
             spent_minor = spent_minor + ${spentDelta}::bigint
       where id = ${posting.budgetLineId}::uuid and ${guard}${posting.projectId === undefined ? sql`` : sql` and project_id = ${posting.projectId}::uuid`}
      returning id, project_id
    ), entry as (
      insert into ledger_entries
        (id, budget_line_id, kind, amount_minor, currency, source_type, source_id, case_id, payment_request_id, actor_sub, request_id, note)
      select ${entry.id}::uuid, line.id, ${kind}::text, ${entry.amount}::bigint, ${entry.currency}::char(3), ${posting.source.type}::text,
             ${posting.source.id}::uuid, ${entry.caseId}::uuid, ${entry.paymentRequestId}::uuid, ${context.actor.sub}::text,
             ${context.requestId}::text, ${entry.note}::text
        from line
      returning ${ENTRY_COLUMNS}
    ), event as (
      ${outboxInsert(sql`select ${newId()}::uuid, ${EVENT_TYPES[kind]}::text, 'ledger_entry', entry.id::text, entry.case_id, ${EVENT_PAYLOAD} from entry, line`)}
    )${auditStatement(context, posting.audit)}${claim ? sql`, stored as (${storeResponse(claim, 201, sql`(select ${ENTRY_RESPONSE}::text from entry)`, sql`exists (select from entry)`)})` : sql``}
    select ${ENTRY_COLUMNS} from entry`.execute(db)
  return rows[0]
}

/** The posting's audit entry (the columns of shared/audit.ts), as one more part of the entry's statement. */
function auditStatement(context: RequestContext, audit: AuditInput | undefined) {
  if (!audit) return sql``
  const changes = JSON.stringify(diff(audit.before, audit.after, audit.maskedFields))
  return sql`, audit as (
      ${auditInsert(sql`select ${context.actor.sub}::text, ${context.actor.roles}::text[], ${context.actor.officeId}::uuid, ${context.requestId}::text,
             ${audit.action}::text, ${audit.entityType}::text, ${audit.entityId}::text, ${audit.caseId ?? null}::uuid, ${changes}::jsonb
        from entry`)}
    )`
}

interface LineState {
  id: string
  currency: string
  accepts_commitments: boolean
  available_minor: number
}

async function lineState(db: Kysely<DB>, posting: LedgerPosting, options: { forUpdate?: boolean } = {}): Promise<LineState> {
  const budgetLineId = posting.budgetLineId
  let query = db
    .selectFrom('budget_lines')
    .select(['id', 'currency', 'accepts_commitments'])
    .select(sql<number>`allocated_minor - committed_minor - spent_minor`.as('available_minor'))
    .where('id', '=', budgetLineId)
  if (posting.projectId !== undefined) query = query.where('project_id', '=', posting.projectId)
  if (options.forUpdate) query = query.forUpdate()
  const line = await query.executeTakeFirst()
  if (!line) throw notFound('Budget line', budgetLineId)
  return line
}

function assertCurrency(line: LineState, posting: LedgerPosting): void {
  if (line.currency !== posting.amount.currency) {
    throw new ProblemError('currency-mismatch', `Budget line ${line.id} is kept in ${line.currency}; an amount in ${posting.amount.currency} cannot be charged to it`, {
      expected_currency: line.currency,
      budget_line_id: line.id,
    })
  }
}

/**
 * Reserves money on a budget line. The check and the reservation are one conditional UPDATE
 * on the line's row (with the entry, event and audit inserts in the same statement): concurrent
 * commitments queue on that row and each sees the balance the previous one left, so a line
 * can never be over-committed and a success costs one round trip.
 *
 * Refused with 409 `budget-line-exhausted` (naming `available`) when the amount does not
 * fit, 422 `currency-mismatch` when the currency is not the line's (the project's), 409
 * `conflict` when the project is not active, 404 when the line does not exist. A refusal
 * writes nothing.
 */
/**
 * Commits funds. With `claim` (a keyed request's claimed Idempotency-Key), the statement that locks the
 * line also stores the response (the entry as toLedgerEntry presents it): the line's lock is then held
 * only for the COMMIT after it, not for one more round trip through Node.
 */
export async function commitFunds(db: Transaction<DB>, context: RequestContext, posting: LedgerPosting, claim?: IdempotencyClaim): Promise<LedgerEntryRow> {
  assertAmount(posting)
  const amount = posting.amount.amount_minor
  for (let attempt = 1; ; attempt += 1) {
    const entry = await appendEntry(
      db,
      context,
      'commit',
      posting,
      sql`currency = ${posting.amount.currency}::char(3) and accepts_commitments and allocated_minor - committed_minor - spent_minor >= ${amount}::bigint`,
      claim,
    )
    if (entry) return entry
    const line = await lineState(db, posting)
    // Each refusal is counted by its reason (avrr_ledger_refusals_total).
    if (line.currency !== posting.amount.currency) ledgerRefusals.inc({ reason: 'currency-mismatch' })
    assertCurrency(line, posting)
    if (!line.accepts_commitments) {
      ledgerRefusals.inc({ reason: 'project-not-active' })
      throw conflict(`Budget line ${line.id} belongs to a project that is not active; nothing can be committed to it`, { budget_line_id: line.id })
    }
    // The line changed between the refused UPDATE and this read (a release or a re-allocation): try again.
    if (line.available_minor >= amount && attempt < COMMIT_ATTEMPTS) continue
    ledgerRefusals.inc({ reason: 'budget-line-exhausted' })
    throw new ProblemError(
      'budget-line-exhausted',
      `Budget line ${line.id} has ${line.available_minor} ${line.currency} minor units available; ${amount} cannot be committed`,
      {
        budget_line_id: line.id,
        available: money(line.available_minor, line.currency),
        requested: money(amount, posting.amount.currency),
      },
    )
  }
}

/**
 * The open commitment of one source on one line: what it committed, less what it released
 * and spent. Read it after locking the line when you act on it.
 */
export async function openCommitment(db: Kysely<DB>, budgetLineId: string, source: LedgerSource): Promise<number> {
  const row = await db
    .selectFrom('ledger_entries')
    .select(sql<number>`coalesce(sum(${OPEN_COMMITMENT_EFFECT('')}), 0)::bigint`.as('open_minor'))
    .where('budget_line_id', '=', budgetLineId)
    .where('source_type', '=', source.type)
    .where('source_id', '=', source.id)
    .executeTakeFirstOrThrow()
  return Number(row.open_minor)
}

/** Release and spend draw on a source's open commitment, so they lock the line before reading it. */
async function drawOnCommitment(db: Transaction<DB>, context: RequestContext, kind: 'release' | 'spend', posting: LedgerPosting): Promise<LedgerEntryRow> {
  assertAmount(posting)
  const line = await lineState(db, posting, { forUpdate: true })
  assertCurrency(line, posting)
  const open = await openCommitment(db, posting.budgetLineId, posting.source)
  if (posting.amount.amount_minor > open) {
    const verb = kind === 'release' ? 'released' : 'spent'
    throw conflict(
      `${posting.source.type} ${posting.source.id} has ${open} minor units committed on budget line ${line.id}; ${posting.amount.amount_minor} cannot be ${verb}`,
      { budget_line_id: line.id, open_commitment: money(open, line.currency) },
    )
  }
  const entry = await appendEntry(db, context, kind, posting, sql`true`)
  if (!entry) throw notFound('Budget line', posting.budgetLineId)
  return entry
}

/**
 * Gives back part or all of a source's open commitment on a line (no-show, cancellation, a
 * cheaper invoice). More than is open is 409 `conflict` (naming `open_commitment`).
 */
export async function releaseFunds(db: Transaction<DB>, context: RequestContext, posting: LedgerPosting): Promise<LedgerEntryRow> {
  return drawOnCommitment(db, context, 'release', posting)
}

/**
 * Turns part or all of a source's open commitment into spend (the money was paid). More
 * than is open is 409 `conflict`: commit the difference first.
 */
export async function spendFunds(db: Transaction<DB>, context: RequestContext, posting: LedgerPosting): Promise<LedgerEntryRow> {
  return drawOnCommitment(db, context, 'spend', posting)
}

/** What a source spent on a line, net of what was refunded to it: the most a refund may give back. */
function netSpendOf(budgetLineId: string, source: LedgerSource) {
  return sql<number>`(select coalesce(sum(case kind when 'spend' then amount_minor when 'refund' then -amount_minor else 0 end), 0)
      from ledger_entries
     where budget_line_id = ${budgetLineId}::uuid and source_type = ${source.type}::text and source_id = ${source.id}::uuid)`
}

async function refundOf(db: Kysely<DB>, posting: LedgerPosting): Promise<LedgerEntryRow | undefined> {
  return db
    .selectFrom('ledger_entries')
    .selectAll()
    .where('budget_line_id', '=', posting.budgetLineId)
    .where('kind', '=', 'refund')
    .where('source_type', '=', posting.source.type)
    .where('source_id', '=', posting.source.id)
    .executeTakeFirst()
}

/**
 * Credits a line with money its payee gave back (a carrier's refund of a paid ticket): a `refund`
 * entry that lowers the line's spend and so raises what is available, while the spend entries
 * stay as they were. Like commitFunds, one guarded statement: the line changes only if the
 * source's net spend on it covers the amount and the source was not refunded on it before (a
 * unique index holds that too), so a refund can never exceed what was spent nor count twice.
 *
 * Idempotent: when the source already has a refund of the same amount on the line, that entry
 * comes back with `repeated: true` and nothing is written; another amount is 409
 * `duplicate-resource`. More than was spent is 409 `refund-exceeds-spend` naming `spent`; a
 * currency other than the line's is 422 `currency-mismatch`; a missing line 404.
 */
export async function creditRefund(db: Transaction<DB>, context: RequestContext, posting: LedgerPosting): Promise<{ entry: LedgerEntryRow; repeated: boolean }> {
  assertAmount(posting)
  const amount = posting.amount.amount_minor
  const entry = await appendEntry(
    db,
    context,
    'refund',
    posting,
    sql`currency = ${posting.amount.currency}::char(3) and spent_minor >= ${amount}::bigint
        and ${netSpendOf(posting.budgetLineId, posting.source)} >= ${amount}::bigint
        and not exists (select 1 from ledger_entries where budget_line_id = ${posting.budgetLineId}::uuid and kind = 'refund'
                           and source_type = ${posting.source.type}::text and source_id = ${posting.source.id}::uuid)`,
  )
  if (entry) return { entry, repeated: false }
  const line = await lineState(db, posting)
  assertCurrency(line, posting)
  const earlier = await refundOf(db, posting)
  if (earlier && Number(earlier.amount_minor) === amount) return { entry: earlier, repeated: true }
  if (earlier) {
    throw new ProblemError('duplicate-resource', `${posting.source.type} ${posting.source.id} was already refunded ${earlier.amount_minor} minor units on budget line ${line.id}`, {
      budget_line_id: line.id,
      refund_entry_id: earlier.id,
      refunded: money(Number(earlier.amount_minor), line.currency),
    })
  }
  const spent = await db.selectNoFrom(netSpendOf(posting.budgetLineId, posting.source).as('net_spend')).executeTakeFirstOrThrow()
  throw new ProblemError(
    'refund-exceeds-spend',
    `${posting.source.type} ${posting.source.id} has ${spent.net_spend} ${line.currency} minor units spent on budget line ${line.id}; a refund of ${amount} cannot exceed it`,
    { budget_line_id: line.id, spent: money(Number(spent.net_spend), line.currency), requested: money(amount, posting.amount.currency) },
  )
}

/**
 * Releases every open commitment of a case (on a no-show or a cancellation), source by
 * source, locking the lines it touches in id order. Returns the release entries (none when
 * nothing was open).
 */
export async function releaseOpenCommitmentsForCase(db: Transaction<DB>, context: RequestContext, caseId: string, note: string): Promise<LedgerEntryRow[]> {
  const lineIds = await db
    .selectFrom('ledger_entries')
    .select('budget_line_id')
    .distinct()
    .where('case_id', '=', caseId)
    .orderBy('budget_line_id')
    .execute()
  if (lineIds.length === 0) return []
  const lines = await db
    .selectFrom('budget_lines')
    .select(['id', 'currency'])
    .where('id', 'in', lineIds.map((row) => row.budget_line_id))
    .orderBy('id')
    .forUpdate()
    .execute()
  const currencyOf = new Map(lines.map((line) => [line.id, line.currency]))
  const open = await db
    .selectFrom('ledger_entries as e')
    .select(['e.budget_line_id', 'e.source_type', 'e.source_id'])
    .select(sql<number>`sum(${OPEN_COMMITMENT_EFFECT('e.')})::bigint`.as('open_minor'))
    .select(sql<string | null>`(array_agg(e.payment_request_id order by e.id desc) filter (where e.payment_request_id is not null))[1]`.as('payment_request_id'))
    .where((eb) =>
      eb(
        eb.refTuple('e.budget_line_id', 'e.source_type', 'e.source_id'),
        'in',
        eb.selectFrom('ledger_entries as c').select(['c.budget_line_id', 'c.source_type', 'c.source_id'])          .where('c.case_id', '=', caseId)
          .$asTuple('budget_line_id', 'source_type', 'source_id'),
      ),
    )
    .groupBy(['e.budget_line_id', 'e.source_type', 'e.source_id'])
    .having(sql<boolean>`sum(${OPEN_COMMITMENT_EFFECT('e.')}) > 0`)
    .orderBy('e.budget_line_id')
    .orderBy('e.source_type')
    .orderBy('e.source_id')
    .execute()
  const released: LedgerEntryRow[] = []
  for (const commitment of open) {
    const posting: LedgerPosting = {
      budgetLineId: commitment.budget_line_id,
      amount: money(Number(commitment.open_minor), currencyOf.get(commitment.budget_line_id) as string),
      source: { type: commitment.source_type, id: commitment.source_id },
      caseId,
      paymentRequestId: commitment.payment_request_id,
      note,
    }
    const entry = await appendEntry(db, context, 'release', posting, sql`true`)
    if (entry) released.push(entry)
  }
  return released
}
