#!/bin/sh
# havip-agent: sends one heartbeat for this instance to the havip HTTP API, prints the reply, and takes
# over (or gives up) the HaVip addresses the reply says this instance holds.
# Run it every few seconds (havip-agent.timer does). POSIX sh + curl (+ openssl for HMAC signing)
# + iproute2 and arping for the takeover.
#
# Settings come from the environment, or from the file named by HAVIP_AGENT_ENV
# (default /etc/havip-agent.env, root-owned, mode 0600):
#   HAVIP_ENDPOINT         API base URL, e.g. https://havip-xxxx.cn-hangzhou.fcapp.run   (required)
#   HAVIP_API_TOKEN        bearer token                                  } one of the two schemes
#   HAVIP_HMAC_KEY_ID      HMAC key id  + HAVIP_HMAC_SECRET the secret   }
#   INSTANCE_ID            this instance's id; default: asked from the ECS metadata service
#   HAVIP_AGENT_STATE_DIR  where the sequence number is kept (default /var/lib/havip-agent)
#   HAVIP_AGENT_TIMEOUT    seconds to wait for the API (default 4, below the 5 s timer period)
#   HAVIP_TAKEOVER         on (default): configure and announce held addresses; off: heartbeat only
#   HAVIP_INTERFACE        interface for the HaVip addresses (default: the one of the default route)
#   HAVIP_GARP_REFRESH_SECONDS  repeat the gratuitous ARP this often while holder (default 60; 0: every beat)
#   HAVIP_GARP_COUNT       gratuitous ARPs per announcement (default 5)
#
# Exit status: 0 the heartbeat was accepted, 1 it was answered but not accepted or the API refused it,
# 2 a configuration or connection problem, 3 the takeover step failed (ip/arping, or an unusable reply).
set -eu

ENV_FILE="${HAVIP_AGENT_ENV:-/etc/havip-agent.env}"
METADATA_URL="http://100.100.100.200/latest/meta-data/instance-id"

die() {
  printf 'havip-agent: %s\n' "$1" >&2
  exit "${2:-2}"
}

# Reads KEY=VALUE lines without executing the file (it holds secrets and must never run code).
# Only the known keys are taken; a value may be wrapped in single or double quotes.
load_env_file() {
  [ -r "$1" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'*) continue ;; esac
    key=${line%%=*}
    value=${line#*=}
    case "$value" in
      \"*\") value=${value#\"} value=${value%\"} ;;
      \'*\') value=${value#\'} value=${value%\'} ;;
    esac
    case "$key" in
      HAVIP_ENDPOINT | HAVIP_API_TOKEN | HAVIP_HMAC_KEY_ID | HAVIP_HMAC_SECRET | INSTANCE_ID | \
        HAVIP_AGENT_STATE_DIR | HAVIP_AGENT_TIMEOUT | HAVIP_TAKEOVER | HAVIP_INTERFACE | \
        HAVIP_GARP_REFRESH_SECONDS | HAVIP_GARP_COUNT)
        export "$key=$value"
        ;;
    esac
  done <"$1"
}

load_env_file "$ENV_FILE"

[ -n "${HAVIP_ENDPOINT:-}" ] || die "HAVIP_ENDPOINT is not set (in $ENV_FILE or the environment)"
STATE_DIR="${HAVIP_AGENT_STATE_DIR:-/var/lib/havip-agent}"
TIMEOUT="${HAVIP_AGENT_TIMEOUT:-4}"
ENDPOINT=${HAVIP_ENDPOINT%/}
TAKEOVER="${HAVIP_TAKEOVER:-on}"
REFRESH="${HAVIP_GARP_REFRESH_SECONDS:-60}"
GARP_COUNT="${HAVIP_GARP_COUNT:-5}"
case "$TAKEOVER" in on | off) ;; *) die "HAVIP_TAKEOVER must be on or off, got '$TAKEOVER'" ;; esac
case "$REFRESH" in '' | *[!0-9]*) die "HAVIP_GARP_REFRESH_SECONDS must be a whole number of seconds, got '$REFRESH'" ;; esac
case "$GARP_COUNT" in '' | *[!0-9]* | 0) die "HAVIP_GARP_COUNT must be a whole number from 1, got '$GARP_COUNT'" ;; esac
# The name reaches ip and arping as one argument, but a typo should fail here, not as an ip error later.
case "${HAVIP_INTERFACE:-}" in
  *[!A-Za-z0-9_.:-]*) die "HAVIP_INTERFACE may contain only letters, digits, '_', '.', ':' and '-', got '$HAVIP_INTERFACE'" ;;
esac

if [ -n "${HAVIP_API_TOKEN:-}" ]; then
  [ -z "${HAVIP_HMAC_KEY_ID:-}${HAVIP_HMAC_SECRET:-}" ] || die "set either HAVIP_API_TOKEN or the HMAC key, not both"
  SCHEME=bearer
elif [ -n "${HAVIP_HMAC_KEY_ID:-}" ] && [ -n "${HAVIP_HMAC_SECRET:-}" ]; then
  command -v openssl >/dev/null 2>&1 || die "HMAC signing needs openssl"
  SCHEME=hmac
else
  die "no credentials: set HAVIP_API_TOKEN, or HAVIP_HMAC_KEY_ID and HAVIP_HMAC_SECRET"
fi

# The ECS metadata service answers only from inside the instance; set INSTANCE_ID to skip it.
if [ -z "${INSTANCE_ID:-}" ]; then
  INSTANCE_ID=$(curl -fsS --max-time 2 "$METADATA_URL") || die "cannot read the instance id from $METADATA_URL; set INSTANCE_ID"
fi
case "$INSTANCE_ID" in
  i-* | eni-*) ;;
  *) die "INSTANCE_ID must be an instance id (i-...) or ENI id (eni-...), got '$INSTANCE_ID'" ;;
esac
case "$INSTANCE_ID" in
  *[!a-z0-9-]*) die "INSTANCE_ID may contain only lowercase letters, digits and '-', got '$INSTANCE_ID'" ;;
esac

# The sequence must grow across restarts and a lost state file, since the server ignores a heartbeat
# whose sequence is not above the last one it recorded. It is at least the clock in milliseconds (which
# grows ~5000 per beat) and at least the last value + 1 (in case the clock steps back).
mkdir -p "$STATE_DIR"
last=0
if [ -r "$STATE_DIR/sequence" ]; then
  last=$(cat "$STATE_DIR/sequence")
  case "$last" in '' | *[!0-9]*) last=0 ;; esac
fi
sequence=$((last + 1))
clock=$(($(date +%s) * 1000))
[ "$clock" -gt "$sequence" ] && sequence=$clock
printf '%s\n' "$sequence" >"$STATE_DIR/sequence.tmp"
mv "$STATE_DIR/sequence.tmp" "$STATE_DIR/sequence"

body="{\"instanceId\":\"$INSTANCE_ID\",\"sequence\":$sequence}"

# Credentials reach curl through its config on stdin, never its command line (visible in ps).
if [ "$SCHEME" = bearer ]; then
  auth_config=$(printf 'header = "Authorization: Bearer %s"' "$HAVIP_API_TOKEN")
else
  # The signed path includes any base path of the endpoint: the server sees the full path.
  base_path=$(printf '%s' "$ENDPOINT" | sed 's#^[A-Za-z][A-Za-z0-9+.-]*://[^/]*##')
  timestamp=$(date +%s)
  body_hash=$(printf '%s' "$body" | openssl dgst -sha256 -r | cut -d' ' -f1)
  # Note: openssl takes the HMAC key as an argument; on a shared host prefer the bearer token.
  signature=$(printf '%s\n%s\n%s\n%s' "$timestamp" POST "$base_path/v1/heartbeats" "$body_hash" |
    openssl dgst -sha256 -hmac "$HAVIP_HMAC_SECRET" -r | cut -d' ' -f1)
  auth_config=$(printf 'header = "X-Havip-Key-Id: %s"\nheader = "X-Havip-Timestamp: %s"\nheader = "X-Havip-Signature: %s"' \
    "$HAVIP_HMAC_KEY_ID" "$timestamp" "$signature")
fi

reply_file="$STATE_DIR/reply.json"
status=$(printf '%s\n' "$auth_config" | curl -sS --max-time "$TIMEOUT" -K - \
  -X POST -H 'Content-Type: application/json' --data-binary "$body" \
  -o "$reply_file" -w '%{http_code}' "$ENDPOINT/v1/heartbeats") || die "cannot reach $ENDPOINT"
reply=$(cat "$reply_file")

printf '%s sequence=%s http=%s %s\n' "$INSTANCE_ID" "$sequence" "$status" "$reply"

# --- HaVip takeover (the data plane) ---------------------------------------------------------------------
# The VPC delivers a HaVip's traffic to the bound instance that has the address on its NIC and announces it
# by ARP; binding alone only makes the instance eligible. So, after each answered heartbeat: configure and
# announce every address in "holds", re-announce while holding (keepalived's garp_master_refresh), and
# remove the addresses this agent added itself once they are no longer held, so a demoted holder stops
# answering for them. The commands and flags are those of the orchestrator's Cloud Assistant announce
# script, so both paths leave an instance in the same state.
#
# State (in STATE_DIR): "owned" lists "ADDR DEV" the agent added itself (the only ones it ever removes);
# "held" lists "ADDR DEV" held after the last usable reply; "announced.ADDR" holds the time of the last
# gratuitous ARP for ADDR, in epoch seconds.

takeover_failed=0

warn() {
  printf 'havip-agent: %s\n' "$1" >&2
  takeover_failed=1
}

# The "address" values inside the reply's "holds" array, one per line; exit 3 with a message instead when
# the reply is not what our server sends. No jq on purpose: the reply comes from our own server as
# compact JSON whose "holds" entries are flat objects of plain strings (group names, ids, dotted quads),
# with no nesting, brackets or escapes inside, so this small POSIX awk reads it exactly and keeps the
# agent to curl, iproute2 and arping. Every value must be a canonical dotted quad before it reaches ip,
# arping or a file name: a surprising reply makes the agent do nothing, never something else.
held_addresses() {
  awk '
    function ipv4(v, o, i) {
      if (split(v, o, ".") != 4) return 0
      for (i = 1; i <= 4; i++) if (o[i] !~ /^(0|[1-9][0-9]?[0-9]?)$/ || o[i] + 0 > 255) return 0
      return 1
    }
    BEGIN { RS = "\001" }
    {
      if (!match($0, /"holds"[ \t\r\n]*:[ \t\r\n]*\[[^]]*\]/)) { bad = "no \"holds\" array"; exit }
      s = substr($0, RSTART, RLENGTH)
      while (match(s, /"address"[ \t\r\n]*:[ \t\r\n]*"[^"]*"/)) {
        v = substr(s, RSTART, RLENGTH)
        s = substr(s, RSTART + RLENGTH)
        sub(/^"address"[ \t\r\n]*:[ \t\r\n]*"/, "", v)
        sub(/"$/, "", v)
        if (!ipv4(v)) { bad = "\"" v "\" in \"holds\" is not an IPv4 address"; exit }
        if (!(v in seen)) { seen[v] = 1; out = out v "\n" }
      }
    }
    END {
      if (NR == 0) bad = "an empty body"
      if (bad != "") { print bad; exit 3 }
      printf "%s", out
    }' "$1"
}

# The interface of the default route, found the way the Cloud Assistant announce script finds it.
default_interface() {
  ip -4 route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }'
}

# Sets dev to the interface for newly held addresses, once per run (and only when one is newly held).
dev_resolved=no
dev=""
resolve_interface() {
  [ "$dev_resolved" = no ] || return 0
  dev_resolved=yes
  dev=${HAVIP_INTERFACE:-$(default_interface)}
  case "$dev" in
    '') warn "no default route to pick the interface from: set HAVIP_INTERFACE" ;;
    *[!A-Za-z0-9_.:@-]*)
      warn "unexpected interface name '$dev' from the default route: set HAVIP_INTERFACE"
      dev=""
      ;;
  esac
}

# Whether ADDR is configured on DEV: compares the "inet" field exactly (a grep would let 10.0.0.1 match
# 10.0.0.10, or a dot match any character).
is_configured() {
  ip -4 -o addr show dev "$2" |
    awk -v a="$1" '{ for (i = 1; i < NF; i++) if ($i == "inet") { split($(i + 1), p, "/"); if (p[1] == a) f = 1 } }
      END { exit !f }'
}

# The DEV of the "ADDR DEV" line for ADDR in the given state files; the first match wins.
record_dev() {
  rd_addr=$1
  shift
  awk -v a="$rd_addr" '$1 == a { print $2; exit }' "$@" 2>/dev/null || true
}

# Gratuitous ARP for ADDR on DEV, then records the time. iputils' arping -U sends unsolicited ARP; a
# build without -U (or a failure) falls back to ARP replies (-A), which the VPC accepts as well.
announce() {
  if arping -U -c "$GARP_COUNT" -I "$2" "$1" >/dev/null 2>&1; then
    how="gratuitous ARP x$GARP_COUNT"
  elif arping -A -c "$GARP_COUNT" -I "$2" "$1" >/dev/null; then
    how="ARP reply x$GARP_COUNT, arping -U failed"
  else
    printf 'havip-agent: cannot announce %s on %s: arping failed\n' "$1" "$2" >&2
    return 1
  fi
  printf '%s\n' "$3" >"$STATE_DIR/announced.$1.tmp"
  mv "$STATE_DIR/announced.$1.tmp" "$STATE_DIR/announced.$1"
  printf 'announced %s on %s (%s)\n' "$1" "$2" "$how"
}

takeover() {
  addrs=$1
  owned_file="$STATE_DIR/owned"
  held_file="$STATE_DIR/held"
  [ -f "$owned_file" ] || : >"$owned_file"
  [ -f "$held_file" ] || : >"$held_file"
  if [ -z "$addrs" ] && [ ! -s "$owned_file" ] && [ ! -s "$held_file" ]; then
    return 0
  fi
  command -v ip >/dev/null 2>&1 || {
    warn "the takeover needs ip (iproute2); install it or set HAVIP_TAKEOVER=off"
    return 0
  }
  now=$(date +%s)
  nl='
'

  # Give up what is no longer held first, so a demoted holder stops answering as soon as it learns it.
  : >"$owned_file.tmp"
  while read -r a d; do
    [ -n "$a" ] || continue
    case "$nl$addrs$nl" in
      *"$nl$a$nl"*)
        printf '%s %s\n' "$a" "$d" >>"$owned_file.tmp"
        continue
        ;;
    esac
    if ! is_configured "$a" "$d"; then
      printf '%s/32 is no longer on %s (removed by someone else); forgetting it\n' "$a" "$d"
    elif ip addr del "$a/32" dev "$d"; then
      printf 'withdrew %s/32 from %s\n' "$a" "$d"
    else
      warn "cannot remove $a/32 from $d; will retry on the next beat"
      printf '%s %s\n' "$a" "$d" >>"$owned_file.tmp"
    fi
  done <"$owned_file"
  mv "$owned_file.tmp" "$owned_file"
  while read -r a d; do
    [ -n "$a" ] || continue
    case "$nl$addrs$nl" in *"$nl$a$nl"*) continue ;; esac
    rm -f "$STATE_DIR/announced.$a"
    if [ -z "$(record_dev "$a" "$owned_file")" ] && is_configured "$a" "$d"; then
      printf 'no longer holds %s; left it on %s (not configured by havip-agent)\n' "$a" "$d"
    fi
  done <"$held_file"

  command -v arping >/dev/null 2>&1 || [ -z "$addrs" ] ||
    warn "arping is not installed (iputils-arping / iputils): the held addresses cannot be announced"

  # Take over what is held. Announcements run in parallel: each arping takes about GARP_COUNT seconds.
  : >"$held_file.tmp"
  pids=""
  for a in $addrs; do
    d=$(record_dev "$a" "$held_file" "$owned_file")
    if [ -z "$d" ]; then
      # Just became the holder: announce now even if the address was already configured.
      resolve_interface
      d=$dev fresh=yes
      [ -n "$d" ] || continue
    else
      fresh=no
    fi
    printf '%s %s\n' "$a" "$d" >>"$held_file.tmp"
    if ! is_configured "$a" "$d"; then
      # /32: no connected route and no change to source address selection; removing it never drags
      # other addresses of the subnet along (as deleting a subnet's primary address does).
      if ! ip addr add "$a/32" dev "$d"; then
        warn "cannot configure $a/32 on $d; will retry on the next beat"
        continue
      fi
      # Recorded right after the change, so the agent never forgets it owns the address.
      [ -n "$(record_dev "$a" "$owned_file")" ] || printf '%s %s\n' "$a" "$d" >>"$owned_file"
      printf 'configured %s/32 on %s\n' "$a" "$d"
      fresh=yes
    fi
    command -v arping >/dev/null 2>&1 || continue
    last=$(cat "$STATE_DIR/announced.$a" 2>/dev/null || true)
    case "$last" in '' | *[!0-9]*) last="" ;; esac
    # A clock that stepped back counts as due, so a wrong clock never postpones the refresh.
    if [ "$fresh" = yes ] || [ -z "$last" ] || [ "$now" -lt "$last" ] || [ $((now - last)) -ge "$REFRESH" ]; then
      announce "$a" "$d" "$now" &
      pids="$pids $!"
    fi
  done
  mv "$held_file.tmp" "$held_file"
  for p in $pids; do
    wait "$p" || takeover_failed=1
  done
}

if [ "$TAKEOVER" = on ]; then
  case "$status" in
    200)
      if addrs=$(held_addresses "$reply_file"); then
        takeover "$addrs"
      else
        warn "unusable heartbeat reply ($addrs); left the addresses as they are"
      fi
      ;;
    404) printf '%s is not in the topology (http=404): holds nothing; left the addresses as they are\n' "$INSTANCE_ID" ;;
    # A control-plane outage must not flap the data plane: the last holder keeps serving.
    *) printf 'no usable heartbeat reply (http=%s): left the addresses as they are\n' "$status" ;;
  esac
fi
[ "$takeover_failed" = 0 ] || exit 3

[ "$status" = 200 ] || exit 1
case "$reply" in
  *'"accepted":true'* | *'"accepted": true'*) exit 0 ;;
  *) exit 1 ;;
esac
