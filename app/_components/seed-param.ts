/**
 * A board page's `?seed=` (see lib/client/ids.ts), honoured only where the server runs its test
 * API: the server read TEST_API at start and refused to start without its token (config.ts), and
 * the pages render in the same process. Elsewhere a seed in a link does nothing.
 */
export function seedParam(value: string | string[] | undefined): string | null {
  if (process.env.TEST_API !== "1" || typeof value !== "string") return null;
  return /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? value : null;
}
