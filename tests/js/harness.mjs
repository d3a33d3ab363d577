// harness.mjs: what the JS client tests share. run() prints the "ok",
// "FAIL" and "SKIP" lines that tests/integration/lib/weir.sh's run_node
// counts; finish() prints the summary and sets the exit code. The helpers:
// assertions that compare through j() (bigints, Buffers and Maps printed
// readably), sleep, and until() to poll for a condition with a deadline.
export class Skip extends Error {}

let passed = 0, failed = 0, skipped = 0

export const j = (x) => JSON.stringify(x, (k, v) =>
  typeof v === 'bigint' ? v.toString() + 'n'
    : Buffer.isBuffer(v) ? v.toString('hex')
      : v instanceof Map ? Object.fromEntries(v)
        : v)
export const assert = (cond, msg) => { if (!cond) throw new Error('assertion failed: ' + msg) }
export const eq = (a, b, msg) => assert(j(a) === j(b), `${msg}: ${j(a)} != ${j(b)}`)
export const sleep = (ms) => new Promise(r => setTimeout(r, ms))

// Polls cond (errors count as false) every 50 ms until it returns a truthy value.
export async function until (cond, what, ms = 60000) {
  const deadline = Date.now() + ms
  for (;;) {
    let v
    try { v = await cond() } catch (e) { v = false }
    if (v) return v
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what)
    await sleep(50)
  }
}

export async function run (name, fn) {
  const t0 = Date.now()
  try {
    await fn()
    passed++; console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`)
  } catch (e) {
    if (e instanceof Skip) { skipped++; console.log(`SKIP ${name}: ${e.message}`); return }
    failed++
    console.log(`FAIL ${name}: ${e.stack || e}`)
    if (e.errors) console.log('  nested errors: ' + j(e.errors.map(x => ({ message: x.message, code: x.code, apiId: x.apiId, response: x.response }))))
    if (e.cause) console.log('  cause: ' + (e.cause.stack || e.cause))
  }
}

export function finish (title) {
  console.log(`(node) ${title}: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''))
  process.exit(failed ? 1 : 0)
}
