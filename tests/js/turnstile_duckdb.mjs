// turnstile_duckdb.mjs: DuckDB as the independent reference for the turnstile
// pipeline (examples/turnstile/pipeline.sql), for tests/integration/
// test_engine_duckdb.sh, test_engine_eos.sh and bench/engine.sh.
//
//   node turnstile_duckdb.mjs check --readings R.csv --lake DIR --window S --slide S [--batch M]
//   node turnstile_duckdb.mjs bench --readings V.csv --window S --slide S
//
// check: R.csv holds "offset,<message value>" per line (kcat -f '%o,%s\n'),
// the whole topic (one partition, starting at offset 0). The lake's rows are
// the files listed by its _spark_metadata manifests, read the way Spark's
// FileStreamSinkLog does (the newest N.compact plus the delta manifests after
// it, "add" entries); a file listed twice is an error. They must equal, as a
// multiset of CSV rows compared as text, this reference computed by DuckDB
// with the semantics of Spark Structured Streaming:
//   1. micro-batches: with --batch M (the pipeline's maxOffsetsPerTrigger)
//      batch b holds offsets [b*M, (b+1)*M); without it one batch holds all.
//   2. the watermark used by batch b: max event time of batches < b minus the
//      delay (= the window length); none for batch 0.
//   3. dropDuplicates(ID, STATION, TIMESTAMP) keeps the first row of a key
//      (lowest offset). The key does not hold the event-time column TS, so
//      the dedup never drops rows as late and never forgets a key (Spark).
//   4. each kept row goes to every window [start, start+window) holding TS,
//      starts aligned to the slide; a (row, window) pair is dropped as late
//      when window end <= the watermark of the row's batch (Spark's
//      predicate on the window key of a windowed aggregation).
//   5. sums per (window, AC, UNIT, SCP, STATION, LINENAME, DIVISION, DATE, DESC);
//      append mode with availableNow: the final no-data batch emits every
//      window whose end <= max event time of all rows - delay; the rest
//      stays in state, unwritten.
//   Row text: timestamps as Spark's CSV writer (yyyy-MM-dd'T'HH:mm:ss.SSSXXX
//   in UTC), TIME = HH:mm:ss of the window end, sums as integers.
// Exit status 0 on an exact match, 1 otherwise (with the differences).
//
// bench: V.csv holds one message value per line (turnstile-producer --out);
// runs the same aggregation (dedup, tumbling/sliding windows, sums; one
// batch, so no late drops) with SET threads=1 in one query and prints
// "duckdb rows=N groups=G seconds=T cpu_seconds=C rows_per_s=R"
// (T: CSV scan + dedup + aggregate, wall time; C: the process's CPU time
// over the same span).
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const args = process.argv.slice(2);
const mode = args.shift();
const opt = {};
for (let i = 0; i < args.length; i += 2) opt[args[i].replace(/^--/, '')] = args[i + 1];
const W = BigInt(Math.round(Number(opt.window) * 1e6)); // µs
const S = BigInt(Math.round(Number(opt.slide ?? opt.window) * 1e6));
const M = BigInt(opt.batch ?? 0);
const NK = (W + S - 1n) / S;
const q = (s) => "'" + String(s).replace(/'/g, "''") + "'";

const COLS = `'AC':'VARCHAR','UNIT':'VARCHAR','SCP':'VARCHAR','STATION':'VARCHAR','LINENAME':'VARCHAR','DIVISION':'VARCHAR',
  'DATE':'VARCHAR','DESC':'VARCHAR','TIME':'VARCHAR','ENTRIES':'INTEGER','EXITS':'INTEGER','ID':'VARCHAR','TIMESTAMP':'VARCHAR'`;
const readCsv = (file, withOffset) =>
  `read_csv(${q(file)}, header=false, auto_detect=false, delim=',', quote='"', escape='"',
     columns={${withOffset ? "'off':'BIGINT'," : ''}${COLS}})`;
const KEYS = 'AC, UNIT, SCP, STATION, LINENAME, DIVISION, DATE, "DESC"';
const fmtTs = (x) => `strftime(make_timestamp(${x}), '%Y-%m-%dT%H:%M:%S') || '.000Z'`;

// windows of each row: start = ts - ts % S - k*S for k < NK, if ts < start + W
const pairs = (from) => `SELECT d.*, d.ts - d.ts % ${S} - k.k * ${S} AS ws FROM ${from} d, range(0, ${NK}) k(k)
    WHERE d.ts < d.ts - d.ts % ${S} - k.k * ${S} + ${W}`;

function lakeFiles(dir) {
  const md = path.join(dir, '_spark_metadata');
  const names = fs.readdirSync(md).filter((n) => /^\d+(\.compact)?$/.test(n));
  const compacts = names.filter((n) => n.endsWith('.compact')).map((n) => Number(n.split('.')[0]));
  const last = compacts.length ? Math.max(...compacts) : -1;
  const use = names
    .filter((n) => (n.endsWith('.compact') ? Number(n.split('.')[0]) === last : Number(n) > last))
    .sort((a, b) => parseInt(a) - parseInt(b));
  const files = [];
  const seen = new Set();
  const batches = new Set();
  for (const n of use) {
    const lines = fs.readFileSync(path.join(md, n), 'utf8').split('\n').filter((l) => l.length);
    if (lines[0] !== 'v1') throw new Error(`manifest ${n}: first line ${JSON.stringify(lines[0])}, not v1`);
    for (const l of lines.slice(1)) {
      const e = JSON.parse(l);
      if (e.action !== 'add') continue;
      const p = e.path.replace(/^file:\/\//, '');
      if (seen.has(p)) throw new Error(`manifest ${n}: ${p} listed twice`);
      if (!fs.existsSync(p)) throw new Error(`manifest ${n}: ${p} does not exist`);
      if (fs.statSync(p).size !== e.size) throw new Error(`manifest ${n}: ${p} has ${fs.statSync(p).size} bytes, manifest says ${e.size}`);
      seen.add(p);
      files.push(p);
    }
  }
  for (const n of names) batches.add(parseInt(n));
  return { files, batches: batches.size };
}

const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const one = async (sql) => (await c.runAndReadAll(sql)).getRows();
await c.run("SET TimeZone = 'UTC'");

if (mode === 'check') {
  await c.run(`CREATE TABLE r AS SELECT *, epoch_us(strptime(replace(TIMESTAMP, '"', ''), '%Y-%m-%d %H:%M:%S'))::BIGINT AS ts,
      ${M > 0n ? `off // ${M}` : '0'} AS b FROM ${readCsv(opt.readings, true)}`);
  await c.run(`CREATE TABLE wmk AS SELECT b, max(mx) OVER (ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) - ${W} AS wm
      FROM (SELECT b, max(ts) AS mx FROM r GROUP BY b)`);
  await c.run(`CREATE TABLE d AS SELECT * FROM r QUALIFY row_number() OVER (PARTITION BY ID, STATION, TIMESTAMP ORDER BY off) = 1`);
  await c.run(`CREATE TABLE p AS SELECT x.*, wmk.wm FROM (${pairs('d')}) x JOIN wmk USING (b)`);
  const finalWm = (await one(`SELECT max(ts) - ${W} FROM r`))[0][0];
  await c.run(`CREATE TABLE expected AS SELECT ${KEYS}, ${fmtTs('ws')} AS "START", ${fmtTs(`ws + ${W}`)} AS "END",
        strftime(make_timestamp(ws + ${W}), '%H:%M:%S') AS "TIME", sum(ENTRIES)::VARCHAR AS ENTRIES, sum(EXITS)::VARCHAR AS EXITS
      FROM p WHERE wm IS NULL OR ws + ${W} > wm GROUP BY ${KEYS}, ws HAVING ws + ${W} <= ${finalWm}`);
  const [[nrows, ndup, nlatepairs, npairs]] = await one(`SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM r) - (SELECT count(*) FROM d),
      (SELECT count(*) FROM p WHERE NOT (wm IS NULL OR ws + ${W} > wm)), (SELECT count(*) FROM p)`);
  const { files, batches } = lakeFiles(opt.lake);
  const cols = `${KEYS}, "START", "END", "TIME", ENTRIES, EXITS`;
  if (files.length) {
    await c.run(`CREATE TABLE got AS SELECT ${cols} FROM read_csv([${files.map(q).join(',')}], header=true, all_varchar=true,
        auto_detect=false, delim=',', quote='"', escape='"',
        columns={'AC':'VARCHAR','UNIT':'VARCHAR','SCP':'VARCHAR','STATION':'VARCHAR','LINENAME':'VARCHAR','DIVISION':'VARCHAR','DATE':'VARCHAR',
                 'DESC':'VARCHAR','START':'VARCHAR','END':'VARCHAR','TIME':'VARCHAR','ENTRIES':'VARCHAR','EXITS':'VARCHAR'})`);
    // the header of every file, exactly
    for (const f of files) {
      const text = f.endsWith('.gz') ? zlib.gunzipSync(fs.readFileSync(f)).toString('utf8') : fs.readFileSync(f, 'utf8');
      const hdr = text.slice(0, text.indexOf('\n'));
      if (hdr !== 'AC,UNIT,SCP,STATION,LINENAME,DIVISION,DATE,DESC,START,END,TIME,ENTRIES,EXITS') {
        console.log(`FAIL header of ${f}: ${hdr}`);
        process.exit(1);
      }
    }
  } else {
    await c.run(`CREATE TABLE got AS SELECT * FROM expected WHERE false`);
  }
  const missing = await one(`SELECT * FROM (SELECT ${cols} FROM expected EXCEPT ALL SELECT ${cols} FROM got) ORDER BY ALL LIMIT 5`);
  const extra = await one(`SELECT * FROM (SELECT ${cols} FROM got EXCEPT ALL SELECT ${cols} FROM expected) ORDER BY ALL LIMIT 5`);
  const [[nmissing]] = await one(`SELECT count(*) FROM (SELECT ${cols} FROM expected EXCEPT ALL SELECT ${cols} FROM got)`);
  const [[nextra]] = await one(`SELECT count(*) FROM (SELECT ${cols} FROM got EXCEPT ALL SELECT ${cols} FROM expected)`);
  const [[nexp]] = await one(`SELECT count(*) FROM expected`);
  const [[ngot]] = await one(`SELECT count(*) FROM got`);
  const info = `${nrows} readings, ${ndup} duplicates, ${nlatepairs}/${npairs} (row, window) pairs late; expected ${nexp} rows, lake ${ngot} rows in ${files.length} files, ${batches} manifests`;
  if (nmissing === 0n && nextra === 0n && nexp > 0n) {
    console.log(`match: ${info}`);
    process.exit(0);
  }
  console.log(`MISMATCH: ${info}; ${nmissing} missing, ${nextra} extra`);
  for (const r of missing) console.log('  missing: ' + r.join(','));
  for (const r of extra) console.log('  extra:   ' + r.join(','));
  process.exit(1);
} else if (mode === 'bench') {
  // one query, so DuckDB streams the CSV through the dedup and the
  // aggregation (its fastest form; materializing the readings first costs
  // about 1.7x); DISTINCT ON keeps one row per dedup key
  await c.run('SET threads = 1');
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await c.run(`CREATE TABLE res AS SELECT ${KEYS}, ${fmtTs('ws')} AS "START", ${fmtTs(`ws + ${W}`)} AS "END",
        strftime(make_timestamp(ws + ${W}), '%H:%M:%S') AS "TIME", sum(ENTRIES) AS ENTRIES, sum(EXITS) AS EXITS
      FROM (${pairs(`(SELECT *, epoch_us(strptime(replace(TIMESTAMP, '"', ''), '%Y-%m-%d %H:%M:%S'))::BIGINT AS ts
                      FROM (SELECT DISTINCT ON (ID, STATION, TIMESTAMP) * FROM ${readCsv(opt.readings, false)}))`)})
      GROUP BY ${KEYS}, ws`);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cu = process.cpuUsage(cpu0);
  const cpu = (cu.user + cu.system) / 1e6;
  const [[g]] = await one('SELECT count(*) FROM res');
  const [[n]] = await one(`SELECT count(*) FROM ${readCsv(opt.readings, false)}`);
  console.log(`duckdb rows=${n} groups=${g} seconds=${secs.toFixed(3)} cpu_seconds=${cpu.toFixed(3)} rows_per_s=${Math.round(Number(n) / secs)}`);
} else {
  console.error('usage: turnstile_duckdb.mjs check|bench --readings FILE [--lake DIR] --window SECONDS [--slide SECONDS] [--batch M]');
  process.exit(2);
}
