#!/usr/bin/env bash
# Local single-node Elasticsearch for newsdesk tests / development, without Docker.
#
#   infra/elasticsearch.sh up              download (once), start, wait for yellow
#   infra/elasticsearch.sh down            stop the node started by `up`
#   infra/elasticsearch.sh status          print whether the node is up (exit 0 = up)
#   infra/elasticsearch.sh logs [N]        last N (default 50) lines of the node log
#   infra/elasticsearch.sh latest-version  newest 8.19.x on Maven Central (via mvn)
#
# The distribution is the Maven Central artifact
#   org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip
# fetched with `mvn`, so only Maven Central (or the mirror in ~/.m2/settings.xml)
# has to be reachable. See infra/README.md for what this build lacks.
#
# Environment:
#   NEWSDESK_ES_VERSION       default 8.19.21 ("latest" = newest 8.19.x, resolved via mvn)
#   NEWSDESK_ES_HOME          cache/runtime dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/newsdesk/elasticsearch;
#                             as root: /var/cache/newsdesk/elasticsearch, see below)
#   NEWSDESK_ES_PORT          HTTP port (default 9200)
#   NEWSDESK_ES_TRANSPORT_PORT transport port (default HTTP port + 200, i.e. 9400)
#   NEWSDESK_ES_HEAP          JVM heap, used for -Xms and -Xmx (default 1g)
#   NEWSDESK_ES_TIMEOUT       seconds to wait for yellow health (default 120)
#   NEWSDESK_ES_USER          unprivileged user to run as when invoked as root (default newsdesk-es)
#   ES_JAVA_HOME / JAVA_HOME  JDK to run with (default: the `java` on PATH); must be >= 17
set -euo pipefail

ES_VERSION_DEFAULT="8.19.21"
ES_GROUP="org.elasticsearch.distribution.integ-test-zip"
ES_ARTIFACT="elasticsearch"
MVN_DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.6.1"

ES_VERSION="${NEWSDESK_ES_VERSION:-$ES_VERSION_DEFAULT}"
ES_PORT="${NEWSDESK_ES_PORT:-9200}"
ES_TRANSPORT_PORT="${NEWSDESK_ES_TRANSPORT_PORT:-$((ES_PORT + 200))}"
ES_HEAP="${NEWSDESK_ES_HEAP:-1g}"
ES_TIMEOUT="${NEWSDESK_ES_TIMEOUT:-120}"
ES_RUN_USER="${NEWSDESK_ES_USER:-newsdesk-es}"

IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1

if [ -n "${NEWSDESK_ES_HOME:-}" ]; then
  ES_CACHE="$NEWSDESK_ES_HOME"
elif [ "$IS_ROOT" = 1 ]; then
  # root's ~ is usually mode 0700, which the unprivileged node user cannot traverse.
  ES_CACHE="/var/cache/newsdesk/elasticsearch"
else
  ES_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/newsdesk/elasticsearch"
fi

NODE_DIR="$ES_CACHE/nodes/$ES_PORT"        # per-port runtime state (config, data, logs, pid)
PID_FILE="$NODE_DIR/elasticsearch.pid"
CLUSTER_NAME="newsdesk-local"
LOG_FILE="$NODE_DIR/logs/$CLUSTER_NAME.log"
LAUNCHER_LOG="$NODE_DIR/launcher.log"
ES_URL="http://127.0.0.1:$ES_PORT"

log() { echo "[es] $*"; }
die() { echo "[es] ERROR: $*" >&2; exit 1; }

# --------------------------------------------------------------------------- helpers

with_lock() {
  # Serialise concurrent `up`/`down` calls (e.g. parallel test runners).
  mkdir -p "$ES_CACHE"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$ES_CACHE/.lock"
    flock -w 600 9 || die "could not acquire lock $ES_CACHE/.lock"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

health_ok() {
  # yellow or green within a short server-side timeout
  curl -fsS -m 5 "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=2s" >/dev/null 2>&1
}

node_version() {
  # NB: `GET /` is not available in this build (rest-root module missing), use _cat/nodes.
  curl -fsS -m 5 "$ES_URL/_cat/nodes?h=version" 2>/dev/null | head -1 | tr -d '[:space:]'
  echo
}

running_pid() {
  # Echo the pid from the pid file if that process is alive and is Elasticsearch.
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE" 2>/dev/null || true)"
  [ -n "$pid" ] || return 1
  kill -0 "$pid" 2>/dev/null || [ -d "/proc/$pid" ] || return 1
  if [ -r "/proc/$pid/cmdline" ]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'org.elasticsearch' || return 1
  fi
  echo "$pid"
}

java_home() {
  local jh="${ES_JAVA_HOME:-${JAVA_HOME:-}}"
  if [ -z "$jh" ]; then
    local j
    j="$(command -v java || true)"
    [ -n "$j" ] || die "java not found: install a JDK >= 17 or set ES_JAVA_HOME"
    j="$(readlink -f "$j")"
    jh="$(dirname "$(dirname "$j")")"
  fi
  [ -x "$jh/bin/java" ] || die "no java at $jh/bin/java (set ES_JAVA_HOME)"
  local v major
  v="$("$jh/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -1)"
  major="${v%%.*}"
  [ "$major" = 1 ] && major="$(echo "$v" | cut -d. -f2)"
  [ -n "$major" ] && [ "$major" -ge 17 ] 2>/dev/null \
    || die "Elasticsearch 8 needs Java >= 17, $jh has '$v' (set ES_JAVA_HOME)"
  echo "$jh"
}

latest_version() {
  # Resolve the newest 8.19.x from Maven Central metadata via a version range.
  command -v mvn >/dev/null 2>&1 || die "mvn not found"
  local tmp
  tmp="$(mktemp -d)"
  cat >"$tmp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.newsdesk</groupId><artifactId>es-version-probe</artifactId><version>0</version>
  <packaging>pom</packaging>
  <dependencies><dependency>
    <groupId>$ES_GROUP</groupId><artifactId>$ES_ARTIFACT</artifactId>
    <version>[8.19.0,8.20.0-alpha)</version><type>pom</type>
  </dependency></dependencies>
</project>
EOF
  (cd "$tmp" && mvn -B -q -U "$MVN_DEP_PLUGIN:list" -DexcludeTransitive=true \
      -DoutputFile="$tmp/deps.txt" >"$tmp/mvn.log" 2>&1) \
    || { cat "$tmp/mvn.log" >&2; rm -rf "$tmp"; die "mvn could not resolve the 8.19.x range"; }
  sed -n "s/.*$ES_GROUP:$ES_ARTIFACT:pom:\([^:]*\):.*/\1/p" "$tmp/deps.txt" | head -1
  rm -rf "$tmp"
}

ensure_distribution() {
  # Sets ES_DIST. Downloads the zip via mvn and unpacks it, both cached in $ES_CACHE.
  local zip="$ES_CACHE/downloads/elasticsearch-$ES_VERSION.zip"
  ES_DIST="$ES_CACHE/dist/elasticsearch-$ES_VERSION"
  if [ -x "$ES_DIST/bin/elasticsearch" ] && [ -f "$ES_DIST/.newsdesk-unpacked" ]; then
    log "using cached distribution $ES_DIST"
    return
  fi
  if [ ! -s "$zip" ]; then
    command -v mvn >/dev/null 2>&1 || die "mvn not found (needed to download $ES_GROUP:$ES_ARTIFACT:$ES_VERSION:zip)"
    log "downloading $ES_GROUP:$ES_ARTIFACT:$ES_VERSION:zip from Maven Central (~100 MB)"
    mkdir -p "$ES_CACHE/downloads"
    local mlog="$ES_CACHE/downloads/mvn-$ES_VERSION.log"
    if ! mvn -B -q "$MVN_DEP_PLUGIN:copy" \
        -Dartifact="$ES_GROUP:$ES_ARTIFACT:$ES_VERSION:zip" \
        -DoutputDirectory="$ES_CACHE/downloads" -Dmdep.overWriteReleases=true >"$mlog" 2>&1; then
      tail -n 30 "$mlog" >&2
      die "mvn download of Elasticsearch $ES_VERSION failed (see $mlog)"
    fi
    [ -s "$zip" ] || die "mvn finished but $zip is missing"
  else
    log "using cached zip $zip"
  fi
  log "unpacking to $ES_DIST"
  local tmp="$ES_CACHE/dist/.unpack.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$zip" -d "$tmp"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$tmp"
    chmod +x "$tmp/elasticsearch-$ES_VERSION"/bin/*
  else
    die "need unzip or python3 to unpack $zip"
  fi
  [ -x "$tmp/elasticsearch-$ES_VERSION/bin/elasticsearch" ] || die "unexpected zip layout in $zip"
  rm -rf "$ES_DIST"
  mv "$tmp/elasticsearch-$ES_VERSION" "$ES_DIST"
  rm -rf "$tmp"
  # Read-only for the node user; state lives in $NODE_DIR.
  chmod -R a+rX "$ES_DIST"
  touch "$ES_DIST/.newsdesk-unpacked"
}

ensure_run_user() {
  id -u "$ES_RUN_USER" >/dev/null 2>&1 && return
  log "creating system user $ES_RUN_USER"
  if command -v useradd >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$ES_RUN_USER"
  elif command -v adduser >/dev/null 2>&1; then
    adduser --system --group --no-create-home --home /nonexistent "$ES_RUN_USER" >/dev/null \
      || adduser -S -D -H "$ES_RUN_USER"
  else
    die "cannot create user $ES_RUN_USER (no useradd/adduser); create it or run as non-root"
  fi
}

prepare_node_dir() {
  mkdir -p "$NODE_DIR/data" "$NODE_DIR/logs" "$NODE_DIR/config"
  # Per-node config dir (ES writes its keystore there), seeded from the distribution.
  if [ ! -f "$NODE_DIR/config/jvm.options" ]; then
    cp -R "$ES_DIST/config/." "$NODE_DIR/config/"
  fi
  # NOTE: only settings registered in this build. ingest.geoip.* (and other settings of
  # modules missing from the integ-test zip) abort startup as "unknown setting";
  # xpack.ml.enabled / xpack.watcher.enabled are accepted (x-pack-core) but pointless.
  cat >"$NODE_DIR/config/elasticsearch.yml" <<EOF
# generated by infra/elasticsearch.sh -- rewritten on every \`up\`
cluster.name: $CLUSTER_NAME
node.name: newsdesk-local-$ES_PORT
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
path.data: $NODE_DIR/data
path.logs: $NODE_DIR/logs
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
  rm -f "$PID_FILE"
  : >"$LAUNCHER_LOG"
  if [ "$IS_ROOT" = 1 ]; then
    # Elasticsearch refuses to run as root.
    chown -R "$ES_RUN_USER:" "$NODE_DIR/data" "$NODE_DIR/logs" "$NODE_DIR/config"
    chown "$ES_RUN_USER:" "$NODE_DIR"
  fi
}

check_run_user_access() {
  # As root: the node user must be able to traverse every directory down to $ES_CACHE
  # (fails e.g. for a cache under a 0700 /root).
  command -v runuser >/dev/null 2>&1 || return 0
  local d="" part
  local IFS=/
  for part in $ES_CACHE; do
    [ -n "$part" ] || continue
    d="$d/$part"
    runuser -u "$ES_RUN_USER" -- test -x "$d" 2>/dev/null \
      || die "user $ES_RUN_USER cannot traverse $d; set NEWSDESK_ES_HOME to a path it can reach (default for root: /var/cache/newsdesk/elasticsearch)"
  done
}

run_as_node_user() {
  if [ "$IS_ROOT" = 0 ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$ES_RUN_USER" -- "$@"
  elif command -v setpriv >/dev/null 2>&1; then
    setpriv --reuid="$ES_RUN_USER" --regid="$(id -g "$ES_RUN_USER")" --init-groups -- "$@"
  else
    local q
    q="$(printf '%q ' "$@")"
    su -s /bin/sh "$ES_RUN_USER" -c "$q"
  fi
}

dump_log() {
  echo "[es] ---- last 50 lines of $LOG_FILE ----" >&2
  tail -n 50 "$LOG_FILE" >&2 2>/dev/null || echo "[es] (no log file)" >&2
  if [ -s "$LAUNCHER_LOG" ]; then
    echo "[es] ---- launcher output ($LAUNCHER_LOG) ----" >&2
    tail -n 30 "$LAUNCHER_LOG" >&2
  fi
}

wait_healthy() {
  local deadline=$((SECONDS + ES_TIMEOUT))
  log "waiting up to ${ES_TIMEOUT}s for cluster health >= yellow"
  while [ "$SECONDS" -lt "$deadline" ]; do
    if health_ok; then return 0; fi
    if [ -f "$PID_FILE" ] && ! running_pid >/dev/null; then
      dump_log
      die "Elasticsearch process exited during startup"
    fi
    sleep 1
  done
  dump_log
  die "Elasticsearch did not reach yellow health within ${ES_TIMEOUT}s on $ES_URL"
}

# --------------------------------------------------------------------------- commands

cmd_up() {
  command -v curl >/dev/null 2>&1 || die "curl is required"
  if [ "$ES_VERSION" = latest ]; then
    ES_VERSION="$(latest_version)"
    log "latest 8.19.x on Maven Central: $ES_VERSION"
  fi
  with_lock

  local pid
  if pid="$(running_pid)"; then
    if health_ok; then
      log "already running (pid $pid, version $(node_version)) at $ES_URL"
      return 0
    fi
    log "node pid $pid is running but not healthy yet; waiting"
    wait_healthy
    log "up at $ES_URL"
    return 0
  fi
  if port_in_use "$ES_PORT"; then
    if health_ok; then
      log "an Elasticsearch not started by this script is already healthy at $ES_URL (version $(node_version)); reusing it"
      return 0
    fi
    die "port $ES_PORT is in use by something else (set NEWSDESK_ES_PORT)"
  fi
  port_in_use "$ES_TRANSPORT_PORT" && die "transport port $ES_TRANSPORT_PORT is in use (set NEWSDESK_ES_TRANSPORT_PORT)"

  local jh
  jh="$(java_home)"
  if [ "$IS_ROOT" = 1 ]; then
    ensure_run_user
    check_run_user_access
  fi
  ensure_distribution
  prepare_node_dir

  log "starting Elasticsearch $ES_VERSION on $ES_URL (transport $ES_TRANSPORT_PORT, heap $ES_HEAP, java $jh$([ "$IS_ROOT" = 1 ] && echo ", user $ES_RUN_USER"))"
  # -d daemonizes; the launcher returns once the node has started (or failed).
  local rc=0
  (cd "$NODE_DIR" && run_as_node_user env -u JAVA_HOME \
        ES_JAVA_HOME="$jh" \
        ES_PATH_CONF="$NODE_DIR/config" \
        ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP ${NEWSDESK_ES_JAVA_OPTS:-}" \
        timeout "$ES_TIMEOUT" "$ES_DIST/bin/elasticsearch" -d -p "$PID_FILE" \
        </dev/null >>"$LAUNCHER_LOG" 2>&1 9>&-) || rc=$?
  if [ "$rc" != 0 ]; then
    dump_log
    [ "$rc" = 124 ] && die "Elasticsearch did not finish starting within ${ES_TIMEOUT}s (NEWSDESK_ES_TIMEOUT)"
    die "Elasticsearch failed to start (launcher exit code $rc)"
  fi
  wait_healthy
  log "up at $ES_URL (pid $(running_pid || echo '?'), version $(node_version))"
}

cmd_down() {
  with_lock
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    if port_in_use "$ES_PORT"; then
      log "not started by this script (no live pid file in $NODE_DIR), but $ES_URL is in use; leaving it alone"
    else
      log "not running"
    fi
    return 0
  fi
  log "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after 60s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid=""
  pid="$(running_pid || true)"
  if health_ok; then
    local h
    h="$(curl -fsS -m 5 "$ES_URL/_cluster/health" | sed -n 's/.*"status" *: *"\([a-z]*\)".*/\1/p')"
    local who="not started by this script"
    [ -n "$pid" ] && who="pid $pid"
    log "up at $ES_URL (status $h, version $(node_version), $who)"
    return 0
  fi
  if [ -n "$pid" ]; then
    log "process $pid running but $ES_URL not healthy (starting or broken); see: $0 logs"
    return 1
  fi
  log "down ($ES_URL)"
  return 1
}

cmd_logs() { tail -n "${1:-50}" "$LOG_FILE"; }

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  latest-version) latest_version ;;
  *) echo "usage: $0 {up|down|status|logs [N]|latest-version}" >&2; exit 2 ;;
esac
