import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { createConsultation, createEnquirer, findEnquirerByEmail, type CreateMicConsultationInput, type CreateMicEnquirerInput } from '../../modules/mic/index.js'
import { seedContext } from './actors.js'

/**
 * Demo clients of the Migration Information Centre: Lithuanians living abroad who come home or
 * think about it, on the topics the centre's page lists (social security, education, health
 * insurance, arriving family members who are not nationals). People and details are invented; the
 * institutions are the Lithuanian ones such questions go to. Consultation dates are counted back
 * from today, so the follow-up queue has something overdue and something due soon.
 */

const COUNSELLOR = seedContext('seed-mic-counsellor', ['counsellor'])
const DAY_MS = 86_400_000

function daysFromToday(days: number): string {
  return new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10)
}

type SeedReferral = Omit<NonNullable<CreateMicConsultationInput['referrals']>[number], 'referred_on'>

/** A consultation held `daysAgo` days before today; its referrals are made the same day. */
function heldDaysAgo(daysAgo: number, consultation: Omit<CreateMicConsultationInput, 'held_on' | 'referrals'> & { referrals: SeedReferral[] }): CreateMicConsultationInput {
  const heldOn = daysFromToday(-daysAgo)
  return { held_on: heldOn, ...consultation, referrals: consultation.referrals.map((referral) => ({ ...referral, referred_on: heldOn })) }
}

interface SeedEnquirer {
  enquirer: CreateMicEnquirerInput & { contact: { email: string } }
  consultations: CreateMicConsultationInput[]
}

const SEED_ENQUIRERS: SeedEnquirer[] = [
  {
    enquirer: {
      given_name: 'Ona',
      family_name: 'Petraitienė',
      contact: { email: 'ona.petraitiene@example.org', phone: '+44 20 7946 0958' },
      residence_country: 'GB',
      planned_return_on: '2027-06-30',
      household: [
        { given_name: 'James', family_name: 'Smith', relationship: 'spouse_partner', nationality: 'GB' },
        { given_name: 'Emily', family_name: 'Smith', relationship: 'child', nationality: 'GB', date_of_birth: '2015-04-09' },
      ],
      consent: { given_at: '2026-09-01T09:00:00Z', given_by: 'enquirer', scope: ['information_and_advice', 'referral_to_institutions', 'follow_up_contact', 'statistics'] },
    },
    consultations: [
      heldDaysAgo(40, {
        channel: 'online',
        topics: ['family_members_not_nationals', 'education'],
        question: 'Can my British husband and daughter live with me in Lithuania, and which school can my daughter attend?',
        information_given: 'Temporary residence permit for family members of a national; schools with English-language classes and Lithuanian language support for returning children.',
        referrals: [
          { institution: 'Migration Department', purpose: 'Temporary residence permits for the spouse and the child' },
          { institution: 'Vilnius city municipality, education department', purpose: 'School place for the daughter' },
        ],
        follow_up_on: daysFromToday(-5),
      }),
      heldDaysAgo(10, {
        channel: 'email',
        topics: ['social_security', 'health_insurance'],
        question: 'Will my years of work in the UK count for my pension, and when am I covered by health insurance after I return?',
        information_given: 'Coordination of social security between the UK and the EU; compulsory health insurance from the declaration of residence and the start of contributions.',
        referrals: [{ institution: 'State Social Insurance Fund Board (Sodra)', purpose: 'Recognition of insurance periods worked in the UK' }],
        follow_up_on: daysFromToday(3),
      }),
    ],
  },
  {
    enquirer: {
      given_name: 'Tomas',
      family_name: 'Kazlauskas',
      contact: { email: 'tomas.kazlauskas@example.org', address: 'Storgata 12, 0155 Oslo' },
      residence_country: 'NO',
      planned_return_on: null,
      household: [],
      consent: { given_at: '2026-10-12T14:00:00Z', given_by: 'enquirer', scope: ['information_and_advice', 'statistics'] },
    },
    consultations: [
      heldDaysAgo(25, {
        channel: 'phone',
        topics: ['employment', 'social_security'],
        question: 'I am thinking of coming back: how do I register as a job seeker, and are Norwegian unemployment benefits paid in Lithuania?',
        information_given: 'Registration with the Employment Service after declaring residence; export of unemployment benefits with the portable document U2 for up to three months.',
        referrals: [{ institution: 'Employment Service under the Ministry of Social Security and Labour', purpose: 'Registration as a job seeker' }],
      }),
    ],
  },
  {
    enquirer: {
      given_name: 'Rasa',
      family_name: 'Žukauskienė',
      contact: { email: 'rasa.zukauskiene@example.org', phone: '+353 1 234 5678' },
      residence_country: 'IE',
      planned_return_on: daysFromToday(60),
      household: [{ given_name: 'Olena', family_name: 'Koval', relationship: 'other_relative', nationality: 'UA' }],
      consent: { given_at: '2026-11-02T10:30:00Z', given_by: 'enquirer', scope: ['information_and_advice', 'follow_up_contact'] },
    },
    consultations: [
      heldDaysAgo(3, {
        channel: 'in_person',
        topics: ['family_members_not_nationals', 'other'],
        question: 'My Ukrainian relative lives with us in Ireland under temporary protection: can she come to Lithuania with us?',
        information_given: 'Temporary protection is granted in the EU member state of residence; explained how to apply for it in Lithuania on arrival.',
        referrals: [],
        follow_up_on: daysFromToday(10),
      }),
    ],
  },
]

export interface SeededEnquirer {
  id: string
  email: string
  created: boolean
}

/** The demo enquirers (found by e-mail, created with their consultations when missing). */
export async function seedMigrationInformationCentre(db: Kysely<DB>): Promise<SeededEnquirer[]> {
  const seeded: SeededEnquirer[] = []
  for (const seed of SEED_ENQUIRERS) {
    const email = seed.enquirer.contact.email
    const existing = await findEnquirerByEmail(db, email)
    if (existing) {
      seeded.push({ id: existing.id, email, created: false })
      continue
    }
    const created = await db.transaction().execute(async (trx) => {
      const enquirer = await createEnquirer(trx, COUNSELLOR, seed.enquirer)
      for (const consultation of seed.consultations) await createConsultation(trx, COUNSELLOR, enquirer.id, consultation)
      return enquirer
    })
    seeded.push({ id: created.id, email, created: true })
  }
  return seeded
}
