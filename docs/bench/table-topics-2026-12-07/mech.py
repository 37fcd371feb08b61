import sys,re,glob,datetime
def ts(l): return datetime.datetime.strptime(l[:23],'%Y-%m-%dT%H:%M:%S,%f')
for d in sorted(glob.glob(sys.argv[1]+'/state-*')):
    lines=open(d+'/ferry.log',errors='replace').read().splitlines()
    first={}; block=0.0; snapdone=None; lastloaded=None; step7=None; check=0.0
    for l in lines:
        m=re.search(r"send records to topic '([^']+)' for the first time",l)
        if m: first[m.group(1)]=ts(l)
        m=re.search(r"AbstractWorkerSourceTask: Created topic '\(name=([^,]+),",l)
        if m and m.group(1) in first: block+=(ts(l)-first[m.group(1)]).total_seconds(); del first[m.group(1)]
        m=re.search(r"Topic '([^']+)' already exists",l)
        if m and m.group(1) in first: check+=(ts(l)-first[m.group(1)]).total_seconds(); del first[m.group(1)]
        if 'Snapshot step 7' in l: step7=ts(l)
        if 'Snapshot completed' in l: snapdone=ts(l)
        if 'TABLE_LOADED' in l and 'EventPublisher' in l: lastloaded=ts(l)
    print(f"{d.split('/')[-1]:16} topic create on source thread {block:5.2f}s, check only {check:5.2f}s, snapshot data {(snapdone-step7).total_seconds():5.1f}s, last table loaded {(lastloaded-snapdone).total_seconds():4.1f}s after snapshot end")
