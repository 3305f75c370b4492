// Templates as tagged strings (htm) that build Preact elements: JSX without a build step.
import { h, render } from '../vendor/preact.module.js';
import htm from '../vendor/htm.module.js';

export const html = htm.bind(h);
export { render };
