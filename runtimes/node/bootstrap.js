'use strict';
// Gatehouse's Node.js runtime: loads the handler (CommonJS or ES module; async or callback style)
// and serves the Lambda Runtime API loop over one keep-alive connection.

const http = require('node:http');
const path = require('node:path');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const util = require('node:util');

const [host, port] = splitAddress(process.env.AWS_LAMBDA_RUNTIME_API);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
let currentRequestId = '';

function splitAddress(address) {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}

function request(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const allHeaders = Object.assign({}, headers);
    if (body !== undefined) {
      allHeaders['Content-Type'] = 'application/json';
      allHeaders['Content-Length'] = Buffer.byteLength(body);
    }
    const req = http.request({ host, port, method, path: '/2018-06-01/runtime/' + route, agent, headers: allHeaders }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
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
  for (;;) {
    const next = await request('GET', 'invocation/next');
    if (next.status !== 200) process.exit(1);
    const headers = next.headers;
    const requestId = headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    if (headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
    let event;
    try {
      event = next.body.length ? JSON.parse(next.body.toString('utf8')) : {};
    } catch (error) {
      await request('POST', `invocation/${requestId}/error`, JSON.stringify({ errorType: 'Runtime.UnmarshalError', errorMessage: error.message, trace: [] }),
        { 'Lambda-Runtime-Function-Error-Type': 'Runtime.UnmarshalError' });
      continue;
    }
    try {
      const result = await runHandler(handler, event, makeContext(headers));
      const body = result === undefined ? 'null' : JSON.stringify(result);
      await request('POST', `invocation/${requestId}/response`, body);
    } catch (error) {
      const body = errorBody(error);
      process.stdout.write(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(body)}\n`);
      await request('POST', `invocation/${requestId}/error`, JSON.stringify(body), { 'Lambda-Runtime-Function-Error-Type': body.errorType });
    }
  }
}

main().catch(() => process.exit(1));
