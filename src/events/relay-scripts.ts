import type { Cluster, Redis } from 'ioredis';

/** The relay's server-side scripts (see relay.ts for the delivery steps they belong to). */

/**
 * KEYS[1] stream; ARGV group, consumer, entry id. Returns {state, deliveries}: state 1 = ours
 * (idle time reset), 0 = no longer pending (acked elsewhere), 2 = another consumer owns it now.
 */
const BEGIN_SCRIPT = `
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 then return {0, 0} end
if p[1][2] ~= ARGV[2] then return {2, p[1][4]} end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return {1, p[1][4]}
`;

/** KEYS[1] stream, KEYS[2] dead-letter stream; ARGV group, entry id, field/value pairs. */
const PARK_SCRIPT = `
local id = redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return id
`;

/**
 * KEYS[1] stream; ARGV group, consumer, entry ids. Releases entries this consumer was handed but
 * did not start (a graceful stop): each stays pending (Redis has no "un-deliver"), but with its
 * delivery time set to the epoch (TIME 0), so any relay's next XAUTOCLAIM takes it at once
 * whatever its min-idle, and with the delivery this consumer did not use given back
 * (RETRYCOUNT), so a stop never counts as an attempt. Entries no longer ours are left alone.
 */
const RELEASE_SCRIPT = `
local released = 0
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 1 and p[1][2] == ARGV[2] then
    local retries = math.max(tonumber(p[1][4]) - 1, 0)
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'TIME', 0, 'RETRYCOUNT', retries, 'JUSTID')
    released = released + 1
  end
end
return released
`;

export interface RelayScripts {
  autostackRelayRelease(stream: string, group: string, consumer: string, ...ids: string[]): Promise<number>;
  autostackRelayBegin(stream: string, group: string, consumer: string, id: string): Promise<[number, number]>;
  autostackRelayPark(stream: string, dead: string, group: string, id: string, ...fields: string[]): Promise<string>;
}

/** Registers the scripts on a client (ioredis sends EVALSHA, falling back to EVAL once). */
export function defineRelayScripts(client: Redis | Cluster): RelayScripts {
  client.defineCommand('autostackRelayBegin', { numberOfKeys: 1, lua: BEGIN_SCRIPT });
  client.defineCommand('autostackRelayPark', { numberOfKeys: 2, lua: PARK_SCRIPT });
  client.defineCommand('autostackRelayRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
  return client as unknown as RelayScripts;
}
