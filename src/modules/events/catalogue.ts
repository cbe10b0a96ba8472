/**
 * The catalogue of event types: every change the service records leaves as a CloudEvent of type
 * `avrr.<entity>.<verb>`, mapped from the outbox row's `<entity>.<verb>` (the action its writer
 * recorded). The spec's `webhooks` section documents each type from this table, and a test checks
 * that the events the seed data writes are all in it. A type written by a newer writer and not yet
 * listed still leaves (same envelope); it is only undocumented until it is added here.
 */
export interface EntityEvents {
  /** Name of the payload schema in the spec (`ReturnCaseEvent`). */
  schema: string
  /** What the entity is, for the spec. */
  description: string
  /** Whether the events carry the case they belong to (so partner offices receive them). */
  caseScoped: boolean
  verbs: Record<string, string>
}

export const TYPE_PREFIX = 'avrr.'

export const EVENT_CATALOGUE = {
  office: {
    schema: 'OfficeEvent',
    description: 'An office (the country office or a partner office).',
    caseScoped: false,
    verbs: { created: 'An office was registered.', updated: 'An office was edited.' },
  },
  return_case: {
    schema: 'ReturnCaseEvent',
    description: 'A return case; `data.state` carries its status, offices, project, country of return and version (never personal data).',
    caseScoped: true,
    verbs: {
      created: 'A return request was recorded.',
      updated: 'The case was edited (or moved to another project).',
      referred: 'The case was referred to a partner office (`automatic: true` when approval referred it).',
      submitted: 'The request was submitted.',
      in_counselling: 'Pre-departure counselling started.',
      approved: 'Return assistance was approved.',
      rejected: 'Return assistance was rejected.',
      withdrawn: 'The migrant withdrew.',
      travel_booked: 'Travel was booked.',
      departed: 'Departure was confirmed.',
      arrived: 'Arrival was confirmed by the partner office.',
      no_show: 'The returnee did not show up for departure.',
      cancelled: 'The return was cancelled.',
      in_reintegration: 'Reintegration assistance started.',
      closed: 'The case was closed.',
      travel_released: 'A cancellation or no-show released what travel had committed.',
    },
  },
  case_member: {
    schema: 'CaseMemberEvent',
    description: 'A member of a case household (relationship and nationality only).',
    caseScoped: true,
    verbs: { added: 'A member was added.', updated: 'A member was edited.', removed: 'A member was removed.' },
  },
  member_vulnerability: {
    schema: 'MemberVulnerabilityEvent',
    description: 'A coded vulnerability of a member. A restricted code (victim of trafficking) is always `restricted`, as in the API for anyone but protection staff.',
    caseScoped: true,
    verbs: { recorded: 'A vulnerability was recorded.', updated: 'A vulnerability entry was edited.', removed: 'A vulnerability entry was removed.' },
  },
  counselling_session: {
    schema: 'CounsellingSessionEvent',
    description: 'A pre-departure counselling session of a case.',
    caseScoped: true,
    verbs: { recorded: 'A session was recorded.', updated: 'A session was edited.' },
  },
  project: {
    schema: 'ProjectEvent',
    description: 'A co-funded project.',
    caseScoped: false,
    verbs: { created: 'A project was created.', updated: 'A project was edited.', activated: 'A project was activated.', closed: 'A project was closed.' },
  },
  budget_line: {
    schema: 'BudgetLineEvent',
    description: 'A budget line of a project.',
    caseScoped: false,
    verbs: { created: 'A budget line was added.', updated: 'A budget line was edited.', reallocated: 'Budget was moved between two lines of a project.' },
  },
  ledger_entry: {
    schema: 'LedgerEntryEvent',
    description: 'An entry of a budget line\'s ledger (the case where the cost is a case\'s).',
    caseScoped: true,
    verbs: { committed: 'Funds were committed.', released: 'Committed funds were released.', spent: 'Committed funds were spent.' },
  },
  payment_request: {
    schema: 'PaymentRequestEvent',
    description: 'A payment request (maker-checker) of a cost.',
    caseScoped: true,
    verbs: {
      requested: 'A payment was requested.',
      first_approved: 'The first of two approvals was given.',
      approved: 'The payment was approved.',
      rejected: 'The payment was rejected.',
      cancelled: 'The payment request was cancelled.',
      paid: 'The payment was made.',
    },
  },
  travel_insurance: {
    schema: 'TravelInsuranceEvent',
    description: 'The travel insurance of a traveller (never the policy number), paid like other costs.',
    caseScoped: true,
    verbs: { requested: 'Insurance was requested.', approved: 'Its payment was approved.', paid: 'The premium was paid.', cancelled: 'The insurance was cancelled.' },
  },
  contact_deadline: {
    schema: 'ContactDeadlineEvent',
    description: 'The one-month deadline for a returnee to contact the partner office after arrival.',
    caseScoped: true,
    verbs: {
      opened: 'The deadline opened on arrival.',
      contact_recorded: 'The partner office recorded the first contact.',
      contact_due_soon: 'The due day is near and no contact is recorded (sent once).',
      contact_overdue: 'The due day passed with no contact recorded (sent once).',
      lapsed: 'The reintegration assistance lapsed; its commitments were released.',
    },
  },
  mic_enquirer: {
    schema: 'MicEnquirerEvent',
    description: 'An enquirer of the Migration Information Centre (never personal data).',
    caseScoped: false,
    verbs: { created: 'An enquirer was recorded.', updated: 'An enquirer was edited.', deleted: 'An enquirer was erased.' },
  },
  mic_consultation: {
    schema: 'MicConsultationEvent',
    description: 'A consultation of the Migration Information Centre (never its content).',
    caseScoped: false,
    verbs: { recorded: 'A consultation was recorded.', updated: 'A consultation was edited.' },
  },
  cash_grant: {
    schema: 'CashGrantEvent',
    description: 'A cash grant on arrival.',
    caseScoped: true,
    verbs: { requested: 'A grant was requested.', approved: 'A grant was approved.', paid: 'A grant was paid.', rejected: 'A grant was rejected.', cancelled: 'A grant was cancelled.' },
  },
  travel_document: {
    schema: 'TravelDocumentEvent',
    description: 'A travel document of a traveller (never its number).',
    caseScoped: true,
    verbs: { recorded: 'A valid passport was recorded.', requested: 'An emergency travel document was requested.', updated: 'A document was edited.', issued: 'A document was issued.', refused: 'A document was refused.' },
  },
  booking: {
    schema: 'BookingEvent',
    description: 'A booking of a case with its route.',
    caseScoped: true,
    verbs: { created: 'A booking was made.', updated: 'A booking was changed.', cancelled: 'A booking was cancelled.' },
  },
  ticket: {
    schema: 'TicketEvent',
    description: 'A ticket of a traveller.',
    caseScoped: true,
    verbs: {
      requested: 'A ticket was requested.',
      issued: 'A ticket was issued.',
      departed: 'The traveller departed on it.',
      arrived: 'The traveller arrived.',
      used: 'The ticket was used.',
      refunded: 'The ticket was refunded.',
      voided: 'The ticket was voided.',
      no_show: 'The traveller did not show up.',
    },
  },
  excess_baggage: {
    schema: 'ExcessBaggageEvent',
    description: 'Excess baggage of a traveller or ticket.',
    caseScoped: true,
    verbs: { requested: 'Excess baggage was requested.', approved: 'It was approved.', paid: 'It was paid.', rejected: 'It was rejected.', cancelled: 'It was cancelled.' },
  },
  crisis_country: {
    schema: 'CrisisCountryEvent',
    description: 'A listing of a war-, conflict- or disaster-affected country.',
    caseScoped: false,
    verbs: { listed: 'A country was listed.', updated: 'A listing was changed.' },
  },
  supplier: {
    schema: 'SupplierEvent',
    description: 'A supplier registered by a partner office (bank details never appear: only `has_bank_details`).',
    caseScoped: false,
    verbs: { registered: 'A supplier was registered.', updated: 'A supplier was edited.' },
  },
  reintegration_request: {
    schema: 'ReintegrationRequestEvent',
    description: 'An in-kind reintegration request form.',
    caseScoped: true,
    verbs: {
      submitted: 'A request was submitted.',
      updated: 'A request was edited.',
      assessed: 'A request was assessed.',
      approved: 'A request was approved.',
      waitlisted: 'A request was waitlisted.',
      rejected: 'A request was rejected.',
      withdrawn: 'A request was withdrawn.',
    },
  },
  reintegration_plan: {
    schema: 'ReintegrationPlanEvent',
    description: 'An approved reintegration plan with its budget.',
    caseScoped: true,
    verbs: { created: 'A plan was created.', completed: 'A plan was completed.', abandoned: 'A plan was abandoned.' },
  },
  reintegration_disbursement: {
    schema: 'ReintegrationDisbursementEvent',
    description: 'A payment to a supplier against a plan.',
    caseScoped: true,
    verbs: {
      requested: 'A disbursement was requested.',
      approved: 'A disbursement was approved.',
      paid: 'A disbursement was paid.',
      delivered: 'The partner office confirmed delivery.',
      rejected: 'A disbursement was rejected.',
      cancelled: 'A disbursement was cancelled.',
    },
  },
  reintegration_scoring_configuration: {
    schema: 'ReintegrationScoringConfigurationEvent',
    description: 'A version of the selection weights.',
    caseScoped: false,
    verbs: { created: 'A configuration version was created.' },
  },
  monitoring_visit: {
    schema: 'MonitoringVisitEvent',
    description: 'A monitoring visit after return (findings never appear).',
    caseScoped: true,
    verbs: { recorded: 'A visit was recorded.' },
  },
  satisfaction_survey: {
    schema: 'SatisfactionSurveyEvent',
    description: 'A satisfaction survey of a returnee (comments never appear).',
    caseScoped: true,
    verbs: { recorded: 'A survey was recorded.' },
  },
  sustainability_instrument: {
    schema: 'SustainabilityInstrumentEvent',
    description: 'A version of the sustainability instrument.',
    caseScoped: false,
    verbs: { created: 'An instrument version was created.' },
  },
  sustainability_assessment: {
    schema: 'SustainabilityAssessmentEvent',
    description: 'A sustainability assessment of a returnee.',
    caseScoped: true,
    verbs: { recorded: 'An assessment was recorded.' },
  },
  webhook_subscription: {
    schema: 'WebhookSubscriptionEvent',
    description: 'A webhook subscription (sent to the office it belongs to).',
    caseScoped: false,
    verbs: { disabled: 'The subscription was disabled after failing for too long.' },
  },
} as const satisfies Record<string, EntityEvents>

export type CatalogueEntity = keyof typeof EVENT_CATALOGUE

/** The outbox's event names keep their own spelling for the ledger (`ledger.committed`); the catalogue names the entity. */
const OUTBOX_ALIASES: Record<string, string> = {
  'ledger.committed': 'ledger_entry.committed',
  'ledger.released': 'ledger_entry.released',
  'ledger.spent': 'ledger_entry.spent',
}

/** The CloudEvents type of an outbox row's event name. */
export function cloudEventType(outboxType: string): string {
  return `${TYPE_PREFIX}${OUTBOX_ALIASES[outboxType] ?? outboxType}`
}

/** The outbox event names a CloudEvents type stands for (for filters in SQL). */
export function outboxTypesOf(cloudType: string): string[] {
  const name = cloudType.slice(TYPE_PREFIX.length)
  return [name, ...Object.entries(OUTBOX_ALIASES).filter(([, alias]) => alias === name).map(([outbox]) => outbox)]
}

/** Every documented type, `avrr.<entity>.<verb>`, in catalogue order. */
export const EVENT_TYPES: readonly string[] = Object.entries(EVENT_CATALOGUE).flatMap(([entity, { verbs }]) =>
  Object.keys(verbs).map((verb) => `${TYPE_PREFIX}${entity}.${verb}`),
)

export const EVENT_TYPE_PATTERN = '^avrr\\.[a-z_]+\\.[a-z_]+$'
