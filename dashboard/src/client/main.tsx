/** The dashboard's entry point: renders the app into `#app`. */
import { render } from 'preact';
import { App } from './app/App.tsx';

render(<App />, document.getElementById('app') ?? document.body);
