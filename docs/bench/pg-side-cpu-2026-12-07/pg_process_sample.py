import os, time, sys
out = open(sys.argv[1], 'w')
end = time.time() + float(sys.argv[2])
while time.time() < end:
    t = time.time()
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                cmd = f.read().replace(b'\0', b' ').decode(errors='replace').strip()
            if not cmd.startswith('postgres') and '/bin/postgres' not in cmd:
                continue
            with open(f'/proc/{pid}/stat') as f:
                parts = f.read().rsplit(')', 1)[1].split()
            ticks = int(parts[11]) + int(parts[12])
            out.write(f'{t:.3f}\t{pid}\t{ticks}\t{cmd}\n')
        except Exception:
            pass
    out.flush()
    time.sleep(0.2)
