/**
 * Markdown as prettier may lay it out: table cells trimmed (prettier pads them to align the columns),
 * separator cells reduced to their alignment, blank lines at the ends dropped.
 */
export function normalize(markdown: string): string {
  return markdown
    .trim()
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (!trimmed.startsWith('|')) return trimmed;
      const cells = trimmed
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim())
        .map((c) =>
          /^:?-+:?$/.test(c) ? `${c.startsWith(':') ? ':' : ''}---${c.endsWith(':') ? ':' : ''}` : c,
        );
      return `| ${cells.join(' | ')} |`;
    })
    .join('\n');
}
