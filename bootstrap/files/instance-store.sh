#!/bin/bash
# jobworker instance store setup: run by cloud-init `bootcmd` on every boot, which comes before
# docker.service starts. Finds the NVMe instance store (EBS volumes report another model), makes a
# filesystem on it when it has none (first boot, or after a stop/start wiped it), mounts it, and
# bind-mounts a directory of it over /var/lib/docker so images, layers and container scratch live
# on the fast local disk. Idempotent: mounted things stay as they are. On types without an
# instance store it only creates the scratch directory on the root volume.
# Usage: instance-store.sh <mount point> <xfs|ext4>
set -euo pipefail

MOUNT_POINT="${1:-/mnt/instance-store}"
FILESYSTEM="${2:-xfs}"
# Overridable for tests.
SYS_BLOCK="${SYS_BLOCK:-/sys/block}"
DOCKER_DIR="${DOCKER_DIR:-/var/lib/docker}"
LABEL="jobworker-store"

log() { printf 'jobworker instance-store: %s\n' "$*" >&2; }

find_instance_store() {
  local model_file name
  for model_file in "$SYS_BLOCK"/nvme*n1/device/model; do
    [ -e "$model_file" ] || continue
    if grep -q "Amazon EC2 NVMe Instance Storage" "$model_file"; then
      name=$(basename "$(dirname "$(dirname "$model_file")")")
      # The first device only: the 2xlarge/4xlarge types of the table have one.
      printf '/dev/%s' "$name"
      return 0
    fi
  done
  return 1
}

if ! device=$(find_instance_store); then
  log "no NVMe instance store on this instance type; Docker stays on the root volume"
  mkdir -p "$MOUNT_POINT/scratch"
  exit 0
fi

if mountpoint -q "$MOUNT_POINT"; then
  log "$MOUNT_POINT is already mounted"
else
  if ! blkid -o value -s TYPE "$device" >/dev/null 2>&1; then
    log "making a $FILESYSTEM filesystem on $device"
    mkfs -t "$FILESYSTEM" -L "$LABEL" "$device" >/dev/null
  fi
  mkdir -p "$MOUNT_POINT"
  mount -o defaults,noatime "$device" "$MOUNT_POINT"
  log "mounted $device on $MOUNT_POINT"
fi

mkdir -p "$MOUNT_POINT/docker" "$MOUNT_POINT/scratch" "$DOCKER_DIR"
chmod 1777 "$MOUNT_POINT/scratch"
if mountpoint -q "$DOCKER_DIR"; then
  log "$DOCKER_DIR is already on the instance store"
else
  mount --bind "$MOUNT_POINT/docker" "$DOCKER_DIR"
  log "$DOCKER_DIR now lives on $device"
fi
