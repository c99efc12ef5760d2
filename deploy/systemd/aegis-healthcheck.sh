#!/usr/bin/env bash
# Checks that Aegis answers GET /v1/health with status ok; on the first failure (and on recovery)
# sends an alert through aegis-failure-notify.sh. Run every 60 s by aegis-healthcheck.timer.
# Environment: AEGIS_HEALTH_URL (default http://127.0.0.1:${AEGIS_PORT:-9100}/v1/health),
# AEGIS_FAILURE_WEBHOOK (unset: no alerts), STATE_DIRECTORY (set by systemd; remembers a failure
# so a long outage alerts once, not every minute).
set -euo pipefail

url=${AEGIS_HEALTH_URL:-http://127.0.0.1:${AEGIS_PORT:-9100}/v1/health}
state_dir=${STATE_DIRECTORY:-/var/lib/aegis-healthcheck}
marker=$state_dir/failing
here=$(cd "$(dirname "$0")" && pwd)
notify=${AEGIS_NOTIFY_SCRIPT:-$here/aegis-failure-notify.sh}

body=$(curl -sS --max-time 10 -w '\n%{http_code}' "$url" 2>&1) || true
code=${body##*$'\n'}
body=${body%$'\n'*}

if [ "$code" = "200" ] && [[ "$body" == *'"status":"ok"'* ]]; then
  if [ -e "$marker" ]; then
    rm -f "$marker"
    "$notify" recovered "GET $url answers ok again" || true
  fi
  exit 0
fi

reason="GET $url failed: HTTP ${code:-none}${body:+: ${body:0:200}}"
echo "aegis-healthcheck: $reason" >&2
if [ ! -e "$marker" ]; then
  mkdir -p "$state_dir" 2>/dev/null || true
  : > "$marker" 2>/dev/null || true
  "$notify" healthcheck "$reason" || true
fi
exit 1
