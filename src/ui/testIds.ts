/** data-testid values shared by the UI and e2e/ (keep them stable). */
export const testIds = {
  themeToggle: 'theme-toggle',
  shortcutsButton: 'shortcuts-button',
  shortcutsDialog: 'shortcuts-dialog',
  lessonList: 'lesson-list',
  lessonArticle: 'lesson-article',
  lessonScroller: 'lesson-scroller',
  toc: 'toc',
  diagram: 'diagram',
  codeBlock: 'code-block',
  labPane: 'lab-pane',
  lessonPane: 'lesson-pane',
  divider: 'pane-divider',
  labToggle: 'lab-toggle',
} as const;
