// test_kafkajs.mjs: kafkajs 2.2.4 against a running broker (started by
// tests/integration/test_kafkajs.sh, which passes the bootstrap address).
// Producer (keys, headers, timestamps, several partitions, acks -1/1, gzip) and
// admin (createTopics, fetchTopicMetadata, fetchTopicOffsets(+ByTimestamp),
// createPartitions, describe/alterConfigs, deleteTopics). The kafkajs consumer
// needs consumer groups (not served yet), so messages are read back with kcat.
// Prints ok/FAIL/SKIP lines and "kafkajs: N passed, N failed[, N skipped]".
import { createRequire } from 'node:module'
import { Skip, assert, eq, finish, run } from './harness.mjs'
import { execFileSync } from 'node:child_process'

const require = createRequire(import.meta.url)
const { Kafka, logLevel, CompressionTypes, ConfigResourceTypes } = require('kafkajs')

const bootstrap = process.argv[2]
const served = new Set((process.argv[3] || '').split(',').filter(Boolean).map(Number))
const kafka = new Kafka({ clientId: 'weir-kafkajs', brokers: [bootstrap], logLevel: logLevel.ERROR, retry: { retries: 3 } })
const API = { InitProducerId: 22, CreateTopics: 19, DeleteTopics: 20, DescribeConfigs: 32, AlterConfigs: 33, CreatePartitions: 37 }
const requireApi = (name) => { if (!served.has(API[name])) throw new Skip(`admin: ${name} not served yet`) }


// Reads a whole partition with kcat: [{offset, key, value, headers, ts}], values as hex.
function kcatRead (topic, partition) {
  const out = execFileSync('kcat', ['-b', bootstrap, '-C', '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q',
    '-m', '15', '-f', '%o\\t%k\\t%s\\t%h\\t%T\\n'], { encoding: 'utf8', timeout: 60000 })
  return out.split('\n').filter(Boolean).map(l => {
    const [offset, key, value, headers, ts] = l.split('\t')
    return { offset: Number(offset), key, value, headers, ts: Number(ts) }
  })
}

const BASE_TS = 1700000000000
function messages (n, partitions, tag) {
  return Array.from({ length: n }, (_, i) => ({
    partition: i % partitions,
    key: `${tag}-key-${i}`,
    value: `${tag} value ${i} ` + 'x'.repeat(i % 50),
    headers: { seq: String(i), tag },
    timestamp: String(BASE_TS + i * 100)
  }))
}

async function produceAndCheck (topic, partitions, n, sendOpts, producerOpts = {}) {
  const producer = kafka.producer({ allowAutoTopicCreation: true, idempotent: false, ...producerOpts })
  await producer.connect()
  try {
    const msgs = messages(n, partitions, topic)
    // in two sends, so offsets continue across requests
    const half = Math.floor(n / 2)
    const r1 = await producer.send({ topic, messages: msgs.slice(0, half), ...sendOpts })
    const r2 = await producer.send({ topic, messages: msgs.slice(half), ...sendOpts })
    for (const r of [...r1, ...r2]) eq(r.errorCode, 0, 'produce error code')
    for (let p = 0; p < partitions; p++) {
      const want = msgs.filter(m => m.partition === p)
      const got = kcatRead(topic, p)
      eq(got.length, want.length, `partition ${p} count`)
      got.forEach((g, i) => {
        const m = want[i]
        eq(g.offset, i, `partition ${p} offsets dense`)
        eq([g.key, g.value, g.headers, g.ts], [m.key, m.value, `seq=${m.headers.seq},tag=${topic}`, Number(m.timestamp)],
          `partition ${p} offset ${i}`)
      })
    }
  } finally {
    await producer.disconnect()
  }
}

const admin = kafka.admin()
await admin.connect()

await run('producer acks=-1, 3 partitions, headers, read back with kcat', async () => {
  if (served.has(API.CreateTopics)) {
    await admin.createTopics({ topics: [{ topic: 'js-all', numPartitions: 3 }], waitForLeaders: true })
  }
  await produceAndCheck('js-all', served.has(API.CreateTopics) ? 3 : 1, 150, { acks: -1 })
})

await run('producer acks=1 gzip', async () => {
  if (served.has(API.CreateTopics)) await admin.createTopics({ topics: [{ topic: 'js-gzip', numPartitions: 2 }] })
  await produceAndCheck('js-gzip', served.has(API.CreateTopics) ? 2 : 1, 80, { acks: 1, compression: CompressionTypes.GZIP })
})

await run('idempotent producer', async () => {
  requireApi('InitProducerId')
  await produceAndCheck('js-idem', 1, 60, { acks: -1 }, { idempotent: true, maxInFlightRequests: 1 })
})

await run('producer acks=0 then read back', async () => {
  const producer = kafka.producer({ allowAutoTopicCreation: true, idempotent: false })
  await producer.connect()
  try {
    await producer.send({ topic: 'js-acks0', acks: 0, messages: [{ partition: 0, value: 'a' }, { partition: 0, value: 'b' }] })
    // acks=0 gets no answer: poll kcat until both are there
    const deadline = Date.now() + 30000
    let got = []
    while (Date.now() < deadline) {
      got = kcatRead('js-acks0', 0)
      if (got.length >= 2) break
      await new Promise(r => setTimeout(r, 100))
    }
    eq(got.map(g => g.value), ['a', 'b'], 'acks=0 values')
  } finally { await producer.disconnect() }
})

await run('admin fetchTopicMetadata / fetchTopicOffsets / ByTimestamp', async () => {
  const md = await admin.fetchTopicMetadata({ topics: ['js-all'] })
  const t = md.topics[0]
  eq(t.name, 'js-all', 'name')
  const nparts = served.has(API.CreateTopics) ? 3 : 1
  eq(t.partitions.length, nparts, 'partition count')
  for (const p of t.partitions) { eq([p.leader, p.replicas, p.isr, p.partitionErrorCode], [0, [0], [0], 0], 'partition ' + p.partitionId) }
  const offs = (await admin.fetchTopicOffsets('js-all')).sort((a, b) => a.partition - b.partition)
  eq(offs.map(o => [o.partition, o.low, o.high, o.offset]),
    Array.from({ length: nparts }, (_, p) => [p, '0', String(150 / nparts), String(150 / nparts)]), 'offsets')
  // message i is in partition i % nparts at offset floor(i / nparts) with timestamp BASE_TS + 100 i
  const byTs = (await admin.fetchTopicOffsetsByTimestamp('js-all', BASE_TS + 100 * 30 + 1)).sort((a, b) => a.partition - b.partition)
  const want = Array.from({ length: nparts }, (_, p) => { let i = 31; while (i % nparts !== p) i++; return [p, String(Math.floor(i / nparts))] })
  eq(byTs.map(o => [o.partition, o.offset]), want, 'offsets by timestamp')
  const cl = await admin.describeCluster()
  eq([cl.brokers.length, cl.brokers[0].nodeId, cl.controller], [1, 0, 0], 'describeCluster')
})

await run('admin createTopics / listTopics / deleteTopics', async () => {
  requireApi('CreateTopics'); requireApi('DeleteTopics')
  const created = await admin.createTopics({ topics: [{ topic: 'js-adm', numPartitions: 2, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '60000' }] }] })
  eq(created, true, 'createTopics result')
  const again = await admin.createTopics({ topics: [{ topic: 'js-adm', numPartitions: 2 }] })
  eq(again, false, 'createTopics on an existing topic returns false')
  assert((await admin.listTopics()).includes('js-adm'), 'listed')
  let bad
  try { await admin.createTopics({ topics: [{ topic: 'js-rf', numPartitions: 1, replicationFactor: 3 }] }) } catch (e) { bad = e }
  assert(bad && /replication/i.test(String(bad.message) + JSON.stringify(bad.errors || [])), 'replication factor 3 rejected: ' + bad)
  // kafkajs would wait for leaders of a topic that validateOnly did not create (fails on Kafka too)
  await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'js-validate', numPartitions: 1 }] })
  assert(!(await admin.listTopics()).includes('js-validate'), 'validateOnly created nothing')
  await admin.deleteTopics({ topics: ['js-adm'] })
  const deadline = Date.now() + 30000
  while ((await admin.listTopics()).includes('js-adm')) {
    assert(Date.now() < deadline, 'js-adm still listed after deleteTopics')
    await new Promise(r => setTimeout(r, 100))
  }
})

await run('admin createPartitions', async () => {
  requireApi('CreateTopics'); requireApi('CreatePartitions')
  await admin.createTopics({ topics: [{ topic: 'js-grow', numPartitions: 1 }] })
  await admin.createPartitions({ topicPartitions: [{ topic: 'js-grow', count: 4 }] })
  const md = await admin.fetchTopicMetadata({ topics: ['js-grow'] })
  eq(md.topics[0].partitions.length, 4, 'partitions after createPartitions')
  await produceAndCheck('js-grow', 4, 20, { acks: -1 })
})

await run('admin describeConfigs / alterConfigs', async () => {
  requireApi('CreateTopics'); requireApi('DescribeConfigs'); requireApi('AlterConfigs')
  await admin.createTopics({ topics: [{ topic: 'js-cfg', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '123456' }] }] })
  const d = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'js-cfg' }], includeSynonyms: false })
  const entries = Object.fromEntries(d.resources[0].configEntries.map(e => [e.configName, e]))
  eq(entries['retention.ms'].configValue, '123456', 'retention.ms')
  eq(entries['retention.ms'].isDefault, false, 'retention.ms isDefault')
  assert(entries['segment.bytes'] && entries['cleanup.policy'].configValue === 'delete', 'defaults present')
  await admin.alterConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'js-cfg', configEntries: [{ name: 'retention.ms', value: '999' }, { name: 'segment.bytes', value: '1048576' }] }] })
  const d2 = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'js-cfg', configNames: ['retention.ms', 'segment.bytes'] }], includeSynonyms: false })
  const e2 = Object.fromEntries(d2.resources[0].configEntries.map(e => [e.configName, e.configValue]))
  eq(e2, { 'retention.ms': '999', 'segment.bytes': '1048576' }, 'after alterConfigs')
})

await admin.disconnect()
finish('kafkajs')
