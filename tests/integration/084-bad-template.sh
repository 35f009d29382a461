# 084-bad-template: a product's filename template in the database that
# does not compile (written behind "config apply"'s back) stops the
# commands that use the templates (the catalog), saying which product,
# and not the views or the flag commands, which read only the mission's
# tables: an operator can still see the state and clear a flag left by
# a dead run.
. "$(dirname "$0")/lib.sh"
t_begin bad_template
. "$(dirname "$0")/lib-bad.sh"
bad_setup

# a run killed with the flag held leaves it behind
CASCADE_FAULT=flag-taken:kill "$CASCADE" process-queue -m "$DB" >/dev/null 2>&1
equals "the run is killed holding the flag" "$?:$(sql "SELECT count(*) FROM logging WHERE currently_processing")" "137:1"

sql "UPDATE product SET format = 'bi_mag_{nonsense}_v{VERSION}.dat' WHERE product_name = 'mag'"

expect_rc 0 "status works" cascade status
contains "status names the mission" "$out" "bad"
expect_rc 0 "flag show works" cascade flag show
not_contains "flag show: the flag is held" "$out" "not set"
expect_rc 0 "queue list works" cascade queue list --product note
expect_rc 0 "graph works" cascade graph
contains "graph shows the product" "$out" "mag"
expect_rc 0 "flag clear works" cascade flag clear --reason "dead run"
contains "flag clear clears it" "$out" "cleared the processing flag"
equals "no flag left" "$(sql "SELECT count(*) FROM logging WHERE currently_processing")" 0

printf 'good\n' > "$IN/bi_mag_20240601_v1.0.0.dat"
# a mission that does not compile is a configuration error (exit 2), as
# an invalid mission file is: not a database failure (4)
expect_rc 2 "ingest refuses to start, a configuration error" cascade ingest
contains "ingest says which template" "$err" 'invalid format "bi_mag_{nonsense}_v{VERSION}.dat" of product "mag"'
equals "ingest took nothing, and left no flag" "$(ls "$IN"):$(sql "SELECT count(*) FROM file"):$(sql "SELECT count(*) FROM logging WHERE currently_processing")" "bi_mag_20240601_v1.0.0.dat:0:0"
expect_rc 2 "inspect refuses to start too" cascade inspect "$IN/bi_mag_20240601_v1.0.0.dat"
contains "inspect says it too" "$err" 'invalid format "bi_mag_{nonsense}_v{VERSION}.dat" of product "mag"'
expect_rc 2 "process-queue refuses to start too" cascade process-queue
contains "process-queue says which template" "$err" 'invalid format "bi_mag_{nonsense}_v{VERSION}.dat" of product "mag"'
equals "process-queue took nothing, and left no flag" "$(ls "$IN"):$(sql "SELECT count(*) FROM file"):$(sql "SELECT count(*) FROM logging WHERE currently_processing")" "bi_mag_20240601_v1.0.0.dat:0:0"

t_end
