import { create } from 'zustand';
import { readStored, writeStored } from '../storage';

export type ThemeName = 'light' | 'dark';
/** `system` follows prefers-color-scheme; the toggle sets an explicit choice. */
export type ThemePreference = 'system' | ThemeName;

const KEY = 'theme';
const VERSION = 1;

interface ThemeState {
  preference: ThemePreference;
  systemDark: boolean;
  setPreference(p: ThemePreference): void;
  setSystemDark(dark: boolean): void;
}

function storedPreference(): ThemePreference {
  return (
    readStored(KEY, VERSION, (d) =>
      d === 'light' || d === 'dark' || d === 'system' ? d : undefined,
    ) ?? 'system'
  );
}

function systemPrefersDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

export function effectiveTheme(preference: ThemePreference, systemDark: boolean): ThemeName {
  if (preference === 'system') return systemDark ? 'dark' : 'light';
  return preference;
}

/**
 * The app theme. `data-theme` on <html> always holds the effective theme ("light"/"dark"), so
 * CSS (`:root[data-theme='dark']`) and non-React code (Monaco, Mermaid) can follow it.
 */
export const useThemeStore = create<ThemeState>((set) => ({
  preference: storedPreference(),
  systemDark: systemPrefersDark(),
  setPreference(preference) {
    writeStored(KEY, VERSION, preference);
    set({ preference });
  },
  setSystemDark(systemDark) {
    set({ systemDark });
  },
}));

export function useEffectiveTheme(): ThemeName {
  return useThemeStore((s) => effectiveTheme(s.preference, s.systemDark));
}

function apply(): void {
  const { preference, systemDark } = useThemeStore.getState();
  const theme = effectiveTheme(preference, systemDark);
  const root = document.documentElement;
  if (root.getAttribute('data-theme') !== theme) root.setAttribute('data-theme', theme);
  root.style.colorScheme = theme;
}

/** Applies the theme to <html> now and whenever the preference or the system setting changes. */
export function startThemeSync(): () => void {
  apply();
  const unsubscribe = useThemeStore.subscribe(apply);
  const mq = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  const onChange = (e: MediaQueryListEvent) => useThemeStore.getState().setSystemDark(e.matches);
  mq?.addEventListener('change', onChange);
  return () => {
    unsubscribe();
    mq?.removeEventListener('change', onChange);
  };
}
