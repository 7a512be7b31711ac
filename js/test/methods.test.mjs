// One list of the client's members (js/src/methods.js), and every other
// list held to it: the snippet's stub, the Client class and the types. A
// member added in one place only fails here.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { METHODS, PROPERTIES, RECORDS, RUNS, CALLS, GETTERS } from '../src/methods.js'

const src = (path) => readFileSync(new URL(path, import.meta.url), 'utf8')
const sorted = (xs) => [...new Set(xs)].sort()

// block returns the text of the braces that open at the end of the line
// starting with head, up to the line that closes them.
function block(text, head) {
  const start = text.indexOf(head)
  assert.ok(start >= 0, `${head} not found`)
  const end = text.indexOf('\n}\n', start)
  return text.slice(start, end)
}

test('methods.js: each method is in one group, the runs are records', () => {
  assert.equal(METHODS.length, new Set(METHODS).size, 'no method in two groups')
  for (const m of RUNS) assert.ok(RECORDS.includes(m), m)
  assert.deepEqual(sorted([...RECORDS, ...CALLS, ...GETTERS]), sorted(METHODS))
})

test('the snippet\'s stub lists every method of the client, and no other', () => {
  const s = src('../src/snippet.js')
  const m = s.match(/\(('[a-zA-Z ]+'(?:\s*\+\s*'[a-zA-Z ]+')*)\)\.split\(' '\)/)
  assert.ok(m, 'the stub\'s list of methods')
  const listed = m[1].split('+').map((x) => x.trim().slice(1, -1)).join('').split(' ')
  assert.deepEqual(sorted(listed), sorted(METHODS))
  assert.equal(listed.length, METHODS.length, 'each once')
})

test('the Client class has every method and property, and no other public one', () => {
  const c = block(src('../src/client.js'), 'export class Client {')
  const methods = [...c.matchAll(/^ {2}([a-zA-Z]\w*)\(/gm)].map((x) => x[1]).filter((n) => n !== 'constructor')
  const getters = [...c.matchAll(/^ {2}get ([a-zA-Z]\w*)\(/gm)].map((x) => x[1])
  const fields = [...c.matchAll(/^ {4}this\.([a-zA-Z]\w*) = /gm)].map((x) => x[1])
  const chain = ['then', 'catch', 'finally'] // the client chains like a Promise (not on ReadyClient)
  assert.deepEqual(sorted(methods.filter((n) => !chain.includes(n))), sorted(METHODS))
  assert.deepEqual(sorted([...getters, ...fields]), sorted(PROPERTIES))
})

test('exponea.d.ts: ReadyClient has every method and property, and no other', () => {
  const r = block(src('../exponea.d.ts'), 'export interface ReadyClient {')
  const members = [...r.matchAll(/^ {2}(?:readonly )?([a-zA-Z]\w*)[(:?<]/gm)].map((x) => x[1])
  assert.deepEqual(sorted(members), sorted([...METHODS, ...PROPERTIES]))
})

test('the bridge and the snippet\'s adoption take their lists from methods.js', () => {
  for (const file of ['../src/bridge.js', '../src/snippet-adopt.js']) {
    const s = src(file)
    assert.match(s, /from '\.\/methods\.js'/, file)
    // A list by hand: two method names in a row.
    const pairs = [...s.matchAll(/'(\w+)',\s*'(\w+)'/g)].filter(([, a, b]) => METHODS.includes(a) && METHODS.includes(b))
    assert.deepEqual(pairs.map((x) => x[0]), [], `${file} lists methods by hand`)
  }
})
