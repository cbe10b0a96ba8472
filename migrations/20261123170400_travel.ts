import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
//
// Travel: documents per traveller, bookings with their ordered segments, one ticket per traveller
// per booking (paid through a payment request), and excess baggage (paid through its own). The
// CHECKs repeat the service's rules as a last guard: a document carries what its kind and status
// need, a traveller belongs to the case the record is filed under, a ticket records who confirmed
// its departure and arrival, and a traveller holds at most one live ticket per booking.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Travel records name a household member *of their case*: the composite foreign keys below
  // need (id, case_id) to be unique on case_members (it is, id being the key).
  await sql`alter table case_members add constraint case_members_id_case_unique unique (id, case_id)`.execute(db)

  await db.schema
    .createTable('travel_documents')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('member_id', 'uuid', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('national_passport', 'emergency_travel_document', 'other')`))
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('valid', 'requested', 'issued', 'refused')`))
    .addColumn('description', 'text')
    .addColumn('document_number', 'text')
    .addColumn('issuing_country', 'char(2)', (col) => col.check(sql`issuing_country ~ '^[A-Z]{2}$'`))
    .addColumn('issuing_authority', 'text')
    .addColumn('issued_on', 'date')
    .addColumn('expires_on', 'date')
    .addColumn('requested_on', 'date')
    .addColumn('refused_on', 'date')
    .addColumn('refusal_reason', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('travel_documents_member_of_case', ['member_id', 'case_id'], 'case_members', ['id', 'case_id'])
    // A passport or other document is simply valid; an emergency travel document is requested from an embassy.
    .addCheckConstraint(
      'travel_documents_status_of_kind',
      sql`(kind = 'emergency_travel_document') = (status in ('requested', 'issued', 'refused'))`,
    )
    .addCheckConstraint(
      'travel_documents_held_complete',
      sql`status not in ('valid', 'issued')
        or (document_number is not null and issuing_country is not null and issued_on is not null and expires_on is not null and expires_on > issued_on)`,
    )
    .addCheckConstraint(
      'travel_documents_request_complete',
      sql`kind <> 'emergency_travel_document'
        or (requested_on is not null and issuing_authority is not null and issuing_country is not null
          and (issued_on is null or issued_on >= requested_on))`,
    )
    .addCheckConstraint(
      'travel_documents_refusal_complete',
      sql`(status = 'refused') = (refusal_reason is not null and refused_on is not null)
        and (refused_on is null or refused_on >= requested_on)`,
    )
    .addCheckConstraint('travel_documents_pending_has_no_number', sql`status not in ('requested', 'refused') or (document_number is null and issued_on is null and expires_on is null)`)
    .addCheckConstraint('travel_documents_other_described', sql`kind <> 'other' or description is not null`)
    .execute()
  await db.schema.createIndex('travel_documents_case_idx').on('travel_documents').columns(['case_id', 'id']).execute()
  await db.schema.createIndex('travel_documents_member_idx').on('travel_documents').columns(['member_id', 'id']).execute()
  // The operations queues: requests still waiting (oldest first), and held documents by expiry.
  await sql`create index travel_documents_waiting_idx on travel_documents (requested_on, id) where status = 'requested'`.execute(db)
  await sql`create index travel_documents_expiry_idx on travel_documents (expires_on, id) where status in ('valid', 'issued')`.execute(db)

  await db.schema
    .createTable('bookings')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('booking_reference', 'text', (col) => col.notNull().check(sql`booking_reference ~ '^[A-Z0-9]{5,8}$'`))
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('active', 'cancelled')`))
    // First scheduled departure (an instant) and the local calendar date of the last scheduled arrival.
    .addColumn('travel_starts_at', 'timestamptz', (col) => col.notNull())
    .addColumn('travel_ends_on', 'date', (col) => col.notNull())
    .addColumn('assistance', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('escorts', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('notes', 'text')
    .addColumn('cancelled_by', 'text')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('cancellation_reason', 'text')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'bookings_cancellation_complete',
      sql`(status = 'cancelled') = (cancelled_by is not null and cancelled_at is not null and cancellation_reason is not null)`,
    )
    .addCheckConstraint('bookings_assistance_is_array', sql`jsonb_typeof(assistance) = 'array' and jsonb_typeof(escorts) = 'array'`)
    .execute()
  await db.schema.createIndex('bookings_case_idx').on('bookings').columns(['case_id', 'id']).execute()
  // Unique (id, case_id) so tickets can require their booking to be of their own case.
  await sql`alter table bookings add constraint bookings_id_case_unique unique (id, case_id)`.execute(db)
  await sql`create unique index bookings_active_reference_idx on bookings (case_id, booking_reference) where status = 'active'`.execute(db)

  await db.schema
    .createTable('booking_segments')
    .addColumn('booking_id', 'uuid', (col) => col.notNull().references('bookings.id'))
    .addColumn('position', 'integer', (col) => col.notNull().check(sql`position between 1 and 8`))
    .addColumn('from_airport', 'char(3)', (col) => col.notNull().check(sql`from_airport ~ '^[A-Z]{3}$'`))
    .addColumn('to_airport', 'char(3)', (col) => col.notNull().check(sql`to_airport ~ '^[A-Z]{3}$'`))
    .addColumn('carrier', 'char(2)', (col) => col.notNull().check(sql`carrier ~ '^([A-Z]{2}|[A-Z][0-9]|[0-9][A-Z])$'`))
    .addColumn('flight_number', 'text', (col) => col.notNull().check(sql`flight_number ~ '^[0-9]{1,4}[A-Z]?$'`))
    .addColumn('departs_at', 'timestamptz', (col) => col.notNull())
    // The UTC offset the schedule was given in (minutes), so local times read back as written.
    .addColumn('departs_offset_minutes', 'integer', (col) => col.notNull().check(sql`departs_offset_minutes between -720 and 840`))
    .addColumn('arrives_at', 'timestamptz', (col) => col.notNull())
    .addColumn('arrives_offset_minutes', 'integer', (col) => col.notNull().check(sql`arrives_offset_minutes between -720 and 840`))
    .addPrimaryKeyConstraint('booking_segments_pk', ['booking_id', 'position'])
    .addCheckConstraint('booking_segments_moves', sql`from_airport <> to_airport and arrives_at > departs_at`)
    .execute()

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('booking_id', 'uuid', (col) => col.notNull())
    .addColumn('member_id', 'uuid', (col) => col.notNull())
    .addColumn('ticket_number', 'text', (col) => col.notNull().check(sql`ticket_number ~ '^[0-9]{13}$'`))
    .addColumn('fare_minor', 'bigint', (col) => col.notNull().check(sql`fare_minor > 0`))
    .addColumn('currency', 'char(3)', (col) => col.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('payee_type', 'text', (col) => col.notNull().check(sql`payee_type in ('carrier', 'supplier')`))
    .addColumn('payee_name', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('requested', 'issued', 'used', 'refunded', 'voided')`))
    .addColumn('payment_request_id', 'uuid', (col) => col.notNull().unique().references('payment_requests.id'))
    .addColumn('travel_document_id', 'uuid', (col) => col.references('travel_documents.id'))
    .addColumn('issued_at', 'timestamptz')
    .addColumn('departed_at', 'timestamptz')
    .addColumn('departure_recorded_by', 'text')
    .addColumn('departure_recorded_at', 'timestamptz')
    .addColumn('arrived_at', 'timestamptz')
    .addColumn('arrival_recorded_by', 'text')
    .addColumn('arrival_recorded_at', 'timestamptz')
    .addColumn('no_show_recorded_by', 'text')
    .addColumn('no_show_recorded_at', 'timestamptz')
    .addColumn('ended_by', 'text')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('end_reason', 'text')
    .addColumn('requested_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('tickets_member_of_case', ['member_id', 'case_id'], 'case_members', ['id', 'case_id'])
    .addForeignKeyConstraint('tickets_booking_of_case', ['booking_id', 'case_id'], 'bookings', ['id', 'case_id'])
    // Issued means its payment was approved and a valid document was checked.
    .addCheckConstraint('tickets_issued_complete', sql`status not in ('issued', 'used') or (issued_at is not null and travel_document_id is not null)`)
    .addCheckConstraint(
      'tickets_departure_complete',
      sql`(status = 'used') = (departed_at is not null)
        and (departed_at is null) = (departure_recorded_by is null) and (departed_at is null) = (departure_recorded_at is null)`,
    )
    .addCheckConstraint(
      'tickets_arrival_complete',
      sql`(arrived_at is null) = (arrival_recorded_by is null) and (arrived_at is null) = (arrival_recorded_at is null)
        and (arrived_at is null or (departed_at is not null and arrived_at >= departed_at))`,
    )
    .addCheckConstraint(
      'tickets_end_complete',
      sql`(status in ('refunded', 'voided')) = (ended_by is not null and ended_at is not null and end_reason is not null)`,
    )
    .addCheckConstraint(
      'tickets_no_show_complete',
      sql`(no_show_recorded_by is null) = (no_show_recorded_at is null) and (no_show_recorded_at is null or status in ('refunded', 'voided'))`,
    )
    .execute()
  await db.schema.createIndex('tickets_case_idx').on('tickets').columns(['case_id', 'id']).execute()
  await db.schema.createIndex('tickets_booking_idx').on('tickets').columns(['booking_id', 'id']).execute()
  await sql`alter table tickets add constraint tickets_id_member_unique unique (id, member_id)`.execute(db)
  // One live ticket per traveller per booking; a ticket number is never live twice.
  await sql`create unique index tickets_live_traveller_idx on tickets (booking_id, member_id) where status in ('requested', 'issued', 'used')`.execute(db)
  await sql`create unique index tickets_live_number_idx on tickets (ticket_number) where status <> 'voided'`.execute(db)

  await db.schema
    .createTable('excess_baggage')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('member_id', 'uuid', (col) => col.notNull())
    .addColumn('ticket_id', 'uuid')
    .addColumn('kilograms', 'integer', (col) => col.notNull().check(sql`kilograms between 1 and 500`))
    .addColumn('cost_minor', 'bigint', (col) => col.notNull().check(sql`cost_minor > 0`))
    .addColumn('currency', 'char(3)', (col) => col.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('payee_type', 'text', (col) => col.notNull().check(sql`payee_type in ('carrier', 'supplier')`))
    .addColumn('payee_name', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('requested', 'approved', 'paid', 'rejected', 'cancelled')`))
    .addColumn('payment_request_id', 'uuid', (col) => col.notNull().unique().references('payment_requests.id'))
    .addColumn('requested_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('excess_baggage_member_of_case', ['member_id', 'case_id'], 'case_members', ['id', 'case_id'])
    // A charge on a ticket is for that ticket's traveller.
    .addForeignKeyConstraint('excess_baggage_ticket_of_member', ['ticket_id', 'member_id'], 'tickets', ['id', 'member_id'])
    .execute()
  await db.schema.createIndex('excess_baggage_case_idx').on('excess_baggage').columns(['case_id', 'id']).execute()
  await sql`create index excess_baggage_ticket_idx on excess_baggage (ticket_id) where ticket_id is not null`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('excess_baggage').execute()
  await db.schema.dropTable('tickets').execute()
  await db.schema.dropTable('booking_segments').execute()
  await db.schema.dropTable('bookings').execute()
  await db.schema.dropTable('travel_documents').execute()
  await sql`alter table case_members drop constraint case_members_id_case_unique`.execute(db)
}
