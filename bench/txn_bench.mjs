// txn_bench.mjs: transactional against idempotent produce throughput with the
// two pure-JS clients the tests use (kafkajs 2.2.4, @platformatic/kafka
// 1.35.0); the JS counterpart of bench/txn_bench.c (librdkafka).
//
//   node bench/txn_bench.mjs kafkajs|platformatic idempotent|transactional \
//        -b HOST:PORT -t TOPIC [-n N] [-s SIZE] [-x TXN_SIZE] [-i TXN_ID] [-m]
//
// The one thing to know first: neither client has a background batching
// queue like librdkafka's, so the unit of work is one send() call. Both modes
// make the same calls: send() of TXN_SIZE keyless messages (one static
// payload of SIZE bytes, round-robin over the topic's partitions, so one
// Produce request per call carrying every partition), acks=all, idempotent
// producer, no compression. transactional wraps each call in begin / send /
// commit; idempotent makes the same calls back to back. The clock runs from
// the first send to the last acknowledgement (idempotent) or the last commit
// (transactional); a warm-up (connect, metadata, InitProducerId, one message
// or one one-message transaction) runs before it. The topic must exist
// (created by the caller). Prints one "RESULT" line of key=value pairs on
// stdout in txn_bench.c's format plus client=; notes go to stderr.
//
// In flight, idempotent mode:
//   kafkajs: up to KJS_WINDOW send() calls outstanding. kafkajs requires
//     maxInFlightRequests=1 for idempotence and serialises Produce requests
//     per broker with a lock held from sequence assignment to the response,
//     so still one Produce request on the wire at a time; the window only lets
//     the next call be partitioned while the previous one is on the wire.
//   platformatic: one send() at a time. The client forces maxInflights=1 for
//     an idempotent producer and reads the partition's sequence number when it
//     encodes a request but advances it only when the response arrives, so two
//     calls outstanding would reuse sequence numbers (a duplicate-sequence
//     error from the broker).
// Transactional mode: one send() per transaction in both clients (kafkajs
// sends AddPartitionsToTxn inside the same per-broker lock before the
// Produce; platformatic sends it before the Produce when the transaction
// meets a partition first).
//
// -m: the peer is librdkafka 2.0.2's mock cluster (build/mock_broker). Its
// Metadata response names controller 0, a node that does not exist (its
// brokers are 1..N), and kafkajs's producer connect() sends its InitProducerId
// to the controller, so it fails with "Broker 0 not found in the cached
// metadata". -m lets kafkajs fall back to the first listed broker when the
// controller is missing (non-transactional InitProducerId may go to any
// broker), and lets it ask for the topic to be created (the mock makes it
// with 4 partitions, as for txn_bench.c's runs on it). @platformatic/kafka cannot run against that mock at all: it needs
// ApiVersions v3+, Metadata v9+, FindCoordinator v4+, AddPartitionsToTxn and
// EndTxn v3+, and the mock offers at most v2, v2, v2, v1 and v1.
import { createRequire } from 'node:module'

const require = createRequire(new URL('../tests/js/package.json', import.meta.url))
const KJS_WINDOW = 4

function die (what, detail) {
  process.stderr.write(`txn_bench.mjs: ${what}: ${detail}\n`)
  process.exit(1)
}

// A client error with whatever the client attached (kafkajs: type, code,
// retriable, cause; platformatic: code, errors[], apiId, response).
function describe (e) {
  if (!e || typeof e !== 'object') return String(e)
  const parts = [`${e.name || 'Error'}: ${e.message}`]
  for (const k of ['type', 'code', 'apiId', 'apiKey', 'retriable', 'broker']) if (e[k] !== undefined) parts.push(`${k}=${e[k]}`)
  if (e.response) parts.push(`response=${JSON.stringify(e.response, (_, v) => typeof v === 'bigint' ? v.toString() : v)}`)
  if (Array.isArray(e.errors)) for (const sub of e.errors) parts.push(`[${describe(sub)}]`)
  if (e.cause) parts.push(`cause: ${describe(e.cause)}`)
  return parts.join(' ')
}

const usage = 'txn_bench.mjs kafkajs|platformatic idempotent|transactional -b HOST:PORT -t TOPIC [-n N] [-s SIZE] [-x TXN_SIZE] [-i TXN_ID] [-m]'
const [client, mode, ...rest] = process.argv.slice(2)
const opt = { b: null, t: null, n: 1000000, s: 100, x: 1000, i: 'txn-bench-js', m: false }
for (let k = 0; k < rest.length; k++) {
  const key = rest[k].replace(/^-/, '')
  if (!(key in opt) || rest[k][0] !== '-') die('unknown option', rest[k])
  if (key === 'm') { opt.m = true; continue }
  if (k + 1 >= rest.length) die('usage', usage)
  opt[key] = ['n', 's', 'x'].includes(key) ? Number(rest[k + 1]) : rest[k + 1]
  k++
}
const txn = mode === 'transactional'
if (!['kafkajs', 'platformatic'].includes(client) || (!txn && mode !== 'idempotent') || !opt.b || !opt.t ||
    !(opt.n > 0) || !(opt.s > 0) || !(opt.x > 0)) die('usage', usage)
const { b: broker, t: topic, n: N, s: SIZE, x: TXN_SIZE } = opt

const payload = Buffer.alloc(SIZE)
for (let k = 0; k < SIZE; k++) payload[k] = 97 + k % 26

// Each client's producer behind one small interface: start() connects and
// initialises, send(msgs) resolves once acknowledged, begin() / commit() wrap
// a transaction, stop() disconnects. msgs(count) builds the message array.
async function kafkajsProducer () {
  const { Kafka, logLevel, Partitioners, CompressionTypes } = require('kafkajs')
  if (opt.m) { // see -m at the top of the file
    const Cluster = require('kafkajs/src/cluster')
    const findController = Cluster.prototype.findControllerBroker
    Cluster.prototype.findControllerBroker = async function () {
      try {
        return await findController.call(this)
      } catch (e) {
        const first = this.brokerPool.metadata?.brokers?.[0]
        if (e.name !== 'KafkaJSBrokerNotFound' || !first) throw e
        return this.findBroker({ nodeId: first.nodeId })
      }
    }
  }
  const kafka = new Kafka({ clientId: 'txn-bench-kafkajs', brokers: [broker], logLevel: logLevel.ERROR })
  const p = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    transactionalId: txn ? opt.i : undefined,
    allowAutoTopicCreation: opt.m, // see -m
    createPartitioner: Partitioners.DefaultPartitioner // keyless: round robin per message
  })
  let tx = null
  return {
    window: KJS_WINDOW,
    msgs: (count) => Array.from({ length: count }, () => ({ value: payload })),
    start: () => p.connect(),
    send: (messages) => (tx || p).send({ topic, acks: -1, compression: CompressionTypes.None, timeout: 30000, messages }),
    begin: async () => { tx = await p.transaction() },
    commit: async () => { await tx.commit(); tx = null },
    stop: () => p.disconnect()
  }
}

async function platformaticProducer () {
  const { Producer } = require('@platformatic/kafka')
  const p = new Producer({
    clientId: 'txn-bench-platformatic',
    bootstrapBrokers: [broker],
    idempotent: true, // forces maxInflights=1 and acks=-1
    transactionalId: txn ? opt.i : undefined,
    acks: -1,
    compression: 'none',
    autocreateTopics: false,
    timeout: 30000
  })
  let tx = null
  return {
    window: 1,
    msgs: (count) => Array.from({ length: count }, () => ({ topic, value: payload })), // no partition: round robin
    start: async () => {},
    send: (messages) => (tx || p).send({ messages }),
    begin: async () => { tx = await p.beginTransaction() },
    commit: async () => { await tx.commit(); tx = null },
    stop: () => p.close()
  }
}

const prod = client === 'kafkajs' ? await kafkajsProducer() : await platformaticProducer()
const full = prod.msgs(TXN_SIZE)
const batchOf = (count) => count === TXN_SIZE ? full : full.slice(0, count)
let phase = 'connect'
let delivered = 0
let errors = 0
let firstError = null

try {
  // warm-up, outside the clock
  await prod.start()
  phase = 'warm-up'
  if (txn) await prod.begin()
  await prod.send(prod.msgs(1))
  if (txn) await prod.commit()
} catch (e) {
  die(`${client} ${mode} ${phase}`, describe(e))
}

const ntxn = Math.ceil(N / TXN_SIZE)
const commitNs = []
const t0 = process.hrtime.bigint()
if (txn) {
  let sent = 0
  for (let k = 0; k < ntxn; k++) {
    const count = Math.min(TXN_SIZE, N - sent)
    try {
      phase = 'begin transaction'
      await prod.begin()
      phase = 'send in transaction'
      await prod.send(batchOf(count))
      phase = 'commit'
      const tc = process.hrtime.bigint()
      await prod.commit()
      commitNs.push(Number(process.hrtime.bigint() - tc))
    } catch (e) {
      die(`${client} ${mode} ${phase} (transaction ${k + 1} of ${ntxn})`, describe(e))
    }
    delivered += count
    sent += count
  }
} else {
  // up to prod.window send() calls outstanding (see the top of the file)
  let sent = 0
  const pending = new Set()
  while (sent < N || pending.size) {
    while (sent < N && pending.size < prod.window) {
      const count = Math.min(TXN_SIZE, N - sent)
      sent += count
      const s = prod.send(batchOf(count)).then(
        () => { delivered += count },
        (e) => { errors += count; firstError ??= e }
      ).finally(() => pending.delete(s))
      pending.add(s)
    }
    await Promise.race(pending)
  }
}
const t1 = process.hrtime.bigint()
const secs = Number(t1 - t0) / 1e9
if (errors) process.stderr.write(`txn_bench.mjs: ${errors} messages not delivered, first error: ${describe(firstError)}\n`)

let line = `RESULT client=${client} mode=${mode} msgs=${N} size=${SIZE} delivered=${delivered} errors=${errors}` +
  ` secs=${secs.toFixed(3)} msgs_per_s=${(delivered / secs).toFixed(0)} mb_per_s=${(delivered * SIZE / secs / 1e6).toFixed(1)}`
if (txn) {
  commitNs.sort((a, b) => a - b)
  const p99 = Math.min(Math.floor(ntxn * 99 / 100), ntxn - 1)
  line += ` txn_size=${TXN_SIZE} txns=${ntxn} txns_per_s=${(ntxn / secs).toFixed(0)}` +
    ` commit_p50_ms=${(commitNs[Math.floor(ntxn / 2)] / 1e6).toFixed(2)} commit_p99_ms=${(commitNs[p99] / 1e6).toFixed(2)}`
}
process.stdout.write(line + '\n')
try { await prod.stop() } catch (e) { process.stderr.write(`txn_bench.mjs: disconnect: ${describe(e)}\n`) }
process.exit(errors ? 2 : 0)
