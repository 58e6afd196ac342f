/**
 * The code under test: a small PostHog management client of the kind an application would have.
 * It retries once on 502/503/504 and on 429 (after Retry-After), as PostHog's own clients do.
 */
async function request(config, method, path, body) {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${config.host}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${config.apiKey}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const retryable = [429, 502, 503, 504].includes(res.status);
    if (retryable && attempt < 2) {
      const wait = Number(res.headers.get('retry-after') ?? 0) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 2000)));
      continue;
    }
    const data = res.status === 204 ? null : await res.json();
    if (!res.ok) {
      const error = new Error(`PostHog answered ${res.status}: ${data.detail}`);
      error.status = res.status;
      error.body = data;
      throw error;
    }
    return data;
  }
}

function posthog(config) {
  return {
    /** every person of a project whose email matches, following `next` links */
    async findPersons(projectId, email) {
      const found = [];
      let path = `/api/projects/${projectId}/persons/?email=${encodeURIComponent(email)}`;
      while (path) {
        const page = await request(config, 'GET', path);
        found.push(...page.results);
        path = page.next ? new URL(page.next).pathname + new URL(page.next).search : null;
      }
      return found;
    },
    createRole: (name) => request(config, 'POST', '/api/organizations/@current/roles/', { name }),
    listRoles: () => request(config, 'GET', '/api/organizations/@current/roles/'),
    setPersonProperty: (projectId, personId, key, value) =>
      request(config, 'POST', `/api/projects/${projectId}/persons/${personId}/update_property/`, {
        key,
        value,
      }),
  };
}

module.exports = { posthog };
