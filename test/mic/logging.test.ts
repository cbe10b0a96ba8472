import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { loggerOptions } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { TEST_ENV } from '../helpers/app.js'

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  return { stream, lines }
}

t.test('the service\'s logger redacts e-mail, phone and address, at the top of a logged object or in a contact', async (t) => {
  const config = loadConfig({ ...TEST_ENV, LOG_LEVEL: 'info' })
  const { stream, lines } = capture()
  const log = pino(loggerOptions(config) as pino.LoggerOptions, stream)
  log.info({ enquirer: { email: 'ona@example.org', phone: '+442079460958', address: '12 Baker Street', residence_country: 'GB' } }, 'flat')
  log.info({ body: { contact: { email: 'ona@example.org', phone: '+442079460958', address: '12 Baker Street' }, residence_country: 'GB' } }, 'nested')
  t.equal(lines.length, 2)
  for (const line of lines) {
    t.notMatch(line, /ona@example\.org|2079460958|Baker/, 'the values are redacted')
    t.match(line, /\[redacted\]/)
    t.match(line, /"residence_country":"GB"/, 'other fields stay readable')
  }
})
