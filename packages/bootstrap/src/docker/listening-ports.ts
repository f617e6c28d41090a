// The `st` column of /proc/net/tcp for a listening socket.
const TCP_LISTEN = '0A';

/**
 * The ports with a listening TCP socket in the text of `/proc/net/tcp` and `/proc/net/tcp6`. Reading
 * them needs only `cat` in the container, and works whatever its network mode (the host may not reach it).
 */
export function listeningTcpPorts(procNetTcp: string): Set<number> {
  const ports = new Set<number>();
  for (const line of procNetTcp.split('\n')) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (state !== TCP_LISTEN || !local) continue;
    const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    if (Number.isInteger(port) && port > 0) ports.add(port);
  }
  return ports;
}
