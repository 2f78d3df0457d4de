#!/usr/bin/env python3
# test-introspection.py: libhcs from Python through Hcs-1.0.typelib
# (PyGObject), as a host application in Python would use it: a host, an
# argon container on the built-in busybox image, a process in it whose
# stdout and exit code are read, then the container removed, and nothing
# of it left behind (state folder, mounts, cgroups).
#
# Run by meson test with GI_TYPELIB_PATH and LD_LIBRARY_PATH set to the
# build tree. Output is TAP.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import json
import os
import shutil
import sys
import tempfile

import gi

gi.require_version('Hcs', '1.0')
gi.require_version('GLib', '2.0')
from gi.repository import GLib, Hcs  # noqa: E402

CGROUP_PARENT = 'hcs-test-gi-%d' % os.getpid()
results = []


def check(ok, what):
    results.append((bool(ok), what))
    print('%s %d - %s' % ('ok' if ok else 'not ok', len(results), what), flush=True)
    if not ok:
        raise AssertionError(what)


def read_all(stream):
    data = b''
    while True:
        chunk = stream.read_bytes(4096, None).get_data()
        if not chunk:
            return data
        data += chunk


def cgroup_mounts():
    with open('/proc/self/mountinfo') as f:
        for line in f:
            fields = line.split()
            dash = fields.index('-')
            if fields[dash + 1] in ('cgroup', 'cgroup2'):
                yield fields[4]


def leftover_cgroups():
    left = []
    for mount in cgroup_mounts():
        parent = os.path.join(mount, CGROUP_PARENT)
        if os.path.isdir(parent):
            left += [os.path.join(parent, n) for n in os.listdir(parent)
                     if os.path.isdir(os.path.join(parent, n))]
    return left


def remove_cgroup_parent():
    for mount in cgroup_mounts():
        try:
            os.rmdir(os.path.join(mount, CGROUP_PARENT))
        except FileNotFoundError:
            pass


def run(work):
    check(Hcs.get_version() != '', 'libhcs %s through the typelib' % Hcs.get_version())

    options = GLib.KeyFile()
    options.set_string('host', 'state-dir', os.path.join(work, 'state'))
    options.set_boolean('host', 'no-installed-plugins', True)
    options.set_string('argon', 'cgroup-parent', CGROUP_PARENT)
    host = Hcs.Host.new(options)
    check('process' in host.list_isolations(), 'the argon plugin is loaded')

    # Bad input is a GLib.Error with hcs's domain and a message naming the field.
    try:
        Hcs.ContainerConfig.from_json('{"MemoryMaximumInMB": -1}', None)
        check(False, 'a bad ContainerConfig is refused')
    except GLib.Error as e:
        check(e.matches(Hcs.error_quark(), Hcs.Error.INVALID_DATA) and
              'MemoryMaximumInMB' in e.message, 'a bad ContainerConfig is refused: ' + e.message)

    network = Hcs.NetworkConfig.from_json('{"Name": "gi-net", "Type": "NAT"}')
    check(network.name == 'gi-net' and network.network_type == 'NAT',
          'an HNS network request parses into a boxed Hcs.NetworkConfig')

    rootfs = Hcs.image_ensure_default(os.path.join(work, 'images'), None)
    config = Hcs.ContainerConfig.from_json(
        json.dumps({'SystemType': 'Container', 'VolumePath': rootfs}), None)
    container = host.create_container('gi-test', config, None)
    check(container.get_id() == 'gi-test', 'created container ' + container.get_id())
    container.start()
    props = container.query_properties()
    check(props.state == 'Running' and props.isolation == 'process',
          'it runs with process isolation (query_properties: %s)' % props.state)

    process_config = Hcs.ProcessConfig.from_json(
        '{"CommandLine": "sh -c \'echo hello from python; exit 3\'", "CreateStdOutPipe": true}')
    process = container.create_process(process_config)
    check(process.get_pid() > 0, 'a process runs with pid %d' % process.get_pid())
    output = read_all(process.get_stdout())
    check(output == b'hello from python\n', 'its stdout reads %r' % output)
    process.wait(None)
    # (skip) on the gboolean: Python gets the exit code alone, or an exception.
    exit_code = process.get_exit_code()
    check(exit_code == 3, 'its exit code is %r' % (exit_code,))
    process.close()

    container.shutdown()
    container.wait_timeout(10000, None)
    props = container.query_properties()
    check(props.stopped and container.get_exit_code() == props.exit_code,
          'it stopped with exit code %d' % props.exit_code)
    container.remove()
    try:
        host.open_container('gi-test')
        check(False, 'the removed container cannot be opened')
    except GLib.Error as e:
        check(Hcs.error_is_not_exist(e), 'the removed container cannot be opened: ' + e.message)
    systems = os.path.join(work, 'state', 'systems')
    check(not os.path.isdir(systems) or os.listdir(systems) == [], 'no state folder is left')
    with open('/proc/self/mountinfo') as f:
        check(work not in f.read(), 'no mount is left')
    check(leftover_cgroups() == [], 'no cgroup is left')


def main():
    print('TAP version 13', flush=True)
    work = tempfile.mkdtemp(prefix='hcs-test-gi-')
    try:
        run(work)
    except AssertionError:
        pass
    except GLib.Error as e:
        results.append((False, e.message))
        print('not ok %d - unexpected error: %s' % (len(results), e.message), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        remove_cgroup_parent()
        print('1..%d' % len(results), flush=True)
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
