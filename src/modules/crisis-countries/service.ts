import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import { ProblemError, notFound, unprocessable } from '../../shared/problems.js'
import * as repository from './repository.js'
import type { CreateCrisisCountryInput, CrisisCountryRecord, UpdateCrisisCountryInput } from './schemas.js'

function assertPeriod(validFrom: string, validTo: string | null, pointer: string): void {
  if (validTo !== null && validTo < validFrom) throw unprocessable('A listing cannot end before it starts', [{ pointer, detail: 'must not be before valid_from' }])
}

/** Periods of one country and kind never overlap, so the listing that applies on a date is never ambiguous. */
async function assertNoOverlap(
  db: Kysely<DB>,
  listing: { country: string; kind: string; valid_from: string; valid_to: string | null },
  exceptId?: string,
): Promise<void> {
  const [clash] = await repository.overlappingListings(db, listing, exceptId)
  if (clash) {
    throw new ProblemError(
      'duplicate-resource',
      `${listing.country} is already listed as ${listing.kind} from ${clash.valid_from}${clash.valid_to ? ` to ${clash.valid_to}` : ''} (listing ${clash.id}); change that listing instead`,
      { existing_id: clash.id },
    )
  }
}

async function recordListingChange(db: Transaction<DB>, context: RequestContext, action: string, before: CrisisCountryRecord | null, after: CrisisCountryRecord): Promise<void> {
  await recordChange(db, context, { action: `crisis_country.${action}`, entityType: 'crisis_country', entityId: after.id, before, after, payload: after })
}

export async function createCrisisCountry(db: Transaction<DB>, context: RequestContext, input: CreateCrisisCountryInput): Promise<CrisisCountryRecord> {
  const validTo = input.valid_to ?? null
  assertPeriod(input.valid_from, validTo, '/body/valid_to')
  await repository.lockCountryListings(db, input.country)
  await assertNoOverlap(db, { country: input.country, kind: input.kind, valid_from: input.valid_from, valid_to: validTo })
  const row = await db
    .insertInto('crisis_countries')
    .values({
      id: newId(),
      country: input.country,
      kind: input.kind,
      valid_from: input.valid_from,
      valid_to: validTo,
      source: input.source.trim(),
      notes: input.notes ?? null,
      created_by: context.actor.sub,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const record = repository.toCrisisCountry(row)
  await recordListingChange(db, context, 'listed', null, record)
  return record
}

export async function updateCrisisCountry(
  db: Transaction<DB>,
  context: RequestContext,
  id: string,
  expectedVersion: number | undefined,
  input: UpdateCrisisCountryInput,
): Promise<CrisisCountryRecord> {
  const found = await repository.findCrisisCountry(db, id)
  if (!found) throw notFound('Crisis-country listing', id)
  await repository.lockCountryListings(db, found.country)
  const current = (await repository.findCrisisCountry(db, id, { forUpdate: true })) as repository.CrisisCountryRow
  assertVersion(current.version, expectedVersion)
  const merged = {
    country: current.country,
    kind: input.kind ?? current.kind,
    valid_from: input.valid_from ?? current.valid_from,
    valid_to: input.valid_to !== undefined ? input.valid_to : current.valid_to,
  }
  assertPeriod(merged.valid_from, merged.valid_to, input.valid_to !== undefined ? '/body/valid_to' : '/body/valid_from')
  await assertNoOverlap(db, merged, id)
  const row = await db
    .updateTable('crisis_countries')
    .set((eb) => ({
      kind: merged.kind,
      valid_from: merged.valid_from,
      valid_to: merged.valid_to,
      ...(input.source !== undefined ? { source: input.source.trim() } : {}),
      ...(input.notes !== undefined ? { notes: input.notes } : {}),
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const record = repository.toCrisisCountry(row)
  await recordListingChange(db, context, 'updated', repository.toCrisisCountry(current), record)
  return record
}

export async function getCrisisCountry(db: Kysely<DB>, id: string): Promise<CrisisCountryRecord> {
  const row = await repository.findCrisisCountry(db, id)
  if (!row) throw notFound('Crisis-country listing', id)
  return repository.toCrisisCountry(row)
}
