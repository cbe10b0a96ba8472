import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
// A carrier's refund of a paid ticket that was ended (cancellation or no-show): what came back,
// when, under which reference. The money itself is a `refund` entry of the ledger.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table tickets
      add column carrier_refund_minor bigint check (carrier_refund_minor > 0),
      add column carrier_refunded_on date,
      add column carrier_refund_reference text,
      add column carrier_refund_ledger_entry_id uuid,
      add column carrier_refund_recorded_by text,
      add column carrier_refund_recorded_at timestamptz,
      add constraint tickets_carrier_refund_complete check (
        (carrier_refund_minor is null and carrier_refunded_on is null and carrier_refund_reference is null and carrier_refund_ledger_entry_id is null
          and carrier_refund_recorded_by is null and carrier_refund_recorded_at is null)
        or (carrier_refund_minor is not null and carrier_refunded_on is not null and carrier_refund_reference is not null and carrier_refund_ledger_entry_id is not null
          and carrier_refund_recorded_by is not null and carrier_refund_recorded_at is not null))
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table tickets
      drop constraint tickets_carrier_refund_complete,
      drop column carrier_refund_minor, drop column carrier_refunded_on, drop column carrier_refund_reference,
      drop column carrier_refund_ledger_entry_id, drop column carrier_refund_recorded_by, drop column carrier_refund_recorded_at
  `.execute(db)
}
