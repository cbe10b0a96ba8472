import { UUID_PATTERN } from '../../shared/ids.js'
import { hasRole, isPartnerOnly, type Actor } from '../../shared/roles.js'
import type { SupplierRow } from './repository.js'
import { pick } from '../../shared/objects.js'
import type { SupplierRecord } from './schemas.js'

const NO_OFFICE = '00000000-0000-0000-0000-000000000000'

/** The office a partner-only actor is limited to (a malformed office id matches nothing); undefined for staff, who see every supplier. */
export function visibleOffice(actor: Actor): string | undefined {
  if (!isPartnerOnly(actor)) return undefined
  return actor.officeId !== null && UUID_PATTERN.test(actor.officeId) ? actor.officeId : NO_OFFICE
}

/** Bank details are for those who pay the supplier: finance, and the partner office that registered it. */
export function maySeeBankDetails(actor: Actor, supplier: Pick<SupplierRow, 'office_id'>): boolean {
  return hasRole(actor, 'finance') || (actor.roles.includes('partner') && actor.officeId === supplier.office_id)
}

/** The supplier as the actor may see it: every response shape goes through here, so bank details never leak. */
export function presentSupplier(actor: Actor, row: SupplierRow): SupplierRecord {
  const visible = maySeeBankDetails(actor, row)
  return {
    ...pick(row, ['id', 'office_id', 'country', 'name', 'registration_number', 'address', 'contact']),
    bank_details: visible ? row.bank_details : null,
    bank_details_visible: visible,
    has_bank_details: row.bank_details !== null,
    active: row.active,
    deactivation:
      row.active || row.deactivated_at === null
        ? null
        : { deactivated_by: row.deactivated_by ?? '', deactivated_at: row.deactivated_at.toISOString(), reason: row.deactivation_reason ?? '' },
    created_by: row.created_by,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}
