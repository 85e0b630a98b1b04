#!/usr/bin/env bash
# The deployment of README "Deployment", tried once end to end on this machine, on loopback (CI: make smoke).
#
# A throw-away PostgreSQL (scripts/with-postgres.sh), an env file like /etc/peer-network/env, the systemd units
# and nginx's configuration rendered from deploy/ (and checked: systemd-analyze verify when present, nginx -t);
# the migration, the demo and a first admin; then the three services started with their units' own ExecStart
# and environment (deploy/run_unit.py: what systemd would run, without its sandbox), nginx in front of them,
# and checks over HTTP through nginx. Everything it starts is stopped when it ends, also on failure or Ctrl-C.
# It stops at the first failed check with "smoke: FAILED: <what>" and the end of the logs; last line on
# success: RESULT smoke=passed seconds=N.
#
# Usage: deploy/smoke.sh [--keep]   (--keep: leave the temporary folder, its logs and backups, in /tmp)
# Needs: make install (the .venv), nginx (installed from Debian's nginx-light when missing, as root) and a
# PostgreSQL server (apt-get install postgresql); exit status 3 when one is missing and cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ "${1:-}" != "--inner" ]; then
  export SMOKE_STARTED=$(date +%s) SMOKE_KEEP=${1:-}
  if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "== smoke: installing nginx (Debian's nginx-light)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
    else
      echo "smoke: nginx is missing (sudo apt-get install nginx-light)" >&2
      exit 3
    fi
  fi
  [ -x .venv/bin/python ] || { echo "smoke: no .venv here: run make install first" >&2; exit 1; }
  exec scripts/with-postgres.sh "$0" --inner
fi

# --- inside scripts/with-postgres.sh: NETWORK_TEST_POSTGRES_URL is an empty database of a running server ---
PY=$ROOT/.venv/bin/python
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | sort -V | tail -1)
DATABASE_URL=$NETWORK_TEST_POSTGRES_URL
WORK=$(mktemp -d /tmp/peer-network-smoke.XXXXXX)
# Started as root, nginx's workers run as "nobody": they must reach the temporary files under WORK.
chmod 755 "$WORK"
PIDS=()
PASSED=""
WEB_PID=""

step() { echo "== smoke [$(( $(date +%s) - SMOKE_STARTED )) s]: $*"; }
fail() {
  echo "smoke: FAILED: $*" >&2
  exit 1
}
show_logs() {
  for log in "$WORK"/*.log "$WORK"/nginx/*.log; do
    [ -s "$log" ] || continue
    echo "---- last lines of $log" >&2
    tail -n 25 "$log" >&2
  done
}
stop_all() {
  local status=$?
  trap - EXIT INT TERM
  # In the reverse order of their start: nginx, then gunicorn, then the workers.
  # gunicorn gets SIGINT, its quick stop: nothing here needs the graceful one (and it takes seconds).
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
    if [ "${PIDS[i]}" = "$WEB_PID" ]; then kill -INT "${PIDS[i]}"; else kill -TERM "${PIDS[i]}"; fi 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  [ $status = 0 ] || show_logs
  if [ "$SMOKE_KEEP" = --keep ]; then echo "smoke: kept $WORK" >&2; else rm -rf "$WORK"; fi
  if [ $status = 0 ] && [ -n "$PASSED" ]; then
    echo "RESULT smoke=passed seconds=$(( $(date +%s) - SMOKE_STARTED ))"
  fi
  exit $status
}
trap stop_all EXIT
trap 'exit 130' INT TERM

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
APP_PORT=$(free_port)
FRONT_PORT=$(free_port)
FRONT=http://127.0.0.1:$FRONT_PORT

# --- the files of README "Deployment", filled for this machine ----------------------------------------------
step "rendering the systemd units and nginx's configuration"
mkdir -p "$WORK/systemd" "$WORK/nginx" "$WORK/backups"
for template in deploy/systemd/*; do
  name=$(basename "$template")
  values=()
  grep -q @APP_DIR@ "$template" && values+=("APP_DIR=$ROOT")
  grep -q @BACKUP_DIR@ "$template" && values+=("BACKUP_DIR=$WORK/backups")
  "$PY" deploy/render.py "$template" "$WORK/systemd/$name" "${values[@]}"
done
if command -v systemd-analyze >/dev/null 2>&1; then
  systemd-analyze verify --man=no "$WORK"/systemd/* || fail "systemd-analyze verify refused the units"
else
  echo "smoke: systemd-analyze is not installed: the units' syntax is not checked"
fi
"$PY" deploy/render.py deploy/nginx/peer-network.conf "$WORK/nginx/peer-network.conf" \
  LISTEN="127.0.0.1:$FRONT_PORT" SERVER_NAME="127.0.0.1 localhost" UPSTREAM="127.0.0.1:$APP_PORT" \
  STATIC_ROOT="$ROOT/network/static"
"$PY" deploy/render.py deploy/nginx/standalone.conf "$WORK/nginx/nginx.conf" \
  RUNTIME_DIR="$WORK/nginx" SITE_CONF="$WORK/nginx/peer-network.conf"
"$NGINX" -t -q -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" || fail "nginx -t refused the configuration"

# The env file of README "Deployment" (/etc/peer-network/env), with this machine's database and folders.
cat > "$WORK/env" <<EOF
NETWORK_ENV=production
NETWORK_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_hex(32))')
NETWORK_DATABASE_URL=$DATABASE_URL
NETWORK_INSTANCE_PATH=$WORK/instance
NETWORK_TRUSTED_PROXIES=1
NETWORK_TRUSTED_HOSTS='["127.0.0.1", "localhost"]'
NETWORK_PUBLIC_URL=$FRONT
NETWORK_SECURE_COOKIES=false
GUNICORN_BIND=127.0.0.1:$APP_PORT
GUNICORN_WORKERS=2
GUNICORN_ACCESS_LOG=$WORK/gunicorn-access.log
EOF
UNITS=$WORK/systemd
# A command in the services' environment, as deploy/manage runs it (without changing user).
as_service() { "$PY" deploy/run_unit.py "$UNITS/peer-network-jobs.service" --env-file "$WORK/env" -- "$@"; }
flask() { as_service "$ROOT/.venv/bin/flask" --app network "$@"; }

step "migrating, seeding the demo, creating the first admin"
flask db upgrade >"$WORK/migrate.log" 2>&1 || fail "flask db upgrade (see $WORK/migrate.log)"
# The demo's 59 accounts hashed at the tests' argon2 cost, not production's (13 of its 27 s here): a
# password hash records its cost, so they log in all the same. The first admin gets production's.
NETWORK_ARGON2_TIME_COST=1 NETWORK_ARGON2_MEMORY_COST=1024 NETWORK_ARGON2_PARALLELISM=1 \
  flask seed-demo >"$WORK/seed.log" 2>&1 || fail "flask seed-demo"
ADMIN=admin@smoke.example.org
ADMIN_PASSWORD=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(18))')
echo "$ADMIN_PASSWORD" | flask users create --email "$ADMIN" --name "Smoke Admin" --role site_admin \
  --password-stdin >"$WORK/admin.log" 2>&1 || fail "flask users create (the first admin)"

# --- the services, with their units' ExecStart; nginx in front -----------------------------------------------
step "starting the search indexer, the job worker, gunicorn (units' ExecStart) and nginx on $FRONT"
start() {  # start LOG COMMAND...: in the background, its pid noted for stop_all
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  PIDS+=($!)
}
start "$WORK/search.log" "$PY" deploy/run_unit.py "$UNITS/peer-network-search.service" --env-file "$WORK/env"
start "$WORK/jobs.log" "$PY" deploy/run_unit.py "$UNITS/peer-network-jobs.service" --env-file "$WORK/env"
start "$WORK/web.log" "$PY" deploy/run_unit.py "$UNITS/peer-network-web.service" --env-file "$WORK/env"
WEB_PID=$!
start "$WORK/nginx.log" "$NGINX" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf"

alive() { for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || return 1; done; }
deadline=$((SECONDS + 60))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$FRONT/" 2>/dev/null)" = 200 ]; do
  alive || fail "a service stopped while starting"
  [ $SECONDS -lt $deadline ] || fail "no 200 from $FRONT/ within 60 s"
  sleep 0.3
done

# --- checks through nginx ---------------------------------------------------------------------------------
# header FILE NAME: the value of a response header in a file written by curl -D (the last answer's).
header() { tr -d '\r' <"$1" | awk -v name="$(echo "$2" | tr '[:upper:]' '[:lower:]')" -F': ' \
  'tolower($1) == name { value = substr($0, length($1) + 3) } END { print value }'; }
status_of() { tr -d '\r' <"$1" | awk '/^HTTP\// { code = $2 } END { print code }'; }
requests_seen_by_gunicorn() { wc -l <"$WORK/gunicorn-access.log"; }

step "the home page, gzipped when asked"
curl -sS -D "$WORK/h" -o "$WORK/home.gz" -H 'Accept-Encoding: gzip' "$FRONT/"
[ "$(status_of "$WORK/h")" = 200 ] || fail "home page: status $(status_of "$WORK/h")"
[ "$(header "$WORK/h" Content-Encoding)" = gzip ] || fail "home page: not gzipped (Content-Encoding '$(header "$WORK/h" Content-Encoding)')"
[ -n "$(header "$WORK/h" X-Page-Cache)" ] || fail "home page: no X-Page-Cache header: not the app's answer"
gzip -dc "$WORK/home.gz" >"$WORK/home.html" || fail "home page: the gzip body does not decompress"
grep -q '</html>' "$WORK/home.html" || fail "home page: not a whole HTML page"

step "a static file served by nginx, not gunicorn, under its fingerprinted address"
STYLESHEET=$(grep -o '/static/[0-9a-f]\{12\}/css/site\.css' "$WORK/home.html" | head -1)
[ -n "$STYLESHEET" ] || fail "home page: no fingerprinted /static/<digest>/css/site.css"
before=$(requests_seen_by_gunicorn)
curl -sS -D "$WORK/h" -o "$WORK/site.css.gz" -H 'Accept-Encoding: gzip' "$FRONT$STYLESHEET"
[ "$(status_of "$WORK/h")" = 200 ] || fail "$STYLESHEET: status $(status_of "$WORK/h")"
[ "$(header "$WORK/h" Cache-Control)" = "public, max-age=31536000, immutable" ] \
  || fail "$STYLESHEET: Cache-Control '$(header "$WORK/h" Cache-Control)'"
[ "$(header "$WORK/h" Content-Encoding)" = gzip ] || fail "$STYLESHEET: not gzipped"
gzip -dc "$WORK/site.css.gz" | cmp -s - network/static/css/site.css || fail "$STYLESHEET: not network/static/css/site.css"
[ "$(header "$WORK/h" X-Content-Type-Options)" = nosniff ] && [ -n "$(header "$WORK/h" Content-Security-Policy)" ] \
  || fail "$STYLESHEET: the app's security headers are missing"
ICON=${STYLESHEET%css/site.css}icons/bell.svg  # site.css's url(../icons/bell.svg), under its folder
curl -sS -D "$WORK/h" -o /dev/null "$FRONT$ICON"
[ "$(status_of "$WORK/h")" = 200 ] || fail "$ICON (named by site.css): status $(status_of "$WORK/h")"
curl -sS -D "$WORK/h" -o /dev/null "$FRONT/static/css/site.css"
[ "$(header "$WORK/h" Cache-Control)" = "public, max-age=300" ] \
  || fail "/static/css/site.css: Cache-Control '$(header "$WORK/h" Cache-Control)'"
[ "$(requests_seen_by_gunicorn)" = "$before" ] || fail "static files reached gunicorn"
grep -F "\"GET $STYLESHEET HTTP/1.1\" 200" "$WORK/nginx/access.log" | grep -q 'upstream=- ' \
  || fail "nginx's access log does not show $STYLESHEET served without the upstream"

step "logging in through nginx: CSRF token, session cookie, redirect"
csrf_token() { grep -o 'name="csrf_token" type="hidden" value="[^"]*"' "$1" | head -1 | sed 's/.*value="//; s/"$//'; }
JAR=$WORK/cookies
curl -sS -c "$JAR" -b "$JAR" -o "$WORK/login.html" "$FRONT/login"
TOKEN=$(csrf_token "$WORK/login.html")
[ -n "$TOKEN" ] || fail "the login form has no CSRF token"
curl -sS -c "$JAR" -b "$JAR" -D "$WORK/h" -o /dev/null --data-urlencode "csrf_token=$TOKEN" \
  --data-urlencode "email=$ADMIN" --data-urlencode "password=$ADMIN_PASSWORD" "$FRONT/login"
[ "$(status_of "$WORK/h")" = 302 ] || fail "login: status $(status_of "$WORK/h"), not 302"
location=$(header "$WORK/h" Location)
case $location in /|"$FRONT/") ;; *) fail "login: redirected to '$location', not / on $FRONT" ;; esac
grep -qi '^set-cookie: session=.*HttpOnly' <(tr -d '\r' <"$WORK/h") || fail "login: no HttpOnly session cookie"
curl -sS -b "$JAR" -D "$WORK/h" -o "$WORK/home-admin.html" "$FRONT/"
grep -q 'action="/logout"' "$WORK/home-admin.html" || fail "after login: the home page shows no log-out button"
[ "$(header "$WORK/h" Cache-Control)" = "private, no-store" ] || fail "a logged-in page is not private, no-store"

step "X-Forwarded-For: the client's address reaches the app (a failed login from 127.0.0.5)"
# The client connects from 127.0.0.5 and claims another address; nginx appends the address it sees, the
# app (NETWORK_TRUSTED_PROXIES=1) takes that one: 127.0.0.5, neither the forged one nor nginx's 127.0.0.1.
JAR5=$WORK/cookies5
curl -sS --interface 127.0.0.5 -c "$JAR5" -b "$JAR5" -o "$WORK/login5.html" "$FRONT/login"
curl -sS --interface 127.0.0.5 -c "$JAR5" -b "$JAR5" -o /dev/null -w '%{http_code}' \
  -H 'X-Forwarded-For: 198.51.100.7' --data-urlencode "csrf_token=$(csrf_token "$WORK/login5.html")" \
  --data-urlencode "email=xff-check@smoke.example.org" --data-urlencode "password=wrong" "$FRONT/login" >"$WORK/code"
[ "$(cat "$WORK/code")" = 401 ] || fail "failed login: status $(cat "$WORK/code"), not 401"
recorded=$("$PSQL" "$DATABASE_URL" -Atc "SELECT ip_address FROM login_attempts WHERE email = 'xff-check@smoke.example.org'")
[ "$recorded" = 127.0.0.5 ] || fail "the failed login was recorded from '$recorded', not 127.0.0.5"

step "Host and scheme: a password reset link names this site; other hosts and a forged scheme are refused"
curl -sS -c "$JAR5" -b "$JAR5" -o "$WORK/reset.html" "$FRONT/reset-password"
curl -sS -c "$JAR5" -b "$JAR5" -o /dev/null -w '%{http_code}' --data-urlencode "csrf_token=$(csrf_token "$WORK/reset.html")" \
  --data-urlencode "email=$ADMIN" "$FRONT/reset-password" >"$WORK/code"
case $(cat "$WORK/code") in 200|302|303) ;; *) fail "reset request: status $(cat "$WORK/code")" ;; esac
link=""
for _ in $(seq 50); do
  # The email is logged as sent: quoted-printable, its long lines cut with "=".
  link=$("$PY" -c 'import quopri, sys; sys.stdout.buffer.write(quopri.decodestring(open(sys.argv[1], "rb").read()))' \
    "$WORK/web.log" | grep -o "http://[^ ]*/reset-password/[A-Za-z0-9_.=-]*" | tail -1 || true)
  [ -n "$link" ] && break
  sleep 0.1
done
case $link in "$FRONT/reset-password/"?*) ;; *) fail "the reset email's link is '$link', not on $FRONT" ;; esac
[ "$(curl -sS -o /dev/null -w '%{http_code}' "$link")" = 200 ] || fail "the reset link does not open"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Host: attacker.example' "$FRONT/login")
[ "$code" = 400 ] || fail "a request for Host attacker.example got $code, not 400 (NETWORK_TRUSTED_HOSTS)"
curl -sS -D "$WORK/h" -o /dev/null -H 'X-Forwarded-Proto: https' "$FRONT/login"
[ -z "$(header "$WORK/h" Strict-Transport-Security)" ] \
  || fail "a client's X-Forwarded-Proto: https reached the app (HSTS sent over http)"

step "request size: over 64 MiB refused by nginx (413), a smaller body passed to the app"
truncate -s 65M "$WORK/too-large"
before=$(requests_seen_by_gunicorn)
code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
  --data-binary "@$WORK/too-large" "$FRONT/login")
rm -f "$WORK/too-large"
[ "$code" = 413 ] || fail "a 65 MiB request got $code, not 413"
[ "$(requests_seen_by_gunicorn)" = "$before" ] || fail "the 65 MiB request reached gunicorn"
head -c 1048576 /dev/zero >"$WORK/one-mb"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
  --data-binary "@$WORK/one-mb" "$FRONT/login")
[ "$code" = 400 ] || fail "a 1 MiB request without a CSRF token got $code, not the app's 400"

step "search: a seeded practice found once the search indexer has indexed it"
deadline=$((SECONDS + 60))
until curl -sS "$FRONT/search?q=Torreblanca" | grep -q 'Interfamily groups in the Torreblanca neighbourhood'; do
  alive || fail "a service stopped"
  [ $SECONDS -lt $deadline ] || fail "search did not find the seeded practice within 60 s"
  sleep 0.5
done

step "backup (the backup unit's commands, the server running), restored into a new database and folder"
"$PY" deploy/run_unit.py "$UNITS/peer-network-backup.service" --env-file "$WORK/env" >"$WORK/backup.log" 2>&1 \
  || fail "the backup unit failed"
BACKUP=$(ls -d "$WORK"/backups/*/ | head -1)
[ -f "$BACKUP/manifest.json" ] || fail "the backup has no manifest.json"
"$PSQL" "$DATABASE_URL" -qc 'CREATE DATABASE network_restored' || fail "could not create the database to restore into"
RESTORED_URL=$("$PY" -c 'import sys; from sqlalchemy.engine import make_url
print(make_url(sys.argv[1]).set(database="network_restored").render_as_string(hide_password=False))' "$DATABASE_URL")
{ grep -v -e '^NETWORK_DATABASE_URL=' -e '^NETWORK_INSTANCE_PATH=' "$WORK/env"
  printf 'NETWORK_DATABASE_URL=%s\nNETWORK_INSTANCE_PATH=%s\n' "$RESTORED_URL" "$WORK/restored"; } >"$WORK/env-restored"
"$PY" deploy/run_unit.py "$UNITS/peer-network-jobs.service" --env-file "$WORK/env-restored" -- \
  "$ROOT/.venv/bin/flask" --app network restore "$BACKUP" >"$WORK/restore.log" 2>&1 || fail "the restore failed"
for table in users practices attachments; do
  live=$("$PSQL" "$DATABASE_URL" -Atc "SELECT count(*) FROM $table")
  restored=$("$PSQL" "$RESTORED_URL" -Atc "SELECT count(*) FROM $table")
  [ "$live" = "$restored" ] || fail "$table: $live rows live, $restored restored"
done
uploads=$(find "$WORK/instance/uploads" -type f | wc -l)
[ "$(find "$WORK/restored/uploads" -type f | wc -l)" = "$uploads" ] || fail "the restored uploads differ"

step "the job worker has run what the seed queued, and every service is still running"
# Huey logs "Executing <job>" and "<job> ... executed in" for each: wait for the log to show none under
# way (cheap), then ask the queue (a flask command: seconds) whether anything still waits.
running() { echo $(( $(grep -c 'INFO:huey:Executing ' "$WORK/jobs.log") - $(grep -c ' executed in ' "$WORK/jobs.log") )); }
deadline=$((SECONDS + 60))
while :; do
  grep -q -e 'exception in task' -e 'failed for good' "$WORK/jobs.log" && fail "a background job failed"
  if [ "$(running)" = 0 ] && flask jobs status >"$WORK/jobs-status.log" 2>&1 && grep -q '; 0 queued' "$WORK/jobs-status.log"; then
    break
  fi
  [ $SECONDS -lt $deadline ] || fail "jobs still waiting after 60 s: $(head -1 "$WORK/jobs-status.log")"
  sleep 1
done
alive || fail "a service stopped during the checks"
for log in web search jobs; do
  grep -q '^Traceback' "$WORK/$log.log" && fail "an exception in $WORK/$log.log"
done

PASSED=yes
step "every check passed; stopping the services"
