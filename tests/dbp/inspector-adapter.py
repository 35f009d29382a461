#!/usr/bin/python3
# inspector-adapter.py ADAPTER TREE SQLITE: the fixture's dbprocessing
# inspectors, run through cascade-dbp-inspector one file at a time and in
# --batch mode, must identify every archived file exactly as dbprocessing
# did (the file rows of its SQLite database): its product alone claims it,
# with the same date, version, start, stop and process keywords.  Prints
# TAP; exits 1 on any difference.
import os
import sqlite3
import subprocess
import sys

adapter, tree, dbfile = sys.argv[1:4]
db = sqlite3.connect(dbfile)
inspectors = db.execute(
    'SELECT p.product_name, p.format, i.relative_path, i.filename, i.arguments '
    'FROM inspector i JOIN product p ON p.product_id = i.product '
    'WHERE i.active_code ORDER BY p.product_name').fetchall()
rows = db.execute(
    "SELECT f.filename, p.product_name, p.relative_path, f.utc_file_date, "
    "f.interface_version || '.' || f.quality_version || '.' || f.revision_version, "
    "f.utc_start_time, f.utc_stop_time, coalesce(f.process_keywords, '') "
    "FROM file f JOIN product p ON p.product_id = f.product_id "
    "WHERE f.exists_on_disk ORDER BY f.filename").fetchall()

n = 0
bad = 0


def ok(cond, what):
    global n, bad
    n += 1
    print('%sok %d - %s' % ('' if cond else 'not ', n, what))
    if not cond:
        bad += 1


def stamp(s):
    # dbprocessing's SQLite text "YYYY-MM-DD HH:MM:SS.ffffff" as the adapter writes it
    d, t = s.split(' ')
    if t.endswith('.000000'):
        t = t[:-7]
    return d + 'T' + t


def path_of(row):
    import glob
    hits = glob.glob(os.path.join(tree, row[2].replace('{Y}', '*'), row[0]))
    return hits[0] if len(hits) == 1 else None


def expect(row):
    lines = ['version=' + row[4], 'utc_file_date=' + row[3],
             'utc_start_time=' + stamp(row[5]), 'utc_stop_time=' + stamp(row[6])]
    if row[7]:
        lines.append('process_keywords=' + row[7])
    return ''.join(l + '\n' for l in lines)


def env_for(ins):
    e = dict(os.environ)
    e.update(CASCADE_PRODUCT=ins[0], CASCADE_PRODUCT_FORMAT=ins[1],
             CASCADE_MISSION='fixt')
    return e


def module_of(ins):
    return os.path.join(tree, ins[2], ins[3])


files = [(r, path_of(r)) for r in rows]
ok(len(files) > 20 and all(p for _, p in files),
   '%d archived files found in the tree' % len(files))

# one process per file and product, as cascade runs a program inspector
for r, p in files:
    claims = []
    for ins in inspectors:
        cp = subprocess.run([adapter, module_of(ins)] + (ins[4] or '').split() + [p],
                            capture_output=True, env=env_for(ins), text=True)
        if cp.returncode == 0:
            claims.append((ins[0], cp.stdout))
        elif cp.returncode != 1:
            claims.append((ins[0], 'exit %d: %s' % (cp.returncode, cp.stderr)))
    ok(claims == [(r[1], expect(r))],
       '%s: claimed by %s alone, as dbprocessing did (one process per file)%s'
       % (r[0], r[1], '' if claims == [(r[1], expect(r))] else ': got %r' % claims))

# --batch: one process per product, every file asked in turn
answers = {}
for ins in inspectors:
    req = b''.join(os.fsencode(p) + b'\0' for _, p in files)
    cp = subprocess.run([adapter, '--batch', module_of(ins)] + (ins[4] or '').split(),
                        input=req, capture_output=True, env=env_for(ins))
    ok(cp.returncode == 0, '--batch %s exits 0' % ins[0])
    out, frames = cp.stdout, []
    while out:
        head, out = out.split(b'\n', 1)
        status, length = head.split(b' ')
        frames.append((status.decode(), out[:int(length)].decode()))
        out = out[int(length):]
    ok(len(frames) == len(files), '--batch %s: one frame per file (%d)' % (ins[0], len(frames)))
    answers[ins[0]] = frames
for i, (r, p) in enumerate(files):
    claims = [(name, fr[i][1]) for name, fr in sorted(answers.items())
              if i < len(fr) and fr[i][0] == 'mine']
    ok(claims == [(r[1], expect(r))],
       '%s: claimed by %s alone with the same values (--batch)' % (r[0], r[1]))

# a module that cannot be used, and a frame for a file that is not there
cp = subprocess.run([adapter, os.path.join(tree, 'no-such.py'), p], capture_output=True, text=True)
ok(cp.returncode == 2 and 'does not exist' in cp.stderr, 'a missing module: exit 2 with the reason')
ins = [i for i in inspectors if i[0] == 'fxi_hk_L0'][0]
cp = subprocess.run([adapter, '--batch', module_of(ins)] + (ins[4] or '').split(),
                    input=b'/nonexistent/fixt_hk_20250309_v1.0.0.txt\0', capture_output=True,
                    env=env_for(ins))
ok(cp.returncode == 0 and cp.stdout.startswith(b'notmine ') and b'FileNotFoundError' in cp.stdout,
   'a file that cannot be read is not claimed, and the frame says why')
print('1..%d' % n)
sys.exit(1 if bad else 0)
