// Types for agentwire. Response types are open (`[key: string]: unknown`) so fields a platform
// adds later are kept and visible, never stripped.

export declare const VERSION: string;

export type ErrorKind =
  | "validation" | "authentication" | "permission" | "not_found" | "conflict"
  | "rate_limited" | "quota" | "timeout" | "server" | "unavailable" | "session_expired"
  | "job_failed" | "stream" | "aborted" | "network" | "unknown";

export type VendorFormat =
  | "hatz_detail" | "fastapi_validation" | "zazmic" | "heylock" | "agntix" | "openai"
  | "anthropic" | "stream_event" | "failed_task" | "bare_message" | "bare_error"
  | "unknown_json" | "html" | "text" | "empty" | "client";

export interface RateLimit {
  limit?: number;
  remaining?: number;
  /** Epoch milliseconds. */
  resetAt?: number;
}

export interface FieldError {
  path: string;
  message: string;
}

/** Facts about the exchange, on every result and every error the client produces. */
export interface Meta {
  requestId?: string;
  status?: number;
  attempts: number;
  durationMs: number;
  waitedMs: number;
  rateLimit?: RateLimit;
  /** Usage, cost and balance headers the platform sent, keyed by lower-case name. */
  usage?: Record<string, string>;
}

export declare class AgentError extends Error {
  readonly name: "AgentError";
  kind: ErrorKind;
  status?: number;
  code?: string;
  requestId?: string;
  retryable: boolean;
  retryAfterMs?: number;
  rateLimit?: RateLimit;
  fieldErrors: FieldError[];
  vendorFormat: VendorFormat;
  details?: unknown;
  advice: string;
  meta?: Meta;
  constructor(fields: Partial<Omit<AgentError, "name" | "stack">> & { message: string });
  toJSON(): Record<string, unknown>;
}

export declare function isAgentError(value: unknown): value is AgentError;

export type HeadersInput = Headers | Record<string, string | string[] | undefined>;

/** Classifies any error response, whatever the platform. Never throws for bad bodies. */
export declare function parseError(status: number, headers: HeadersInput, body: string | Uint8Array | ArrayBuffer | null | undefined): AgentError;
export declare function parseErrorResponse(response: Response, options?: { maxBytes?: number }): Promise<AgentError>;

export interface ReportContext {
  endpoint?: string;
  baseUrl?: string;
  method?: string;
  authScheme?: AuthScheme;
  model?: string;
  streaming?: boolean;
  jobId?: string;
  stepId?: string;
  fileId?: string;
  attempts?: number;
  requestId?: string;
  /** Removes these strings wherever they appear (for keys held outside an AgentClient). */
  secrets?: string[];
  /** Removes this client's key wherever it appears. */
  client?: AgentClient;
}

export interface SupportReport {
  text: string;
  json: Record<string, unknown>;
}

export declare function supportReport(error: unknown, context?: ReportContext): SupportReport;

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export declare class SseDecoder {
  constructor();
  push(chunk: Uint8Array | ArrayBuffer | string): SseEvent[];
  /** True when the input ended inside an incomplete event (a cut-short stream). */
  finish(): boolean;
  readonly lastEventId: string;
}

export type AuthScheme = "x-api-key" | "bearer" | "authorization" | "none";
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

export interface Logger {
  debug?(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
  error?(message: string): void;
  log?(message: string): void;
}

export interface AgentClientOptions {
  /** Defaults to https://ai.hatz.ai. */
  baseUrl?: string;
  apiKey?: string;
  /** Defaults to "x-api-key"; the OpenAI/Anthropic surfaces default to "bearer" unless set. */
  auth?: AuthScheme;
  /** Per attempt, covering headers and body. Default 60000. */
  timeoutMs?: number;
  /** Across all attempts and waits. */
  deadlineMs?: number;
  maxRetries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Retry-After longer than this is returned as `retryAfterMs` instead of slept. */
  maxRetryAfterMs?: number;
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  logger?: Logger;
  logLevel?: LogLevel;
  /** Debug only; bodies are redacted even then. */
  logBodies?: boolean;
  headers?: Record<string, string>;
  allowInsecureHttp?: boolean;
  dangerouslyAllowBrowser?: boolean;
  circuitBreaker?: false | { threshold: number; windowMs: number; cooldownMs: number };
  paceRateLimits?: boolean;
  streamIdleTimeoutMs?: number;
  maxUploadBytes?: number;
  /** Allow automatic re-sends of calls that start paid work, even when the server may have acted. */
  retryPaidRequests?: boolean;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  deadlineMs?: number;
  idempotencyKey?: string;
  requestId?: string;
  headers?: Record<string, string>;
  auth?: AuthScheme;
}

export interface RequestOptions extends CallOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Whether the call starts billable work (default: POST and PATCH do). */
  paid?: boolean;
  accept?: string;
}

export interface RequestResult<T = unknown> {
  data: T;
  status: number;
  meta: Meta;
}

export declare class AgentStream<E = unknown> implements AsyncIterableIterator<E> {
  readonly meta: Meta;
  next(): Promise<IteratorResult<E, undefined>>;
  return(): Promise<IteratorResult<E, undefined>>;
  [Symbol.asyncIterator](): AgentStream<E>;
  close(): void;
  toReadableStream(): ReadableStream<E>;
  /** Collects the stream's text deltas (any of the three chat surfaces). */
  text(): Promise<string>;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool" | (string & {});
  content: string | Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export interface HatzChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  [key: string]: unknown;
}

export interface HatzChatCompletion {
  id: string;
  object?: string;
  model?: string;
  choices: Array<{ index: number; message: { role: string; content: string | null; [key: string]: unknown }; finish_reason: string | null; [key: string]: unknown }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number; [key: string]: unknown };
  meta: Meta;
  [key: string]: unknown;
}

export interface HatzChatChunk {
  id?: string;
  object?: string;
  choices: Array<{ index: number; delta: { role?: string; content?: string | null; [key: string]: unknown }; finish_reason?: string | null }>;
  [key: string]: unknown;
}

export interface OpenAIResponsesRequest {
  model: string;
  input: string | ChatMessage[];
  stream?: boolean;
  [key: string]: unknown;
}

export interface OpenAIResponse {
  id: string;
  object?: "response";
  status?: string;
  model?: string;
  output: Array<{ type: string; role?: string; content?: Array<{ type: string; text?: string; [key: string]: unknown }>; [key: string]: unknown }>;
  output_text?: string;
  usage?: Record<string, unknown>;
  meta: Meta;
  [key: string]: unknown;
}

export interface OpenAIResponseEvent {
  type: string;
  delta?: string;
  [key: string]: unknown;
}

export interface AnthropicMessagesRequest {
  model: string;
  max_tokens: number;
  messages: Array<{ role: "user" | "assistant"; content: string | Array<Record<string, unknown>> }>;
  system?: string;
  stream?: boolean;
  [key: string]: unknown;
}

export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model?: string;
  content: Array<{ type: string; text?: string; [key: string]: unknown }>;
  stop_reason?: string | null;
  usage?: { input_tokens?: number; output_tokens?: number; [key: string]: unknown };
  meta: Meta;
  [key: string]: unknown;
}

export interface AnthropicStreamEvent {
  type: "message_start" | "content_block_start" | "ping" | "content_block_delta" | "content_block_stop" | "message_delta" | "message_stop" | (string & {});
  delta?: { type?: string; text?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export type JobStatus = "pending" | "running" | "complete" | "failed";

export interface StepOutput {
  step_id: string;
  job_id?: string;
  step_type?: string;
  status: JobStatus | (string & {});
  output_type?: string;
  output_data?: unknown;
  duration?: number;
  payload?: unknown;
  created_at?: string;
  updated_at?: string;
  start_time?: number;
  end_time?: number;
  [key: string]: unknown;
}

export interface WorkflowJob {
  job_id: string;
  app_id?: string;
  status: JobStatus | (string & {});
  number_of_steps?: number;
  created_at?: string;
  updated_at?: string;
  start_time?: number;
  end_time?: number;
  user_inputs?: Record<string, unknown>;
  step_outputs?: StepOutput[];
  meta?: Meta;
  [key: string]: unknown;
}

export interface WorkflowProgress {
  jobId: string;
  status: string;
  stepsDone: number;
  totalSteps: number;
  latestStep?: StepOutput;
  elapsedMs: number;
  job: WorkflowJob;
}

export interface WaitOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  onProgress?: (progress: WorkflowProgress) => void;
}

export interface UploadOptions extends CallOptions {
  filename?: string;
  contentType?: string;
  scopeType?: string;
  scopeId?: string;
}

export declare class AgentClient {
  constructor(options?: AgentClientOptions);
  static create(options?: AgentClientOptions): Promise<AgentClient>;
  request<T = unknown>(options: RequestOptions): Promise<RequestResult<T>>;
  stream<E = unknown>(options: RequestOptions): Promise<AgentStream<E>>;
  readonly chat: {
    completions(request: HatzChatRequest & { stream: true }, options?: CallOptions): Promise<AgentStream<HatzChatChunk>>;
    completions(request: HatzChatRequest & { stream?: false }, options?: CallOptions): Promise<HatzChatCompletion>;
    completionsStream(request: HatzChatRequest, options?: CallOptions): Promise<AgentStream<HatzChatChunk>>;
  };
  readonly openai: {
    responses(request: OpenAIResponsesRequest & { stream: true }, options?: CallOptions): Promise<AgentStream<OpenAIResponseEvent>>;
    responses(request: OpenAIResponsesRequest & { stream?: false }, options?: CallOptions): Promise<OpenAIResponse>;
    responsesStream(request: OpenAIResponsesRequest, options?: CallOptions): Promise<AgentStream<OpenAIResponseEvent>>;
  };
  readonly anthropic: {
    messages(request: AnthropicMessagesRequest & { stream: true }, options?: CallOptions): Promise<AgentStream<AnthropicStreamEvent>>;
    messages(request: AnthropicMessagesRequest & { stream?: false }, options?: CallOptions): Promise<AnthropicMessage>;
    messagesStream(request: AnthropicMessagesRequest, options?: CallOptions): Promise<AgentStream<AnthropicStreamEvent>>;
  };
  readonly workflows: {
    run(appId: string, inputs: Record<string, unknown>, options?: CallOptions & { draft?: boolean }): Promise<{ jobId: string; status?: string; meta: Meta }>;
    get(jobId: string, options?: CallOptions): Promise<WorkflowJob>;
    wait(jobId: string, options?: WaitOptions): Promise<WorkflowJob>;
    runAndWait(appId: string, inputs: Record<string, unknown>, options?: CallOptions & WaitOptions & { draft?: boolean }): Promise<WorkflowJob>;
    outputUrl(jobId: string, stepId: string, options?: CallOptions & { expiresIn?: number }): Promise<{ url: string; expiresIn: number; meta: Meta }>;
  };
  readonly files: {
    upload(file: Blob | Uint8Array | ArrayBuffer, options?: UploadOptions): Promise<{ fileUuid: string; filename?: string; size?: number; meta: Meta }>;
  };
  supportReport(error: unknown, context?: Omit<ReportContext, "client">): SupportReport;
  toJSON(): { baseUrl: string; auth: AuthScheme; timeoutMs: number; maxRetries: number; apiKey: "[redacted]" };
  toString(): string;
}

/** Resolves once the WebAssembly module is ready (a no-op in Node and workerd). */
export declare function init(input?: WebAssembly.Module | BufferSource | URL | string | Response): Promise<void>;
