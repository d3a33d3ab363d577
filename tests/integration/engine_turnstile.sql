CREATE TABLE raw USING kafka OPTIONS ('kafka.bootstrap.servers' = '${bootstrap}', 'subscribe' = 'mta-turnstile', 'startingOffsets' = 'earliest', 'failOnDataLoss' = 'false');
CREATE TEMP VIEW readings AS
  SELECT r.*, to_timestamp(regexp_replace(r.TIMESTAMP, '"', ''), 'yyyy-MM-dd HH:mm:ss') AS TS
  FROM (SELECT from_csv(CAST(value AS STRING), 'AC STRING, UNIT STRING, SCP STRING, STATION STRING, LINENAME STRING, DIVISION STRING, DATE STRING, DESC STRING, TIME STRING, ENTRIES INT, EXITS INT, ID STRING, TIMESTAMP STRING') AS r FROM raw);
CREATE TABLE lake USING csv OPTIONS ('path' = './lake', 'header' = 'true', 'compression' = 'gzip',
  'checkpointLocation' = './checkpoint/lake', 'outputMode' = 'append', 'trigger' = 'processingTime=${window}');
INSERT INTO lake
  SELECT AC, UNIT, SCP, STATION, LINENAME, DIVISION, DATE, DESC, window.start AS START, window.end AS END,
         date_format(window.end, 'HH:mm:ss') AS TIME, sum(ENTRIES) AS ENTRIES, sum(EXITS) AS EXITS
  FROM readings WATERMARK TS DELAY OF INTERVAL ${window} DEDUPLICATE BY (ID, STATION, TIMESTAMP)
  GROUP BY window(TS, '${window}', '${slide}'), AC, UNIT, SCP, STATION, LINENAME, DIVISION, DATE, DESC;
