/** owner/repo, as GitHub spells repository names; checked wherever a repository is configured. */
export const REPOSITORY_NAME = /^([A-Za-z0-9-_.]+)\/([A-Za-z0-9-_.]+)$/;

export interface RepositoryRef {
  owner: string;
  repo: string;
}

/** The one `owner/repo` parser: undefined when the text is not owner/repo. */
export function parseRepository(text: string): RepositoryRef | undefined {
  const match = REPOSITORY_NAME.exec(text.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return { owner: match[1], repo: match[2] };
}

/**
 * owner and repo of a name already checked where it was configured (or the local runner's own
 * name): the split every caller would otherwise write by hand; it never fails.
 */
export function splitRepository(text: string): RepositoryRef {
  const parsed = parseRepository(text);
  if (parsed) return parsed;
  const slash = text.indexOf('/');
  return slash < 0 ? { owner: text, repo: '' } : { owner: text.slice(0, slash), repo: text.slice(slash + 1) };
}
