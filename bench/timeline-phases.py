#!/usr/bin/env python3
"""Cuts ftrace event traces of one container run into phases; prints the
median of each phase per runtime, side by side.

Usage: timeline-phases.py [--create] FOLDER NAME...
       (reads FOLDER/NAME.0, NAME.1, ...)

Each trace holds sched_process_fork/exec/exit and cgroup_mkdir/attach_task/
rmdir events of one CLI command and its children (bench/timeline.sh). The
workload is the process whose exec comes last before the first rmdir (the
runtimes exec it inside the container); the markers, in the order they
happen:

  start      the CLI's first exec
  cgroup     the first cgroup_mkdir
  helper     the fork of a child that execs something other than the
             workload and is an ancestor of it (hcs's namespace helper)
  clone      the fork that made the workload's process
  join       the last cgroup_attach_task of the workload's process
  release    the last sched_wakeup of the workload's process, before its
             exec, by a thread of the CLI (hcs: the byte of `start`;
             crun: its parent's last sync)
  exec       the workload's exec
  exit       the workload's exit
  rmdir      the first cgroup_rmdir
  end        the last event (the CLI's last thread exiting)

A phase runs from its marker to the next marker in time, so the phases add
up to the total whatever order a runtime does things in (crun clones before
it makes its cgroups; hcsctl forks its helper before it makes them, so its
"spawning the helper" is the fork and what the CLI does until the first
mkdir, and its "cgroup mkdir and writes" holds the spec's hand-off and the
helper's clone too, while the helper's exec and start overlap both).

With --create the traces are of a detached create (runc's `create`): no
workload runs, the init stays, waiting for `start`. The init is the
CLI's descendant forked last of those that never exit in the trace; the
markers are start, cgroup, helper, clone and join as above, then

  ready      the last sched_wakeup of a thread of the CLI by a process
             that is not the CLI's (hcs: the helper's status line; crun:
             its init's last sync)
  end        the last event (the CLI's last thread exiting)
"""
import os
import re
import statistics
import sys

EVENT = re.compile(r'^\s*(?P<comm>.*?)-(?P<tid>\d+)\s+\[\d+\]\s+\S+\s+(?P<ts>[\d.]+):\s+'
                   r'(?P<event>\w+):\s+(?P<fields>.*)$')

PHASES = [
    ('start', 'start-up to the first useful action'),
    ('cgroup', 'cgroup mkdir and writes (hcs: and spec)'),
    ('helper', 'spawning the helper (hcs: first)'),
    ('clone', 'clone with namespaces, cgroup join'),
    ('join', 'init set-up, until released'),
    ('release', 'released to the workload\'s exec'),
    ('exec', 'the workload (/bin/true)'),
    ('exit', 'teardown: reap to cgroup rmdir'),
    ('rmdir', 'teardown: rmdir to the CLI\'s exit'),
]

CREATE_PHASES = PHASES[:4] + [
    ('join', 'init set-up, until it reports ready'),
    ('ready', 'after the report: records, the CLI\'s exit'),
]


def fields_of(text):
    return dict(re.findall(r'(\w+)=(\S+)', text))


def read_events(path):
    events = []
    with open(path) as trace:
        for line in trace:
            match = EVENT.match(line)
            if match:
                event = match.groupdict()
                event['ts'] = float(event['ts']) * 1000.0
                event['fields'] = fields_of(event['fields'])
                events.append(event)
    if not events:
        raise ValueError(f'{path}: no events')
    return events


def family_of(events):
    parent = {}
    fork_ts = {}
    for event in events:
        if event['event'] == 'sched_process_fork':
            child = int(event['fields']['child_pid'])
            parent[child] = int(event['fields']['pid'])
            fork_ts[child] = event['ts']
    return parent, fork_ts


def markers_of(path):
    events = read_events(path)
    parent, fork_ts = family_of(events)
    execs = [e for e in events if e['event'] == 'sched_process_exec']
    rmdirs = [e for e in events if e['event'] == 'cgroup_rmdir']
    first_rmdir = rmdirs[0]['ts'] if rmdirs else events[-1]['ts']
    workload = [e for e in execs if e['ts'] < first_rmdir][-1]
    workload_pid = int(workload['fields']['pid'])

    marks = {'start': execs[0]['ts'], 'end': events[-1]['ts'], 'exec': workload['ts']}
    mkdirs = [e for e in events if e['event'] == 'cgroup_mkdir']
    if mkdirs:
        marks['cgroup'] = mkdirs[0]['ts']
    if workload_pid in fork_ts:
        marks['clone'] = fork_ts[workload_pid]
    joins = [e for e in events if e['event'] == 'cgroup_attach_task'
             and int(e['fields']['pid']) == workload_pid and e['ts'] < workload['ts']]
    if joins:
        marks['join'] = joins[-1]['ts']
    exited = [e for e in events if e['event'] == 'sched_process_exit'
              and int(e['tid']) == workload_pid and e['ts'] > workload['ts']]
    if exited:
        marks['exit'] = exited[0]['ts']
    if rmdirs:
        marks['rmdir'] = first_rmdir
    cli_pid = int(execs[0]['fields']['pid'])
    exec_pids = {int(e['fields']['pid']) for e in execs}
    # The CLI's threads: its children that never exec.
    cli_threads = {cli_pid} | {child for child, par in parent.items()
                               if par == cli_pid and child not in exec_pids}
    wakeups = [e for e in events if e['event'] == 'sched_wakeup'
               and int(e['fields']['pid']) == workload_pid and int(e['tid']) in cli_threads
               and e['ts'] < workload['ts']]
    if wakeups:
        marks['release'] = wakeups[-1]['ts']
    mark_helper(marks, workload_pid, cli_pid, parent, fork_ts, exec_pids)
    return marks


def mark_helper(marks, pid, cli_pid, parent, fork_ts, exec_pids):
    """The fork of an exec'ing ancestor of @pid below the CLI: the helper."""
    ancestor = parent.get(pid)
    while ancestor is not None and ancestor != cli_pid:
        if ancestor in exec_pids and ancestor in fork_ts:
            marks['helper'] = fork_ts[ancestor]
        ancestor = parent.get(ancestor)


def create_markers_of(path):
    events = read_events(path)
    parent, fork_ts = family_of(events)
    execs = [e for e in events if e['event'] == 'sched_process_exec']
    cli_pid = int(execs[0]['fields']['pid'])
    exec_pids = {int(e['fields']['pid']) for e in execs}
    exited = {int(e['tid']) for e in events if e['event'] == 'sched_process_exit'}

    def descends(pid):
        while pid is not None and pid != cli_pid:
            pid = parent.get(pid)
        return pid == cli_pid
    # The CLI's threads all exit with it; the init stays.
    alive = [pid for pid in fork_ts if pid not in exited and descends(pid)]
    if not alive:
        raise ValueError(f'{path}: no init left running')
    init_pid = max(alive, key=lambda pid: fork_ts[pid])
    cli_threads = {cli_pid} | {child for child, par in parent.items()
                               if par == cli_pid and child not in exec_pids
                               and child not in alive}
    marks = {'start': execs[0]['ts'], 'end': events[-1]['ts'], 'clone': fork_ts[init_pid]}
    mkdirs = [e for e in events if e['event'] == 'cgroup_mkdir']
    if mkdirs:
        marks['cgroup'] = mkdirs[0]['ts']
    joins = [e for e in events if e['event'] == 'cgroup_attach_task'
             and int(e['fields']['pid']) == init_pid]
    if joins:
        marks['join'] = joins[-1]['ts']
    wakeups = [e for e in events if e['event'] == 'sched_wakeup'
               and int(e['fields']['pid']) in cli_threads and int(e['tid']) not in cli_threads
               and e['ts'] > marks['clone']]
    if wakeups:
        marks['ready'] = wakeups[-1]['ts']
    mark_helper(marks, init_pid, cli_pid, parent, fork_ts, exec_pids)
    return marks


def phases_of(marks, phase_list):
    ordered = sorted(marks.items(), key=lambda item: item[1])
    phases = {name: 0.0 for name, _ in phase_list}
    for (name, ts), (_, next_ts) in zip(ordered, ordered[1:]):
        phases[name] += next_ts - ts
    phases['total'] = marks['end'] - marks['start']
    return phases


def main():
    args = sys.argv[1:]
    create = bool(args) and args[0] == '--create'
    if create:
        args = args[1:]
    folder, names = args[0], args[1:]
    phase_list = CREATE_PHASES if create else PHASES
    read_markers = create_markers_of if create else markers_of
    medians = {}
    for name in names:
        runs = sorted(f for f in os.listdir(folder) if f.startswith(name + '.'))
        per_run = [phases_of(read_markers(os.path.join(folder, f)), phase_list) for f in runs]
        medians[name] = {phase: statistics.median(run[phase] for run in per_run)
                         for phase in per_run[0]}
    print(f'  {"phase":<42}' + ''.join(f'{name:>10}' for name in names))
    rows = phase_list + [('total', 'total (phases\' medians need not add up)')]
    for phase, label in rows:
        print(f'  {label:<42}' + ''.join(f'{medians[name][phase]:10.2f}' for name in names))


if __name__ == '__main__':
    main()
