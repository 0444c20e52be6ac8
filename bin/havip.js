#!/usr/bin/env node
// Package bin shim: runs the TypeScript CLI through tsx's loader so `npx havip` works without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./havip.ts');
