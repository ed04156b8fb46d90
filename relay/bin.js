#!/usr/bin/env node
// `confab` on the PATH (package.json bin): run the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
