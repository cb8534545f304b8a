/**
 * Which webhook URLs are accepted: `https://` only, and outside production also `http://localhost` and
 * `http://127.0.0.1` (any port), so a receiver on the developer's machine works with `npm run dev`. Never credentials
 * in the URL (they would be sent, and shown, with every delivery). In production, no IP-literal host in a loopback,
 * private, link-local or unique-local range (nor `localhost`): the Worker must not be made to call its own network.
 * A host name is not resolved here (Workers have no DNS API); Cloudflare's fetch does not reach private networks.
 */

export type UrlCheck = { ok: true; url: string } | { ok: false; rule: string };

const MAX_URL_LENGTH = 2048;
const LOCAL_HTTP_HOSTS = new Set(["localhost", "127.0.0.1"]);

/** The range an IPv4 address belongs to, when it is one a production webhook may not call. */
function restrictedIpv4(octets: readonly number[]): string | null {
  const [a = 0, b = 0] = octets;
  if (a === 127) return "loopback";
  if (a === 0) return "unspecified";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
  if (a === 100 && b >= 64 && b <= 127) return "private (shared address space)";
  if (a === 169 && b === 254) return "link-local";
  return null;
}

function ipv4Octets(host: string): number[] | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!match) return null;
  const octets = match.slice(1).map(Number);
  return octets.every((octet) => octet <= 255) ? octets : null;
}

/** The 8 groups of an IPv6 address (as the URL parser writes it, without brackets); null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  // A dotted IPv4 tail (::ffff:127.0.0.1) is two groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  let text = address;
  if (dotted) {
    const octets = ipv4Octets(dotted[2] ?? "");
    if (!octets) return null;
    const [a = 0, b = 0, c = 0, d = 0] = octets;
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) =>
    part === "" ? [] : part.split(":").map((group) => (/^[0-9a-f]{1,4}$/i.test(group) ? parseInt(group, 16) : NaN));
  const head = parse(halves[0] ?? "");
  const tail = halves.length === 2 ? parse(halves[1] ?? "") : [];
  if ([...head, ...tail].some(Number.isNaN)) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  return [...head, ...Array<number>(missing).fill(0), ...tail];
}

function restrictedIpv6(groups: readonly number[]): string | null {
  const [first = 0] = groups;
  const allZeroBefore = (index: number) => groups.slice(0, index).every((group) => group === 0);
  if (allZeroBefore(7) && groups[7] === 1) return "loopback";
  if (allZeroBefore(8)) return "unspecified";
  if ((first & 0xfe00) === 0xfc00) return "unique-local";
  if ((first & 0xffc0) === 0xfe80) return "link-local";
  if ((first & 0xffc0) === 0xfec0) return "private (site-local)";
  // An IPv4-mapped address (::ffff:a.b.c.d) reaches that IPv4 address.
  if (allZeroBefore(5) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return restrictedIpv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  }
  return null;
}

/** Whether a URL may receive webhooks, and the normalised URL; or the rule it breaks, as a sentence for the 400. */
export function checkWebhookUrl(raw: string, production: boolean): UrlCheck {
  if (raw.length > MAX_URL_LENGTH) return { ok: false, rule: `must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, rule: "must be an absolute URL such as https://example.com/webhooks" };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, rule: "must not contain credentials (user:password@); the signature authenticates each delivery" };
  }
  const host = url.hostname.toLowerCase();
  if (url.protocol === "http:") {
    if (production) return { ok: false, rule: "must use https:// in production" };
    if (!LOCAL_HTTP_HOSTS.has(host)) {
      return { ok: false, rule: "must use https:// (http:// only for localhost and 127.0.0.1, outside production)" };
    }
    return { ok: true, url: url.href };
  }
  if (url.protocol !== "https:") {
    return {
      ok: false,
      rule: production
        ? "must use https://"
        : "must use https:// (or http://localhost and http://127.0.0.1, outside production)",
    };
  }
  if (production) {
    if (host === "localhost" || host.endsWith(".localhost")) {
      return { ok: false, rule: "must not point at localhost in production" };
    }
    const octets = ipv4Octets(host);
    const groups = host.startsWith("[") && host.endsWith("]") ? ipv6Groups(host.slice(1, -1)) : null;
    const range = octets ? restrictedIpv4(octets) : groups ? restrictedIpv6(groups) : null;
    if (range) {
      return {
        ok: false,
        rule: `must not point at a loopback, private, link-local or unique-local address in production (${host} is ${range})`,
      };
    }
  }
  return { ok: true, url: url.href };
}
