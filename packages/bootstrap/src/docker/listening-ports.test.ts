import { describe, expect, it } from 'vitest';
import { listeningTcpPorts } from './listening-ports.js';

// Real output of `cat /proc/net/tcp /proc/net/tcp6` in a busybox container: httpd on 127.0.0.1:8080 (LISTEN),
// one connection to it (TIME_WAIT), and a server on [::]:3000 (LISTEN).
const PROC_NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 49309 1 000000002d254681 100 0 0 10 0
   1: 0100007F:1F90 0100007F:E540 06 00000000:00000000 03:00001770 00000000     0        0 0 3 000000007aa23be2
   2: 0100007F:E541 0100007F:1388 01 00000000:00000000 00:00000000 00000000     0        0 51234 1 000000007aa23be3
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 50001 1 0000000000000000 100 0 0 10 0
`;

describe('listeningTcpPorts', () => {
  it('lists only sockets in LISTEN state, IPv4 and IPv6', () => {
    expect([...listeningTcpPorts(PROC_NET_TCP)].sort()).toEqual([3000, 8080]);
  });

  it('finds nothing in empty or unrelated text', () => {
    expect(listeningTcpPorts('').size).toBe(0);
    expect(listeningTcpPorts("cat: can't open '/proc/net/tcp6': No such file or directory").size).toBe(0);
  });
});
