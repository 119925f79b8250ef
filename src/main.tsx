import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { startThemeSync } from './ui/theme/themeStore';
import './ui/styles.css';

// The theme goes on <html> before the first paint, so there is no flash of the wrong one.
startThemeSync();

const root = document.getElementById('root');
if (!root) throw new Error('Reconcile Lab: #root element missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
