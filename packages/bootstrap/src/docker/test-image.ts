/**
 * The offline test image `.ci/prereqs/docker.sh` builds from busybox-static with `docker import` (every
 * busybox applet in /bin, /tmp mode 1777, default command `sleep infinity`, no /etc/hosts, nothing pulled);
 * integration tests here and in agent-host use it.
 */
export const DOCKER_TEST_IMAGE = 'sbx-test/busybox:latest';
