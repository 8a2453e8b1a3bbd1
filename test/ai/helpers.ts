import type { TestContext } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import type { Log } from '../../src/io/io.js';
import { callModel, type CallOptions } from '../../src/ai/client.js';
import { type ModelRequest, type ModelResponse } from '../../src/ai/types.js';
import { startAnthropicApi, type AnthropicApi } from '../fakes/anthropic-api.js';

export const API_KEY = 'sk-ant-test-0123456789abcdef';

export interface RecordingLog extends Log {
  lines: { level: string; message: string }[];
  text(): string;
}

export function recordingLog(): RecordingLog {
  const lines: { level: string; message: string }[] = [];
  const push = (level: string) => (message: string) => void lines.push({ level, message });
  return {
    lines,
    text: () => lines.map((l) => `${l.level}: ${l.message}`).join('\n'),
    debug: push('debug'),
    info: push('info'),
    notice: push('notice'),
    warning: push('warning'),
    error: push('error'),
    group: <T>(_title: string, body: () => Promise<T>) => body(),
    setSecret: () => undefined,
  };
}

export interface Rig {
  api: AnthropicApi;
  log: RecordingLog;
  /** Waits callModel asked for, in order (the injected sleep returns at once). */
  sleeps: number[];
  options: CallOptions;
  call: (request: ModelRequest) => Promise<ModelResponse>;
}

export async function rig(t: TestContext, overrides: Partial<CallOptions> = {}): Promise<Rig> {
  const api = await startAnthropicApi();
  t.after(() => api.close());
  const log = recordingLog();
  const sleeps: number[] = [];
  const options: CallOptions = {
    apiKey: API_KEY,
    baseUrl: api.url,
    log,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    backoff: () => 1,
    ...overrides,
  };
  return { api, log, sleeps, options, call: (request) => callModel(request, options) };
}

export const user = (text: string): Anthropic.MessageParam => ({ role: 'user', content: text });

export function request(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return { model: 'claude-sonnet-4-6', maxTokens: 256, messages: [user('hello')], ...overrides };
}
