import { testIds } from '../testIds';
import { useEffectiveTheme, useThemeStore } from './themeStore';

/** A toggle button: pressed = dark theme. The first press turns "follow the system" into an explicit choice. */
export function ThemeToggle() {
  const theme = useEffectiveTheme();
  const preference = useThemeStore((s) => s.preference);
  const setPreference = useThemeStore((s) => s.setPreference);
  const dark = theme === 'dark';
  return (
    <span className="theme-toggle">
      <button
        type="button"
        className="button"
        aria-pressed={dark}
        data-testid={testIds.themeToggle}
        title={preference === 'system' ? 'Following the system theme' : undefined}
        onClick={() => setPreference(dark ? 'light' : 'dark')}
      >
        <span aria-hidden="true">{dark ? '☾' : '☀'}</span> Dark theme
      </button>
      {preference !== 'system' && (
        <button
          type="button"
          className="button button-quiet"
          onClick={() => setPreference('system')}
        >
          Use system theme
        </button>
      )}
    </span>
  );
}
