/** Keyboard conventions that differ on macOS. */
export function isMacPlatform(): boolean {
  if (typeof navigator === 'undefined') return false;
  const nav = navigator as Navigator & { userAgentData?: { platform?: string } };
  const p = nav.userAgentData?.platform ?? navigator.platform ?? '';
  return /mac|iphone|ipad|ipod/i.test(p);
}

/** The key that toggles Monaco's Tab focus mode (the Tab-trap escape). */
export function tabFocusShortcut(): string {
  return isMacPlatform() ? 'Ctrl+Shift+M' : 'Ctrl+M';
}

/** The key that runs the simulation from the editor. */
export function runShortcut(): string {
  return isMacPlatform() ? '⌘+Enter' : 'Ctrl+Enter';
}
