import { Highlight } from 'prism-react-renderer';
import { codeTheme } from './codeTheme';

interface Props {
  code: string;
  language: string;
  label: string;
}

/**
 * Syntax-highlighted code as React elements (prism-react-renderer; no HTML strings). Loaded
 * lazily: the lesson shows plain code until this chunk arrives.
 */
export default function HighlightedCode({ code, language, label }: Props) {
  return (
    <Highlight code={code} language={language} theme={codeTheme}>
      {({ className, style, tokens, getLineProps, getTokenProps }) => (
        <pre
          className={`code ${className}`}
          style={style}
          tabIndex={0}
          aria-label={label}
          data-highlighted="true"
        >
          <code>
            {tokens.map((line, i) => (
              <span key={i} {...getLineProps({ line })}>
                {line.map((token, k) => (
                  <span key={k} {...getTokenProps({ token })} />
                ))}
                {'\n'}
              </span>
            ))}
          </code>
        </pre>
      )}
    </Highlight>
  );
}
