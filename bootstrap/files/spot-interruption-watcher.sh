#!/bin/bash
# jobworker spot interruption watcher: runs on every container instance (systemd unit
# jobworker-spot-interruption-watcher.service). Every INTERVAL seconds it reads, with an IMDSv2
# token, the Spot interruption notice (spot/instance-action) and the rebalance recommendation
# (events/recommendations/rebalance). On the first notice it sets this container instance to
# DRAINING through the ECS API, once: ECS stops placing tasks here and moves service tasks away
# while the instance still runs. It then records that in STATE_DIR and exits.
#
# Needs only what the ECS-optimized AL2023 AMI has plus the AWS CLI (cloud-config installs the
# `awscli-2` package): bash, curl, sed, cut. The container instance ARN and the cluster come from
# the ECS agent's introspection API on 127.0.0.1:51678; the AWS CLI signs the call with the
# instance role's credentials.
#
# Everything below is overridable through the environment so the tests can point it at a fake
# metadata server, a fake agent and a local AWS emulator.
set -uo pipefail

IMDS_ENDPOINT="${IMDS_ENDPOINT:-http://169.254.169.254}"
ECS_AGENT_URL="${ECS_AGENT_URL:-http://127.0.0.1:51678}"
INTERVAL_SECONDS="${WATCHER_INTERVAL_SECONDS:-5}"
DRAIN_ON_REBALANCE="${WATCHER_DRAIN_ON_REBALANCE:-true}"
STATE_DIR="${WATCHER_STATE_DIR:-/run/jobworker}"
AWS_CLI="${AWS_CLI:-aws}"
TOKEN_TTL_SECONDS=21600
DRAINED_MARKER="$STATE_DIR/spot-drained"

log() {
  # stderr goes to the journal (systemd) and to the test's capture.
  printf '%s spot-interruption-watcher: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

token=""
token_expires_at=0

# Fetches (or reuses) an IMDSv2 session token.
refresh_token() {
  local now
  now=$(date +%s)
  if [ -n "$token" ] && [ "$now" -lt "$token_expires_at" ]; then
    return 0
  fi
  if ! token=$(curl -sf --max-time 2 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: $TOKEN_TTL_SECONDS" \
    "$IMDS_ENDPOINT/latest/api/token"); then
    token=""
    return 1
  fi
  token_expires_at=$((now + TOKEN_TTL_SECONDS - 60))
}

# Prints a metadata item's body and returns 0 when it exists (200); returns 1 when it does not
# (404, the normal "no notice" answer); returns 2 on any other failure.
metadata_item() {
  local path=$1 response code
  if ! response=$(curl -s --max-time 2 -w '\n%{http_code}' -H "X-aws-ec2-metadata-token: $token" \
    "$IMDS_ENDPOINT/latest/meta-data/$path"); then
    return 2
  fi
  code=${response##*$'\n'}
  case "$code" in
    200) printf '%s' "${response%$'\n'*}"; return 0 ;;
    404) return 1 ;;
    401) token=""; return 2 ;; # token expired or revoked: fetch a new one next time
    *) return 2 ;;
  esac
}

# The value of a string field in the agent's compact JSON (no jq on the AMI).
json_field() {
  printf '%s' "$2" | sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"
}

# Sets this container instance to DRAINING. Returns non-zero (and is retried next poll) when the
# agent or the ECS API cannot be reached.
drain() {
  local reason=$1 metadata cluster instance_arn region status
  if ! metadata=$(curl -sf --max-time 2 "$ECS_AGENT_URL/v1/metadata"); then
    log "notice ($reason) but the ECS agent introspection API at $ECS_AGENT_URL is unreachable; retrying"
    return 1
  fi
  cluster=$(json_field Cluster "$metadata")
  instance_arn=$(json_field ContainerInstanceArn "$metadata")
  if [ -z "$cluster" ] || [ -z "$instance_arn" ]; then
    log "notice ($reason) but the agent has not registered this instance yet: $metadata; retrying"
    return 1
  fi
  region=$(printf '%s' "$instance_arn" | cut -d: -f4)
  if ! status=$("$AWS_CLI" ecs update-container-instances-state --region "$region" --cluster "$cluster" \
    --container-instances "$instance_arn" --status DRAINING \
    --query 'containerInstances[0].status' --output text); then
    log "notice ($reason): UpdateContainerInstancesState for $instance_arn failed; retrying"
    return 1
  fi
  mkdir -p "$STATE_DIR" && : > "$DRAINED_MARKER"
  log "notice ($reason): set container instance $instance_arn of cluster $cluster to $status"
}

main() {
  if [ -e "$DRAINED_MARKER" ]; then
    log "this instance was already set to DRAINING ($DRAINED_MARKER exists); nothing to do"
    exit 0
  fi
  log "watching $IMDS_ENDPOINT every ${INTERVAL_SECONDS}s (drain on rebalance recommendation: $DRAIN_ON_REBALANCE)"
  local notice body
  while true; do
    if refresh_token; then
      notice=""
      if body=$(metadata_item spot/instance-action); then
        notice="spot interruption: $body"
      elif [ "$DRAIN_ON_REBALANCE" = "true" ] && body=$(metadata_item events/recommendations/rebalance); then
        notice="rebalance recommendation: $body"
      fi
      if [ -n "$notice" ] && drain "$notice"; then
        exit 0
      fi
    else
      log "cannot get an IMDSv2 token from $IMDS_ENDPOINT; retrying"
    fi
    sleep "$INTERVAL_SECONDS"
  done
}

main "$@"
