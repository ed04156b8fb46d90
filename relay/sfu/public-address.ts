/**
 * A relay node behind a 1:1 NAT (a cloud VM, a router's forwarded port) knows only its private
 * address; `--public-ip` names the one browsers can reach. libdatachannel has no setting for
 * it, so the answer is rewritten: every IPv4 host candidate gets a twin at the public address,
 * same port, just below it in priority. The private one stays for peers on the same network.
 */
export function advertisePublicAddress(sdp: string, publicIp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    out.push(line);
    const twin = publicTwin(line, publicIp);
    if (twin) out.push(twin);
  }
  return out.join(eol);
}

// a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ host …
const HOST_CANDIDATE = /^a=candidate:(\S+) (\d+) (\S+) (\d+) (\d{1,3}(?:\.\d{1,3}){3}) (\d+) typ host(.*)$/;

function publicTwin(line: string, publicIp: string): string | null {
  const m = HOST_CANDIDATE.exec(line);
  if (!m || m[5] === publicIp) return null;
  const [, foundation, component, transport, priority, , port, rest] = m;
  return `a=candidate:${foundation}p ${component} ${transport} ${Math.max(0, Number(priority) - 1)} ${publicIp} ${port} typ host${rest}`;
}
