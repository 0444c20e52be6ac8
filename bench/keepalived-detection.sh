#!/bin/bash
# keepalived's master-down detection, for the comparison in docs/failover-latency.md:
#   sudo bench/keepalived-detection.sh [runs]     (needs root, keepalived, iproute2, util-linux)
# Two keepalived (advert_int 1, unicast, priorities 100 / 90, nopreempt) in two network namespaces of
# their own (unshare -n), joined by a veth pair created directly inside them: the host's interfaces,
# addresses and routes are not touched. Each run freezes the master's VRRP process (SIGSTOP) at a random
# phase of the advert interval and times until the backup logs "Entering MASTER STATE"; then thaws it
# (the priority-100 master takes its role back) and waits.
set -u
RUNS=${1:-20}
W=$(mktemp -d)
trap 'kill $KA $KB $NA $NB 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
unshare -n sleep 100000 & NA=$!
unshare -n sleep 100000 & NB=$!
sleep 0.5
ip link add va netns $NA type veth peer name vb netns $NB || exit 1
nsenter -t $NA -n sh -c 'ip link set lo up; ip link set va up; ip addr add 10.99.0.1/24 dev va'
nsenter -t $NB -n sh -c 'ip link set lo up; ip link set vb up; ip addr add 10.99.0.2/24 dev vb'
conf() { # name priority own-address peer-address interface
  cat > "$W/$1.conf" <<CONF
global_defs {
  router_id $1
}
vrrp_instance VI_1 {
  state BACKUP
  interface $5
  virtual_router_id 51
  priority $2
  advert_int 1
  nopreempt
  unicast_src_ip $3
  unicast_peer {
    $4
  }
  virtual_ipaddress {
    10.99.0.100/32 dev $5
  }
}
CONF
}
conf a 100 10.99.0.1 10.99.0.2 va
conf b 90 10.99.0.2 10.99.0.1 vb
stamp() { while IFS= read -r l; do echo "$(date +%s%N) $l"; done; }
run() { nsenter -t $1 -n keepalived -n -l -D -f "$W/$2.conf" -p "$W/$2.pid" -r "$W/$2.vrrp.pid" -c "$W/$2.chk.pid" --vrrp 2>&1 | stamp > "$W/$2.log"; }
run $NA a & KA=$!
sleep 3
run $NB b & KB=$!
sleep 6
VRRP_A=$(grep -o 'VRRP child process, pid=[0-9]*' "$W/a.log" | head -1 | cut -d= -f2)
masters() { grep -c 'Entering MASTER STATE' "$W/b.log"; }
for i in $(seq 1 "$RUNS"); do
  before=$(masters)
  sleep "0.$((RANDOM % 10))"
  t0=$(date +%s%N)
  kill -STOP "$VRRP_A"
  for _ in $(seq 1 400); do [ "$(masters)" -gt "$before" ] && break; sleep 0.02; done
  t1=$(grep 'Entering MASTER STATE' "$W/b.log" | tail -1 | cut -d' ' -f1)
  echo "detection_ms $(( (t1 - t0) / 1000000 ))"
  kill -CONT "$VRRP_A"
  sleep 5
done
for f in a b; do kill "$(cat "$W/$f.pid" 2>/dev/null)" 2>/dev/null; done
