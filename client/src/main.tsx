import { render } from 'solid-js/web';
import { App } from './App';
import { initLocale } from './i18n/i18n';
import './styles.css';

// The page's language first (a small chunk for anything but English), then the first paint.
void initLocale().finally(() => render(() => <App />, document.getElementById('app')!));
