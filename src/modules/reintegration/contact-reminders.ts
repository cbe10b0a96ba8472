import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { addDays, todayIso } from '../../shared/dates.js'
import { emitEvent } from '../../shared/outbox.js'
import * as repository from './contact-repository.js'
import type { ReminderKind } from './contact-repository.js'

/**
 * The reminders partner tools act on: `contact_deadline.contact_due_soon` once when a deadline
 * awaiting contact comes within `dueSoonDays` of its due day, and `contact_deadline.contact_overdue`
 * once when it passes it. A deadline's marker column is set by the same transaction that writes its
 * event, only where it is still unset: several service instances may run this at once and each
 * reminder is still written exactly once (docs/adr/0038-contact-reminders.md).
 */

export const REMINDER_EVENTS: Record<ReminderKind, string> = {
  due_soon: 'contact_deadline.contact_due_soon',
  overdue: 'contact_deadline.contact_overdue',
}

export interface ReminderRun {
  /** The day the run is for (UTC); today unless given. */
  today?: string
  /** When the markers say the reminders were written; now unless given. */
  now?: Date
  /** How many days before the due day the due-soon reminder goes out. */
  dueSoonDays: number
  /** Deadlines claimed per transaction. */
  batchSize?: number
}

async function remindBatch(db: Kysely<DB>, kind: ReminderKind, run: Required<ReminderRun>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const claimed = await repository.claimReminders(trx, kind, { today: run.today, soonBy: addDays(run.today, run.dueSoonDays), limit: run.batchSize, now: run.now })
    const cases = await repository.casesOfDeadlines(trx, claimed.map((row) => row.case_id))
    for (const row of claimed) {
      const caseOf = cases.get(row.case_id)
      // A closed case needs no reminder; its marker is set all the same, so it is not looked at again.
      if (!caseOf || caseOf.status === 'closed') continue
      const record = repository.toContactDeadline(row, caseOf, run.today)
      await emitEvent(trx, {
        type: REMINDER_EVENTS[kind],
        entityType: 'contact_deadline',
        entityId: row.case_id,
        caseId: row.case_id,
        payload: {
          case_id: row.case_id,
          reference: caseOf.reference,
          partner_office_id: caseOf.partner_office_id,
          project_id: row.project_id,
          arrived_on: row.arrived_on,
          contact_due_on: row.due_on,
          days_until_due: record.days_until_due,
          status: row.status,
        },
      })
    }
    return claimed.length
  })
}

/** Writes every reminder due on `today`, batch by batch; returns how many deadlines were claimed for each. */
export async function emitContactReminders(db: Kysely<DB>, options: ReminderRun): Promise<Record<ReminderKind, number>> {
  const run: Required<ReminderRun> = { today: options.today ?? todayIso(), now: options.now ?? new Date(), dueSoonDays: options.dueSoonDays, batchSize: options.batchSize ?? 200 }
  const counts: Record<ReminderKind, number> = { due_soon: 0, overdue: 0 }
  for (const kind of ['due_soon', 'overdue'] as const) {
    for (;;) {
      const claimed = await remindBatch(db, kind, run)
      counts[kind] += claimed
      if (claimed < run.batchSize) break
    }
  }
  return counts
}

interface ReminderLog {
  info(details: object, message: string): void
  warn(details: object, message: string): void
}

/**
 * Runs the reminders in the service process every `intervalMs` (and once right away); 0 disables
 * them. A run still going when the next is due is not overlapped. Returns the function that stops it.
 */
export function scheduleContactReminders(db: Kysely<DB>, log: ReminderLog, options: { intervalMs: number; dueSoonDays: number }): () => Promise<void> {
  if (options.intervalMs <= 0) return async () => {}
  let running: Promise<void> | undefined
  const tick = () => {
    if (running) return
    running = emitContactReminders(db, { dueSoonDays: options.dueSoonDays })
      .then(
        (counts) => {
          if (counts.due_soon + counts.overdue > 0) log.info({ counts }, 'contact deadline reminders written')
        },
        (error: unknown) => log.warn({ err: error }, 'contact deadline reminders failed; retried at the next interval'),
      )
      .finally(() => {
        running = undefined
      })
  }
  const first = setTimeout(tick, 0)
  const timer = setInterval(tick, options.intervalMs)
  first.unref()
  timer.unref()
  return async () => {
    clearTimeout(first)
    clearInterval(timer)
    await running
  }
}
