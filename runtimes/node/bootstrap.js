'use strict';
// Gatehouse's Node.js runtime: loads the handler (CommonJS or ES module; async or callback style)
// and serves the Lambda Runtime API loop over one keep-alive connection.

const net = require('node:net');
const path = require('node:path');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const util = require('node:util');

const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
let currentRequestId = '';

// One raw keep-alive HTTP/1.1 connection to the Runtime API: much cheaper per invoke than node:http.
// A result and the request for the next event leave in one write (HTTP/1.1 pipelining); responses
// come back in order. Gatehouse's Runtime API always answers with Content-Length.
class RuntimeConnection {
  constructor(address) {
    // host:port, then Gatehouse's per-environment secret as a path prefix ("127.0.0.1:9001/SECRET").
    const slash = address.indexOf('/');
    const hostPort = slash < 0 ? address : address.slice(0, slash);
    this.prefix = slash < 0 ? '' : address.slice(slash).replace(/\/+$/, '');
    const colon = hostPort.lastIndexOf(':');
    this.host = hostPort.slice(0, colon);
    this.port = Number(hostPort.slice(colon + 1));
    this.buffer = Buffer.alloc(0);
    this.pending = [];
    this.socket = null;
  }

  // Connected at the first request, not before the handler is loaded: a connection that says nothing
  // for long is closed by the Runtime API, and could lose its place to other connections.
  connected() {
    if (this.socket) return this.socket;
    this.socket = net.connect({ host: this.host, port: this.port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.parse();
    });
    // The server went away (Gatehouse stopped): nothing left to serve.
    this.socket.on('close', () => process.exit(0));
    this.socket.on('error', () => process.exit(0));
    return this.socket;
  }

  encode(method, route, body, headers) {
    let head = `${method} ${this.prefix}/2018-06-01/runtime/${route} HTTP/1.1\r\nHost: ${this.host}\r\n`;
    for (const [name, value] of Object.entries(headers || {})) head += `${name}: ${value}\r\n`;
    if (body === undefined) return Buffer.from(head + '\r\n', 'latin1');
    const bytes = Buffer.from(body, 'utf8');
    return Buffer.concat([Buffer.from(`${head}Content-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`, 'latin1'), bytes]);
  }

  request(method, route, body, headers) {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.connected().write(this.encode(method, route, body, headers));
    });
  }

  // POSTs a result and asks for the next event in one write; resolves with the next event.
  postThenNext(route, body, headers) {
    return new Promise((resolve) => {
      this.pending.push(() => {}, resolve);
      this.connected().write(Buffer.concat([this.encode('POST', route, body, headers), this.encode('GET', 'invocation/next')]));
    });
  }

  parse() {
    while (this.pending.length) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = this.buffer.toString('latin1', 0, end).split('\r\n');
      const headers = {};
      for (let i = 1; i < lines.length; i++) {
        const colon = lines[i].indexOf(':');
        if (colon > 0) headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] || 0);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length);
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.pending.shift()({ status: Number(lines[0].split(' ')[1]), headers, body });
    }
  }
}

const connection = new RuntimeConnection(process.env.AWS_LAMBDA_RUNTIME_API);

function request(method, route, body, headers) {
  return connection.request(method, route, body, headers);
}

// Lambda's console format: time, request id, level, message.
function patchConsole() {
  for (const [name, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
    console[name] = (...args) => {
      const line = util.format(...args).replace(/\n/g, '\r');
      process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${line}\n`);
    };
  }
}

function errorBody(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

async function failInit(errorType, message, error) {
  const body = error ? Object.assign(errorBody(error), { errorType, errorMessage: message }) : { errorType, errorMessage: message, trace: [] };
  process.stdout.write(`${new Date().toISOString()}\tundefined\tERROR\t${JSON.stringify(body)}\n`);
  await request('POST', 'init/error', JSON.stringify(body), { 'Lambda-Runtime-Function-Error-Type': errorType });
  process.exit(1);
}

async function loadHandler(handlerString) {
  const dot = handlerString.lastIndexOf('.');
  if (dot <= 0) {
    return failInit('Runtime.MalformedHandlerName', 'Bad handler');
  }
  const modulePath = handlerString.slice(0, dot);
  const exportPath = handlerString.slice(dot + 1);
  const base = path.resolve(taskRoot, modulePath);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!file) {
    return failInit('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'`);
  }
  let module;
  try {
    // import() loads ES modules and CommonJS alike (CommonJS exports arrive as `default`).
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    const type = error instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError';
    return failInit(type, `${error.name}: ${error.message}`, error);
  }
  let handler = exportPath.split('.').reduce((o, key) => (o == null ? undefined : o[key]), module);
  if (handler === undefined && module.default) {
    handler = exportPath.split('.').reduce((o, key) => (o == null ? undefined : o[key]), module.default);
  }
  if (handler === undefined) {
    return failInit('Runtime.HandlerNotFound', `${modulePath}.${exportPath} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    return failInit('Runtime.HandlerNotFound', `${modulePath}.${exportPath} is not a function`);
  }
  return handler;
}

function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  if (headers['lambda-runtime-client-context']) context.clientContext = JSON.parse(headers['lambda-runtime-client-context']);
  if (headers['lambda-runtime-cognito-identity']) context.identity = JSON.parse(headers['lambda-runtime-cognito-identity']);
  return context;
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(result);
    };
    context.done = callback;
    context.succeed = (result) => callback(null, result);
    context.fail = (error) => callback(error || new Error('handled'));
    try {
      const returned = handler(event, context, callback);
      // Async handlers (and any handler returning a promise) settle with it; others use the callback.
      if (returned && typeof returned.then === 'function') returned.then((r) => callback(null, r), (e) => callback(e || new Error('rejected')));
      else if (handler.length < 3 && !settled) callback(null, returned);
    } catch (error) {
      callback(error);
    }
  });
}

async function main() {
  patchConsole();
  const handler = await loadHandler(process.env._HANDLER || '');
  // Each invocation ends with one write: its result (or error) and the request for the next event.
  let next = await request('GET', 'invocation/next');
  for (;;) {
    if (next.status !== 200) process.exit(1);
    const headers = next.headers;
    const requestId = headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    if (headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
    let event;
    try {
      event = next.body.length ? JSON.parse(next.body.toString('utf8')) : {};
    } catch (error) {
      next = await connection.postThenNext(`invocation/${requestId}/error`,
        JSON.stringify({ errorType: 'Runtime.UnmarshalError', errorMessage: error.message, trace: [] }),
        { 'Lambda-Runtime-Function-Error-Type': 'Runtime.UnmarshalError' });
      continue;
    }
    try {
      const result = await runHandler(handler, event, makeContext(headers));
      const body = result === undefined ? 'null' : JSON.stringify(result);
      next = await connection.postThenNext(`invocation/${requestId}/response`, body);
    } catch (error) {
      const body = errorBody(error);
      process.stdout.write(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(body)}\n`);
      next = await connection.postThenNext(`invocation/${requestId}/error`, JSON.stringify(body), { 'Lambda-Runtime-Function-Error-Type': body.errorType });
    }
  }
}

main().catch(() => process.exit(1));
