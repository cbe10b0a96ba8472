import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { problemResponses } from '../../shared/problems.js'
import { ALL_ROLES, type Role } from '../../shared/roles.js'
import { listRoute, readRoute, registerCustomMethods } from '../../shared/routes.js'
import * as contacts from './contact-deadlines.js'
import { ContactDeadline, ContactDeadlineList, ContactDeadlineQuery, LapseContactDeadline, RecordContact, contactSchemas } from './contact-schemas.js'
import { CaseParams } from './schemas.js'

/** Who may do what with contact deadlines (docs/modules/reintegration.md, "The contact deadline"). */
export const CONTACT_ROLES = {
  read: ALL_ROLES,
  recordContact: ['partner'],
  lapse: ['approver'],
} as const satisfies Record<string, readonly Role[]>

const TAGS = ['contact-deadlines']

/** The returnee's first contact with the partner office after arrival, and the lapse of assistance without it. */
export default async function contactRoutes(fastify: FastifyInstance, options: { casePath: string }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of contactSchemas) app.addSchema(schema)
  const item = `${options.casePath}/contact-deadline`

  listRoute(app, {
    path: '/v1/reintegration/contact-deadlines',
    tags: TAGS,
    roles: CONTACT_ROLES.read,
    operationId: 'listContactDeadlines',
    summary: 'List the cases whose first contact is due soon or overdue',
    description:
      'The work queue of arrived cases still awaiting the returnee\'s first contact: due within `due_within` days from today (UTC, ' +
      'default 7) and every overdue one, the earliest due first, keyset-paginated. Cases that are closed are left out. A partner office ' +
      'sees only the cases referred to it (asking for another office is 403); staff may narrow the list to one `partner_office_id`.',
    query: ContactDeadlineQuery,
    list: ContactDeadlineList,
    run: ({ db, context, query }) => contacts.listContactDeadlines(db, context.actor, query),
  })

  readRoute(app, {
    path: item,
    tags: TAGS,
    roles: CONTACT_ROLES.read,
    operationId: 'getContactDeadline',
    summary: 'Get the contact deadline of a case',
    description:
      'Opened when the arrival is confirmed: due on the arrival day plus the project\'s contact period (default one calendar month; ' +
      '31 January + 1 month = the last day of February). 404 before arrival, and for a partner office the case is not referred to.',
    params: CaseParams,
    resource: ContactDeadline,
    run: ({ db, context, params }) => contacts.getContactDeadline(db, context.actor, params.id),
  })

  registerCustomMethods(app, { path: item, tags: TAGS, params: CaseParams, response: { 200: Type.Ref(ContactDeadline), ...problemResponses(400, 404, 409, 412, 422) }, note: 'If-Match is optional.' }, [
    {
      verb: 'record-contact',
      roles: CONTACT_ROLES.recordContact,
      operationId: 'recordFirstContact',
      summary: 'Record the returnee\'s first contact (partner office)',
      description:
        'The partner office the case is referred to records the day (not before the arrival day, not in the future: 400) and the channel ' +
        'of the returnee\'s first contact; from then on suppliers may be paid. Repeating the same contact answers the deadline unchanged; ' +
        'another day or channel once one is recorded is 409, and so is a contact after the assistance lapsed. A contact after the due day ' +
        'counts while the assistance has not lapsed (shown as `late`). Another partner office does not see the case (404); a caller who is ' +
        'also staff but acts for another office is 403.',
      body: RecordContact,
      run: (db, context, params, expected, body) => contacts.recordFirstContact(db, context, params.id, expected, body),
    },
    {
      verb: 'lapse',
      roles: CONTACT_ROLES.lapse,
      operationId: 'lapseContactDeadline',
      summary: 'Lapse the reintegration assistance of a case without contact',
      description:
        'An approver lapses the assistance of a case past its due day (409 on or before it) whose returnee never got in touch, with a ' +
        'reason: in one transaction its active reintegration plans are abandoned, each releasing what it holds on the in-kind line, and no ' +
        'plan can be approved or supplier paid for the case afterwards. Once only: a repeat is 409 and releases nothing (with the same ' +
        'Idempotency-Key it replays the first answer).',
      body: LapseContactDeadline,
      run: (db, context, params, expected, body) => contacts.lapseContactDeadline(db, context, params.id, expected, body.reason),
    },
  ])
}
