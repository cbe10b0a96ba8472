import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId, type FixedId } from '../../shared/ids.js'
import { ProblemError, notFound } from '../../shared/problems.js'
import * as offices from './repository.js'
import type { CreateOfficeInput, OfficeRecord, UpdateOfficeInput } from './schemas.js'

async function assertCodeFree(db: Kysely<DB>, code: string, exceptId?: string): Promise<void> {
  let query = db.selectFrom('offices').select('id').where('code', '=', code)
  if (exceptId) query = query.where('id', '<>', exceptId)
  if (await query.executeTakeFirst()) {
    throw new ProblemError('duplicate-resource', `An office with code ${code} already exists`, { errors: [{ pointer: '/body/code', detail: 'already in use' }] })
  }
}

export async function createOffice(db: Transaction<DB>, context: RequestContext, input: CreateOfficeInput, options: FixedId = {}): Promise<OfficeRecord> {
  await assertCodeFree(db, input.code)
  const office = await offices.insertOffice(db, options.id ?? newId(), input)
  await recordChange(db, context, { action: 'office.created', entityType: 'office', entityId: office.id, after: office, payload: office })
  return office
}

export async function updateOffice(
  db: Transaction<DB>,
  context: RequestContext,
  id: string,
  expectedVersion: number | undefined,
  changes: UpdateOfficeInput,
): Promise<OfficeRecord> {
  const current = await offices.findOffice(db, id, { forUpdate: true })
  if (!current) throw notFound('Office', id)
  assertVersion(current.version, expectedVersion)
  if (changes.code && changes.code !== current.code) await assertCodeFree(db, changes.code, id)
  const updated = await offices.updateOffice(db, id, changes)
  await recordChange(db, context, { action: 'office.updated', entityType: 'office', entityId: id, before: current, after: updated, payload: updated })
  return updated
}

export async function getOffice(db: Kysely<DB>, id: string): Promise<OfficeRecord> {
  const office = await offices.findOffice(db, id)
  if (!office) throw notFound('Office', id)
  return office
}
