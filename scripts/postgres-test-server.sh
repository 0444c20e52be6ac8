#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the test suite: an unprivileged cluster in a temporary
# directory, listening on 127.0.0.1 only, with password (SCRAM) authentication. Prints one line,
#   HAVIP_TEST_POSTGRES_URL=postgres://havip:<password>@127.0.0.1:<port>/havip
# for the caller to export. `scripts/postgres-test-server.sh stop <dir>` stops and removes a cluster.
#
# PostgreSQL refuses to run as root, so under root the cluster belongs to an unprivileged system user
# (created once, no login shell). The server binaries come from Debian's `postgresql` package.
# The cluster is thrown away after the run: initdb skips fsync (--no-sync), as the server does (fsync=off).
set -euo pipefail

if [ "${1:-}" = stop ]; then
  dir=${2:?usage: postgres-test-server.sh stop <dir>}
  bin=$(cat "$dir/bindir")
  owner=$(stat -c %U "$dir/data")
  if [ "$(id -u)" = 0 ]; then runuser -u "$owner" -- "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true
  else "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true; fi
  rm -rf "$dir"
  exit 0
fi

bindir=""
for candidate in "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin; do
  if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then bindir=$candidate; fi
done
if [ -z "$bindir" ]; then
  echo "postgres-test-server: no PostgreSQL server binaries (initdb, pg_ctl) found;" \
    "install Debian's postgresql package (apt-get install postgresql) or set HAVIP_TEST_POSTGRES_URL" >&2
  exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/havip-pg.XXXXXX")
chmod 0755 "$dir"
echo "$bindir" >"$dir/bindir"
password=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$password" >"$dir/pwfile"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

as_owner=()
if [ "$(id -u)" = 0 ]; then
  user=havip-pg
  id -u "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
  chown -R "$user" "$dir"
  as_owner=(runuser -u "$user" --)
  chmod 0600 "$dir/pwfile"
fi

"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U havip --pwfile="$dir/pwfile" -A scram-sha-256 --no-sync \
  -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off" start >/dev/null ||
  { cat "$dir/server.log" >&2; exit 1; }
PGPASSWORD=$password "$bindir/psql" -h 127.0.0.1 -p "$port" -U havip -d postgres -qAt \
  -c 'CREATE DATABASE havip' >/dev/null
echo "HAVIP_TEST_POSTGRES_DIR=$dir"
echo "HAVIP_TEST_POSTGRES_URL=postgres://havip:$password@127.0.0.1:$port/havip"
