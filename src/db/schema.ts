import type { ColumnType, Generated } from 'kysely'

/** A timestamptz column: written as a Date or ISO string (or left to its default), read as a Date. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
export type Json<T = unknown> = ColumnType<T, string, string>

/** The columns of a versioned row (its ETag and when it was created and last changed), shared by the tables that extend it. */
export interface VersionedRow {
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface OfficesTable extends VersionedRow {
  id: string
  code: string
  name: string
  country: string
  kind: 'country_office' | 'partner_office'
}

export interface AuditEventsTable {
  id: Generated<number>
  occurred_at: Timestamp
  actor_sub: string
  actor_roles: string[]
  actor_office_id: string | null
  request_id: string | null
  action: string
  entity_type: string
  entity_id: string
  case_id: string | null
  changes: Json<Record<string, { before?: unknown; after?: unknown }>>
  /** The writing transaction's id (xid8, as text); null on entries older than the events feed. */
  xact_id: Generated<string | null>
}

export interface OutboxEventsTable {
  sequence: Generated<number>
  id: string
  occurred_at: Timestamp
  event_type: string
  entity_type: string
  entity_id: string
  case_id: string | null
  payload: Json<Record<string, unknown>>
  published_at: Timestamp | null
  /** The writing transaction's id (xid8, as text): with `sequence`, the event's position in the feed. */
  xact_id: Generated<string>
}

export interface IdempotencyKeysTable {
  caller: string
  key: string
  request_hash: string
  method: string
  path: string
  response_status: number | null
  response_body: string | null
  response_headers: Json<Record<string, string>> | null
  created_at: Timestamp
  expires_at: Timestamp
}

/** Rate-limit counters shared by instances (RATE_LIMIT_STORE=postgres). */
export interface RateLimitCountersTable {
  key: string
  hits: number
  window_ends_at: Timestamp
}

export interface FoundationTables {
  offices: OfficesTable
  audit_events: AuditEventsTable
  outbox_events: OutboxEventsTable
  idempotency_keys: IdempotencyKeysTable
  rate_limit_counters: RateLimitCountersTable
}

export type ProjectStatus = 'planned' | 'active' | 'closed'
export type BudgetCategory = 'travel' | 'excess_baggage' | 'cash_grant' | 'in_kind_reintegration' | 'insurance' | 'accommodation' | 'other'
/** What a cost is, for choosing the budget line that pays it (see projects' budgetLineForCost). */
export type CostKind = 'ticket' | 'excess_baggage' | 'insurance' | 'accommodation' | 'cash_grant' | 'in_kind'
/** Cost kind -> the category of the line that pays it when the project has no line of the kind's own category. */
export type CostRouting = Partial<Record<CostKind, BudgetCategory>>
export type LedgerEntryKind = 'commit' | 'release' | 'spend' | 'refund'
export type LedgerSourceType = 'ticket' | 'excess_baggage' | 'cash_grant' | 'disbursement' | 'reintegration_plan' | 'travel_insurance' | 'accommodation' | 'other'
export type CashGrantRuleKind = 'per_person' | 'per_household'

export interface ProjectsTable extends VersionedRow {
  id: string
  code: string
  title: string
  starts_on: string
  ends_on: string
  currency: string
  total_minor: number
  status: ColumnType<ProjectStatus, ProjectStatus | undefined, ProjectStatus>
  /** Payments above this amount (project currency) need a second approval; null: never. */
  second_approval_threshold_minor: number | null
  /** Cash grant on arrival: per_person (adult and child amounts) or per_household (flat amount); null: no rule. */
  cash_grant_rule_kind: CashGrantRuleKind | null
  cash_grant_adult_minor: number | null
  cash_grant_child_minor: number | null
  cash_grant_flat_minor: number | null
  target_persons: number | null
  target_individuals: number | null
  target_families: number | null
  target_children: number | null
  target_vulnerable: number | null
  /** How long after arrival a returnee has to contact the partner office: calendar months, then days. */
  contact_period_months: Generated<number>
  contact_period_days: Generated<number>
  cost_routing: ColumnType<CostRouting, string | undefined, string>
}

export interface ProjectCoFundersTable {
  project_id: string
  position: number
  name: string
  /** Share in basis points; a project's shares sum to exactly 10000. */
  share_bp: number
}

export interface BudgetLinesTable extends VersionedRow {
  id: string
  project_id: string
  category: BudgetCategory
  name: string
  currency: string
  accepts_commitments: Generated<boolean>
  allocated_minor: number
  /** Cache of the ledger: commits - releases - spends. */
  committed_minor: Generated<number>
  /** Cache of the ledger: spends. */
  spent_minor: Generated<number>
}

export interface LedgerEntriesTable {
  id: string
  budget_line_id: string
  kind: LedgerEntryKind
  amount_minor: number
  currency: string
  source_type: LedgerSourceType
  source_id: string
  case_id: string | null
  payment_request_id: string | null
  actor_sub: string
  request_id: string | null
  note: string | null
  created_at: Timestamp
}

export interface ProjectsLedgerTables {
  projects: ProjectsTable
  project_co_funders: ProjectCoFundersTable
  budget_lines: BudgetLinesTable
  ledger_entries: LedgerEntriesTable
}

export type CaseStatus =
  | 'draft'
  | 'submitted'
  | 'in_counselling'
  | 'approved'
  | 'rejected'
  | 'withdrawn'
  | 'travel_booked'
  | 'departed'
  | 'arrived'
  | 'in_reintegration'
  | 'closed'
  | 'no_show'
  | 'cancelled'

export interface CaseReferenceCountersTable {
  office_id: string
  year: number
  last_number: number
}

export interface ReturnCasesTable {
  id: string
  reference: string
  office_id: string
  partner_office_id: string | null
  referred_at: Timestamp | null
  project_id: string | null
  status: ColumnType<CaseStatus, CaseStatus | undefined, CaseStatus>
  legal_status: string
  referral_source: string
  external_reference: string | null
  country_of_return: string
  place_of_return: string | null
  /** ISO date (YYYY-MM-DD). */
  intended_departure_on: string | null
  consent_given_at: Timestamp | null
  consent_given_by: string | null
  consent_scope: string[] | null
  consent_recorded_by: string | null
  notes: string | null
  created_by: string
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
  closed_at: Timestamp | null
  /** The date the return was applied for: the year of the reference; today unless an old file is entered. */
  applied_on: ColumnType<string, string | undefined, string>
  /** Why a closed case closed; null while the case is open. */
  closure_reason: ClosureReason | null
}

export type ClosureReason = 'returned' | 'no_show' | 'withdrawn' | 'rejected' | 'other'

export interface CaseMembersTable extends VersionedRow {
  id: string
  case_id: string
  relationship: string
  is_principal: boolean
  given_name: string
  family_name: string
  name_key: string
  sex: string
  /** ISO date (YYYY-MM-DD). */
  date_of_birth: string | null
  birth_year: number | null
  nationality: string
  identity_documents: ColumnType<unknown[], string | undefined, string>
  created_by: string
}

export interface MemberVulnerabilitiesTable {
  id: string
  case_id: string
  member_id: string
  code: string
  notes: string | null
  escort_needed: boolean | null
  recorded_by: string
  recorded_at: Timestamp
  version: Generated<number>
  updated_at: Timestamp
}

export interface CaseSearchTermsTable {
  case_id: string
  term: string
}

export interface CounsellingSessionsTable extends VersionedRow {
  id: string
  case_id: string
  /** ISO date (YYYY-MM-DD). */
  held_on: string
  counsellor: string
  mode: string
  interpreter_language: string | null
  topics: string[]
  outcome: string
  next_steps: string | null
  created_by: string
}

export interface CaseStatusHistoryTable {
  id: Generated<number>
  case_id: string
  action: string
  from_status: string | null
  to_status: string
  reason: string | null
  actor_sub: string
  actor_roles: string[]
  request_id: string | null
  occurred_at: Timestamp
}

export interface ReturnCasesTables {
  case_reference_counters: CaseReferenceCountersTable
  return_cases: ReturnCasesTable
  case_members: CaseMembersTable
  member_vulnerabilities: MemberVulnerabilitiesTable
  case_search_terms: CaseSearchTermsTable
  counselling_sessions: CounsellingSessionsTable
  case_status_history: CaseStatusHistoryTable
}

export type PaymentKind = 'ticket' | 'excess_baggage' | 'cash_grant' | 'disbursement' | 'travel_insurance' | 'accommodation'
export type PaymentStatus = 'requested' | 'awaiting_second_approval' | 'approved' | 'paid' | 'rejected' | 'cancelled'
export type PayeeType = 'supplier' | 'carrier' | 'returnee' | 'other'
export type CashGrantStatus = 'requested' | 'approved' | 'paid' | 'rejected' | 'cancelled'

export interface PaymentRequestsTable extends VersionedRow {
  id: string
  kind: PaymentKind
  status: PaymentStatus
  project_id: string
  budget_line_id: string
  case_id: string | null
  source_type: LedgerSourceType
  source_id: string
  commit_on_approval: boolean
  commitment_source_type: LedgerSourceType
  commitment_source_id: string
  /** Requested and approved amount, project currency. */
  amount_minor: number
  currency: string
  payee_type: PayeeType
  payee_id: string | null
  payee_name: string
  description: string
  requested_by: string
  requested_at: Timestamp
  second_approval_required: boolean | null
  first_approved_by: string | null
  first_approved_at: Timestamp | null
  second_approved_by: string | null
  second_approved_at: Timestamp | null
  /** What the approval committed on the line. */
  committed_minor: Generated<number>
  rejected_by: string | null
  rejected_at: Timestamp | null
  rejection_reason: string | null
  cancelled_by: string | null
  cancelled_at: Timestamp | null
  cancellation_reason: string | null
  /** What the request gave back to the line (on cancel, or the unspent rest when paid less). */
  released_minor: Generated<number>
  paid_by: string | null
  paid_recorded_at: Timestamp | null
  /** ISO date (YYYY-MM-DD). */
  paid_on: string | null
  payment_reference: string | null
  /** Paid amount, project currency (spent on the line). */
  paid_amount_minor: number | null
  local_amount_minor: number | null
  local_currency: string | null
  /** Local-currency units per one project-currency unit, as a decimal string. */
  exchange_rate: string | null
  /** ISO date (YYYY-MM-DD). */
  rate_date: string | null
  rate_source: string | null
}

export interface CashGrantsTable extends VersionedRow {
  id: string
  case_id: string
  project_id: string
  payment_request_id: string
  scope: 'household' | 'returnee'
  member_id: string | null
  basis: 'rule' | 'manual'
  rule_kind: CashGrantRuleKind | null
  /** ISO date (YYYY-MM-DD) at which ages were counted. */
  reference_on: string | null
  adults: number | null
  children: number | null
  amount_minor: number
  currency: string
  justification: string | null
  status: CashGrantStatus
  requested_by: string
}

export interface PaymentsTables {
  payment_requests: PaymentRequestsTable
  cash_grants: CashGrantsTable
}

export type TravelDocumentKind = 'national_passport' | 'emergency_travel_document' | 'other'
/** Stored status; `expired` is derived when a document is read, never stored. */
export type TravelDocumentStatus = 'valid' | 'requested' | 'issued' | 'refused'
export type BookingStatus = 'active' | 'cancelled'
export type TicketStatus = 'requested' | 'issued' | 'used' | 'refunded' | 'voided'
export type ExcessBaggageStatus = 'requested' | 'approved' | 'paid' | 'rejected' | 'cancelled'
export type TravelPayeeType = 'carrier' | 'supplier'

export interface TravelDocumentsTable extends VersionedRow {
  id: string
  case_id: string
  member_id: string
  kind: TravelDocumentKind
  status: TravelDocumentStatus
  description: string | null
  document_number: string | null
  issuing_country: string | null
  issuing_authority: string | null
  /** ISO dates (YYYY-MM-DD). */
  issued_on: string | null
  expires_on: string | null
  requested_on: string | null
  refused_on: string | null
  refusal_reason: string | null
  notes: string | null
  created_by: string
}

export type TransitVisaStatus = 'requested' | 'issued' | 'refused'

export interface TransitVisasTable extends VersionedRow {
  id: string
  case_id: string
  member_id: string
  /** ISO 3166-1 alpha-2. */
  transit_country: string
  status: TransitVisaStatus
  issuing_authority: string
  /** ISO dates (YYYY-MM-DD). */
  requested_on: string
  visa_number: string | null
  valid_from: string | null
  valid_until: string | null
  issued_on: string | null
  refused_on: string | null
  refusal_reason: string | null
  notes: string | null
  created_by: string
}

/** A transit point of a booking's route: the country of its airport and whether travellers need a transit visa there. */
export interface BookingTransitRequirementValue {
  airport: string
  country: string
  visa_required: boolean
}

export interface BookingAssistanceValue {
  stage: 'departure' | 'transit' | 'arrival'
  airport: string
  service: 'meet_and_assist' | 'wheelchair' | 'medical' | 'unaccompanied_minor' | 'other'
  member_id: string | null
  notes: string | null
}

export interface BookingEscortValue {
  member_id: string
  kind: 'medical' | 'other'
  escort_name: string
  organisation: string | null
  notes: string | null
}

export interface BookingsTable extends VersionedRow {
  id: string
  case_id: string
  booking_reference: string
  status: BookingStatus
  travel_starts_at: Timestamp
  /** ISO date (YYYY-MM-DD): local date of the last scheduled arrival. */
  travel_ends_on: string
  assistance: ColumnType<BookingAssistanceValue[], string | undefined, string>
  escorts: ColumnType<BookingEscortValue[], string | undefined, string>
  transit_requirements: ColumnType<BookingTransitRequirementValue[], string | undefined, string>
  notes: string | null
  cancelled_by: string | null
  cancelled_at: Timestamp | null
  cancellation_reason: string | null
  created_by: string
}

export interface BookingSegmentsTable {
  booking_id: string
  position: number
  from_airport: string
  to_airport: string
  carrier: string
  flight_number: string
  departs_at: Timestamp
  departs_offset_minutes: number
  arrives_at: Timestamp
  arrives_offset_minutes: number
}

export interface TicketsTable extends VersionedRow {
  id: string
  case_id: string
  booking_id: string
  member_id: string
  ticket_number: string
  fare_minor: number
  currency: string
  payee_type: TravelPayeeType
  payee_name: string
  status: TicketStatus
  payment_request_id: string
  travel_document_id: string | null
  issued_at: Timestamp | null
  departed_at: Timestamp | null
  departure_recorded_by: string | null
  departure_recorded_at: Timestamp | null
  arrived_at: Timestamp | null
  arrival_recorded_by: string | null
  arrival_recorded_at: Timestamp | null
  no_show_recorded_by: string | null
  no_show_recorded_at: Timestamp | null
  ended_by: string | null
  ended_at: Timestamp | null
  end_reason: string | null
  /** A carrier's refund of the paid fare after the ticket ended: all set together, or none. */
  carrier_refund_minor: number | null
  carrier_refunded_on: string | null
  carrier_refund_reference: string | null
  carrier_refund_ledger_entry_id: string | null
  carrier_refund_recorded_by: string | null
  carrier_refund_recorded_at: Timestamp | null
  requested_by: string
}

export interface ExcessBaggageTable extends VersionedRow {
  id: string
  case_id: string
  member_id: string
  ticket_id: string | null
  kilograms: number
  cost_minor: number
  currency: string
  reason: string
  payee_type: TravelPayeeType
  payee_name: string
  status: ExcessBaggageStatus
  payment_request_id: string
  requested_by: string
}

/** A travel arrangement follows its payment request, as excess baggage does. */
export type ArrangementStatus = 'requested' | 'approved' | 'paid' | 'rejected' | 'cancelled'

interface ArrangementCostColumns {
  cost_minor: number
  currency: string
  payee_name: string
  status: ArrangementStatus
  payment_request_id: string
  notes: string | null
  requested_by: string
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface TravelInsurancesTable extends ArrangementCostColumns {
  id: string
  case_id: string
  member_id: string
  insurer: string
  policy_number: string
  /** ISO dates (YYYY-MM-DD): the policy covers these days inclusive. */
  cover_from: string
  cover_until: string
}

export interface AccommodationsTable extends ArrangementCostColumns {
  id: string
  case_id: string
  place_name: string
  address: string | null
  /** ISO dates: the nights from check_in_on to the night before check_out_on. */
  check_in_on: string
  check_out_on: string
  guests: number
}

export interface TravelArrangementsTables {
  travel_insurances: TravelInsurancesTable
  accommodations: AccommodationsTable
}

export interface TravelTables {
  travel_documents: TravelDocumentsTable
  transit_visas: TransitVisasTable
  bookings: BookingsTable
  booking_segments: BookingSegmentsTable
  tickets: TicketsTable
  excess_baggage: ExcessBaggageTable
}

export type CrisisKind = 'war' | 'conflict' | 'disaster'
export type FormOfHelp = 'small_business' | 'employment_assistance' | 'vocational_training' | 'other'
export type OtherHelpKind = 'relocation' | 'accommodation' | 'continuing_education' | 'childrens_schooling' | 'medical_support' | 'vulnerable_person_support'
export type ReintegrationRequestStatus = 'submitted' | 'assessed' | 'waitlisted' | 'approved' | 'rejected' | 'withdrawn'
export type ReintegrationPlanStatus = 'active' | 'completed' | 'abandoned'
export type DisbursementStatus = 'requested' | 'approved' | 'paid' | 'rejected' | 'cancelled'
export type VisitMode = 'in_person' | 'phone' | 'video'

export interface CrisisCountriesTable extends VersionedRow {
  id: string
  country: string
  kind: CrisisKind
  /** ISO date (YYYY-MM-DD). */
  valid_from: string
  /** ISO date (YYYY-MM-DD); null: still listed. */
  valid_to: string | null
  source: string
  notes: string | null
  created_by: string
}

export interface ReintegrationScoringConfigurationsTable {
  version: string
  valid_from: string
  feasibility_weight: number
  urgency_weight: number
  motivation_weight: number
  description: string
  created_by: string
  created_at: Timestamp
}

/** An item or service on a request form, a plan or an invoice: unit prices in minor units of the project currency. */
export interface ReintegrationItemValue {
  description: string
  quantity: number
  unit_price_minor: number
}

export interface ReintegrationRequestsTable extends VersionedRow {
  id: string
  case_id: string
  scope: 'household' | 'returnee'
  member_id: string | null
  filled_on: string
  planned_activity: string
  form_of_help: FormOfHelp
  other_kind: OtherHelpKind | null
  skills_and_experience: string
  motivation_statement: string
  items: Json<ReintegrationItemValue[]>
  amount_requested_minor: number
  currency: string
  status: ReintegrationRequestStatus
  current_assessment_id: string | null
  withdrawn_by: string | null
  withdrawn_at: Timestamp | null
  withdrawal_reason: string | null
  created_by: string
}

export interface UrgencyBasisValue {
  on_date: string
  country: string
  crisis: { id: string; kind: CrisisKind; valid_from: string; valid_to: string | null; source: string } | null
  /** Distinct coded vulnerabilities of the household (`elderly` derived; restricted codes shown as `restricted`). */
  vulnerabilities: string[]
}

export interface ReintegrationAssessmentsTable {
  id: string
  request_id: string
  assessed_on: string
  assessed_by: string
  feasibility_score: number
  feasibility_justification: string
  motivation_score: number
  motivation_justification: string
  urgency_score: number
  urgency_crisis_points: number
  urgency_vulnerability_points: number
  urgency_basis: Json<UrgencyBasisValue>
  created_at: Timestamp
}

export interface ReintegrationDecisionsTable {
  id: string
  request_id: string
  outcome: 'approved' | 'rejected' | 'waitlisted'
  decided_by: string
  decided_at: Timestamp
  reason: string | null
  budget_minor: number | null
  available_minor: number | null
  plan_id: string | null
  assessment_id: string | null
}

export interface ReintegrationPlansTable extends VersionedRow {
  id: string
  request_id: string
  case_id: string
  project_id: string
  budget_line_id: string
  budget_minor: number
  currency: string
  items: Json<ReintegrationItemValue[]>
  status: ReintegrationPlanStatus
  approved_by: string
  approved_at: Timestamp
  closed_by: string | null
  closed_at: Timestamp | null
  closure_reason: string | null
  released_minor: Generated<number>
}

export interface SupplierContactValue {
  person?: string
  phone?: string
  email?: string
}

export interface SupplierBankDetailsValue {
  account_holder: string
  bank_name: string
  account_number: string
  swift_bic?: string
}

export interface SuppliersTable extends VersionedRow {
  id: string
  office_id: string
  country: string
  name: string
  registration_number: string
  registration_key: string
  address: string
  contact: Json<SupplierContactValue>
  bank_details: Json<SupplierBankDetailsValue> | null
  active: Generated<boolean>
  deactivated_at: Timestamp | null
  deactivated_by: string | null
  deactivation_reason: string | null
  created_by: string
}

export interface ReintegrationDisbursementsTable extends VersionedRow {
  id: string
  plan_id: string
  case_id: string
  supplier_id: string
  payment_request_id: string
  items: Json<ReintegrationItemValue[]>
  amount_minor: number
  currency: string
  invoice_number: string
  invoice_date: string
  status: DisbursementStatus
  paid_amount_minor: number | null
  delivered_on: string | null
  delivered_items: string | null
  delivery_notes: string | null
  delivery_confirmed_by: string | null
  delivery_confirmed_at: Timestamp | null
  created_by: string
}

export interface MonitoringVisitsTable {
  id: string
  case_id: string
  plan_id: string | null
  visited_on: string
  visited_by: string
  mode: VisitMode
  findings: string
  activity_running: boolean | null
  recorded_by: string
  recorded_by_office_id: string | null
  created_at: Timestamp
}

export interface SatisfactionSurveysTable {
  id: string
  case_id: string
  member_id: string
  surveyed_on: string
  counselling_score: number
  travel_score: number
  reintegration_score: number | null
  comments: string | null
  recorded_by: string
  created_at: Timestamp
}

export interface SustainabilityInstrumentDefinition {
  answer_scales: Array<{ code: string; options: Array<{ value: number; label: string }> }>
  dimensions: Array<{
    dimension: 'economic' | 'social' | 'psychosocial'
    weight: number
    indicators: Array<{ code: string; question: string; scale: string; weight: number }>
  }>
}

export interface SustainabilityInstrumentsTable {
  version: string
  valid_from: string
  description: string
  definition: Json<SustainabilityInstrumentDefinition>
  created_by: string
  created_at: Timestamp
}

export interface SustainabilityAssessmentsTable {
  id: string
  case_id: string
  member_id: string
  sequence: number
  assessed_on: string
  instrument_version: string
  answers: Json<Record<string, number>>
  /** Hundredths of a point on 0-100. */
  economic_score: number
  social_score: number
  psychosocial_score: number
  composite_score: number
  notes: string | null
  recorded_by: string
  created_at: Timestamp
}

export type ContactDeadlineStatus = 'awaiting_contact' | 'contacted' | 'lapsed'
export type ContactChannel = 'in_person' | 'phone' | 'email' | 'online' | 'other'

/** The deadline of an arrived case for its first contact with the partner office. */
export interface ReintegrationContactDeadlinesTable extends VersionedRow {
  case_id: string
  project_id: string
  arrived_on: string
  /** The project's contact period when the case arrived. */
  contact_period_months: number
  contact_period_days: number
  due_on: string
  status: ContactDeadlineStatus
  contacted_on: string | null
  contact_channel: ContactChannel | null
  contact_recorded_by: string | null
  contact_recorded_at: Timestamp | null
  lapsed_by: string | null
  lapsed_at: Timestamp | null
  lapse_reason: string | null
  /** Set by the statement that writes the reminder event, so each is written once. */
  due_soon_notified_at: Timestamp | null
  overdue_notified_at: Timestamp | null
}

export interface ReintegrationTables {
  crisis_countries: CrisisCountriesTable
  reintegration_scoring_configurations: ReintegrationScoringConfigurationsTable
  reintegration_requests: ReintegrationRequestsTable
  reintegration_assessments: ReintegrationAssessmentsTable
  reintegration_decisions: ReintegrationDecisionsTable
  reintegration_plans: ReintegrationPlansTable
  suppliers: SuppliersTable
  reintegration_disbursements: ReintegrationDisbursementsTable
  reintegration_contact_deadlines: ReintegrationContactDeadlinesTable
  monitoring_visits: MonitoringVisitsTable
  satisfaction_surveys: SatisfactionSurveysTable
  sustainability_instruments: SustainabilityInstrumentsTable
  sustainability_assessments: SustainabilityAssessmentsTable
}

/** A member of an enquirer's household who is not a national, as stored in `mic_enquirers.household`. */
export interface MicHouseholdMemberValue {
  given_name: string | null
  family_name: string | null
  relationship: string
  nationality: string
  date_of_birth: string | null
}

/** A referral to an institution, as stored in `mic_consultations.referrals`. */
export interface MicReferralValue {
  institution: string
  purpose: string
  referred_on: string
}

export interface MicEnquirersTable extends VersionedRow {
  id: string
  given_name: string
  family_name: string
  name_search: string
  email: string | null
  phone: string | null
  address: string | null
  residence_country: string
  planned_return_on: string | null
  household: Json<MicHouseholdMemberValue[]>
  consent_given_at: Timestamp
  consent_given_by: string
  consent_scope: string[]
  consent_recorded_by: string
  notes: string | null
  created_by: string
}

export interface MicConsultationsTable extends VersionedRow {
  id: string
  enquirer_id: string
  held_on: string
  channel: string
  topics: string[]
  question: string
  information_given: string
  referrals: Json<MicReferralValue[]>
  follow_up_on: string | null
  follow_up_done_on: string | null
  residence_country: string
  counsellor: string
  created_by: string
}

export interface MicTables {
  mic_enquirers: MicEnquirersTable
  mic_consultations: MicConsultationsTable
}

/** Every module contributes its tables here. */
export interface DB extends FoundationTables, ProjectsLedgerTables, ReturnCasesTables, PaymentsTables, TravelTables, ReintegrationTables, MicTables {}
export type WebhookSubscriptionStatus = 'active' | 'paused' | 'disabled'
export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed'

export interface WebhookSubscriptionsTable {
  id: string
  /** The partner office whose cases' events it receives; null: every event (systems of the country office). */
  office_id: string | null
  url: string
  /** CloudEvents types (`avrr.return_case.approved`); empty: every type. */
  event_types: string[]
  description: string | null
  status: WebhookSubscriptionStatus
  secret: string
  previous_secret: string | null
  previous_secret_expires_at: Timestamp | null
  failing_since: Timestamp | null
  disabled_reason: string | null
  created_by: string
  version: Generated<number>
  created_at: Generated<Date>
  updated_at: Timestamp
}

export interface WebhookDeliveriesTable {
  id: string
  subscription_id: string
  event_id: string
  event_type: string
  event_sequence: number
  case_id: string | null
  /** Deliveries with the same key (the case, else the entity) are sent one at a time, in sequence order. */
  ordering_key: string
  /** The CloudEvent as sent (rendered once, when the event was dispatched). */
  body: string
  status: Generated<WebhookDeliveryStatus>
  attempts: Generated<number>
  next_attempt_at: Timestamp
  claimed_until: Timestamp | null
  claimed_by: string | null
  last_status_code: number | null
  last_error: string | null
  last_latency_ms: number | null
  created_at: Generated<Date>
  delivered_at: Timestamp | null
}

export interface WebhookDeliveryAttemptsTable {
  id: Generated<number>
  delivery_id: string
  attempt: number
  started_at: Timestamp
  status_code: number | null
  latency_ms: number
  error: string | null
  instance: string
}

export interface WebhookDispatchPositionTable {
  singleton: Generated<boolean>
  xact_id: string
  sequence: number
}

export interface EventRetentionHorizonTable {
  singleton: Generated<boolean>
  xact_id: string
  sequence: number
  purged_at: Timestamp
}

export interface EventsTables {
  webhook_subscriptions: WebhookSubscriptionsTable
  webhook_deliveries: WebhookDeliveriesTable
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable
  webhook_dispatch_position: WebhookDispatchPositionTable
  event_retention_horizon: EventRetentionHorizonTable
}

/** Every module contributes its tables here. */
export interface DB extends FoundationTables, ProjectsLedgerTables, ReturnCasesTables, PaymentsTables, TravelTables, ReintegrationTables, EventsTables {}
export interface DB extends FoundationTables, ProjectsLedgerTables, ReturnCasesTables, PaymentsTables, TravelTables, TravelArrangementsTables, ReintegrationTables {}
