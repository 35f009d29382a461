#!/usr/bin/python3
"""chaos.py - the chaos suite: faults injected into real runs, the end state
compared with an uninterrupted run.

Each trial builds one scenario (tests/chaos/mission.yaml: raw -> daily L1
with a yesterday/tomorrow window -> L2 per file -> weekly, and a RUN
process; and raw -> an ORBIT process keyed by the orbits of the orbit
table, reading its orbit and the previous one, the table loaded with
`cascade orbits load` before the first run), delivers its files, then
runs ProcessQueue with faults: SIGKILL of the controller at seeded random
instants (kill chains: the next run is killed again, k times;
independent kills; named fault points), a
PostgreSQL restart, pg_terminate_backend of the controller's session,
`cascade flag clear --force`, two controllers at once, a full archive disk,
and a whole-machine crash (the controller's session and everything the
trial started killed, optionally with an immediate PostgreSQL stop).  A
final run goes to completion; then the archive, the database and the codes'
start/end markers are compared with a reference: the same scenario run
once, uninterrupted, into another database and archive.

Tallies (per family, then in total):
  landed      reference items (file rows, RUN builds) found equal
  lost        reference items missing at the end
  duplicated  an item twice (rows or archive files of one product, date
              and period number, a second version, a key built twice;
              two orbits of one date are two items)
  orphaned    archive files without rows, rows without files, leftover
              work directories and temporary files, processes left running
  rerun       keys whose code finished ("end" marker) more than once
  restarted   keys whose code started more than once (reported only)
  differ      any other difference in the compared state (queue, flag,
              open builds, batches, failures, links, contents, the final
              run's exit status)
A trial fails on any lost, duplicated, orphaned, rerun or differ; in the
crash class (a whole machine dies, so a code that had finished but whose
end nobody recorded may legitimately run again) reruns are only counted.

The harness owns its PostgreSQL cluster (initdb and pg_ctl in a private
directory, run as the postgres user when started as root), so that it can
restart it; the disk-full family needs root (a tmpfs mount) and is skipped
otherwise.  Waiting is on processes, FIFOs and fault points, never on time;
the only sleeps are the random delays that are the injection itself.

Usage: CASCADE=build/cascade tests/chaos/chaos.py [--short] [--seed N]
       [--points N] [--trial NAME,...] [--family NAME,...] [--list]
Environment: CHAOS_SEED, CHAOS_POINTS, CHAOS_TRIAL, CHAOS_FAMILY, CHAOS_DIR
(where trial directories go), CHAOS_KEEP=1 (keep every trial directory).
Python 3 standard library only; psql is run as a program.
"""

import argparse
import datetime
import errno
import glob
import hashlib
import json
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
CODES = os.path.join(HERE, "codes")
MISSION_TEMPLATE = os.path.join(HERE, "mission.yaml")

DEFAULT_SEED = 20261123
FIRST_DAY = datetime.date(2024, 3, 6)      # a Wednesday: weeks are cut
RUN_GUARD_S = 600          # a run taking longer than this is hung

# scenario shapes: days of raw data, ingest ballast, run.batch_size, and
# the days the orbit table covers (from the first day of data): in the
# shapes of make check's short selection the template database's two days
# (six orbits, so that the ORBIT process costs little time there), in
# "big" all of its days (the trial loads the rest, appending)
TEMPLATE_ORBIT_DAYS = 2
SHAPES = {
    "small": dict(days=16, aux=0, batch=500, orbit_days=TEMPLATE_ORBIT_DAYS),
    "ingest": dict(days=16, aux=400, batch=100, orbit_days=TEMPLATE_ORBIT_DAYS),
    "big": dict(days=90, aux=0, batch=500, orbit_days=90),
}
# code durations in ms, "LO HI" (tests/chaos/codes/step.sh)
SPEEDS = {"fast": "3 3", "slow": "50 500"}

TALLY_KEYS = ("landed", "lost", "duplicated", "orphaned", "rerun",
              "restarted", "differ")
FAIL_KEYS = ("lost", "duplicated", "orphaned", "rerun", "differ")


def log(msg=""):
    print(msg, flush=True)


def sha1_of(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def proc_stat(pid):
    """(state, session) of a process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            s = f.read().decode("ascii", "replace")
    except OSError:
        return None
    rest = s[s.rfind(")") + 2:].split()
    return rest[0], int(rest[3])


def owner_marker(token, trial):
    """The environment entry that marks the processes of one trial of one
    suite: not the trial's name alone, which another suite running the
    same trial at the same time (another engineer's make check-chaos)
    shares, so that each would count the other's processes as orphans
    and SIGKILL them, its final run among them."""
    return f"CHAOS_OWNER={token}/{trial}"


def processes_with_env(marker):
    """Live (non-zombie) processes whose environment holds marker."""
    needle = b"\0" + marker.encode() + b"\0"
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/environ", "rb") as f:
                env = b"\0" + f.read()
        except OSError:
            continue
        if needle in env:
            st = proc_stat(d)
            if st and st[0] not in ("Z", "X"):
                found.append(int(d))
    return found


def still_running(marker, grace_s=5.0):
    """Processes with marker in their environment that have not exited
    within grace_s: a process that is ending as the final run returns (a
    supervisor between writing its status and its exit) is waited for,
    through pidfds, not counted."""
    fds = {}
    for pid in processes_with_env(marker):
        try:
            fds[os.pidfd_open(pid)] = pid
        except OSError:
            pass
    deadline = time.monotonic() + grace_s
    while fds:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select(list(fds), [], [], left)
        for fd in ready:
            del fds[fd]
            os.close(fd)
    for fd in fds:
        os.close(fd)
    return sorted(set(fds.values()) & set(processes_with_env(marker)))


def processes_in_session(sid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = proc_stat(d)
            if st and st[1] == sid and st[0] not in ("Z", "X"):
                out.append(int(d))
    return out


def kill_all(pids):
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ---------------------------------------------------------------- cluster

class Cluster:
    """A private PostgreSQL cluster: initdb and pg_ctl in base/pg, a Unix
    socket in base/sock, as the postgres user when we are root."""

    def __init__(self, base):
        self.dir = os.path.join(base, "pg")
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(base, "sock")
        self.logfile = os.path.join(self.dir, "server.log")
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                      key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
        if bins:
            self.bin = bins[-1]
        else:
            self.bin = subprocess.run(["pg_config", "--bindir"], check=True,
                                      capture_output=True, text=True).stdout.strip()
        self.root = os.geteuid() == 0
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("PG")}
        self.env.update(PGHOST=self.sock, PGPORT="5432", PGUSER="postgres")

    def _as_owner(self, argv):
        return (["runuser", "-u", "postgres", "--"] if self.root else []) + argv

    def _pg(self, *args, check=True):
        # output to a file, not a pipe: a server started by pg_ctl would
        # hold a pipe open for ever
        with tempfile.TemporaryFile(mode="w+") as out:
            r = subprocess.run(self._as_owner([os.path.join(self.bin, args[0])] + list(args[1:])),
                               stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                               env=self.env, cwd="/")
            out.seek(0)
            text = out.read()
        if check and r.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({r.returncode}): {text}")
        return r

    def init(self):
        os.makedirs(self.dir)
        os.makedirs(self.sock)
        if self.root:
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.sock, "postgres")
        self._pg("initdb", "-D", self.data, "-A", "trust", "-U", "postgres",
                 "-E", "UTF8", "--locale=C", "--no-sync")
        # fsync off: the faults here kill processes and the server, never
        # the kernel, so what reached the OS survives anyway; it saves time
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as f:
            f.write(f"listen_addresses = ''\nunix_socket_directories = '{self.sock}'\n"
                    "port = 5432\nfsync = off\nfull_page_writes = off\n"
                    "max_connections = 60\nshared_buffers = 32MB\n")
        self.start()

    def start(self):
        self._pg("pg_ctl", "-D", self.data, "-l", self.logfile, "-w", "start")

    def stop(self, mode="fast"):
        self._pg("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def restart(self, mode="fast"):
        self._pg("pg_ctl", "-D", self.data, "-l", self.logfile, "-m", mode, "-w", "restart")

    def psql(self, db, script, check=True):
        """Run script (statements separated by ';' and newlines); rows as
        lists of tab-separated fields."""
        r = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                            "-F", "\t", "-d", db, "-f", "-"], input=script,
                           capture_output=True, text=True, env=self.env)
        if check and r.returncode != 0:
            raise RuntimeError(f"psql on {db} failed: {r.stderr.strip()}")
        return [line.split("\t") for line in r.stdout.splitlines() if line != ""]


# ----------------------------------------------------------------- orbits

ORBIT_HOURS = (8, 7, 9)    # unequal orbits: their boundaries drift over midnight
FIRST_ORBIT = 101


def orbit_table(days):
    """The orbit table of a scenario (cascade orbits load's lines): orbits
    of 8, 7 and 9 hours in turn from 4 hours before the first day of data
    (so the first lies partly before it) to the end of its days-th day,
    with one gap of 5 hours, the numbers jumping one there (the previous
    orbit of the one after the gap is the one before it)."""
    t = datetime.datetime.combine(FIRST_DAY, datetime.time()) - datetime.timedelta(hours=4)
    end = datetime.datetime.combine(FIRST_DAY + datetime.timedelta(days=days), datetime.time())
    lines, n, i = [], FIRST_ORBIT, 0
    while t < end:
        stop = t + datetime.timedelta(hours=ORBIT_HOURS[i % len(ORBIT_HOURS)])
        lines.append(f"{n},{t:%Y-%m-%dT%H:%M:%S}Z,{stop:%Y-%m-%dT%H:%M:%S}Z")
        t, n, i = stop, n + 1, i + 1
        if i == 4:
            t, n = t + datetime.timedelta(hours=5), n + 1
    return lines


def load_orbits(cascade, env, db, days, path):
    """cascade orbits load of orbit_table(days), written to path, into db."""
    with open(path, "w") as f:
        f.write("number,start,stop\n" + "\n".join(orbit_table(days)) + "\n")
    r = subprocess.run([cascade, "orbits", "load", path, "-m", db],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"cascade orbits load {path} failed: {r.stderr}")


# ------------------------------------------------------------------ state

STATE_SQL = """
SELECT 'F', f.filename, p.product_name, f.utc_file_date, f.period_number,
       f.interface_version || '.' || f.quality_version || '.' || f.revision_version,
       f.file_id IN (SELECT file_id FROM newest_file), f.exists_on_disk, f.shasum
  FROM file f JOIN product p USING (product_id);
SELECT 'L', s.filename, r.filename FROM filefilelink l
  JOIN file s ON s.file_id = l.source_file JOIN file r ON r.file_id = l.resulting_file;
SELECT 'C', f.filename, pr.process_name,
       c.interface_version || '.' || c.quality_version || '.' || c.revision_version
  FROM filecodelink l JOIN file f ON f.file_id = l.resulting_file
  JOIN code c ON c.code_id = l.source_code JOIN process pr ON pr.process_id = c.process_id;
SELECT 'B', pr.process_name,
       CASE WHEN pr.output_timebase IN ('HOURLY', 'ORBIT') THEN b.output_key
            ELSE coalesce(b.utc_file_date::text, b.output_key) END,
       coalesce(b.output_filename, '-'), b.status, pr.output_timebase
  FROM build b JOIN process pr USING (process_id);
SELECT 'Q', count(*) FROM processqueue;
SELECT 'G', count(*) FROM logging WHERE currently_processing;
SELECT 'J', count(*) FROM ingest_journal;
SELECT 'A', state, count(*) FROM batch WHERE state NOT IN ('done', 'failed') GROUP BY state;
SELECT 'X', kind, count(*) FROM failure WHERE NOT resolved GROUP BY kind;
"""


def read_state(cluster, db, root):
    """What an interrupted run must leave as the uninterrupted one did."""
    st = dict(rows={}, links=set(), codes={}, builds=[], queue=0, flag=0,
              journal=0, batches={}, failures={}, files={}, other={})
    for r in cluster.psql(db, STATE_SQL):
        t = r[0]
        if t == "F":
            st["rows"].setdefault(r[1], []).append(tuple(r[2:]))
        elif t == "L":
            st["links"].add((r[1], r[2]))
        elif t == "C":
            st["codes"].setdefault(r[1], set()).add((r[2], r[3]))
        elif t == "B":
            st["builds"].append(tuple(r[1:]))
        elif t == "Q":
            st["queue"] = int(r[1])
        elif t == "G":
            st["flag"] = int(r[1])
        elif t == "J":
            st["journal"] = int(r[1])
        elif t == "A":
            st["batches"][r[1]] = int(r[2])
        elif t == "X":
            st["failures"][r[1]] = int(r[2])
    # the archive: data files by relative path (sha1), and everything else
    # under the root but the build logs (kept per attempt by design)
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        rel = "" if rel == "." else rel + "/"
        if rel == ".cascade/logs/":
            dirnames[:] = []
            continue
        if rel.startswith(".cascade/"):
            st["other"][rel] = "dir"
        for n in filenames:
            p = os.path.join(dirpath, n)
            try:
                if os.path.islink(p):
                    h = "symlink:" + os.readlink(p)
                else:
                    h = sha1_of(p)
            except OSError as e:
                h = "unreadable:" + e.strerror
            top = rel.split("/", 1)[0]
            if top in (".cascade", "incoming", "errors") or n.startswith("."):
                st["other"][rel + n] = h
            else:
                st["files"][rel + n] = h
    return st


def state_json(st):
    def conv(v):
        if isinstance(v, set):
            return sorted(conv(x) for x in v)
        if isinstance(v, dict):
            return {k: conv(x) for k, x in sorted(v.items())}
        if isinstance(v, (list, tuple)):
            return [conv(x) for x in v]
        return v
    return json.dumps(conv(st), indent=1, sort_keys=True)


def read_markers(path):
    """{key: [starts, ends]} from a markers file, and malformed lines."""
    keys, bad = {}, []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        lines = []
    for line in lines:
        w = line.split()
        if len(w) == 3 and w[0] == "start":
            keys.setdefault(w[1], [0, 0])[0] += 1
        elif len(w) == 2 and w[0] == "end":
            keys.setdefault(w[1], [0, 0])[1] += 1
        else:
            bad.append(line)
    return keys, bad


def compare(ref, st, markers, bad_markers, alive, final_rc, ref_rc):
    """Tally a trial's end state against the reference; (tally, problems)."""
    t = dict.fromkeys(TALLY_KEYS, 0)
    probs = []

    def add(kind, n, msg):
        t[kind] += n
        probs.append(f"{kind}: {msg}")

    by_name_paths = {}
    for rel in st["files"]:
        by_name_paths.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
    ref_paths = {}
    for rel in ref["files"]:
        ref_paths.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
    # a file's identity is (product, date, period number, version): the
    # files of one product and date are told apart by their period (hour,
    # orbit; 0 for products of days), so only another version of one
    # product, date and period is a duplicate
    ref_pdp = {r[0][:3] for r in ref["rows"].values()}
    src_of = {}
    for s, r in st["links"]:
        src_of.setdefault(r, set()).add(s)
    ref_src_of = {}
    for s, r in ref["links"]:
        ref_src_of.setdefault(r, set()).add(s)

    # the reference's file rows: landed, lost or different
    for name, rrows in sorted(ref["rows"].items()):
        rows = st["rows"].get(name)
        paths = by_name_paths.get(name, [])
        if not rows:
            add("lost", 1, f"{name}: no row" + (" (its file is in the archive)" if paths else ""))
            continue
        if len(rows) > 1:
            add("duplicated", 1, f"{name}: {len(rows)} rows")
        if not paths:
            add("lost", 1, f"{name}: the row is there, the file is not in the archive")
            add("orphaned", 1, f"{name}: a row without its file")
            continue
        diffs = []
        if rows[0] != rrows[0]:
            diffs.append(f"row {rows[0]} != reference {rrows[0]}")
        # (a second copy elsewhere is counted as duplicated below)
        for p in ref_paths.get(name, []):
            if st["files"].get(p) != ref["files"][p]:
                diffs.append(f"archive {p}: {st['files'].get(p, 'missing')} != "
                             f"reference {ref['files'][p]}")
        if src_of.get(name, set()) != ref_src_of.get(name, set()):
            diffs.append(f"inputs {sorted(src_of.get(name, set()))} != reference "
                         f"{sorted(ref_src_of.get(name, set()))}")
        if st["codes"].get(name, set()) != ref["codes"].get(name, set()):
            diffs.append(f"code {st['codes'].get(name)} != reference {ref['codes'].get(name)}")
        if diffs:
            add("differ", 1, f"{name}: " + "; ".join(diffs))
        else:
            t["landed"] += 1

    # rows the reference does not have
    for name, rows in sorted(st["rows"].items()):
        if name in ref["rows"]:
            continue
        prod, day, period = rows[0][:3]
        if (prod, day, period) in ref_pdp:
            add("duplicated", 1, f"{name}: another {prod} file for {day}"
                + (f" period {period}" if period != "0" else "") + f" (version {rows[0][3]})")
        else:
            add("differ", 1, f"{name}: a row the reference does not have {rows[0]}")

    # archive files: one per row, none without a row
    for name, paths in sorted(by_name_paths.items()):
        if len(paths) > 1:
            add("duplicated", 1, f"{name}: in the archive {len(paths)} times: {paths}")
        if name not in st["rows"]:
            add("orphaned", 1, f"{paths[0]}: an archive file without a row")
    for name, rows in sorted(st["rows"].items()):
        if name not in ref["rows"] and rows[0][5] == "t" and name not in by_name_paths:
            add("orphaned", 1, f"{name}: a row without its file")
    for rel, h in sorted(st["other"].items()):
        if rel not in ref["other"]:
            add("orphaned", 1, f"{rel}: left behind ({'directory' if h == 'dir' else 'file'})")
        elif ref["other"][rel] != h:
            add("differ", 1, f"{rel}: content differs from the reference's")
    for rel in sorted(set(ref["other"]) - set(st["other"])):
        if ref["other"][rel] != "dir":
            add("differ", 1, f"{rel}: missing (the reference has it)")

    # builds: one success per key; RUN builds are items of their own
    def build_count(builds):
        c = {}
        for b in builds:
            c[b] = c.get(b, 0) + 1
        return c
    rb, sb = build_count(ref["builds"]), build_count(st["builds"])
    for b, n in sorted(rb.items()):
        m = sb.get(b, 0)
        is_run = b[4] == "RUN" and b[3] == "succeeded"
        if m == n:
            if is_run:
                t["landed"] += n
        elif m < n:
            if is_run:
                add("lost", n - m, f"build {b[0]} {b[1]}: {n - m} missing")
            elif not (b[3] == "succeeded" and b[2] not in st["rows"]):
                # (a missing output's build is counted with its file)
                add("differ", n - m, f"build {b}: {m} instead of {n}")
        else:
            if b[3] == "succeeded":
                add("duplicated", m - n, f"build {b[0]} {b[1]} succeeded {m} times")
            else:
                add("differ", m - n, f"build {b}: {m} instead of {n}")
    for b, m in sorted(sb.items()):
        if b not in rb:
            add("differ", m, f"build {b[0]} {b[1]} -> {b[2]}: {m} in state {b[3]} "
                             "(the reference has none)")

    for k, what in (("queue", "queue entries"), ("flag", "flag holders"),
                    ("journal", "ingest journal rows")):
        if st[k] != ref[k]:
            add("differ", 1, f"{st[k]} {what} (reference {ref[k]})")
    if st["batches"] != ref["batches"]:
        add("differ", 1, f"unfinished or bad batches {st['batches']} (reference {ref['batches']})")
    if st["failures"] != ref["failures"]:
        add("differ", 1, f"unresolved failures {st['failures']} (reference {ref['failures']})")
    if final_rc != ref_rc:
        add("differ", 1, f"the final run exited {final_rc} (reference {ref_rc})")

    # markers: every code ran to its end once
    for key, (starts, ends) in sorted(markers.items()):
        if ends > 1:
            add("rerun", 1, f"{key}: finished {ends} times")
        if starts > 1:
            t["restarted"] += 1
    for line in bad_markers[:3]:
        add("differ", 1, f"malformed marker line {line!r}")
    if alive:
        add("orphaned", len(alive), f"processes still running after the final run: {alive}")
    return t, probs


def selftest(verbose=False):
    """The comparison itself, on a synthetic reference and one defect at a
    time: each must land in its tally (make check runs this)."""
    import copy
    # two orbits of one date: two files of a product, date and version,
    # told apart by their period number
    ref = dict(
        rows={"a.dat": [("raw", "2024-01-01", "0", "1.0.0", "t", "t", "1a")],
              "b.dat": [("l1", "2024-01-01", "0", "1.0.0", "t", "t", "1b")],
              "o7.dat": [("orb", "2024-01-01", "7", "1.0.0", "t", "t", "17")],
              "o8.dat": [("orb", "2024-01-01", "8", "1.0.0", "t", "t", "18")]},
        links={("a.dat", "b.dat"), ("a.dat", "o7.dat"), ("a.dat", "o8.dat")},
        codes={"b.dat": {("l1", "1.0.0")}, "o7.dat": {("orb", "1.0.0")},
               "o8.dat": {("orb", "1.0.0")}},
        builds=[("l1", "2024-01-01", "b.dat", "succeeded", "DAILY"),
                ("orb", "000007", "o7.dat", "succeeded", "ORBIT"),
                ("orb", "000008", "o8.dat", "succeeded", "ORBIT"),
                ("tally", "2024-01-01", "-", "succeeded", "RUN")],
        queue=0, flag=0, journal=0, batches={}, failures={},
        files={"raw/a.dat": "1a", "l1/b.dat": "1b", "orb/o7.dat": "17", "orb/o8.dat": "18"},
        other={".cascade/": "dir", ".cascade/work/": "dir"})
    good = {"l1:20240101": [1, 1], "orb:7": [1, 1], "orb:8": [1, 1], "tally:20240101": [1, 1]}
    items = len(ref["rows"]) + 1            # the file rows and the RUN build

    def case(what, want, mutate=None, markers=None, alive=(), final_rc=0):
        st = copy.deepcopy(ref)
        if mutate:
            mutate(st)
        t, probs = compare(ref, st, markers or good, [], list(alive), final_rc, 0)
        got = {k for k in TALLY_KEYS if t[k] and k != "landed"}
        ok = got == set(want) and (t["landed"] == items or bool(want))
        if not ok or verbose:
            log(f"{'ok' if ok else 'not ok'} - {what}: {sorted(got) or 'clean'}"
                + ("" if ok else f" (want {sorted(want)}; {probs})"))
        return ok

    def drop_row(st):
        del st["rows"]["b.dat"]

    def drop_file(st):
        del st["files"]["l1/b.dat"]

    def stray(st):
        st["files"]["l1/c.dat"] = "1c"

    def version(st):
        st["rows"]["b1.dat"] = [("l1", "2024-01-01", "0", "1.1.0", "t", "t", "1c")]
        st["files"]["l1/b1.dat"] = "1c"

    def orbit_version(st):
        st["rows"]["o7b.dat"] = [("orb", "2024-01-01", "7", "1.1.0", "t", "t", "17b")]
        st["files"]["orb/o7b.dat"] = "17b"

    def orbit_other(st):
        st["rows"]["o9.dat"] = [("orb", "2024-01-01", "9", "1.0.0", "t", "t", "19")]
        st["files"]["orb/o9.dat"] = "19"

    def orbit_twice(st):
        st["builds"].append(("orb", "000007", "o7.dat", "succeeded", "ORBIT"))

    def orbit_renumbered(st):
        st["rows"]["o8.dat"] = [("orb", "2024-01-01", "9", "1.0.0", "t", "t", "18")]

    def twice(st):
        st["files"]["l1/x/b.dat"] = "1b"

    def run_missing(st):
        st["builds"].pop()

    def run_twice(st):
        st["builds"].append(st["builds"][-1])

    def workdir(st):
        st["other"][".cascade/work/1-0/"] = "dir"

    def tmpfile(st):
        st["other"]["l1/.cascade-tmp.b.dat"] = "1b"

    def queue(st):
        st["queue"] = 1

    def poison(st):
        st["failures"] = {"poison-batch": 1}
        st["batches"] = {"bad": 1}

    def content(st):
        st["files"]["l1/b.dat"] = "2b"

    def link(st):
        st["links"] = set()

    def cancelled(st):
        st["builds"].append(("l1", "2024-01-02", "c.dat", "cancelled", "DAILY"))

    cases = [
        case("the reference itself", []),
        case("a row missing", ["lost", "orphaned"], drop_row),
        case("a file missing", ["lost", "orphaned"], drop_file),
        case("an archive file without a row", ["orphaned"], stray),
        case("another version of an output", ["duplicated"], version),
        case("an output archived twice", ["duplicated"], twice),
        case("another version of an orbit's output", ["duplicated"], orbit_version),
        case("an output of another orbit of the date", ["differ"], orbit_other),
        case("an orbit built twice", ["duplicated"], orbit_twice),
        case("an output with another period number", ["differ"], orbit_renumbered),
        case("a RUN build missing", ["lost"], run_missing),
        case("a RUN build twice", ["duplicated"], run_twice),
        case("a work directory left", ["orphaned"], workdir),
        case("a temporary file left", ["orphaned"], tmpfile),
        case("a queue entry left", ["differ"], queue),
        case("a poison batch", ["differ"], poison),
        case("other content", ["differ"], content),
        case("a provenance link missing", ["differ"], link),
        case("a cancelled build", ["differ"], cancelled),
        case("the final run failed", ["differ"], final_rc=1),
        case("a process left running", ["orphaned"], alive=[4242]),
        case("a code finished twice", ["rerun", "restarted"],
             markers={"l1:20240101": [2, 2], "tally:20240101": [1, 1]}),
        case("a code started twice, finished once", ["restarted"],
             markers={"l1:20240101": [2, 1], "tally:20240101": [1, 1]}),
    ]

    # two suites running the same trial at once: each finds its own
    # processes, never the other's (a process of one, blocked on a pipe)
    ours, theirs = owner_marker(uuid.uuid4().hex, "t#1"), owner_marker(uuid.uuid4().hex, "t#1")
    # (it says "ready" once it runs: between exec and the new program's
    # start its /proc environ reads empty)
    p = subprocess.Popen(["sh", "-c", "echo ready; read x"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE,
                         env=dict(os.environ, CHAOS_OWNER=ours.split("=", 1)[1]))
    try:
        p.stdout.readline()
        mine, other = processes_with_env(ours), processes_with_env(theirs)
    finally:
        p.stdin.close()
        p.stdout.close()
        p.wait()
    ok = p.pid in mine and p.pid not in other
    if verbose or not ok:
        log(f"  {'ok' if ok else 'FAILED'}: a trial's processes are its suite's alone")
    cases.append(ok)
    log(f"chaos self-test: {sum(cases)} of {len(cases)} cases ok")
    return 0 if all(cases) else 1


# ------------------------------------------------------------------ trial

class Suite:
    def __init__(self, args):
        self.args = args
        self.seed = args.seed
        self.cascade = args.cascade
        self.keep_all = args.keep
        self.token = uuid.uuid4().hex
        self.base = args.dir or tempfile.mkdtemp(prefix="cascade-chaos.",
                                                 dir=os.environ.get("TMPDIR", "/tmp"))
        os.makedirs(self.base, exist_ok=True)
        os.chmod(self.base, 0o755)        # the postgres user reaches its cluster
        self.cluster = Cluster(self.base)
        self.refs = {}            # (shape, speed) -> the reference
        self.est = {}             # (shape, speed, slots) -> ms the whole work takes now
        self.canon = {}           # shape -> (state, rc) of the first reference
        self.ndb = 0
        self.results = []         # (family, klass, name, tally, points, ok)
        self.failed = []
        self.skipped = []
        self.mounts = []
        self.env = {k: v for k, v in self.cluster.env.items()
                    if not k.startswith(("CASCADE_FAULT", "CHAOS_"))}
        self.env.pop("CASCADE", None)
        self.root = os.geteuid() == 0
        self.current = None

    def start(self):
        self.cluster.init()
        self.cluster.psql("postgres", "CREATE DATABASE chaos_template TEMPLATE template0;")
        r = subprocess.run([self.cascade, "init", "-m", "chaos_template"],
                           capture_output=True, text=True, env=self.env)
        if r.returncode != 0:
            raise RuntimeError(f"cascade init failed: {r.stderr}")
        # every trial's and reference's database is a copy of the template:
        # the orbits loaded here are in each before its first run
        load_orbits(self.cascade, self.env, "chaos_template", TEMPLATE_ORBIT_DAYS,
                    os.path.join(self.base, "orbits.csv"))

    def finish(self):
        if self.current:
            kill_all(processes_with_env(owner_marker(self.token, self.current)))
        for m in list(self.mounts):
            subprocess.run(["umount", "-l", m], capture_output=True)
        self.cluster.stop("immediate")

    def new_db(self):
        self.ndb += 1
        name = f"chaos_{self.ndb}"
        self.cluster.psql("postgres", f"DROP DATABASE IF EXISTS {name};\n"
                                      f"CREATE DATABASE {name} TEMPLATE chaos_template;")
        return name

    def reference(self, shape, speed):
        """The uninterrupted run of a scenario (two slots): its state, exit
        status and duration (the kill instants are drawn from it)."""
        key = (shape, speed)
        if key in self.refs:
            return self.refs[key]
        tr = Trial(self, f"reference-{shape}-{speed}", shape, speed, 2,
                   random.Random(0), code_seed=0)
        tr.setup()
        t0 = time.monotonic()
        rc = tr.run()
        ms = (time.monotonic() - t0) * 1000
        st = tr.state()
        markers, bad = read_markers(tr.markers)
        text = open(tr.runs[-1]["log"], encoding="utf-8", errors="replace").read()
        m_pro = re.search(r"process: .* in ([0-9.]+) s", text)
        pro_ms = float(m_pro.group(1)) * 1000 if m_pro else ms * 0.9
        ref = dict(state=st, rc=rc, ms=ms, ingest_end_ms=max(ms - pro_ms, 5.0),
                   keys=len(markers))
        problems = []
        if rc != 0:
            problems.append(f"the uninterrupted run exited {rc}")
        if bad or any(s != 1 or e != 1 for s, e in markers.values()):
            problems.append("the uninterrupted run ran a code other than once")
        if st["failures"] or st["queue"] or st["batches"]:
            problems.append(f"the uninterrupted run left failures {st['failures']}, "
                            f"queue {st['queue']}, batches {st['batches']}")
        if shape in self.canon:
            tally, probs = compare(self.canon[shape][0], st, {}, [], [], rc, self.canon[shape][1])
            problems += [f"differs from the {shape} reference with other slots or codes: {p}"
                         for p in probs]
        else:
            self.canon[shape] = (st, rc)
        if problems:
            log(f"reference {key}: " + "; ".join(problems[:5]))
            log(f"  its directory is kept: {tr.dir}")
            raise SystemExit(2)
        tr.cleanup(keep=self.keep_all)
        log(f"reference {shape}/{speed}: {len(st['rows'])} files, "
            f"{len(markers)} code runs, {ms:.0f} ms")
        self.refs[key] = ref
        return ref


class Trial:
    def __init__(self, suite, name, shape, speed, slots, rng, code_seed, tmpfs=None):
        self.suite = suite
        self.cluster = suite.cluster
        self.name = name
        self.shape = shape
        self.speed = speed
        self.slots = slots
        self.rng = rng
        self.dir = os.path.join(suite.base, re.sub(r"[^A-Za-z0-9_.-]", "_", name))
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.root = os.path.join(self.dir, "data")
        self.markers = os.path.join(self.dir, "markers")
        self.db = suite.new_db()
        self.tmpfs = tmpfs
        self.runs = []
        self.ref = None
        self.events = []
        self.points = 0
        self.marker = owner_marker(suite.token, name)
        self.env = dict(suite.env, CHAOS_MARKERS=self.markers, CHAOS_TRIAL=name,
                        CHAOS_OWNER=self.marker.split("=", 1)[1],
                        CHAOS_CODE_MS=SPEEDS[speed], CHAOS_CODE_SEED=str(code_seed))

    # --- set-up
    def setup(self):
        os.makedirs(self.root)
        if self.tmpfs:
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.tmpfs},mode=0755",
                            "cascade-chaos", self.root], check=True)
            self.suite.mounts.append(self.root)
        shape = SHAPES[self.shape]
        with open(MISSION_TEMPLATE) as f:
            text = f.read()
        for k, v in (("@NAME@", "chaos"), ("@ROOT@", self.root), ("@CODES@", CODES),
                     ("@BATCH@", str(shape["batch"]))):
            text = text.replace(k, v)
        mission = os.path.join(self.dir, "mission.yaml")
        with open(mission, "w") as f:
            f.write(text)
        r = subprocess.run([self.suite.cascade, "config", "apply", mission, "-m", self.db],
                           capture_output=True, text=True, env=self.suite.env)
        if r.returncode != 0:
            raise RuntimeError(f"config apply failed: {r.stderr}")
        # the orbits the ORBIT process keys by, before the first run: the
        # template's, and in a longer scenario the rest of its days
        if shape["orbit_days"] > TEMPLATE_ORBIT_DAYS:
            load_orbits(self.suite.cascade, self.suite.env, self.db, shape["orbit_days"],
                        os.path.join(self.dir, "orbits.csv"))
        inc = os.path.join(self.root, "incoming")
        os.makedirs(inc)
        open(self.markers, "w").close()
        for i in range(shape["days"]):
            d = FIRST_DAY + datetime.timedelta(days=i)
            self.deliver(inc, f"ch_raw_{d:%Y%m%d}_v1.0.0.dat",
                         f"raw {d:%Y-%m-%d}\n" + "".join(f"sample {d:%j} {j}\n" for j in range(4)))
        for i in range(shape["aux"]):
            d = datetime.date(2010, 1, 1) + datetime.timedelta(days=i)
            self.deliver(inc, f"ch_aux_{d:%Y%m%d}_v1.0.0.dat", f"aux {i}\n")

    @staticmethod
    def deliver(inc, name, content):
        tmp = os.path.join(inc, "." + name + ".part")
        with open(tmp, "w") as f:
            f.write(content)
        os.rename(tmp, os.path.join(inc, name))

    # --- runs
    def argv(self, extra=()):
        return [self.suite.cascade, "process-queue", "-m", self.db, "-n", str(self.slots)] + list(extra)

    def start(self, extra=(), env=None, session=False, label="run"):
        n = len(self.runs) + 1
        logpath = os.path.join(self.dir, f"run-{n:02d}.log")
        lf = open(logpath, "w")
        e = dict(self.env, CHAOS_RUN=str(n))
        if env:
            e.update(env)
        argv = self.argv(extra)
        lf.write(f"# {label}: {' '.join(argv)}" +
                 "".join(f" {k}={v}" for k, v in (env or {}).items()) + "\n")
        lf.flush()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT,
                             env=e, cwd=self.dir, start_new_session=session)
        lf.close()
        rec = dict(n=n, label=label, log=logpath, proc=p, rc=None, hit=None,
                   t0=time.monotonic(), left=self.remaining())
        self.runs.append(rec)
        return rec

    def wait(self, rec):
        """Wait for a run, killing what the trial started if it hangs."""
        hung = []

        def guard():
            hung.append(True)
            kill_all([rec["proc"].pid] + processes_with_env(self.marker))
        timer = threading.Timer(RUN_GUARD_S, guard)
        timer.daemon = True
        timer.start()
        rc = rec["proc"].wait()
        rec["ms"] = (time.monotonic() - rec["t0"]) * 1000
        timer.cancel()
        rec["rc"] = 128 - rc if rc < 0 else rc
        if hung:
            rec["rc"] = "hung"
        with open(rec["log"], "a") as f:
            f.write(f"# exit {rec['rc']}\n")
        return rec["rc"]

    def run(self, extra=(), env=None, label="run"):
        return self.wait(self.start(extra, env, label=label))

    def killed_run(self, delay_ms, crash=False, label="kill", env=None):
        """A run SIGKILLed after delay_ms (the controller's pid only; with
        crash, its whole session and every process of the trial)."""
        rec = self.start(session=crash, label=f"{label} after {delay_ms:.1f} ms", env=env)
        p = rec["proc"]
        time.sleep(delay_ms / 1000.0)        # the injection's instant
        alive = p.poll() is None
        if alive:
            if crash:
                self.crash_kill(p.pid)
            else:
                os.kill(p.pid, signal.SIGKILL)
        rc = self.wait(rec)
        hit = alive and rc == 137
        rec["hit"] = hit
        self.event(f"{label}@{delay_ms:.0f}ms", rc, hit)
        return rc, hit

    def crash_kill(self, sid):
        """A machine dies: SIGKILL the controller's session and every
        process the trial started, until none is left."""
        marker = self.marker
        for _ in range(100):
            pids = set(processes_in_session(sid)) | set(processes_with_env(marker))
            if not pids:
                return
            kill_all(pids)

    def event(self, what, rc, hit):
        self.events.append(f"{what}:{rc}{'' if hit else '(miss)'}")
        if hit:
            self.points += 1

    def remaining(self):
        """The fraction of the codes that have not finished yet."""
        if not self.ref:
            return 1.0
        keys, _ = read_markers(self.markers)
        done = sum(1 for s, e in keys.values() if e)
        return max(0.0, 1.0 - done / max(self.ref["keys"], 1))

    def pick_delay(self, ref):
        """A kill instant: often early (start-up, recovery of the last
        kill), else anywhere in what is left of the work."""
        if self.rng.random() < 0.25:
            return self.rng.uniform(0, 40)
        return max(self.rng.random() * self.remaining() * ref["ms"], 1.0)

    def builds_done(self):
        """(builds succeeded, builds recording): a run made progress when
        more builds succeeded than were recording (finished by recovery)
        when it started."""
        r = self.cluster.psql(self.db, "SELECT count(*) FILTER (WHERE status = 'succeeded'), "
                                       "count(*) FILTER (WHERE status = 'recording') FROM build;")
        return int(r[0][0]), int(r[0][1])

    # --- the end
    def state(self):
        return read_state(self.cluster, self.db, self.root)

    def dump(self):
        with open(os.path.join(self.dir, "db.sql"), "w") as f:
            subprocess.run(["pg_dump", "-d", self.db], stdout=f,
                           stderr=subprocess.DEVNULL, env=self.suite.env)

    def cleanup(self, keep):
        if keep and not os.path.exists(os.path.join(self.dir, "db.sql")):
            self.dump()
        if self.tmpfs and self.root in self.suite.mounts:
            if keep:
                shutil.copytree(self.root, self.root + ".kept", symlinks=True,
                                ignore_dangling_symlinks=True)
            subprocess.run(["umount", self.root], capture_output=True)
            self.suite.mounts.remove(self.root)
        self.cluster.psql("postgres", f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE);",
                          check=False)
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------- families
#
# Each family function gets a set-up trial (files delivered, nothing run)
# and its reference, injects its faults, and returns the class of the
# trial: "strict" or "crash".  The final run and the comparison follow.

PROCESS_POINTS = ["flag-taken", "plan-committed", "build-started", "build-recording",
                  "build-linked", "build-recorded"]
INGEST_POINTS = ["ingest-journaled", "ingest-placed", "ingest-before-commit",
                 "ingest-committed", "ingest-unlinked"]


def kill_chain(tr, k, kill):
    """k runs, each killed by kill(); the chain ends early when a run
    finished before its kill (nothing left to kill), or after two kills
    in a row that made no progress: a third death without progress is
    what the poison rule is for, and a batch cannot tell an outside
    SIGKILL from a crash of its own making."""
    streak = 0
    for _ in range(k):
        before = tr.builds_done()
        rc, hit = kill()
        if not hit and rc == 0:
            break
        streak = 0 if tr.builds_done()[0] > sum(before) else streak + 1
        if streak >= 2:
            tr.events.append("(2 kills without progress: chain ended)")
            break


def fam_chain(tr, ref, kmin=1, kmax=6):
    kill_chain(tr, tr.rng.randint(kmin, kmax), lambda: tr.killed_run(tr.pick_delay(ref)))
    return "strict"


def fam_kill(tr, ref):
    tr.killed_run(tr.rng.random() * ref["ms"])
    return "strict"


def fam_kill_ingest(tr, ref):
    # the ingest phase: start-up, recovery and the batches of the ballast
    tr.killed_run(tr.rng.random() * ref["ingest_end_ms"])
    if tr.rng.random() < 0.5:
        tr.killed_run(tr.rng.random() * ref["ingest_end_ms"], label="kill again")
    return "strict"


def fam_fault_point(tr, ref):
    """SIGKILL at named fault points (CASCADE_FAULT=NAME:kill@N), once or
    twice in a row."""
    shape = SHAPES[tr.shape]
    nfiles = shape["days"] + shape["aux"]
    nbatches = -(-nfiles // shape["batch"])
    for i in range(tr.rng.choice([1, 1, 2])):
        if tr.shape == "ingest":
            point = tr.rng.choice(INGEST_POINTS)
            top = nfiles if point in ("ingest-placed", "ingest-unlinked") else nbatches
        else:
            point = tr.rng.choice(PROCESS_POINTS)
            top = {"flag-taken": 1, "plan-committed": 4, "build-recorded": 6}.get(point, ref["keys"])
        n = tr.rng.randint(1, top)
        rec = tr.start(env={"CASCADE_FAULT": f"{point}:kill@{n}"}, label=f"fault {point}@{n}")
        rc = tr.wait(rec)
        tr.event(f"{point}@{n}", rc, rc == 137)
    return "strict"


def fam_crash(tr, ref):
    """A whole machine dies: the controller's session and every process of
    the trial are SIGKILLed; half the time the database server crashes
    with it (immediate stop: asynchronous commits not yet written are
    lost).  Reruns are legitimate here and only counted."""
    def crash():
        pg = tr.rng.random() < 0.5
        rc, hit = tr.killed_run(tr.pick_delay(ref), crash=True, label="crash" + ("+pg" if pg else ""))
        if pg:
            tr.cluster.restart("immediate")
        return rc, hit
    kill_chain(tr, tr.rng.randint(1, 3), crash)
    return "crash"


def inject_during_run(tr, ref, what, inject):
    """Start a run, call inject() at a random instant of it; the run is
    then waited for.  A hit is an injection that found the run alive and
    acted (inject returns whether it did)."""
    delay = tr.rng.random() * ref["ms"] * 0.9
    rec = tr.start(label=f"{what} after {delay:.1f} ms")
    time.sleep(delay / 1000.0)            # the injection's instant
    alive = rec["proc"].poll() is None
    acted = inject() if alive else False
    rc = tr.wait(rec)
    tr.event(f"{what}@{delay:.0f}ms", rc, bool(alive and acted))
    return rc


def fam_pg_restart(tr, ref):
    def inject():
        tr.cluster.restart("fast")
        return True
    inject_during_run(tr, ref, "pg-restart", inject)
    return "strict"


def fam_pg_terminate(tr, ref):
    def inject():
        rows = tr.cluster.psql("postgres",
                               "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               f"WHERE datname = '{tr.db}' AND pid <> pg_backend_pid();")
        return any(r[0] == "t" for r in rows)
    inject_during_run(tr, ref, "pg-terminate", inject)
    return "strict"


def fam_flag_clear(tr, ref):
    def inject():
        r = subprocess.run([tr.suite.cascade, "flag", "clear", "--force",
                            "--reason=chaos", "-m", tr.db],
                           capture_output=True, text=True, env=tr.suite.env)
        with open(os.path.join(tr.dir, "flag-clear.log"), "a") as f:
            f.write(f"# exit {r.returncode}\n{r.stdout}{r.stderr}")
        return r.returncode == 0 and "not set" not in (r.stdout + r.stderr)
    inject_during_run(tr, ref, "flag-clear", inject)
    return "strict"


def wait_paused(fifo, proc):
    """Wait until proc blocks at a pausing fault point (it opens fifo for
    reading) or exits; return the write end (close it to release proc), or
    None if proc exited first."""
    r, w = os.pipe()
    box = {}

    def opener():
        try:
            box["fd"] = os.open(fifo, os.O_WRONLY)
        except OSError as e:
            box["err"] = e
        os.write(w, b"x")
    th = threading.Thread(target=opener, daemon=True)
    th.start()
    pidfd = os.pidfd_open(proc.pid)
    ready, _, _ = select.select([r, pidfd], [], [])
    if r not in ready:
        # it exited without pausing: release the opener
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        th.join()
        os.close(fd)
        if "fd" in box:
            os.close(box["fd"])
        box = {}
    th.join()
    for fd in (r, w, pidfd):
        os.close(fd)
    return box.get("fd")


def fam_two_controllers(tr, ref):
    """Two controllers at once.  Half the time the first is held at
    flag-taken (a pausing fault point) and the second must exit 3; else
    the second starts at a random instant of the first, which may be
    killed meanwhile: each exits 0 or 3 (137 for the killed one)."""
    if tr.rng.random() < 0.5:
        fifo = os.path.join(tr.dir, "pause.fifo")
        os.mkfifo(fifo)
        a = tr.start(env={"CASCADE_FAULT": "flag-taken:pause", "CASCADE_FAULT_FIFO": fifo},
                     label="first, held at flag-taken")
        fd = wait_paused(fifo, a["proc"])
        b_rc = tr.run(label="second, while the first holds the flag")
        if fd is not None:
            os.close(fd)
        a_rc = tr.wait(a)
        tr.event("second-while-held", b_rc, fd is not None)
        if fd is None or b_rc != 3 or a_rc != 0:
            tr.extra_problems.append(f"differ: with the flag held the second controller "
                                     f"exited {b_rc} (want 3), the first {a_rc} (want 0)")
    else:
        kill_first = tr.rng.random() < 0.5
        a = tr.start(label="first")
        d1 = tr.rng.uniform(0, ref["ms"] * 0.5)
        time.sleep(d1 / 1000.0)               # the second's instant
        b = tr.start(label=f"second, {d1:.1f} ms later")
        alive = a["proc"].poll() is None
        if kill_first:
            d2 = tr.rng.uniform(0, ref["ms"] * 0.5)
            time.sleep(d2 / 1000.0)           # the kill's instant
            if a["proc"].poll() is None:
                os.kill(a["proc"].pid, signal.SIGKILL)
        a_rc, b_rc = tr.wait(a), tr.wait(b)
        tr.event(f"second@{d1:.0f}ms" + (" +kill" if kill_first else ""), f"{a_rc}/{b_rc}", alive)
        ok_a = (0, 3, 137) if kill_first else (0, 3)
        if a_rc not in ok_a or b_rc not in (0, 3) or (a_rc == 3 and b_rc == 3):
            tr.extra_problems.append(f"differ: two controllers exited {a_rc} and {b_rc}")
    return "strict"


def fill_disk(path):
    """Fill the file system of path; return the filler's name."""
    filler = os.path.join(path, ".chaos-filler")
    with open(filler, "wb", buffering=0) as f:
        for size in (1 << 20, 1 << 12, 1):
            block = b"\0" * size
            while True:
                try:
                    f.write(block)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    return filler


def fam_disk_full(tr, ref):
    """The archive on a small tmpfs, filled so that nothing can be
    written: before the processing phase, or at a random instant of it.
    Then the space is freed; the final run must leave the reference's
    state (nothing marked bad, nothing lost)."""
    mode = tr.rng.choice(["before", "during"])
    if mode == "before":
        tr.run(extra=["-i"], label="ingest only")
        filler = fill_disk(tr.root)
        rc = tr.run(label="on a full disk")
        tr.event("disk-full-before", rc, True)
    else:
        box = {}

        def inject():
            box["filler"] = fill_disk(tr.root)
            return True
        inject_during_run(tr, ref, "disk-full", inject)
        filler = box.get("filler")
    if filler:
        os.unlink(filler)
    return "strict"


FAMILIES = {
    # name: (function, shape, speed, slots choices, trials per 500 points, short trials)
    "chain-fast": (fam_chain, "small", "fast", (1, 2, 2, 4), 60, 4),
    "chain-slow": (fam_chain, "small", "slow", (2,), 12, 0),
    "chain-big": (lambda tr, ref: fam_chain(tr, ref, 3, 6), "big", "fast", (2,), 8, 0),
    "kill-fast": (fam_kill, "small", "fast", (2, 4), 60, 3),
    "kill-slow": (fam_kill, "small", "slow", (2, 4), 15, 0),
    "kill-ingest": (fam_kill_ingest, "ingest", "fast", (2,), 24, 1),
    "fault-ingest": (fam_fault_point, "ingest", "fast", (2,), 16, 1),
    "fault-process": (fam_fault_point, "small", "fast", (1, 2), 24, 1),
    "pg-restart": (fam_pg_restart, "small", "fast", (2,), 10, 1),
    "pg-terminate": (fam_pg_terminate, "small", "fast", (2,), 10, 1),
    "flag-clear": (fam_flag_clear, "small", "fast", (2,), 10, 1),
    "two-controllers": (fam_two_controllers, "small", "fast", (2,), 10, 1),
    "disk-full": (fam_disk_full, "small", "fast", (2,), 6, 1),
    "crash": (fam_crash, "small", "fast", (2,), 15, 1),
}


def diagnose(tr, ref):
    """For a failed trial: would one more run have repaired it?  (Work
    left queued is deferred, not destroyed; the tallies stand either
    way.)  The state as the final run left it is dumped first."""
    tr.dump()
    shutil.copy(tr.markers, tr.markers + ".final")
    try:
        rc = tr.run(label="diagnostic, after the trial was judged")
        st = tr.state()
        markers, bad = read_markers(tr.markers)
        tally, probs = compare(ref["state"], st, markers, bad, [], rc, ref["rc"])
    except Exception as e:
        return f"one more run: harness error {e!r}"
    with open(os.path.join(tr.dir, "after-one-more-run.txt"), "w") as f:
        f.write("\n".join(probs) + "\n")
    left = {k: tally[k] for k in ("lost", "duplicated", "orphaned", "differ") if tally[k]}
    if not left:
        return "one more run repairs the state: the final run left work undone"
    return f"after one more run (exit {rc}): " + \
        " ".join(f"{k} {v}" for k, v in left.items())


def run_trial(suite, name):
    family, _, idx = name.partition("#")
    fn, shape, speed, slot_choices, _, _ = FAMILIES[family]
    rng = random.Random(f"{suite.seed}/{name}")
    slots = rng.choice(slot_choices)
    if family == "disk-full" and not suite.root:
        log(f"{name:<22} skipped: needs root (a tmpfs mount)")
        suite.skipped.append(name)
        return None
    ref = dict(suite.reference(shape, speed))
    # kill instants are fractions of the expected duration of the work,
    # which follows the machine's load: the reference's, then an average
    # of what complete runs of this scenario and slot count took since
    est_key = (shape, speed, slots)
    est = suite.est.setdefault(est_key, ref["ms"] * {1: 1.6, 2: 1.0}.get(slots, 0.85))
    ref["ingest_end_ms"] *= est / ref["ms"]
    ref["ms"] = est
    suite.current = name
    tr = Trial(suite, name, shape, speed, slots, rng, code_seed=rng.randrange(1 << 30),
               tmpfs="8m" if family == "disk-full" else None)
    tr.extra_problems = []
    tr.ref = ref
    t0 = time.monotonic()
    try:
        tr.setup()
        klass = fn(tr, ref)
        final_rc = tr.run(label="final")
        alive = still_running(tr.marker)
        kill_all(alive)
        st = tr.state()
        markers, bad = read_markers(tr.markers)
        tally, probs = compare(ref["state"], st, markers, bad, alive, final_rc, ref["rc"])
    except Exception as e:                  # a harness failure is a failed trial
        klass, tally, probs = "strict", dict.fromkeys(TALLY_KEYS, 0), [f"differ: harness: {e!r}"]
        tally["differ"] = 1
        st = None
    for p in tr.extra_problems:
        tally["differ"] += 1
        probs.append(p)
    fails = [k for k in FAIL_KEYS if tally[k] and not (klass == "crash" and k == "rerun")]
    ok = not fails
    summary = " ".join(f"{k} {tally[k]}" for k in TALLY_KEYS if tally[k])
    log(f"{name:<22} {'ok    ' if ok else 'FAILED'} slots {slots} {tr.points} points "
        f"[{' '.join(tr.events)}] {summary} ({time.monotonic() - t0:.1f}s)")
    if not ok:
        for p in probs[:12]:
            log(f"    {p}")
        if len(probs) > 12:
            log(f"    ... {len(probs) - 12} more in {tr.dir}/problems.txt")
        log(f"    kept: {tr.dir}")
        log(f"    reproduce: make check-chaos CHAOS_SEED={suite.seed} CHAOS_TRIAL='{name}'")
        log(f"           or: CASCADE={suite.cascade} {sys.argv[0]} --seed {suite.seed} --trial '{name}'")
        with open(os.path.join(tr.dir, "problems.txt"), "w") as f:
            f.write("\n".join(probs) + "\n")
        if st is not None:
            with open(os.path.join(tr.dir, "state.json"), "w") as f:
                f.write(state_json(st))
            with open(os.path.join(tr.dir, "reference-state.json"), "w") as f:
                f.write(state_json(ref["state"]))
            if any(tally[k] for k in ("lost", "duplicated", "orphaned", "differ")):
                log(f"    {diagnose(tr, ref)}")
        suite.failed.append(name)
    for rec in tr.runs:
        # a complete run that started with a good part of the work left
        # says how long all of it takes now
        if rec["rc"] == 0 and rec["left"] >= 0.3 and rec.get("ms") and not tr.tmpfs:
            suite.est[est_key] = 0.7 * suite.est[est_key] + 0.3 * rec["ms"] / rec["left"]
    tr.cleanup(keep=suite.keep_all or not ok)
    suite.results.append((family, klass, name, tally, tr.points, ok))
    return tr.points


def plan(args):
    """The trial names: every family's count scaled to the points asked
    for (or the short selection), in an interleaved seeded order."""
    if args.trial:
        return [t for t in args.trial.split(",") if t]
    fams = [f for f in (args.family.split(",") if args.family else FAMILIES) if f]
    for f in fams:
        if f not in FAMILIES:
            raise SystemExit(f"chaos.py: unknown family {f!r} (known: {', '.join(FAMILIES)})")
    names = []
    for f in fams:
        n = FAMILIES[f][5] if args.short else max(1, round(FAMILIES[f][4] * args.points / 500))
        names += [f"{f}#{i}" for i in range(1, n + 1)]
    random.Random(f"{args.seed}/order").shuffle(names)
    return names


def print_tallies(suite):
    rows = {}
    for family, klass, name, tally, points, ok in suite.results:
        r = rows.setdefault(family, dict(trials=0, points=0, failed=0, klass=klass,
                                         **dict.fromkeys(TALLY_KEYS, 0)))
        r["trials"] += 1
        r["points"] += points
        r["failed"] += 0 if ok else 1
        for k in TALLY_KEYS:
            r[k] += tally[k]
    cols = ("trials", "points") + TALLY_KEYS + ("failed",)
    head = f"{'family':<16}" + "".join(f"{c:>11}" for c in cols)
    log()
    log(f"chaos tallies (seed {suite.seed})")
    log(head)
    totals = {}
    for klass, title in (("strict", "total"), ("crash", "total (crash)")):
        tot = dict.fromkeys(cols, 0)
        for fam in sorted(f for f, r in rows.items() if r["klass"] == klass):
            r = rows[fam]
            log(f"{fam:<16}" + "".join(f"{r[c]:>11}" for c in cols))
            for c in cols:
                tot[c] += r[c]
        if any(tot.values()):
            log(f"{title:<16}" + "".join(f"{tot[c]:>11}" for c in cols))
        totals[klass] = tot
    return totals


def main():
    ap = argparse.ArgumentParser(description="cascade's chaos suite")
    ap.add_argument("--cascade", default=os.environ.get("CASCADE"))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("CHAOS_SEED") or DEFAULT_SEED))
    ap.add_argument("--points", type=int, default=int(os.environ.get("CHAOS_POINTS") or 500),
                    help="kill points to reach (default 500)")
    ap.add_argument("--short", action="store_true", help="the short selection of make check")
    ap.add_argument("--trial", default=os.environ.get("CHAOS_TRIAL"),
                    help="only these trials (NAME#N, comma-separated)")
    ap.add_argument("--family", default=os.environ.get("CHAOS_FAMILY"),
                    help="only these families (comma-separated)")
    ap.add_argument("--dir", default=os.environ.get("CHAOS_DIR"))
    ap.add_argument("--keep", action="store_true", default=os.environ.get("CHAOS_KEEP") == "1")
    ap.add_argument("--list", action="store_true", help="print the trials and exit")
    ap.add_argument("--selftest", action="store_true",
                    help="check the comparison on synthetic states (no database)")
    args = ap.parse_args()
    if args.selftest:
        return selftest(os.environ.get("CHAOS_VERBOSE") == "1")
    names = plan(args)
    if args.list:
        print("\n".join(names))
        return 0
    if not args.cascade or not os.access(args.cascade, os.X_OK):
        raise SystemExit("chaos.py: set CASCADE (or --cascade) to the cascade binary")
    args.cascade = os.path.abspath(args.cascade)
    suite = Suite(args)

    def on_signal(signum, frame):
        log(f"chaos: signal {signum}")
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    t0 = time.monotonic()
    points = 0
    log(f"chaos: seed {args.seed}, {len(names)} trials{' (short selection)' if args.short else ''}, "
        f"in {suite.base}")
    try:
        suite.start()
        for name in names:
            points += run_trial(suite, name) or 0
        # top up with kill chains until the points asked for are reached
        extra = max(1, round(FAMILIES["chain-fast"][4] * args.points / 500))
        while not args.short and not args.trial and not args.family and points < args.points:
            extra += 1
            points += run_trial(suite, f"chain-fast#{extra}") or 0
    except KeyboardInterrupt:
        log("chaos: interrupted")
        return 130
    finally:
        suite.finish()
    totals = print_tallies(suite)
    strict, crash = totals.get("strict", {}), totals.get("crash", {})
    bad = sum(strict.get(k, 0) for k in FAIL_KEYS) + \
        sum(crash.get(k, 0) for k in FAIL_KEYS if k != "rerun")
    log(f"chaos: {points} kill points in {len(suite.results)} trials, "
        f"{len(suite.failed)} failed"
        + (f", {len(suite.skipped)} skipped (not root)" if suite.skipped else "")
        + f", {time.monotonic() - t0:.0f} s")
    if suite.failed:
        log(f"failed trials (kept under {suite.base}): {','.join(suite.failed)}")
        log(f"reproduce all: make check-chaos CHAOS_SEED={args.seed} CHAOS_TRIAL='{','.join(suite.failed)}'")
    elif not args.keep:
        shutil.rmtree(suite.base, ignore_errors=True)
    return 1 if bad or suite.failed else 0


if __name__ == "__main__":
    sys.exit(main())
