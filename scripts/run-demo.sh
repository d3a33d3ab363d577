#!/usr/bin/env bash
# run-demo.sh: the main job of `make run` (scenario 1, examples/turnstile/).
# Starts the broker on its embedded defaults (127.0.0.1:9092, data in ./data),
# the sample turnstile producer (RATE readings/s, forever, event time = now)
# and the turnstile pipeline (windows of WINDOW sliding by SLIDE), which prints
# the windowed sums on the console and writes gzip CSV files under ./lake
# (checkpoint in ./checkpoint). Ctrl-C stops all three cleanly.
# Logs of the broker and the producer: build/run/*.log.
#   usage: scripts/run-demo.sh [WINDOW [SLIDE [RATE]]]   (run from anywhere)
set -uo pipefail
cd "$(dirname "$0")/.."
WINDOW=${1:-1 minute}
SLIDE=${2:-$WINDOW}
RATE=${3:-300}
PORT=9092
mkdir -p build/run
broker_pid= producer_pid= pipeline_pid=

stop_all() {
  trap '' INT TERM
  echo
  echo "run: stopping the pipeline, the producer and the broker"
  for p in $pipeline_pid $producer_pid; do kill -TERM "$p" 2>/dev/null; done
  for p in $pipeline_pid $producer_pid; do wait "$p" 2>/dev/null; done
  [ -n "$broker_pid" ] && { kill -TERM "$broker_pid" 2>/dev/null; wait "$broker_pid" 2>/dev/null; }
  echo "run: stopped (results in ./lake, checkpoint in ./checkpoint, topic data in ./data)"
  exit 0
}
trap stop_all INT TERM

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "run: something already listens on 127.0.0.1:$PORT; stop it first" >&2
  exit 1
fi
# the broker in its own session: Ctrl-C reaches the producer and the pipeline,
# which finish against a live broker before it is stopped last
setsid ./weir broker >build/run/broker.log 2>&1 </dev/null &
broker_pid=$!
deadline=$((SECONDS + 30))
until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
  if ! kill -0 "$broker_pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
    echo "run: the broker did not start; build/run/broker.log:" >&2; tail -n 20 build/run/broker.log >&2
    exit 1
  fi
  sleep 0.05
done
echo "run: broker on 127.0.0.1:$PORT (data in ./data, log build/run/broker.log)"

build/turnstile-producer -b "127.0.0.1:$PORT" -r "$RATE" -n 0 --start now >build/run/producer.log 2>&1 </dev/null &
producer_pid=$!
echo "run: producer sending $RATE readings/s to topic mta-turnstile (log build/run/producer.log)"
echo "run: pipeline examples/turnstile/pipeline.sql, window '$WINDOW', slide '$SLIDE'; a window is"
echo "     printed and written to ./lake once the watermark ('$WINDOW' behind the newest reading) passes its end."
echo "     Ctrl-C stops everything."
./weir run examples/turnstile/pipeline.sql --var bootstrap="127.0.0.1:$PORT" --var window="$WINDOW" --var slide="$SLIDE" </dev/null &
pipeline_pid=$!
wait "$pipeline_pid"
rc=$?
pipeline_pid=
[ $rc -eq 0 ] || echo "run: the pipeline exited with status $rc" >&2
stop_all
