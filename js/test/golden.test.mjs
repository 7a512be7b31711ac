// The loader's copy of the tracker's rules (js/src/rules.js) against the
// golden cases internal/tracker writes from what the Go code does
// (js/test/golden/tracker.json; `make generate` rewrites it).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { checkConfig, Builder } from '../src/rules.js'

const golden = JSON.parse(readFileSync(new URL('./golden/tracker.json', import.meta.url), 'utf8'))
const expand = (s) => s.replace(/REPEAT\((.),(\d+)\)/g, (_, c, n) => c.repeat(Number(n)))

const outcome = (fn) => {
  try {
    return { ok: fn() }
  } catch (e) {
    if (!(e instanceof TypeError || e instanceof RangeError)) throw e
    return { error: { class: e.constructor.name, message: e.message } }
  }
}

test('configure: the same errors as the Go side, and the same values kept', () => {
  for (const c of golden.configs) {
    const got = outcome(() => checkConfig(JSON.parse(expand(c.config))))
    if (c.want.error) {
      assert.deepEqual(got.error, c.want.error, c.config.slice(0, 200))
      continue
    }
    assert.ok(got.ok, `${c.config.slice(0, 200)}: ${JSON.stringify(got.error)}`)
    assert.deepEqual({
      dbName: got.ok.dbName, flushMode: got.ok.flushMode, flushPeriodMs: got.ok.flushPeriodMs,
      allowDefaultCustomerProperties: got.ok.allowDefaultCustomerProperties, defaultProperties: got.ok.defaultProperties,
      consent: got.ok.consent, debug: got.ok.debug,
    }, c.want, c.config.slice(0, 200))
  }
})

test('commands: the same bytes as the Go side for every call, or the same error', () => {
  let n = 0
  for (const c of golden.commands) {
    const b = new Builder(c)
    c.calls.forEach((call, i) => {
      const want = c.want[i]
      const got = outcome(() => b.build({ ...call, args: expand(call.args) }))
      const what = `${c.name} #${i}: ${call.args.slice(0, 120)}`
      if (want.error) return assert.deepEqual(got.error, want.error, what)
      assert.ok(got.ok !== undefined, `${what}: ${JSON.stringify(got.error)}`)
      if (want.body) assert.equal(got.ok, want.body, what)
      else {
        assert.equal(Buffer.byteLength(got.ok), want.bodyBytes, what)
        assert.equal(createHash('sha256').update(got.ok).digest('hex'), want.bodySha256, what)
      }
      n++
    })
  }
  assert.ok(n > 20, `only ${n} commands checked`)
})
