/** Every keyboard shortcut of the app, for the `?` overlay. Where a key differs on macOS it says so. */
export interface Shortcut {
  keys: string[];
  action: string;
  where: string;
}

export const SHORTCUTS: Shortcut[] = [
  {
    keys: ['?'],
    action: 'Show this list of keyboard shortcuts',
    where: 'Anywhere outside a text field',
  },
  {
    keys: ['Esc'],
    action: 'Close this list, a full-screen diagram or the contents drawer',
    where: 'Dialogs',
  },
  { keys: [']'], action: 'Go to the next section of the lesson', where: 'Lesson' },
  { keys: ['['], action: 'Go to the previous section of the lesson', where: 'Lesson' },
  { keys: ['+', '−', '0'], action: 'Zoom in, zoom out, actual size', where: 'Full-screen diagram' },
  {
    keys: ['Ctrl+Enter', '⌘+Enter'],
    action: 'Run the simulation with the edited code',
    where: 'Lab editor',
  },
  {
    keys: ['Ctrl+M', 'Ctrl+Shift+M (macOS)'],
    action: 'Switch Tab between indenting and moving focus out of the editor (the Tab trap escape)',
    where: 'Lab editor',
  },
  { keys: ['←', '→'], action: 'Resize the lesson and lab panes', where: 'Pane divider' },
];
