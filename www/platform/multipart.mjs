// Minimal, binary-safe multipart/form-data parser (RFC 7578) for the fake upload endpoint.

/** The boundary from a Content-Type header, or null when it is not multipart/form-data. */
export function boundaryOf(contentType) {
  if (!contentType) return null;
  const [type, ...params] = contentType.split(';');
  if (type.trim().toLowerCase() !== 'multipart/form-data') return null;
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    if (p.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    return v.length > 0 && v.length <= 200 ? v : null;
  }
  return null;
}

/**
 * Parse a multipart body. Returns an array of parts
 * { name, filename (or null), contentType (or null), data: Buffer }.
 * Throws Error('malformed multipart body') when no boundary delimiter is found.
 */
export function parseMultipart(body, boundary) {
  const delim = Buffer.from(`--${boundary}`);
  const parts = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new Error('malformed multipart body');
  pos += delim.length;
  for (;;) {
    // After a delimiter: "--" closes the body, otherwise CRLF then part headers.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    else if (body[pos] === 0x0a) pos += 1;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new Error('malformed multipart body');
    const headers = parseHeaders(body.subarray(pos, headerEnd).toString('utf8'));
    const dataStart = headerEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), dataStart);
    if (next < 0) throw new Error('malformed multipart body');
    const disposition = parseDisposition(headers['content-disposition'] ?? '');
    parts.push({
      name: disposition.name ?? null,
      filename: disposition.filename ?? null,
      contentType: headers['content-type'] ?? null,
      data: body.subarray(dataStart, next),
    });
    pos = next + 2 + delim.length;
    if (pos >= body.length) break;
  }
  return parts;
}

function parseHeaders(text) {
  const out = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

function parseDisposition(value) {
  const out = {};
  // form-data; name="file"; filename="a b.csv"; filename*=UTF-8''a%20b.csv
  const re = /;\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  let m;
  while ((m = re.exec(value)) !== null) {
    const key = m[1].toLowerCase();
    const raw = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim();
    if (key === 'filename*') {
      const star = /^([^']*)'[^']*'(.*)$/.exec(raw);
      try { out.filename = decodeURIComponent(star ? star[2] : raw); } catch { out.filename = raw; }
    } else if (key === 'filename') {
      if (out.filename === undefined) out.filename = raw;
    } else {
      out[key] = raw;
    }
  }
  return out;
}
