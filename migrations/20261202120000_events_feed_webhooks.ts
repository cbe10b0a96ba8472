import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
//
// The events feed and webhooks. Outbox rows get the id of the transaction that wrote them, so a
// reader can be shown only rows of transactions that have all finished (below the oldest running
// one, pg_snapshot_xmin): a transaction that took an earlier sequence number but commits later can
// then never be skipped. Audit entries get the same id, so an event can name the fields its change
// touched. Every insert into the outbox wakes the webhook dispatchers (NOTIFY is sent at commit).

export async function up(db: Kysely<unknown>): Promise<void> {
  // Existing rows all get this migration's transaction id: they keep their sequence order among themselves.
  await sql`alter table outbox_events add column xact_id xid8 not null default pg_current_xact_id()`.execute(db)
  await sql`create index outbox_events_position_idx on outbox_events (xact_id, sequence)`.execute(db)
  await sql`create index outbox_events_case_position_idx on outbox_events (case_id, xact_id, sequence)`.execute(db)
  await sql`create index outbox_events_occurred_idx on outbox_events (occurred_at)`.execute(db)
  // Added without a default first, so the append-only audit table is not rewritten; new entries get the id.
  await sql`alter table audit_events add column xact_id xid8`.execute(db)
  await sql`alter table audit_events alter column xact_id set default pg_current_xact_id()`.execute(db)

  await sql`
    create function outbox_events_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('avrr_outbox', '');
      return null;
    end
    $$`.execute(db)
  await sql`create trigger outbox_events_notify after insert on outbox_events for each statement execute function outbox_events_notify()`.execute(db)

  await sql`
    create table webhook_subscriptions (
      id uuid primary key,
      office_id uuid references offices (id),
      url text not null,
      event_types text[] not null default '{}',
      description text,
      status text not null default 'active' check (status in ('active', 'paused', 'disabled')),
      secret text not null,
      previous_secret text,
      previous_secret_expires_at timestamptz,
      failing_since timestamptz,
      disabled_reason text,
      created_by text not null,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db)
  await sql`create index webhook_subscriptions_office_idx on webhook_subscriptions (office_id, id)`.execute(db)

  await sql`
    create table webhook_deliveries (
      id uuid primary key,
      subscription_id uuid not null references webhook_subscriptions (id) on delete cascade,
      event_id uuid not null,
      event_type text not null,
      event_sequence bigint not null,
      case_id uuid,
      ordering_key text not null,
      body text not null,
      status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      claimed_until timestamptz,
      claimed_by text,
      last_status_code integer,
      last_error text,
      last_latency_ms integer,
      created_at timestamptz not null default now(),
      delivered_at timestamptz,
      unique (subscription_id, event_id)
    )`.execute(db)
  await sql`create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending'`.execute(db)
  await sql`create index webhook_deliveries_order_idx on webhook_deliveries (subscription_id, ordering_key, event_sequence) where status = 'pending'`.execute(db)
  await sql`create index webhook_deliveries_subscription_idx on webhook_deliveries (subscription_id, id)`.execute(db)
  await sql`create index webhook_deliveries_created_idx on webhook_deliveries (created_at)`.execute(db)

  await sql`
    create table webhook_delivery_attempts (
      id bigserial primary key,
      delivery_id uuid not null references webhook_deliveries (id) on delete cascade,
      attempt integer not null,
      started_at timestamptz not null,
      status_code integer,
      latency_ms integer not null,
      error text,
      instance text not null
    )`.execute(db)
  await sql`create index webhook_delivery_attempts_delivery_idx on webhook_delivery_attempts (delivery_id, id)`.execute(db)

  // One row: how far the dispatchers have turned events into deliveries. The instance that locks it dispatches.
  await sql`
    create table webhook_dispatch_position (
      singleton boolean primary key default true check (singleton),
      xact_id xid8 not null,
      sequence bigint not null
    )`.execute(db)
  await sql`insert into webhook_dispatch_position (xact_id, sequence) values ('0', 0)`.execute(db)

  // One row: the feed position up to which events were purged; a cursor before it has lost events.
  await sql`
    create table event_retention_horizon (
      singleton boolean primary key default true check (singleton),
      xact_id xid8 not null,
      sequence bigint not null,
      purged_at timestamptz not null
    )`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table event_retention_horizon`.execute(db)
  await sql`drop table webhook_dispatch_position`.execute(db)
  await sql`drop table webhook_delivery_attempts`.execute(db)
  await sql`drop table webhook_deliveries`.execute(db)
  await sql`drop table webhook_subscriptions`.execute(db)
  await sql`drop trigger outbox_events_notify on outbox_events`.execute(db)
  await sql`drop function outbox_events_notify()`.execute(db)
  await sql`alter table audit_events drop column xact_id`.execute(db)
  await sql`drop index outbox_events_occurred_idx`.execute(db)
  await sql`drop index outbox_events_case_position_idx`.execute(db)
  await sql`drop index outbox_events_position_idx`.execute(db)
  await sql`alter table outbox_events drop column xact_id`.execute(db)
}
