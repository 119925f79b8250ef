import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** Shown instead of the children once they have thrown. */
  fallback(error: Error): ReactNode;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/**
 * Keeps one broken part (a diagram, the lab panel) from taking the page down: whatever its children
 * throw while rendering is caught here and replaced by `fallback`.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(_error: Error, _info: ErrorInfo): void {
    // The fallback shows the error in place; nothing else to report.
  }

  override render(): ReactNode {
    return this.state.error ? this.props.fallback(this.state.error) : this.props.children;
  }
}
