// The documentation against what it points at and what it quotes:
// - every relative link in README.md and docs/*.md names a file that
//   exists, and an anchor that is a heading of the file it names;
// - the README's performance table holds the figures of the last
//   `make bench` (bench/results/latest.json), as report.mjs rounds them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs'
import { join, dirname, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

// prose drops fenced code blocks and inline code, where a [x](y) is not a link.
const prose = (md) => md.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '')

// anchors returns the ids GitHub gives a file's headings.
export function anchors(md) {
  const seen = new Map()
  const out = new Set()
  for (const m of md.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    let id = m[1].replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').trim().toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
    const n = seen.get(id) || 0
    seen.set(id, n + 1)
    if (n) id += `-${n}`
    out.add(id)
  }
  return out
}

// links returns the relative links of a markdown text: [text](target).
export function links(md) {
  return [...prose(md).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1])
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t))
}

test('the link checker reads what GitHub does', () => {
  assert.deepEqual([...anchors('# A `b` c\n## What "accepted" means\n```\n# not a heading\n```\n## A `b` c\n')], ['a-b-c', 'what-accepted-means', 'a-b-c-1'])
  assert.deepEqual(links('[a](x.md) [b](https://e.org) `[c](y.md)` [d](#e) [f](g.md#h "t")'), ['x.md', '#e', 'g.md#h'])
})

for (const doc of docs) {
  test(`${doc}: every relative link resolves`, () => {
    const md = readFileSync(join(root, doc), 'utf8')
    const found = links(md)
    const bad = []
    for (const link of found) {
      const [path, anchor] = link.split('#')
      const target = path ? join(root, dirname(doc), decodeURIComponent(path)) : join(root, doc)
      if (!existsSync(target)) {
        bad.push(`${link}: no ${relative(root, target)}`)
        continue
      }
      if (anchor != null && target.endsWith('.md') && statSync(target).isFile() && !anchors(readFileSync(target, 'utf8')).has(anchor)) {
        bad.push(`${link}: no heading #${anchor} in ${relative(root, target)}`)
      }
    }
    assert.deepEqual(bad, [])
    if (doc === 'README.md') assert.ok(found.length >= 10, `README.md: only ${found.length} relative links found`)
  })
}

// The README's performance table, row by row, against the bench report:
// the same columns report.mjs's summary gives, formatted as it formats them.
test('README.md: the performance table is the last make bench report (bench/results/latest.json)', () => {
  const json = JSON.parse(readFileSync(join(root, 'bench/results/latest.json'), 'utf8'))
  const md = readFileSync(join(root, 'README.md'), 'utf8')
  const section = md.split(/^## Performance$/m)[1].split(/^## /m)[0]
  const rows = section.split('\n').filter((l) => /^\| (?!SDK|---)/.test(l)).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()))
  assert.equal(rows.length, json.results.length, 'one row per SDK of the report')
  const num = (x, d) => (x == null ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }))
  const kb = (b) => (b == null ? '–' : (b / 1024).toFixed(1))
  for (const r of json.results) {
    const name = r.name === 'this' ? '**this (exponea-wasm)**' : r.name
    const row = rows.find((x) => x[0] === name)
    assert.ok(row, `no row for ${name}`)
    const want = [name, kb(r.brotli_bytes), num(r.ready_ms, 1), num(r.track_cpu_us, 1), num(r.track_total_us, 1), num(r.trickle_ms_per_event, 2), num(r.tab_rss_mb, 1)]
    // A figure the report marks as a lower bound (≥) keeps its mark.
    assert.deepEqual(row.map((c) => c.replace(/^≥ /, '')), want, `${name}: README row differs from bench/results/latest.json`)
  }
})
