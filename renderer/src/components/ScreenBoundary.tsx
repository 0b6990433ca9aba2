// No screen may go blank: a screen that throws while rendering, or whose code could not be
// loaded (the bridge was away on its first visit), shows what went wrong and a Retry button.
import { Component, type ReactNode } from 'react';
import { Icon } from './Icon.js';

interface Props {
  title: string;
  next: string;
  retryLabel: string;
  /** Called before the screen is tried again (e.g. to reload its code). */
  onRetry: () => void;
  children: ReactNode;
}

export class ScreenBoundary extends Component<Props, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidCatch(error: Error): void {
    console.error('screen failed', error);
  }

  private retry = () => {
    this.props.onRetry();
    this.setState({ error: null });
  };

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="error-block" role="alert" data-testid="screen-error">
        <Icon name="alert" size={28} />
        <div>
          <strong>{this.props.title}</strong>
          <p>{this.props.next}</p>
        </div>
        <button type="button" className="btn" onClick={this.retry} data-testid="screen-retry">
          {this.props.retryLabel}
        </button>
      </div>
    );
  }
}
