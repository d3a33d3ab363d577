// test_txn_kafkajs.mjs: transactional producers in JavaScript, against a
// running broker (started by tests/integration/test_txn_kafkajs.sh).
//   kafkajs 2.2.4: InitProducerId v0-1, AddPartitionsToTxn/AddOffsetsToTxn
//   v0-1, EndTxn v0-1, TxnOffsetCommit v0-1: commit and abort read back with
//   kcat under read_committed and read_uncommitted, sendOffsets committing a
//   group's offset only with the transaction, a zombie fenced by a second
//   producer with the same transactionalId, and a kafkajs consumer
//   (read_committed by default) that sees only committed data.
//   @platformatic/kafka: the newest (flexible) versions of the same APIs:
//   beginTransaction / send / commit / abort, read back with kcat; and a
//   consume-transform-produce step per message with addConsumer/addOffset
//   (AddOffsetsToTxn, TxnOffsetCommit with the member's generation), one
//   transaction aborted and redone.
// Prints ok/FAIL lines and "(node) txn: N passed, N failed".
import { createRequire } from 'node:module'
import { assert, eq, finish, run, sleep } from './harness.mjs'
import { execFileSync } from 'node:child_process'

const require = createRequire(import.meta.url)
const { Kafka, logLevel } = require('kafkajs')
const pk = require('@platformatic/kafka')

const bootstrap = process.argv[2]
const kafka = new Kafka({ clientId: 'weir-txn-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 } })
const admin = kafka.admin()


// A whole partition read with kcat up to the end for the isolation level
// (the last stable offset under read_committed): ["offset value", ...].
function kcatRead (topic, partition, isolation) {
  const out = execFileSync('kcat', ['-b', bootstrap, '-C', '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q',
    '-X', `isolation.level=${isolation}`, '-f', '%o %s\\n'], { encoding: 'utf8', timeout: 60000 })
  return out.split('\n').filter(Boolean)
}
const values = (lines) => lines.map(l => l.split(' ')[1])

async function createTopic (topic, numPartitions = 1) {
  await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true })
}

const msgs = (tag, n, partitions = 1) => Array.from({ length: n }, (_, i) => ({ partition: i % partitions, value: `${tag}-${i}` }))

await admin.connect()

await run('kafkajs: transactions commit and abort (kcat read_committed / read_uncommitted)', async () => {
  await createTopic('kjs-txn', 2)
  const p = kafka.producer({ transactionalId: 'kjs-1', idempotent: true, maxInFlightRequests: 1 })
  await p.connect()
  const committed = [], aborted = []
  for (const [i, commit] of [true, false, true, false].entries()) {
    const tx = await p.transaction()
    const m = msgs(`t${i}${commit ? 'c' : 'a'}`, 6, 2)
    await tx.send({ topic: 'kjs-txn', acks: -1, messages: m })
    if (commit) { await tx.commit(); committed.push(...m) } else { await tx.abort(); aborted.push(...m) }
  }
  await p.disconnect()
  for (const part of [0, 1]) {
    const want = committed.filter(m => m.partition === part).map(m => m.value)
    const all = [...committed, ...aborted].filter(m => m.partition === part).map(m => m.value).sort()
    eq(values(kcatRead('kjs-txn', part, 'read_committed')), want, `partition ${part} read_committed`)
    const ru = kcatRead('kjs-txn', part, 'read_uncommitted')
    eq(values(ru).sort(), all, `partition ${part} read_uncommitted (data of both, no control records)`)
    const offs = await admin.fetchTopicOffsets('kjs-txn')
    eq(Number(offs.find(o => o.partition === part).high), ru.length + 4, `partition ${part}: data + one marker per transaction`)
  }
})

await run('kafkajs: sendOffsets commits the group offset only with the transaction', async () => {
  await createTopic('kjs-so-in')
  await createTopic('kjs-so-out')
  const fetchOffset = async () => {
    const r = await admin.fetchOffsets({ groupId: 'kjs-so-g', topics: ['kjs-so-in'] })
    return Number(r[0].partitions[0].offset)
  }
  const p = kafka.producer({ transactionalId: 'kjs-so', idempotent: true, maxInFlightRequests: 1 })
  await p.connect()
  const offsets = (o) => ({ consumerGroupId: 'kjs-so-g', topics: [{ topic: 'kjs-so-in', partitions: [{ partition: 0, offset: String(o) }] }] })
  let tx = await p.transaction()
  await tx.send({ topic: 'kjs-so-out', messages: [{ value: 'aborted' }] })
  await tx.sendOffsets(offsets(5))
  eq(await fetchOffset(), -1, 'no offset while the transaction is open')
  await tx.abort()
  eq(await fetchOffset(), -1, 'no offset after the abort')
  tx = await p.transaction()
  await tx.send({ topic: 'kjs-so-out', messages: [{ value: 'committed' }] })
  await tx.sendOffsets(offsets(7))
  await tx.commit()
  eq(await fetchOffset(), 7, 'the offset after the commit')
  await p.disconnect()
  eq(values(kcatRead('kjs-so-out', 0, 'read_committed')), ['committed'], 'output read_committed')
})

await run('kafkajs: a second producer with the same transactionalId fences the first', async () => {
  await createTopic('kjs-fence')
  const z = kafka.producer({ transactionalId: 'kjs-fence', idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } })
  await z.connect()
  const ztx = await z.transaction()
  await ztx.send({ topic: 'kjs-fence', messages: [{ value: 'zombie' }] })
  const p = kafka.producer({ transactionalId: 'kjs-fence', idempotent: true, maxInFlightRequests: 1 })
  await p.connect()
  const tx = await p.transaction() // kafkajs sends InitProducerId here: aborts the zombie's transaction, new epoch
  let err = null
  try { await ztx.commit() } catch (e) { err = e }
  assert(err, 'the zombie committed')
  const text = `${err.name} ${err.type} ${err.message}`
  assert(/FENCED|EPOCH/i.test(text), `the zombie's error names fencing: ${text}`)
  await tx.send({ topic: 'kjs-fence', messages: [{ value: 'new' }] })
  await tx.commit()
  eq(values(kcatRead('kjs-fence', 0, 'read_committed')), ['new'], 'read_committed sees only the new instance')
  await p.disconnect()
  await z.disconnect().catch(() => {})
})

await run('kafkajs: consumer (read_committed default) sees only committed transactions', async () => {
  await createTopic('kjs-rc')
  const p = kafka.producer({ transactionalId: 'kjs-rc', idempotent: true, maxInFlightRequests: 1 })
  await p.connect()
  for (const [i, commit] of [false, true, false, true].entries()) {
    const tx = await p.transaction()
    await tx.send({ topic: 'kjs-rc', messages: msgs(`r${i}`, 3) })
    if (commit) await tx.commit(); else await tx.abort()
  }
  await p.disconnect()
  const c = kafka.consumer({ groupId: 'kjs-rc-g', maxWaitTimeInMs: 100 })
  await c.connect()
  await c.subscribe({ topics: ['kjs-rc'], fromBeginning: true })
  const seen = []
  await c.run({ eachMessage: async ({ message }) => { seen.push(message.value.toString()) } })
  const deadline = Date.now() + 30000
  while (seen.length < 6 && Date.now() < deadline) await sleep(50)
  await c.disconnect()
  eq(seen, ['r1-0', 'r1-1', 'r1-2', 'r3-0', 'r3-1', 'r3-2'], 'kafkajs read_committed consumer')
})

await run('@platformatic/kafka: transactions commit and abort (newest versions)', async () => {
  await createTopic('pk-txn', 2)
  const p = new pk.Producer({ clientId: 'weir-txn-pk', bootstrapBrokers: [bootstrap], idempotent: true, transactionalId: 'pk-1', acks: -1, autocreateTopics: false, retries: 5, retryDelay: 200 })
  const committed = [], aborted = []
  try {
    for (const [i, commit] of [true, false, true].entries()) {
      const tx = await p.beginTransaction()
      const m = msgs(`p${i}${commit ? 'c' : 'a'}`, 4, 2).map(x => ({ ...x, topic: 'pk-txn', value: Buffer.from(x.value) }))
      await tx.send({ messages: m })
      if (commit) { await tx.commit(); committed.push(...m) } else { await tx.abort(); aborted.push(...m) }
    }
  } finally {
    await p.close()
  }
  for (const part of [0, 1]) {
    eq(values(kcatRead('pk-txn', part, 'read_committed')), committed.filter(m => m.partition === part).map(m => m.value.toString()),
      `partition ${part} read_committed`)
    eq(values(kcatRead('pk-txn', part, 'read_uncommitted')).sort(),
      [...committed, ...aborted].filter(m => m.partition === part).map(m => m.value.toString()).sort(), `partition ${part} read_uncommitted`)
  }
})

await run('@platformatic/kafka: consume-transform-produce with addConsumer/addOffset (TxnOffsetCommit, newest versions)', async () => {
  await createTopic('pk-ctp-in')
  await createTopic('pk-ctp-out')
  const base = { clientId: 'weir-txn-pk', bootstrapBrokers: [bootstrap], retries: 5, retryDelay: 200 }
  const plain = new pk.Producer({ ...base, acks: -1, autocreateTopics: false })
  await plain.send({ messages: Array.from({ length: 10 }, (_, i) => ({ topic: 'pk-ctp-in', partition: 0, value: Buffer.from('in-' + i) })) })
  await plain.close()
  const p = new pk.Producer({ ...base, idempotent: true, transactionalId: 'pk-ctp', acks: -1, autocreateTopics: false })
  const c = new pk.Consumer({ ...base, groupId: 'pk-ctp-g', autocommit: false, sessionTimeout: 10000, heartbeatInterval: 500, maxWaitTime: 100 })
  try {
    const stream = await c.consume({ topics: ['pk-ctp-in'], mode: 'committed', fallbackMode: 'earliest', autocommit: false })
    let n = 0
    for await (const m of stream) {
      const out = { topic: 'pk-ctp-out', partition: 0, value: Buffer.from('out-' + m.value.toString()) }
      if (n === 5) { // once aborted, then redone: the abort must leave neither output nor offset
        const tx = await p.beginTransaction()
        await tx.send({ messages: [{ ...out, value: Buffer.from('aborted') }] })
        await tx.addConsumer(c)
        await tx.addOffset(m)
        await tx.abort()
      }
      const tx = await p.beginTransaction()
      await tx.send({ messages: [out] })
      await tx.addConsumer(c)
      await tx.addOffset(m)
      await tx.commit()
      if (++n === 10) break
    }
    await stream.close().catch(() => {})
  } finally {
    await c.close().catch(() => {})
    await p.close()
  }
  const padmin = new pk.Admin(base)
  try {
    const r = await padmin.listConsumerGroupOffsets({ groups: ['pk-ctp-g'] })
    const parts = r.find(x => x.groupId === 'pk-ctp-g').topics.flatMap(t => t.partitions)
    eq(parts.map(x => Number(x.committedOffset)), [10], 'the group committed offset 10 through the transactions')
  } finally {
    await padmin.close()
  }
  eq(values(kcatRead('pk-ctp-out', 0, 'read_committed')), Array.from({ length: 10 }, (_, i) => 'out-in-' + i), 'output read_committed')
  eq(values(kcatRead('pk-ctp-out', 0, 'read_uncommitted')).filter(v => v === 'aborted'), ['aborted'], 'the aborted record is in the log')
})

await admin.disconnect()
finish('txn')
