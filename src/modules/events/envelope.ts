import { RESTRICTED, isRestrictedCode } from '../return-cases/index.js'
import { cloudEventType } from './catalogue.js'

/** The CloudEvents `source` of every event: this service. */
export const EVENT_SOURCE = '/avrr'

/** An outbox row as the feed reads it, with the fields the same change touched (from its audit entry). */
export interface OutboxEvent {
  sequence: number
  id: string
  occurred_at: Date
  event_type: string
  entity_type: string
  entity_id: string
  case_id: string | null
  payload: Record<string, unknown>
  xact_id: string
  changed: string[] | null
}

export interface CloudEvent {
  specversion: '1.0'
  id: string
  source: string
  type: string
  subject: string
  time: string
  datacontenttype: 'application/json'
  sequence: string
  data: {
    entity_type: string
    entity_id: string
    case_id: string | null
    status: string | null
    state: Record<string, unknown>
    changed: string[]
  }
}

/** The entity's state after the change: its `status`, or the `to_status` of a workflow transition. */
function statusOf(payload: Record<string, unknown>): string | null {
  const status = payload.status ?? payload.to_status
  return typeof status === 'string' ? status : null
}

/**
 * Keys that never leave the service, whatever a writer put in a payload: bank details, personal
 * fields and free-text notes. Writers already leave them out; this holds if one ever does not.
 */
const NEVER_SENT = new Set(['bank_details', 'given_name', 'family_name', 'date_of_birth', 'document_number', 'notes', 'justification', 'findings', 'comments'])

/**
 * A payload as it may leave: a restricted vulnerability code (victim of trafficking) becomes
 * `restricted` wherever it appears, with its details dropped, exactly as the API shows it to anyone
 * but protection staff; the keys above are removed at any depth.
 */
export function masked(value: unknown): unknown {
  if (typeof value === 'string') return isRestrictedCode(value) ? RESTRICTED : value
  if (Array.isArray(value)) return value.map(masked)
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([key]) => !NEVER_SENT.has(key))
    const restrictedEntry = entries.some(([key, item]) => key === 'code' && typeof item === 'string' && (isRestrictedCode(item) || item === RESTRICTED))
    const shown = Object.fromEntries(entries.map(([key, item]) => [key, masked(item)]))
    if (restrictedEntry) {
      delete shown.escort_needed
      delete shown.recorded_by
      shown.restricted = true
    }
    return shown
  }
  return value
}

/** The entity path of an event: `return-cases/{id}` style, the case first where there is one. */
function subjectOf(event: OutboxEvent): string {
  const entity = `${event.entity_type}/${event.entity_id}`
  return event.case_id && event.entity_type !== 'return_case' ? `return_case/${event.case_id}/${entity}` : entity
}

/** The CloudEvent an outbox row leaves as, in the feed and in webhooks alike. */
export function toCloudEvent(event: OutboxEvent): CloudEvent {
  return {
    specversion: '1.0',
    id: event.id,
    source: EVENT_SOURCE,
    type: cloudEventType(event.event_type),
    subject: subjectOf(event),
    time: event.occurred_at.toISOString(),
    datacontenttype: 'application/json',
    sequence: String(event.sequence),
    data: {
      entity_type: event.entity_type,
      entity_id: event.entity_id,
      case_id: event.case_id,
      status: statusOf(event.payload),
      state: masked(event.payload) as Record<string, unknown>,
      changed: (event.changed ?? []).filter((field) => !NEVER_SENT.has(field)).sort(),
    },
  }
}
