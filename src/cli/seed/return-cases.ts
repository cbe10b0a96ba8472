import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import {
  createCase,
  createSession,
  findCaseByExternalReference,
  findCaseForActor,
  transitionCase,
  type ConsentInput,
  type CreateReturnCaseInput,
} from '../../modules/return-cases/index.js'
import { APPROVER, COUNSELLOR } from './actors.js'

/**
 * The 2010–2011 reintegration project of the seeds: four Georgian returnees (construction
 * tools for two, cows for cheese production for one, a clothing shop for one) and an Iraqi
 * family of two (an electrical-appliance shop). Names and dates of birth are invented.
 */

/**
 * The well-known ids of the first seed case (Giorgi Beridze, SEED-2010-GE-1) and of its principal
 * applicant: the spec's request examples name the member (ADR 0054).
 */
export const SEED_CASE_IDS = {
  case: '0193a0b4-3c4d-7e5f-8a6b-7c8d9e0f1a01',
  principal: '0193a0b4-4d5e-7f6a-8b7c-8d9e0f1a2b01',
} as const

interface SeedCase {
  input: Omit<CreateReturnCaseInput, 'office_id'> & { external_reference: string; intended_departure_on: string }
  session: { held_on: string; outcome: string; next_steps: string; interpreter_language: string }
  /** Well-known ids (of the case and of its members, in order), for the cases the spec's examples name. */
  ids?: { id: string; memberIds: string[] }
}

function consent(givenAt: string): ConsentInput {
  return { given_at: givenAt, given_by: 'principal applicant', scope: ['return_assistance', 'reintegration_assistance', 'data_sharing_with_partner_office'] }
}

const SEED_CASES: SeedCase[] = [
  {
    input: {
      external_reference: 'SEED-2010-GE-1',
      legal_status: 'irregular_stay',
      referral_source: 'self',
      country_of_return: 'GE',
      place_of_return: 'Kutaisi',
      intended_departure_on: '2010-09-15',
      consent: consent('2010-08-02T09:30:00Z'),
      members: [{ relationship: 'principal', given_name: 'Giorgi', family_name: 'Beridze', sex: 'male', date_of_birth: '1976-05-12', nationality: 'GE' }],
    },
    ids: { id: SEED_CASE_IDS.case, memberIds: [SEED_CASE_IDS.principal] },
    session: {
      held_on: '2010-08-16',
      interpreter_language: 'ka',
      outcome: 'Worked in construction before leaving; plans to take building work in Kutaisi and needs his own tools.',
      next_steps: 'Reintegration request: construction tools, supplied through IOM Tbilisi.',
    },
  },
  {
    input: {
      external_reference: 'SEED-2010-GE-2',
      legal_status: 'rejected_asylum_seeker',
      referral_source: 'migration_authority',
      country_of_return: 'GE',
      place_of_return: 'Rustavi',
      intended_departure_on: '2010-10-20',
      consent: consent('2010-09-06T11:00:00Z'),
      members: [{ relationship: 'principal', given_name: 'Levan', family_name: 'Kapanadze', sex: 'male', date_of_birth: '1981-11-03', nationality: 'GE' }],
    },
    session: {
      held_on: '2010-09-20',
      interpreter_language: 'ka',
      outcome: 'Skilled tiler; a relative in Rustavi offers work on building sites.',
      next_steps: 'Reintegration request: construction tools (tiling), supplied through IOM Tbilisi.',
    },
  },
  {
    input: {
      external_reference: 'SEED-2010-GE-3',
      legal_status: 'rejected_asylum_seeker',
      referral_source: 'reception_centre',
      country_of_return: 'GE',
      place_of_return: 'Telavi, Kakheti',
      intended_departure_on: '2010-11-18',
      consent: consent('2010-10-04T08:45:00Z'),
      members: [{ relationship: 'principal', given_name: 'Zurab', family_name: 'Gelashvili', sex: 'male', date_of_birth: '1969-02-27', nationality: 'GE' }],
    },
    session: {
      held_on: '2010-10-18',
      interpreter_language: 'ka',
      outcome: 'Family farm near Telavi; wants to produce and sell cheese.',
      next_steps: 'Reintegration request: dairy cows for cheese production, delivered through IOM Tbilisi.',
    },
  },
  {
    input: {
      external_reference: 'SEED-2011-GE-4',
      legal_status: 'irregular_stay',
      referral_source: 'ngo',
      country_of_return: 'GE',
      place_of_return: 'Tbilisi',
      intended_departure_on: '2011-02-10',
      consent: consent('2010-12-13T10:15:00Z'),
      members: [{ relationship: 'principal', given_name: 'Nino', family_name: 'Tsiklauri', sex: 'female', date_of_birth: '1985-07-08', nationality: 'GE' }],
    },
    session: {
      held_on: '2011-01-10',
      interpreter_language: 'ka',
      outcome: 'Worked in retail; has found premises for a small clothing shop in Tbilisi.',
      next_steps: 'Reintegration request: stock and fittings for a clothing shop, paid to suppliers through IOM Tbilisi.',
    },
  },
  {
    input: {
      external_reference: 'SEED-2011-IQ-1',
      legal_status: 'rejected_asylum_seeker',
      referral_source: 'migration_authority',
      country_of_return: 'IQ',
      place_of_return: 'Baghdad',
      intended_departure_on: '2011-04-12',
      consent: consent('2011-02-21T13:00:00Z'),
      members: [
        { relationship: 'principal', given_name: 'Ahmed', family_name: 'Al-Jabouri', sex: 'male', date_of_birth: '1972-01-15', nationality: 'IQ' },
        { relationship: 'spouse_partner', given_name: 'Zainab', family_name: 'Al-Jabouri', sex: 'female', date_of_birth: '1979-09-30', nationality: 'IQ' },
      ],
    },
    session: {
      held_on: '2011-03-07',
      interpreter_language: 'ar',
      outcome: 'The couple ran a repair business before leaving; they plan a small electrical-appliance shop in Baghdad.',
      next_steps: 'Reintegration request: shop stock and equipment, paid to suppliers through IOM Baghdad.',
    },
  },
]

export interface SeedReturnCasesOptions {
  countryOfficeId: string
  /** An active project covering 2010-07-01..2011-06-30: when given, the cases are approved with it. */
  projectId?: string | null
}

export interface SeededCase {
  id: string
  reference: string
  externalReference: string
  created: boolean
}

/**
 * Loads the seed cases through the service, so audit entries, history and outbox events exist
 * as for any case. Idempotent: a case whose external reference already exists is left alone.
 * Without a project the cases stop in counselling (approval needs a project).
 */
export async function seedReturnCases(db: Kysely<DB>, options: SeedReturnCasesOptions): Promise<SeededCase[]> {
  const seeded: SeededCase[] = []
  for (const seed of SEED_CASES) {
    const existing = await findCaseByExternalReference(db, seed.input.external_reference, options.countryOfficeId)
    if (existing) {
      seeded.push({ id: existing.id, reference: existing.reference, externalReference: seed.input.external_reference, created: false })
      continue
    }
    const created = await db.transaction().execute(async (trx) => {
      // Entered today, dated when it happened: the application date is the day consent was given.
      const appliedOn = seed.input.consent?.given_at.slice(0, 10)
      const { row } = await createCase(trx, COUNSELLOR, { applied_on: appliedOn, ...seed.input, office_id: options.countryOfficeId, project_id: options.projectId ?? undefined }, seed.ids)
      let current = await transitionCase(trx, COUNSELLOR, row, 'submit')
      current = await transitionCase(trx, COUNSELLOR, current, 'start_counselling')
      await createSession(trx, COUNSELLOR, current.id, { ...seed.session, mode: 'in_person', topics: ['return_process', 'reintegration_options'] })
      if (options.projectId) {
        current = await findCaseForActor(trx, APPROVER.actor, current.id, { forUpdate: true })
        current = await transitionCase(trx, APPROVER, current, 'approve', 'Seed: assisted under the 2010–2011 reintegration project')
      }
      return current
    })
    seeded.push({ id: created.id, reference: created.reference, externalReference: seed.input.external_reference, created: true })
  }
  return seeded
}
