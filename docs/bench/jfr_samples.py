"""What the profile scripts beside this file share: reading `jfr print --events jdk.ExecutionSample` output and
counting a thread's samples by component (the first category whose frame is on the stack wins)."""
import collections
import re


def read_samples(path):
    """The stack of each sample, as `jfr print` wrote it."""
    text = open(path).read()
    return [e.split('stackTrace = [', 1)[1] for e in text.split('jdk.ExecutionSample {')[1:] if 'stackTrace = [' in e]


def split(samples, marker, categories, exclude=None):
    """Samples whose stack holds `marker` (and does not match the regex `exclude`): their number, and per category
    (name, frame) how many have that frame; the rest are 'other'."""
    counts = collections.Counter()
    n = 0
    for stack in samples:
        if marker not in stack or (exclude and re.search(exclude, stack)):
            continue
        n += 1
        frames = set(re.findall(r'^\s+([\w.$<>/]+)\(', stack, re.M))
        counts[next((name for name, frame in categories if frame in frames), 'other')] += 1
    return n, counts
