export { createApp, type AppOptions, type MockApp } from './app';
export { startMockServer, type MockServer, type StartOptions } from './server';
export { Store } from './store/store';
export { DEFAULT_SEED_OPTIONS, type SeedOptions } from './store/seed';
export { operations } from './operations';
export type { Operation } from './http/operation';
