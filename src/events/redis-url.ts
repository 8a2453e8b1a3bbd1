import { InputError } from '../shared/errors.js';
import { redact, registerSecret } from '../shared/redact.js';

/** Parsing and validating the redis:// URL of the Redis Streams target (see redis.ts), masking its password first. */

export interface ParsedRedisUrl {
  host: string;
  port: number;
  username?: string | undefined;
  password?: string | undefined;
  db: number;
  tls: boolean;
  /** host:port for logs and the journal: never the credentials. */
  display: string;
}

/**
 * The password of a redis URL, as written and percent-decoded, found without parsing the URL:
 * a URL that does not parse may still hold one, and it must be masked before any error is shown.
 */
export function redisUrlPasswords(raw: string): string[] {
  const password = /^[a-z]+:\/\/[^:@/]*:([^@/]+)@/i.exec(raw)?.[1];
  if (!password) return [];
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // Not valid percent-encoding: the raw text is what would be shown.
  }
  return [...new Set([password, decoded])];
}

/** Validates a redis:// or rediss:// URL; registers its password as a secret first. */
export function parseRedisUrl(raw: string, inputName = 'redis-url'): ParsedRedisUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The text may hold a password; say what is wrong without repeating it.
    for (const password of redisUrlPasswords(raw)) registerSecret(password);
    throw new InputError(
      inputName,
      `is not a URL; expected redis://[user:password@]host[:port][/db] or rediss://… (got ${redact(raw).replace(/\/\/[^@/]*@/, '//***@')})`,
    );
  }
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  registerSecret(password);
  registerSecret(url.password);
  const shown = `${url.protocol}//${url.hostname}${url.port ? `:${url.port}` : ''}`;
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new InputError(inputName, `must use redis:// or rediss:// (got ${url.protocol}//…)`);
  }
  if (!url.hostname)
    throw new InputError(inputName, `has no host; expected redis://[user:password@]host[:port] (got ${shown})`);
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText))
    throw new InputError(inputName, `has a database path '/${dbText}'; it must be a database number like /0`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password,
    db: dbText === '' ? 0 : Number(dbText),
    tls: url.protocol === 'rediss:',
    display: `${url.protocol}//${url.hostname}:${port}`,
  };
}
