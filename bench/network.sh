#!/bin/bash
# An endpoint into a container's network namespace and out again, hcs
# against the CNI bridge plugin (containernetworking-plugins), in one run;
# prints the mean of each and the ratio.
#   hcs: hcsctl endpoint create + attach + rm (three processes)
#   CNI: bridge ADD + DEL with host-local IPAM (two processes)
# Everything runs in a network namespace of the script's own.
#
# Usage (as root, after scripts/setup.sh):  bench/network.sh [RUNS]
set -eu

runs=${1:-50}
if [ -z "${HCS_BENCH_IN_NETNS:-}" ]; then
  command -v /usr/lib/cni/bridge >/dev/null ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q containernetworking-plugins >/dev/null
  exec env HCS_BENCH_IN_NETNS=1 unshare -n "$0" "$@"
fi

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
hcsctl=$build/tools/hcsctl
export HCS_PLUGIN_PATH=$build/plugins/hns
ip link set lo up

work=$(mktemp -d /tmp/hcs-bench-net-XXXXXX)
unshare -n sleep 1000000 &
target=$!
cleanup() {
  kill "$target" 2>/dev/null || true
  "$hcsctl" --options "$work/options.ini" network rm --force bench >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
sleep 0.2
netns=/proc/$target/ns/net

printf '[host]\nstate-dir=%s/state\nno-installed-plugins=true\n' "$work" > "$work/options.ini"
"$hcsctl" --options "$work/options.ini" network create --subnet 10.231.20.0/24 bench >/dev/null

cat > "$work/cni.conf" <<EOT
{"cniVersion": "1.0.0", "name": "bench-cni", "type": "bridge", "bridge": "cnibench0",
 "isGateway": true, "ipMasq": false,
 "ipam": {"type": "host-local", "subnet": "10.231.21.0/24", "dataDir": "$work/ipam"}}
EOT

now_ns() { date +%s%N; }

hcs_once() {
  set -- $("$hcsctl" --options "$work/options.ini" endpoint create bench "e$1")
  "$hcsctl" --options "$work/options.ini" endpoint attach "$1" "$netns"
  "$hcsctl" --options "$work/options.ini" endpoint rm "$1"
}

cni_once() {
  CNI_COMMAND=ADD CNI_CONTAINERID="c$1" CNI_NETNS=$netns CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
    /usr/lib/cni/bridge < "$work/cni.conf" >/dev/null
  CNI_COMMAND=DEL CNI_CONTAINERID="c$1" CNI_NETNS=$netns CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
    /usr/lib/cni/bridge < "$work/cni.conf" >/dev/null
}

mean_us() {
  start=$(now_ns)
  i=0
  while [ $i -lt "$runs" ]; do
    "$1" $i || { echo "bench: $1 failed" >&2; exit 1; }
    i=$((i + 1))
  done
  end=$(now_ns)
  echo $(((end - start) / runs / 1000))
}

hcs_once warm && cni_once warm
hcs_us=$(mean_us hcs_once)
cni_us=$(mean_us cni_once)
# In a host process that holds an HcsHost (HNS's model: a service), the
# same four steps without a process start per step.
"$build/bench/hcs-bench-network-cycle" "$work/options.ini" bench "$netns" 3 >/dev/null
host_us=$("$build/bench/hcs-bench-network-cycle" "$work/options.ini" bench "$netns" "$runs")
echo "endpoint into a namespace and out again, mean of $runs runs"
printf '  %-44s %8s µs\n' "hcs in a host process (create+attach+detach+rm)" "$host_us" \
  "hcsctl, three processes (create + attach + rm)" "$hcs_us" "CNI bridge, two processes (ADD + DEL)" "$cni_us"
awk -v h="$hcs_us" -v c="$cni_us" -v p="$host_us" 'BEGIN {
  printf "  cni/hcs-in-host = %.2f   cni/hcsctl = %.2f   (above 1: hcs is faster)\n", c / p, c / h }'
