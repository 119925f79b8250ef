import type { PrismTheme } from 'prism-react-renderer';

/**
 * Syntax colours as CSS variables (defined for both themes in styles.css, each checked for at
 * least 4.5:1 contrast on --code-bg), so highlighted code follows the theme without re-render.
 */
export const codeTheme: PrismTheme = {
  plain: { color: 'var(--code-fg)', backgroundColor: 'var(--code-bg)' },
  styles: [
    {
      types: ['comment', 'prolog', 'doctype', 'cdata'],
      style: { color: 'var(--code-comment)', fontStyle: 'italic' },
    },
    { types: ['keyword', 'builtin', 'important'], style: { color: 'var(--code-keyword)' } },
    { types: ['string', 'char', 'attr-value', 'regex'], style: { color: 'var(--code-string)' } },
    { types: ['number', 'boolean', 'constant'], style: { color: 'var(--code-number)' } },
    { types: ['function', 'class-name'], style: { color: 'var(--code-function)' } },
    { types: ['operator', 'punctuation'], style: { color: 'var(--code-punct)' } },
    { types: ['variable', 'property', 'tag'], style: { color: 'var(--code-fg)' } },
  ],
};
