import collections, re, sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])]
# per pid: list of (t, ticks, cmd)
per = collections.defaultdict(list)
for t, pid, ticks, cmd in rows:
    per[pid].append((float(t), int(ticks), cmd))
# classify each process: role and database
def role(cmd):
    m = re.match(r'postgres: (\S+) (\S+) (\S+)', cmd)
    if cmd.startswith('postgres: ') and m and ('(' in m.group(3) or m.group(3).startswith('[')):
        return 'backend', m.group(2)
    if cmd.startswith('postgres: '):
        return cmd[len('postgres: '):].split()[0:2].__str__(), None
    return 'postmaster', None
# time windows per database: first and last time a backend of it was seen busy
win = {}
for pid, s in per.items():
    r, db = role(s[-1][2])
    if r == 'backend' and db:
        a, b = win.get(db, (1e20, 0))
        win[db] = (min(a, s[0][0]), max(b, s[-1][0]))
for db, (a, b) in sorted(win.items(), key=lambda x: x[1][0]):
    if not (db.startswith('ferry') or db.startswith('serial') or db.startswith('textcopy') or db.startswith('copy')): continue
    print(f'== {db}: {b-a:.1f}s window')
    use = collections.Counter()
    for pid, s in per.items():
        inside = [x for x in s if a <= x[0] <= b]
        if len(inside) < 2: continue
        d = inside[-1][1] - inside[0][1]
        if d == 0: continue
        r, bdb = role(s[-1][2])
        key = f'{r} {bdb}' if r == 'backend' else r
        # for backends, label by the last command word seen
        use[key + ' pid' + pid if r=='backend' else key] += d
    for k, v in use.most_common(12):
        print(f'   {v/100:6.2f}s  {k}')
