import type { InjectOptions, LightMyRequestResponse } from 'fastify'

/** Fixtures for tests of any module that needs a project and budget lines (through the API, as a client would). */

type Caller = (options: InjectOptions) => Promise<LightMyRequestResponse>

export const EUR = (amount_minor: number) => ({ amount_minor, currency: 'EUR' })

let codes = 0

export function projectBody(overrides: Record<string, unknown> = {}) {
  codes += 1
  return {
    code: `P-${process.pid}-${codes}`,
    title: 'Reintegration assistance for migrants returning voluntarily from Lithuania',
    starts_on: '2010-07-01',
    ends_on: '2011-06-30',
    total: EUR(3803700),
    co_funders: [
      { name: 'European Union', share_bp: 7500 },
      { name: 'State budget of Lithuania', share_bp: 2500 },
    ],
    ...overrides,
  }
}

export interface ProjectFixture {
  id: string
  version: number
  lines: Record<string, { id: string; category: string }>
}

/**
 * Creates a project through the API (as admin or finance), adds the given lines, and
 * activates it unless `activate: false`. Lines are `{ name: [category, allocated minor units] }`.
 */
export async function createProjectWithLines(
  caller: Caller,
  lines: Record<string, [string, number]>,
  options: { project?: Record<string, unknown>; activate?: boolean } = {},
): Promise<ProjectFixture> {
  const created = await caller({ method: 'POST', url: '/v1/projects', payload: projectBody(options.project) })
  if (created.statusCode !== 201) throw new Error(`project not created: ${created.body}`)
  const project = created.json() as { id: string; version: number; total: { currency: string } }
  const result: ProjectFixture = { id: project.id, version: project.version, lines: {} }
  for (const [name, [category, allocated]] of Object.entries(lines)) {
    const line = await caller({
      method: 'POST',
      url: `/v1/projects/${project.id}/budget-lines`,
      payload: { category, name, allocated: { amount_minor: allocated, currency: project.total.currency } },
    })
    if (line.statusCode !== 201) throw new Error(`line ${name} not created: ${line.body}`)
    result.lines[name] = { id: line.json().id, category }
  }
  if (options.activate !== false) {
    const activated = await caller({ method: 'POST', url: `/v1/projects/${project.id}:activate` })
    if (activated.statusCode !== 200) throw new Error(`project not activated: ${activated.body}`)
    result.version = activated.json().version
  }
  return result
}
