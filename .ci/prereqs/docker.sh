#!/usr/bin/env bash
# A Docker engine and the offline test image for @sbx/bootstrap's integration tests and benchmark:
# installs docker.io, busybox-static and runsc (gVisor) when missing, registers runsc as an engine runtime in
# /etc/docker/daemon.json (merged into what is there), starts dockerd when no engine answers, then builds
# sbx-test/busybox:latest from busybox-static with `docker import` (no registry is ever contacted).
# Exits non-zero when the engine never answers, and with CI=true when runsc cannot run a container.
set -euo pipefail
prereqs=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The name @sbx/bootstrap exports as DOCKER_TEST_IMAGE; bump the version when the image changes.
IMAGE=sbx-test/busybox:latest
IMAGE_VERSION=2
DOCKERD_LOG="${DOCKERD_LOG:-/tmp/sbx-dockerd.log}"
# The pid of a dockerd this script started: the only engine it ever reloads.
DOCKERD_PIDFILE="${DOCKERD_PIDFILE:-/tmp/sbx-dockerd.pid}"
DAEMON_CONFIG="${DOCKER_DAEMON_CONFIG:-/etc/docker/daemon.json}"
WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"
# gVisor cannot set up the engine's network namespace here ("cannot run with network enabled in root network
# namespace"): registered with --network=none, a runsc sandbox has loopback only, whatever its network mode.
# --host-uds=create lets a sandbox create a unix socket on a path the host bind-mounted into it: the in-sandbox
# agent listens on one in its own per-sandbox directory (docs/security.md, "The agent's channel").
RUNSC_ENTRY='{"path":"/usr/bin/runsc","runtimeArgs":["--network=none","--host-uds=create"]}'
ci=false
if [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then ci=true; fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
[ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 || missing+=(busybox-static)
[ -x /usr/bin/runsc ] || missing+=(runsc)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  bash "$prereqs/lib/apt-update.sh"
  # shellcheck disable=SC2046
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    $(printf '%s\n' "${missing[@]}" | sort -u)
fi

engine_answers() {
  docker info >/dev/null 2>&1
}

engine_has_runsc() {
  docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runsc"'
}

# True when the running dockerd is the one this script started.
started_here() {
  local pid
  pid=$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)
  [ -n "$pid" ] && [ "$(cat "/proc/${pid}/comm" 2>/dev/null || true)" = dockerd ]
}

# Merges the runsc runtime into the daemon config, keeping every other key and runtime; says what it did.
register_runsc() {
  local current merged status=0
  current=$(as_root cat "$DAEMON_CONFIG" 2>/dev/null || true)
  merged=$(CURRENT="$current" ENTRY="$RUNSC_ENTRY" node -e '
    const text = (process.env.CURRENT ?? "").trim();
    const config = text === "" ? {} : JSON.parse(text);
    const entry = JSON.parse(process.env.ENTRY);
    if (JSON.stringify(config.runtimes?.runsc) === JSON.stringify(entry)) process.exit(3);
    config.runtimes = { ...config.runtimes, runsc: entry };
    console.log(JSON.stringify(config, null, 2));
  ') || status=$?
  if [ "$status" -eq 3 ]; then
    echo "runsc already registered in ${DAEMON_CONFIG}"
    return 0
  elif [ "$status" -ne 0 ]; then
    echo "cannot merge runsc into ${DAEMON_CONFIG}: it is not a JSON object" >&2
    return 1
  fi
  as_root mkdir -p "$(dirname "$DAEMON_CONFIG")"
  printf '%s\n' "$merged" | as_root tee "$DAEMON_CONFIG" >/dev/null
  echo "registered runsc in ${DAEMON_CONFIG}"
}

# The config of an engine someone else runs is theirs: it is only written when no engine answers (this script
# starts one next) or the engine is the one this script started.
if ! engine_answers || started_here; then
  register_runsc
fi

if ! engine_answers; then
  echo "no Docker engine answers; starting dockerd (log: ${DOCKERD_LOG})"
  as_root sh -c "nohup dockerd --config-file '${DAEMON_CONFIG}' >'${DOCKERD_LOG}' 2>&1 & echo \$! >'${DOCKERD_PIDFILE}'"
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

if ! engine_has_runsc; then
  if started_here; then
    # SIGHUP makes dockerd reload its config's runtimes; running containers are not touched.
    echo "reloading the dockerd this script started (pid $(cat "$DOCKERD_PIDFILE")) to load runsc"
    as_root kill -HUP "$(cat "$DOCKERD_PIDFILE")"
    for _ in $(seq 1 10); do
      engine_has_runsc && break
      sleep 1
    done
  else
    echo "the running Docker engine (not started by this script) has no runsc runtime: add \"runtimes\": {\"runsc\": ${RUNSC_ENTRY}} to ${DAEMON_CONFIG}, then restart dockerd or send it SIGHUP (kill -HUP \$(pidof dockerd) reloads runtimes; running containers keep running)"
  fi
fi

build_image() {
  echo "building test image ${IMAGE} (version ${IMAGE_VERSION}) from busybox-static"
  local rootfs
  rootfs="$(mktemp -d)"
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
  rm -rf "$rootfs"
  docker image inspect "$IMAGE" --format "built ${IMAGE} ({{.Id}}, {{.Size}} bytes)"
}

present=$(docker image inspect "$IMAGE" --format '{{index .Config.Labels "sbx.test-image-version"}}' 2>/dev/null || true)
if [ "$present" = "$IMAGE_VERSION" ]; then
  echo "test image ${IMAGE} present (version ${IMAGE_VERSION})"
else
  build_image
fi

# The gVisor integration tests need a runsc that runs the test image (gVisor's kernel answers `uname -r`).
if kernel=$(docker run --rm --runtime runsc --network none "$IMAGE" uname -r 2>&1); then
  echo "runsc runs containers (gVisor kernel ${kernel})"
elif [ "$ci" = true ]; then
  echo "runsc cannot run a container on this engine: ${kernel}" >&2
  exit 1
else
  echo "warning: runsc cannot run a container on this engine (${kernel}); the gVisor tests will be skipped"
fi
