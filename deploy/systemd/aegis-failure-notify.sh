#!/usr/bin/env bash
# Posts an Aegis alert to AEGIS_FAILURE_WEBHOOK in the receiver's own format, chosen by the URL:
#   Discord (a path with /api/webhooks/)  -> {"content": ..., "embeds": [...]}
#   Slack   (hooks.slack.com or /services/...) -> {"text": ..., "blocks": [...]}
#   anything else                           -> generic JSON {"event", "service", "host", ...}
# Run by aegis-failure-notify.service (OnFailure= of aegis.service) and by aegis-healthcheck.sh.
# Usage: aegis-failure-notify.sh [failure|healthcheck|recovered] [message]
# Without AEGIS_FAILURE_WEBHOOK (environment or /etc/aegis/aegis.env) it does nothing, silently.
set -euo pipefail

kind=${1:-failure}
message=${2:-}
env_file=${AEGIS_ENV_FILE:-/etc/aegis/aegis.env}

# The service passes the variable through EnvironmentFile=; run by hand, read it from the file
# (only that one line: the file is never sourced, so nothing in it is executed).
if [ -z "${AEGIS_FAILURE_WEBHOOK:-}" ] && [ -r "$env_file" ]; then
  line=$(grep -E '^[[:space:]]*AEGIS_FAILURE_WEBHOOK=' "$env_file" | tail -n 1 || true)
  value=${line#*=}
  value=${value%\"}; value=${value#\"}; value=${value%\'}; value=${value#\'}
  AEGIS_FAILURE_WEBHOOK=$value
fi
webhook=${AEGIS_FAILURE_WEBHOOK:-}
[ -n "$webhook" ] || exit 0

json_escape() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  printf '%s' "$s" | tr -d '\000-\010\013\014\016-\037'
}

host=$(hostname 2>/dev/null || uname -n)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
unit=${MONITOR_UNIT:-aegis.service}
result=${MONITOR_SERVICE_RESULT:-}
exit_code=${MONITOR_EXIT_CODE:-}
exit_status=${MONITOR_EXIT_STATUS:-}

case "$kind" in
  failure)
    title="Aegis is down on $host"
    [ -n "$message" ] || message="$unit failed and systemd gave up restarting it${result:+ (result: $result${exit_code:+, $exit_code}${exit_status:+ $exit_status})}. Check: journalctl -u $unit"
    event=aegis.failed; colour=15158332 ;;
  healthcheck)
    title="Aegis health check failed on $host"
    [ -n "$message" ] || message="GET /v1/health did not answer ok"
    event=aegis.healthcheck-failed; colour=15105570 ;;
  recovered)
    title="Aegis recovered on $host"
    [ -n "$message" ] || message="GET /v1/health answers ok again"
    event=aegis.recovered; colour=3066993 ;;
  *)
    echo "aegis-failure-notify: unknown kind '$kind' (failure, healthcheck or recovered)" >&2
    exit 2 ;;
esac

t=$(json_escape "$title")
m=$(json_escape "$message")
h=$(json_escape "$host")
u=$(json_escape "$unit")

# The receiver is told by the URL's shape, so loopback test receivers can stand in for each.
path=${webhook#*://}
hostpart=${path%%/*}
path=/${path#*/}
if [[ "$path" == */api/webhooks/* ]]; then
  body="{\"content\":\"**$t**\",\"embeds\":[{\"title\":\"$t\",\"description\":\"$m\",\"color\":$colour,\"timestamp\":\"$now\",\"fields\":[{\"name\":\"Host\",\"value\":\"$h\",\"inline\":true},{\"name\":\"Unit\",\"value\":\"$u\",\"inline\":true}]}]}"
elif [[ "$hostpart" == hooks.slack.com* ]] || [[ "$path" == /services/* ]]; then
  body="{\"text\":\"$t: $m\",\"blocks\":[{\"type\":\"header\",\"text\":{\"type\":\"plain_text\",\"text\":\"$t\"}},{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"$m\"}},{\"type\":\"context\",\"elements\":[{\"type\":\"mrkdwn\",\"text\":\"$u on $h at $now\"}]}]}"
else
  body="{\"event\":\"$event\",\"service\":\"aegis\",\"unit\":\"$u\",\"host\":\"$h\",\"title\":\"$t\",\"message\":\"$m\",\"result\":\"$(json_escape "$result")\",\"exitCode\":\"$(json_escape "$exit_code")\",\"exitStatus\":\"$(json_escape "$exit_status")\",\"timestamp\":\"$now\"}"
fi

if ! curl -fsS --max-time 10 -X POST -H 'Content-Type: application/json' --data-binary "$body" "$webhook" >/dev/null; then
  echo "aegis-failure-notify: posting the alert failed" >&2
  exit 1
fi
