import { request } from 'node:http';

/**
 * A raw HTTP request to `base` + `path`, sent as written: fetch would normalise "../" and
 * "%2e%2e" away before sending, and path-traversal tests need them to reach the server.
 */
export function rawRequest(
  base: string,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((ok, fail) => {
    const { hostname, port } = new URL(base);
    const req = request({ host: hostname, port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        ok({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', fail);
    req.end();
  });
}
