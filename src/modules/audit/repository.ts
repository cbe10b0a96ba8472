import type { Kysely, Selectable } from 'kysely'
import type { AuditEventsTable, DB } from '../../db/schema.js'
import { paginate, type Page } from '../../shared/pagination.js'
import type { AuditEventFilter, AuditEventRecord } from './schemas.js'

function toAuditEvent(row: Selectable<AuditEventsTable>): AuditEventRecord {
  return {
    id: row.id,
    occurred_at: row.occurred_at.toISOString(),
    actor: { sub: row.actor_sub, roles: row.actor_roles, office_id: row.actor_office_id },
    request_id: row.request_id,
    action: row.action,
    entity_type: row.entity_type,
    entity_id: row.entity_id,
    case_id: row.case_id,
    changes: row.changes,
  }
}

export async function listAuditEvents(db: Kysely<DB>, filter: AuditEventFilter): Promise<Page<AuditEventRecord>> {
  let query = db.selectFrom('audit_events').selectAll()
  if (filter.entity_type) query = query.where('entity_type', '=', filter.entity_type)
  if (filter.entity_id) query = query.where('entity_id', '=', filter.entity_id)
  if (filter.case_id) query = query.where('case_id', '=', filter.case_id)
  if (filter.actor) query = query.where('actor_sub', '=', filter.actor)
  if (filter.action) query = query.where('action', '=', filter.action)
  if (filter.from) query = query.where('occurred_at', '>=', new Date(filter.from))
  if (filter.to) query = query.where('occurred_at', '<', new Date(filter.to))
  return paginate(query, filter, (rows) => rows.map(toAuditEvent), { direction: 'desc', key: 'sequence' })
}
