#!/bin/sh
# havip-agent: sends one heartbeat for this instance to the havip HTTP API and prints the reply.
# Run it every few seconds (havip-agent.timer does). POSIX sh + curl (+ openssl for HMAC signing).
#
# Settings come from the environment, or from the file named by HAVIP_AGENT_ENV
# (default /etc/havip-agent.env, root-owned, mode 0600):
#   HAVIP_ENDPOINT         API base URL, e.g. https://havip-xxxx.cn-hangzhou.fcapp.run   (required)
#   HAVIP_API_TOKEN        bearer token                                  } one of the two schemes
#   HAVIP_HMAC_KEY_ID      HMAC key id  + HAVIP_HMAC_SECRET the secret   }
#   INSTANCE_ID            this instance's id; default: asked from the ECS metadata service
#   HAVIP_AGENT_STATE_DIR  where the sequence number is kept (default /var/lib/havip-agent)
#   HAVIP_AGENT_TIMEOUT    seconds to wait for the API (default 4, below the 5 s timer period)
#
# Exit status: 0 the heartbeat was accepted, 1 it was answered but not accepted or the API refused it,
# 2 a configuration or connection problem.
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
        HAVIP_AGENT_STATE_DIR | HAVIP_AGENT_TIMEOUT)
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

# --- HaVip takeover hook (NOT IMPLEMENTED YET) ----------------------------------------------------------
# The reply's "holds" lists the HaVips this instance should serve: [{"group","haVipId","address"}].
# A later version configures each held address on the interface and announces it with gratuitous ARP,
# repeating like keepalived's garp_master_refresh, and removes addresses it no longer holds. Put that
# here, driven by "$reply". Until then, announce with keepalived or Cloud Assistant (see README.md).
# ---------------------------------------------------------------------------------------------------------

[ "$status" = 200 ] || exit 1
case "$reply" in
  *'"accepted":true'*) exit 0 ;;
  *) exit 1 ;;
esac
