import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('offices')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('code', 'text', (col) => col.notNull().unique().check(sql`code ~ '^[A-Z0-9]{2,8}$'`))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('country', 'char(2)', (col) => col.notNull().check(sql`country ~ '^[A-Z]{2}$'`))
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('country_office', 'partner_office')`))
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('offices_country_kind_idx').on('offices').columns(['country', 'kind']).execute()

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('actor_sub', 'text', (col) => col.notNull())
    .addColumn('actor_roles', sql`text[]`, (col) => col.notNull())
    .addColumn('actor_office_id', 'uuid')
    .addColumn('request_id', 'text')
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('entity_type', 'text', (col) => col.notNull())
    .addColumn('entity_id', 'text', (col) => col.notNull())
    .addColumn('case_id', 'uuid')
    .addColumn('changes', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute()
  await db.schema.createIndex('audit_events_entity_idx').on('audit_events').columns(['entity_type', 'entity_id', 'id']).execute()
  await db.schema.createIndex('audit_events_actor_idx').on('audit_events').columns(['actor_sub', 'id']).execute()
  await db.schema.createIndex('audit_events_occurred_idx').on('audit_events').columns(['occurred_at', 'id']).execute()
  await db.schema.createIndex('audit_events_case_idx').on('audit_events').columns(['case_id', 'id']).execute()
  // The audit trail is evidence: the database itself refuses to change or remove it.
  await sql`
    create function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
    end
    $$`.execute(db)
  await sql`
    create trigger audit_events_no_update_delete before update or delete on audit_events
    for each row execute function audit_events_append_only()`.execute(db)
  await sql`
    create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_append_only()`.execute(db)

  await db.schema
    .createTable('outbox_events')
    .addColumn('sequence', 'bigserial', (col) => col.primaryKey())
    .addColumn('id', 'uuid', (col) => col.notNull().unique())
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('entity_type', 'text', (col) => col.notNull())
    .addColumn('entity_id', 'text', (col) => col.notNull())
    .addColumn('case_id', 'uuid')
    .addColumn('payload', 'jsonb', (col) => col.notNull())
    .addColumn('published_at', 'timestamptz')
    .execute()
  await sql`create index outbox_events_unpublished_idx on outbox_events (sequence) where published_at is null`.execute(db)

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('caller', 'text', (col) => col.notNull())
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('method', 'text', (col) => col.notNull())
    .addColumn('path', 'text', (col) => col.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('response_headers', 'jsonb')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['caller', 'key'])
    .execute()
  await db.schema.createIndex('idempotency_keys_expires_idx').on('idempotency_keys').column('expires_at').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute()
  await db.schema.dropTable('outbox_events').execute()
  await db.schema.dropTable('audit_events').execute()
  await sql`drop function audit_events_append_only()`.execute(db)
  await db.schema.dropTable('offices').execute()
}
