import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
// Travel arrangements beyond the ticket, each a cost paid through its own payment request (as
// excess baggage is): a traveller's travel insurance (insurer, policy, cover dates), and
// accommodation before departure (dated nights at a named place).

/** The columns every arrangement has: its cost and payee, and the status that follows its payment request. */
const COST_COLUMNS = sql.raw(`
  cost_minor bigint not null check (cost_minor > 0),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  payee_name text not null,
  status text not null check (status in ('requested', 'approved', 'paid', 'rejected', 'cancelled')),
  payment_request_id uuid not null unique references payment_requests (id),
  notes text,
  requested_by text not null,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()`)

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table travel_insurances (
      id uuid primary key,
      case_id uuid not null references return_cases (id),
      member_id uuid not null,
      insurer text not null,
      policy_number text not null,
      cover_from date not null,
      cover_until date not null,
      ${COST_COLUMNS},
      constraint travel_insurances_member_of_case foreign key (member_id, case_id) references case_members (id, case_id),
      constraint travel_insurances_cover_dates check (cover_until >= cover_from)
    )`.execute(db)
  await sql`create index travel_insurances_member_idx on travel_insurances (member_id, cover_until)`.execute(db)
  await sql`create index travel_insurances_case_idx on travel_insurances (case_id, id)`.execute(db)
  await sql`
    create table accommodations (
      id uuid primary key,
      case_id uuid not null references return_cases (id),
      place_name text not null,
      address text,
      check_in_on date not null,
      check_out_on date not null,
      guests integer not null check (guests between 1 and 50),
      ${COST_COLUMNS},
      constraint accommodations_at_least_one_night check (check_out_on > check_in_on)
    )`.execute(db)
  await sql`create index accommodations_case_idx on accommodations (case_id, id)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table accommodations`.execute(db)
  await sql`drop table travel_insurances`.execute(db)
}
