// File uploads as the GraphQL multipart request spec has them, over XMLHttpRequest because
// fetch cannot report upload progress. The `Apollo-Require-Preflight` header is what lets the
// server accept a multipart request signed in by the cookie alone (a form on another site
// cannot send it).
import { GraphQLError, me } from './graphql.js';

/** Runs `query` with `file` as the variable `fileVariable`; `onProgress(fraction)` as it goes. */
export function upload(query, variables, fileVariable, file, onProgress) {
  const body = new FormData();
  if (!file) {
    body.append('operations', JSON.stringify({ query, variables }));
    body.append('map', '{}');
    return send(body, onProgress);
  }
  body.append('operations', JSON.stringify({ query, variables: { ...variables, [fileVariable]: null } }));
  body.append('map', JSON.stringify({ 0: [`variables.${fileVariable}`] }));
  body.append('0', file, file.name);
  return send(body, onProgress);
}

function send(body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/graphql');
    xhr.setRequestHeader('Apollo-Require-Preflight', 'true');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new GraphQLError([{ message: 'network', extensions: { code: 'NETWORK' } }]));
    xhr.onload = () => {
      let answer = {};
      try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = {}; }
      if (answer.errors && answer.errors.length) {
        const error = new GraphQLError(answer.errors);
        if (error.code === 'UNAUTHENTICATED') me.value = null;
        reject(error);
      } else if (answer.data) {
        onProgress(1);
        resolve(answer.data);
      } else {
        reject(new GraphQLError([{ message: `HTTP ${xhr.status}`, extensions: { code: 'INTERNAL' } }]));
      }
    };
    xhr.send(body);
  });
}

/** Runs `query` with `files` as the list variable `listVariable` (each file its own part). */
export function uploadMany(query, variables, listVariable, files, onProgress) {
  if (!files.length) return upload(query, variables, null, null, onProgress);
  const body = new FormData();
  body.append('operations', JSON.stringify({ query, variables: { ...variables, [listVariable]: files.map(() => null) } }));
  body.append('map', JSON.stringify(Object.fromEntries(files.map((_, i) => [i, [`variables.${listVariable}.${i}`]]))));
  files.forEach((f, i) => body.append(String(i), f, f.name));
  return send(body, onProgress);
}
