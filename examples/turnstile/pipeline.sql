-- Scenario 1: subway turnstile readings from Kafka to a data lake of gzip CSV files.
-- Run: weir run examples/turnstile/pipeline.sql --var bootstrap=127.0.0.1:9092 \
--        --var window='5 minutes' --var slide='5 minutes'
-- (examples/turnstile/README.md explains every step and the field order.)

-- The topic: one CSV line per reading, key = a message id.
CREATE TABLE raw USING kafka OPTIONS (
  'kafka.bootstrap.servers' = '${bootstrap}',
  'subscribe' = 'mta-turnstile',
  'startingOffsets' = 'earliest',
  'failOnDataLoss' = 'false');

-- Split the CSV (fields in the order of the tutorial's sample message: DESC before TIME),
-- cast ENTRIES/EXITS, strip the quotes around TIMESTAMP and make it the event time.
CREATE TEMP VIEW readings AS
  SELECT r.*, to_timestamp(regexp_replace(r.TIMESTAMP, '"', ''), 'yyyy-MM-dd HH:mm:ss') AS TS
  FROM (SELECT from_csv(CAST(value AS STRING),
          'AC STRING, UNIT STRING, SCP STRING, STATION STRING, LINENAME STRING, DIVISION STRING, DATE STRING, DESC STRING, TIME STRING, ENTRIES INT, EXITS INT, ID STRING, TIMESTAMP STRING') AS r
        FROM raw);

-- Drop duplicates on (ID, STATION, TIMESTAMP) (weir's SQL for dropDuplicates), watermark =
-- the window length, then sum the counts per device and event-time window.
CREATE TEMP VIEW windowed AS
  SELECT AC, UNIT, SCP, STATION, LINENAME, DIVISION, DATE, DESC,
         window.start AS START, window.end AS END, date_format(window.end, 'HH:mm:ss') AS TIME,
         sum(ENTRIES) AS ENTRIES, sum(EXITS) AS EXITS
  FROM readings WATERMARK TS DELAY OF INTERVAL ${window} DEDUPLICATE BY (ID, STATION, TIMESTAMP)
  GROUP BY window(TS, '${window}', '${slide}'), AC, UNIT, SCP, STATION, LINENAME, DIVISION, DATE, DESC;

-- The data lake: append mode (a window is written once, when the watermark passes its end),
-- one micro-batch per window length, gzip CSV files with a header, exactly once via
-- lake/_spark_metadata and the checkpoint.
CREATE TABLE lake USING csv OPTIONS (
  'path' = './lake', 'header' = 'true', 'compression' = 'gzip',
  'checkpointLocation' = './checkpoint/lake',
  'outputMode' = 'append', 'trigger' = 'processingTime=${window}');
INSERT INTO lake SELECT * FROM windowed;

-- The same windows on the console (a second query with its own checkpoint).
CREATE TABLE console USING console OPTIONS (
  'numRows' = '50', 'truncate' = 'false',
  'checkpointLocation' = './checkpoint/console',
  'outputMode' = 'append', 'trigger' = 'processingTime=${window}');
INSERT INTO console SELECT * FROM windowed;
