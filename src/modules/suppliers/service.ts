import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId, UUID_PATTERN } from '../../shared/ids.js'
import { ProblemError, notFound } from '../../shared/problems.js'
import type { Actor } from '../../shared/roles.js'
import * as repository from './repository.js'
import type { SupplierRow } from './repository.js'
import type { CreateSupplierInput, SupplierListFilter, SupplierRecord, UpdateSupplierInput } from './schemas.js'
import { findOffice } from '../offices/index.js'
import { presentSupplier, visibleOffice } from './presenter.js'
import { mapPage, type Page } from '../../shared/pagination.js'
import { insertRow, updateVersioned } from '../../shared/rows.js'

/** Bank details never enter the audit trail or an event: the trail records that they changed, not their value. */
const MASKED_FIELDS = ['bank_details'] as const

function snapshot(row: SupplierRow): Record<string, unknown> {
  const { office_id, country, name, registration_number, address, contact, bank_details, active, deactivation_reason } = row
  return { office_id, country, name, registration_number, address, contact, bank_details, active, deactivation_reason }
}

function eventPayload(row: SupplierRow): Record<string, unknown> {
  const { bank_details, ...rest } = snapshot(row)
  return { id: row.id, ...rest, has_bank_details: bank_details !== null, version: row.version }
}

async function recordSupplierChange(db: Transaction<DB>, context: RequestContext, action: string, before: SupplierRow | null, after: SupplierRow): Promise<void> {
  await recordChange(db, context, {
    action: `supplier.${action}`,
    entityType: 'supplier',
    entityId: after.id,
    before: before && snapshot(before),
    after: snapshot(after),
    maskedFields: MASKED_FIELDS,
    payload: eventPayload(after),
  })
}

async function assertRegistrationFree(db: Kysely<DB>, country: string, key: string, exceptId?: string): Promise<void> {
  const existing = await repository.findByRegistration(db, country, key, exceptId)
  if (existing) {
    throw new ProblemError('duplicate-resource', `A supplier with registration number ${existing.registration_number} is already registered in ${country}`, {
      existing_id: existing.id,
      errors: [{ pointer: '/body/registration_number', detail: 'already registered in this country' }],
    })
  }
}

/** The partner office the caller acts for: only partner offices register suppliers, for their own country. */
async function actingPartnerOffice(db: Kysely<DB>, actor: Actor): Promise<{ id: string; country: string }> {
  const office =
    actor.officeId !== null && UUID_PATTERN.test(actor.officeId)
      ? await findOffice(db, actor.officeId)
      : undefined
  if (!office || office.kind !== 'partner_office') {
    throw new ProblemError('forbidden', `Suppliers are registered by partner offices; office ${actor.officeId ?? '(none)'} is not a registered partner office`)
  }
  return office
}

/**
 * Registers a supplier for the caller's partner office, in that office's country. Registration
 * numbers are unique per country (409 `duplicate-resource`); a concurrent duplicate is stopped
 * by the unique constraint.
 */
export async function createSupplier(db: Transaction<DB>, context: RequestContext, input: CreateSupplierInput): Promise<SupplierRecord> {
  const office = await actingPartnerOffice(db, context.actor)
  const key = repository.registrationKey(input.registration_number)
  await assertRegistrationFree(db, office.country, key)
  const row = await insertRow(db, 'suppliers', {
    id: newId(),
    office_id: office.id,
    country: office.country,
    name: input.name.trim(),
    registration_number: input.registration_number.trim(),
    registration_key: key,
    address: input.address.trim(),
    contact: JSON.stringify(input.contact),
    bank_details: input.bank_details ? JSON.stringify(input.bank_details) : null,
    created_by: context.actor.sub,
  })
  await recordSupplierChange(db, context, 'registered', null, row)
  return presentSupplier(context.actor, row)
}

/** Only the registering partner office changes its supplier; other partner offices do not see it (404). */
export async function updateSupplier(
  db: Transaction<DB>,
  context: RequestContext,
  id: string,
  expectedVersion: number | undefined,
  input: UpdateSupplierInput,
): Promise<SupplierRecord> {
  const current = await repository.findSupplierRow(db, id, { forUpdate: true, officeId: visibleOffice(context.actor) })
  if (!current) throw notFound('Supplier', id)
  if (context.actor.officeId !== current.office_id) throw new ProblemError('forbidden', 'Only the partner office that registered a supplier may change it')
  assertVersion(current.version, expectedVersion)
  let key: string | undefined
  if (input.registration_number !== undefined) {
    key = repository.registrationKey(input.registration_number)
    if (key !== current.registration_key) await assertRegistrationFree(db, current.country, key, id)
  }
  const updated = await updateVersioned(db, 'suppliers', id, {
    ...(input.name !== undefined ? { name: input.name.trim() } : {}),
    ...(input.registration_number !== undefined ? { registration_number: input.registration_number.trim(), registration_key: key } : {}),
    ...(input.address !== undefined ? { address: input.address.trim() } : {}),
    ...(input.contact !== undefined ? { contact: JSON.stringify(input.contact) } : {}),
    ...(input.bank_details !== undefined ? { bank_details: input.bank_details === null ? null : JSON.stringify(input.bank_details) } : {}),
  })
  await recordSupplierChange(db, context, 'updated', current, updated)
  return presentSupplier(context.actor, updated)
}

/**
 * Deactivates a supplier (it closed, or may no longer be paid) or reactivates it. The registering partner office
 * may do either for its own suppliers (403 for another office's; other partner offices do not see it: 404);
 * finance and admin may for any. No new disbursement may pay an inactive supplier; its past ones stay as they are.
 * Deactivating an inactive supplier, or reactivating an active one, is 409.
 */
export async function setSupplierActive(
  db: Transaction<DB>,
  context: RequestContext,
  id: string,
  expectedVersion: number | undefined,
  change: { active: true } | { active: false; reason: string },
): Promise<SupplierRecord> {
  const current = await repository.findSupplierRow(db, id, { forUpdate: true, officeId: visibleOffice(context.actor) })
  if (!current) throw notFound('Supplier', id)
  const { actor } = context
  const mayManageAny = actor.roles.includes('finance') || actor.roles.includes('admin')
  if (!mayManageAny && actor.officeId !== current.office_id) {
    throw new ProblemError('forbidden', 'Only the partner office that registered a supplier, finance or an admin may deactivate or reactivate it')
  }
  assertVersion(current.version, expectedVersion)
  if (current.active === change.active) {
    throw new ProblemError('conflict', `Supplier ${current.name} is already ${current.active ? 'active' : 'deactivated'}`, { active: current.active })
  }
  const updated = await updateVersioned(db, 'suppliers', id, {
    active: change.active,
    deactivated_at: change.active ? null : new Date(),
    deactivated_by: change.active ? null : actor.sub,
    deactivation_reason: change.active ? null : change.reason,
  })
  await recordSupplierChange(db, context, change.active ? 'reactivated' : 'deactivated', current, updated)
  return presentSupplier(actor, updated)
}

export async function getSupplier(db: Kysely<DB>, actor: Actor, id: string): Promise<SupplierRecord> {
  const row = await repository.findSupplierRow(db, id, { officeId: visibleOffice(actor) })
  if (!row) throw notFound('Supplier', id)
  return presentSupplier(actor, row)
}

export async function listSuppliers(db: Kysely<DB>, actor: Actor, filter: SupplierListFilter): Promise<Page<SupplierRecord>> {
  return mapPage(await repository.listSuppliers(db, filter, { officeId: visibleOffice(actor) }), (row) => presentSupplier(actor, row))
}
