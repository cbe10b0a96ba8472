import { sql, type Kysely } from 'kysely'
import { PREPARED } from '../../db/prepared.js'
import type { DB } from '../../db/schema.js'
import { auditInsert, diff, type AuditInput } from '../../shared/audit.js'
import { outboxInsert } from '../../shared/outbox.js'
import type { RequestContext } from '../../shared/context.js'
import { newId } from '../../shared/ids.js'
import { ENTRY_COLUMNS, EVENT_PAYLOAD, type LedgerEntryRow, type LedgerPosting } from './ledger.js'

/** The most commitments one statement takes; more wait for the next batch. */
const MAX_BATCH = 128

interface Waiting {
  context: RequestContext
  posting: LedgerPosting & { audit: AuditInput; projectId: string }
  /** The entry, or undefined when the batch could not take it (the caller then commits it on its own). */
  settle(entry: LedgerEntryRow | undefined): void
}

/**
 * Group commit for manual commitments on a budget line.
 *
 * Every commitment to a line queues on that line's row lock, so a hot line is bounded by how
 * long each holds it. Here the commitments that arrive while a line's previous batch is being
 * written wait for it and then go together in ONE statement (its own transaction): it locks
 * the line, accepts the commitments in arrival order as long as their running total fits what
 * is available, reserves that total, and appends each accepted commitment's ledger entry,
 * outbox event and audit entry. One lock, one round trip and one durable commit serve the
 * whole batch; each commitment's rows are written entirely or not at all, like any other write.
 *
 * A commitment the batch does not take (it did not fit, the line is of another currency or
 * project or not active, or the statement failed) is handed back: the caller commits it on its
 * own through commitFunds, which refuses it with the exact problem, or accepts it if a
 * release made room meanwhile. Batches are per process; other instances and other paths
 * (payments, grants) meet them on the line's row lock, so the line still cannot be overspent.
 */
export class CommitBatches {
  readonly #waiting = new Map<string, Waiting[]>()

  constructor(private readonly db: Kysely<DB>) {}

  /** Commits the posting with whatever else is waiting for its line; undefined when the batch did not take it. */
  commit(context: RequestContext, posting: Waiting['posting']): Promise<LedgerEntryRow | undefined> {
    return new Promise((settle) => {
      const line = posting.budgetLineId
      const queue = this.#waiting.get(line)
      if (queue) {
        queue.push({ context, posting, settle })
        return
      }
      this.#waiting.set(line, [{ context, posting, settle }])
      void this.#drain(line)
    })
  }

  async #drain(line: string): Promise<void> {
    // The first batch leaves at once; later ones collect what arrived while the previous one ran.
    for (;;) {
      const queue = this.#waiting.get(line) ?? []
      if (queue.length === 0) {
        this.#waiting.delete(line)
        return
      }
      const batch = queue.splice(0, MAX_BATCH)
      const taken = await this.#write(batch).catch(() => new Map<number, LedgerEntryRow>())
      batch.forEach((waiting, index) => waiting.settle(taken.get(index)))
    }
  }

  /** The batch's statement; returns the accepted entries by their position in the batch. Commitments of another project or currency than the first's are not taken. */
  async #write(batch: Waiting[]): Promise<Map<number, LedgerEntryRow>> {
    const first = batch[0]!.posting
    const requests = batch.flatMap(({ context, posting }, ord) =>
      posting.projectId === first.projectId && posting.amount.currency === first.amount.currency
        ? [
            {
              ord,
              entry_id: newId(),
              event_id: newId(),
              amount: posting.amount.amount_minor,
              source_id: posting.source.id,
              note: posting.note ?? null,
              actor_sub: context.actor.sub,
              actor_roles: context.actor.roles,
              actor_office_id: context.actor.officeId,
              request_id: context.requestId,
              action: posting.audit.action,
              changes: diff(posting.audit.before, posting.audit.after, posting.audit.maskedFields),
            },
          ]
        : [],
    )
    const { rows } = await sql<LedgerEntryRow & { ord: number }>`${PREPARED}
      with request as (
        select * from jsonb_to_recordset(${JSON.stringify(requests)}::jsonb) as r(
          ord int, entry_id uuid, event_id uuid, amount bigint, source_id uuid, note text, actor_sub text, actor_roles text[],
          actor_office_id uuid, request_id text, action text, changes jsonb)
      ), line as (
        select id, project_id, allocated_minor - committed_minor - spent_minor as available
          from budget_lines
         where id = ${first.budgetLineId}::uuid and project_id = ${first.projectId}::uuid and currency = ${first.amount.currency}::char(3)
           and accepts_commitments
           for update
      ), accepted as (
        select request.* from line, (select *, sum(amount) over (order by ord) as running_total from request) as request
         where request.running_total <= line.available
      ), reserve as (
        update budget_lines set committed_minor = committed_minor + batch.total
          from (select sum(amount) as total from accepted) as batch
         where budget_lines.id = ${first.budgetLineId}::uuid and batch.total is not null
      ), entry as (
        insert into ledger_entries
          (id, budget_line_id, kind, amount_minor, currency, source_type, source_id, case_id, payment_request_id, actor_sub, request_id, note)
        select accepted.entry_id, line.id, 'commit', accepted.amount, ${first.amount.currency}::char(3), 'other', accepted.source_id, null, null,
               accepted.actor_sub, accepted.request_id, accepted.note
          from accepted, line
        returning ${ENTRY_COLUMNS}
      ), event as (
        ${outboxInsert(sql`select accepted.event_id, 'ledger.committed', 'ledger_entry', entry.id::text, null, ${EVENT_PAYLOAD} from entry join accepted on accepted.entry_id = entry.id, line`)}
      ), audit as (
        ${auditInsert(sql`select accepted.actor_sub, accepted.actor_roles, accepted.actor_office_id, accepted.request_id, accepted.action, 'budget_line',
               line.id::text, null, accepted.changes
          from accepted, line`)}
      )
      select entry.*, accepted.ord from entry join accepted on accepted.entry_id = entry.id`.execute(this.db)
    return new Map(rows.map(({ ord, ...entry }) => [ord, entry]))
  }
}
