import { Type, type Static } from '@sinclair/typebox'
import { ListPage, ListQuery, Nullable, TimeRangeFilter, Timestamp, Uuid } from '../../shared/schemas.js'

export const AuditEvent = Type.Object(
  {
    id: Type.Integer({ description: 'Position in the audit trail (increasing).' }),
    occurred_at: Timestamp('When the change was committed.'),
    actor: Type.Object(
      {
        sub: Type.String({ description: 'Token subject of who acted.' }),
        roles: Type.Array(Type.String(), { description: 'Roles the actor held.' }),
        office_id: Nullable(Uuid('Partner office the actor acted for, if any.')),
      },
      { additionalProperties: false, description: 'Who made the change.' },
    ),
    request_id: Nullable(Type.String({ description: 'Request id of the change (also in the logs).' })),
    action: Type.String({ description: 'What was done, e.g. `office.updated`, `return_case.approved`.' }),
    entity_type: Type.String({ description: 'Kind of entity changed.' }),
    entity_id: Type.String({ description: 'Id of the entity changed.' }),
    case_id: Nullable(Uuid('Return case the change belongs to, if any.')),
    changes: Type.Record(
      Type.String(),
      Type.Object({ before: Type.Optional(Type.Unknown()), after: Type.Optional(Type.Unknown()) }, { additionalProperties: false }),
      { description: 'Changed fields with before and after values; restricted personal fields show `[restricted]`.' },
    ),
  },
  { $id: 'AuditEvent', additionalProperties: false, description: 'One entry of the append-only audit trail.' },
)

export const AuditEventList = ListPage('AuditEventList', AuditEvent, 'Entries, newest first.')

export const AuditEventQuery = ListQuery({
  entity_type: Type.Optional(Type.String({ maxLength: 100, description: 'Only entries about this kind of entity.' })),
  entity_id: Type.Optional(Type.String({ maxLength: 100, description: 'Only entries about this entity.' })),
  case_id: Type.Optional(Uuid('Only entries belonging to this return case.')),
  actor: Type.Optional(Type.String({ maxLength: 200, description: 'Only entries by this token subject.' })),
  action: Type.Optional(Type.String({ maxLength: 100, description: 'Only entries of this action.' })),
  ...TimeRangeFilter('from', 'to', 'entries'),
})

export type AuditEventRecord = Static<typeof AuditEvent>
export type AuditEventFilter = Static<typeof AuditEventQuery>
