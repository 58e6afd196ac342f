import { METHODS, type Method, type Operation } from './operation';

export interface Route {
  template: string;
  regex: RegExp;
  paramNames: string[];
  operations: Partial<Record<Method, Operation>>;
}

export interface Match {
  route: Route;
  params: Record<string, string>;
}

/**
 * Compiles the operation table into routes, one per path template. Literal segments win over
 * parameters (persons/values before persons/:id), and every path matches with or without its trailing slash.
 */
export function compileRoutes(operations: readonly Operation[]): Route[] {
  const byTemplate = new Map<string, Route>();
  for (const op of operations) {
    let route = byTemplate.get(op.path);
    if (!route) {
      const paramNames: string[] = [];
      const pattern = op.path
        .split('/')
        .map((segment) => {
          if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          paramNames.push(segment.slice(1));
          return '([^/]+)';
        })
        .join('/');
      route = { template: op.path, regex: new RegExp(`^${pattern}/?$`), paramNames, operations: {} };
      byTemplate.set(op.path, route);
    }
    if (route.operations[op.method]) throw new Error(`duplicate operation ${op.method} ${op.path}`);
    route.operations[op.method] = op;
  }
  const params = (r: Route): number => r.paramNames.length;
  return [...byTemplate.values()].sort((a, b) => params(a) - params(b));
}

export function matchRoute(routes: readonly Route[], path: string): Match | undefined {
  for (const route of routes) {
    const m = route.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    let ok = true;
    route.paramNames.forEach((name, i) => {
      try {
        params[name] = decodeURIComponent(m[i + 1]!);
      } catch {
        ok = false;
      }
    });
    if (ok) return { route, params };
  }
  return undefined;
}

export const allowedMethods = (route: Route): string[] => [
  ...METHODS.filter((m) => route.operations[m]),
  ...(route.operations.GET ? ['HEAD'] : []),
  'OPTIONS',
];
