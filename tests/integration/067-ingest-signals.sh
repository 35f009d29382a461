# 067-ingest-signals: signals during ingest.  SIGUSR1 logs where ingest
# stands and the run goes on (it used to end the run: the handlers were
# installed only for processing); SIGTERM ends ingest after the batch in
# hand, leaves the rest in incoming, processes nothing, exits 128 + 15
# with the run recorded as interrupted, and the next run finishes the
# work.  Held between batches by the fault point "ingest-batch".
. "$(dirname "$0")/lib.sh"
t_begin ingest_signals
pipeline_setup

sql "UPDATE mission SET batch_size = 2" >/dev/null
for d in 01 02 03 04 05 06; do deliver "pl_raw_202405${d}_v1.0.0.dat" "raw $d"; done
make_fifo "$T/fault"

# -- SIGUSR1 between two batches --------------------------------------------
CASCADE_FAULT=ingest-batch:pause CASCADE_FAULT_FIFO=$T/fault \
	"$CASCADE" process-queue -m "$DB" > "$T/pq.out" 2> "$T/pq.err" < /dev/null &
pq=$!
exec 4>"$T/fault"               # held after its first batch
kill -USR1 "$pq"
exec 4>&-
wait "$pq"
equals "SIGUSR1 during ingest does not end the run" "$?" 0
contains "it logs where ingest stands" "$(cat "$T/pq.err")" \
	"WARNING: ingest: 2 files done (2 ingested, 0 duplicates, 0 rejected), "
contains "the run ingests everything" "$(cat "$T/pq.out")" "ingest: 6 ingested, 0 duplicates, 0 rejected"
contains "and processes it" "$(cat "$T/pq.out")" "process: "
equals "incoming is empty" "$(ls "$IN" | wc -l)" 0
equals "the run is recorded ok" "$(sql "SELECT status, exit_status FROM logging ORDER BY logging_id DESC LIMIT 1")" "ok|0"

# -- SIGTERM between two batches --------------------------------------------
for d in 07 08 09 10 11 12; do deliver "pl_raw_202405${d}_v1.0.0.dat" "raw $d"; done
builds=$(sql "SELECT count(*) FROM build")
CASCADE_FAULT=ingest-batch:pause CASCADE_FAULT_FIFO=$T/fault \
	"$CASCADE" process-queue -m "$DB" > "$T/pq.out" 2> "$T/pq.err" < /dev/null &
pq=$!
exec 4>"$T/fault"
kill -TERM "$pq"
exec 4>&-
wait "$pq"
equals "SIGTERM during ingest: exit 128 + 15" "$?" 143
contains "it says what got done" "$(cat "$T/pq.out")" "ingest: stopped by signal 15 after 2 ingested, 0 duplicates, 0 rejected"
contains "and what is left" "$(cat "$T/pq.err")" "stopped by signal 15: ingest ended after 2 files, the rest stay in incoming for the next run"
not_contains "it processes nothing" "$(cat "$T/pq.out")" "process: "
equals "the batch in hand was finished: two files archived" "$(sql "SELECT count(*) FROM file WHERE filename LIKE 'pl_raw_202405%'")" 8
equals "the rest stay in incoming" "$(ls "$IN" | wc -l)" 4
equals "no build was started" "$(sql "SELECT count(*) FROM build")" "$builds"
equals "the run is recorded interrupted, the flag released" \
	"$(sql "SELECT status, exit_status, comment, currently_processing FROM logging ORDER BY logging_id DESC LIMIT 1")" "interrupted|143|Interrupted|f"

expect_rc 0 "the next run" cascade process-queue
contains "it ingests the rest" "$out" "ingest: 4 ingested, 0 duplicates, 0 rejected"
equals "nothing is left in incoming" "$(ls "$IN" | wc -l)" 0
equals "nothing is left queued" "$(sql "SELECT count(*) FROM processqueue")" 0
equals "every day has its l1" "$(sql "SELECT count(DISTINCT utc_file_date) FROM file JOIN product USING (product_id) WHERE product_name = 'l1'")" 12
t_end
