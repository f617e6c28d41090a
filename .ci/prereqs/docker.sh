#!/usr/bin/env bash
# A Docker engine and the offline test image for @sbx/bootstrap's integration tests and benchmark:
# installs docker.io and busybox-static when missing, starts dockerd when no engine answers, then builds
# sbx-test/busybox:latest from busybox-static with `docker import` (no registry is ever contacted).
# Exits non-zero when the engine never answers.
set -euo pipefail

# The name @sbx/bootstrap exports as DOCKER_TEST_IMAGE; bump the version when the image changes.
IMAGE=sbx-test/busybox:latest
IMAGE_VERSION=2
DOCKERD_LOG="${DOCKERD_LOG:-/tmp/sbx-dockerd.log}"
WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
[ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 || missing+=(busybox-static)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  as_root apt-get update -qq
  # shellcheck disable=SC2046
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    $(printf '%s\n' "${missing[@]}" | sort -u)
fi

engine_answers() {
  docker info >/dev/null 2>&1
}

if ! engine_answers; then
  echo "no Docker engine answers; starting dockerd (log: ${DOCKERD_LOG})"
  as_root sh -c "nohup dockerd >'${DOCKERD_LOG}' 2>&1 &"
  for _ in $(seq 1 "$WAIT_SECONDS"); do
    engine_answers && break
    sleep 1
  done
fi
if ! engine_answers; then
  echo "Docker engine did not answer within ${WAIT_SECONDS} s; last lines of ${DOCKERD_LOG}:" >&2
  tail -n 30 "$DOCKERD_LOG" >&2 2>/dev/null || true
  exit 1
fi
docker version --format 'Docker engine {{.Server.Version}} (API {{.Server.APIVersion}})'

present=$(docker image inspect "$IMAGE" --format '{{index .Config.Labels "sbx.test-image-version"}}' 2>/dev/null || true)
if [ "$present" = "$IMAGE_VERSION" ]; then
  echo "test image ${IMAGE} present (version ${IMAGE_VERSION})"
  exit 0
fi

echo "building test image ${IMAGE} (version ${IMAGE_VERSION}) from busybox-static"
rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs"/{bin,etc,root,proc,sys,dev,tmp,var/tmp}
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
# Every applet as a symlink, so tests (and agent-host's) can use sh, sleep, nc, httpd, wget, grep, kill, ...
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -c . |
  docker import \
    --change 'ENV PATH=/bin' \
    --change 'WORKDIR /' \
    --change 'CMD ["sleep", "infinity"]' \
    --change "LABEL sbx.test-image-version=${IMAGE_VERSION}" \
    --message 'sbx test image: busybox-static' \
    - "$IMAGE" >/dev/null
docker image inspect "$IMAGE" --format "built ${IMAGE} ({{.Id}}, {{.Size}} bytes)"
