// The console server's JSON API: one call for every gateway method, the session's bearer token, typed errors.
export interface FieldViolation {
  field: string;
  description: string;
}

export interface ErrorDetail {
  "@type": string;
  reason?: string;
  fieldViolations?: FieldViolation[];
  metadata?: Record<string, string>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[],
  ) {
    super(message);
  }

  get reason(): string {
    return this.details.find((d) => d.reason)?.reason ?? "";
  }

  get violations(): FieldViolation[] {
    return this.details.flatMap((d) => d.fieldViolations ?? []);
  }
}

export interface Session {
  token: string;
  subject: string;
  role: string;
  parkId: string;
}

export interface ServerConfig {
  methods: string[];
  developmentLogin: boolean;
  roles: string[];
  tileUrl: string;
}

const SESSION_KEY = "console.session";

export function loadSession(): Session | null {
  const raw = globalThis.localStorage?.getItem(SESSION_KEY);
  return raw ? (JSON.parse(raw) as Session) : null;
}

export function saveSession(session: Session | null): void {
  if (session) globalThis.localStorage?.setItem(SESSION_KEY, JSON.stringify(session));
  else globalThis.localStorage?.removeItem(SESSION_KEY);
}

/** Claims of a JWT without checking it (the gateway checks it). */
export function describeToken(token: string): Session {
  const part = token.split(".")[1] ?? "";
  const claims = JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, string>;
  return { token, subject: claims.sub ?? "", role: claims.role ?? "", parkId: claims.park ?? "" };
}

export function newKey(): string {
  return globalThis.crypto.randomUUID();
}

async function parse<T>(response: Response): Promise<T> {
  const text = await response.text();
  const body = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const error = body.error ?? {};
    throw new ApiError(response.status, error.status ?? "UNKNOWN", error.message ?? response.statusText, error.details ?? []);
  }
  return body as T;
}

/** Call a gateway method by name; mutating calls pass an Idempotency-Key that becomes the request_id. */
export async function call<T>(method: string, body: unknown = {}, idempotencyKey = ""): Promise<T> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const session = loadSession();
  if (session) headers.Authorization = `Bearer ${session.token}`;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const response = await fetch(`api/v1/${method}`, { method: "POST", headers, body: JSON.stringify(body) });
  return parse<T>(response);
}

export async function getConfig(): Promise<ServerConfig> {
  return parse<ServerConfig>(await fetch("api/v1/config"));
}

export async function developmentLogin(role: string, parkId: string, subject: string): Promise<Session> {
  const response = await fetch("api/v1/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ role, parkId, subject }) });
  return parse<Session>(response);
}
