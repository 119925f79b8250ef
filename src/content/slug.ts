/**
 * Heading slugs in the style GitHub uses for Markdown anchors, so `## Rate Limiting` becomes
 * `rate-limiting` and links copied from other Markdown viewers keep working: lower case,
 * punctuation removed (letters, digits, `-` and `_` kept, in any script), each space a `-`.
 */
export function slugify(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/**
 * Hands out unique slugs within one document: the second "Overview" becomes `overview-1`, the
 * third `overview-2` (GitHub's rule), and an empty slug becomes `section`.
 */
export class Slugger {
  private readonly seen = new Map<string, number>();

  slug(text: string): string {
    const base = slugify(text) || 'section';
    let slug = base;
    let n = this.seen.get(base) ?? 0;
    while (this.seen.has(slug)) {
      n += 1;
      slug = `${base}-${n}`;
    }
    this.seen.set(base, n);
    this.seen.set(slug, this.seen.get(slug) ?? 0);
    return slug;
  }
}

/** Plain text of a heading's inline Markdown: emphasis, code marks and link targets removed. */
export function headingPlainText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`~]/g, '')
    .replace(/\\(.)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}
