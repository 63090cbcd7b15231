/**
 * The name a stroke in progress goes by on others' screens. Previews reach the others with this
 * key instead of the stroke's id, so that nobody learns an id before its author has committed the
 * stroke and cannot commit one of their own under it first (the author's commit would then be
 * refused as a duplicate and the stroke lost). Once committed, the id is taken on the board for
 * good. Clients make ids of 126 random bits; 64 bits of hash leave some 2^62 ids for each key, so
 * the key gives nothing away, while a tab that sees the commit finds the preview it ends.
 *
 * Not a cryptographic hash, and need not be: nothing here is secret but the id's own randomness.
 */
export function previewKey(strokeId: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < strokeId.length; i++) {
    const c = strokeId.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `p${(h1 >>> 0).toString(16).padStart(8, "0")}${(h2 >>> 0).toString(16).padStart(8, "0")}`;
}
