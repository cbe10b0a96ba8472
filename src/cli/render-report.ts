import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { buildApp } from '../app.js'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'
import { migrateToLatest } from '../db/migrator.js'
import { findProjectByCode } from '../modules/projects/index.js'
import { seedAll } from './seed.js'

const USAGE = 'usage: npm run report:render -- [--project <code>] [--out docs/donor-report.png] [--chromium chromium]'

/**
 * Renders a project's donor report (`Accept: text/html`) in headless Chromium and writes a PNG
 * screenshot: proof that the page and its inline SVG charts render in a real browser. Seeds the
 * database first when the project is missing (`npm run seed`).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { project: { type: 'string', default: 'LT-AVRR-VULN-2021' }, out: { type: 'string', default: 'docs/donor-report.png' }, chromium: { type: 'string', default: 'chromium' } },
  })
  if (!values.project || !values.out || !values.chromium) throw new Error(USAGE)
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' })
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, poolSize: 4, dataDir: config.DATA_DIR })
  const work = mkdtempSync(path.join(tmpdir(), 'donor-report-'))
  try {
    await migrateToLatest(database.db)
    if (!(await findProjectByCode(database.db, values.project))) await seedAll(database.db)
    const project = await findProjectByCode(database.db, values.project)
    if (!project) throw new Error(`no project ${values.project}`)
    const app = await buildApp({ config, db: database.db, databaseKind: database.kind })
    const response = await app.inject({
      method: 'GET',
      url: `/v1/projects/${project.id}/report`,
      headers: { accept: 'text/html', authorization: `Bearer ${app.jwt.sign({ sub: 'report-renderer', roles: ['auditor'] })}` },
    })
    await app.close()
    if (response.statusCode !== 200) throw new Error(`the report answered ${response.statusCode}: ${response.body}`)
    const page = path.join(work, 'report.html')
    writeFileSync(page, response.body)
    const out = path.resolve(values.out)
    execFileSync(values.chromium, [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
      '--hide-scrollbars',
      `--user-data-dir=${path.join(work, 'profile')}`,
      '--window-size=960,2600',
      `--screenshot=${out}`,
      `file://${page}`,
    ], { stdio: 'inherit', timeout: 120_000 })
    const size = statSync(out).size
    if (size < 10_000) throw new Error(`the screenshot ${out} is only ${size} bytes: the page did not render`)
    console.log(`rendered ${values.project}'s donor report to ${out} (${size} bytes)`)
  } finally {
    rmSync(work, { recursive: true, force: true })
    await database.close()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
