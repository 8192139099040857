// The connection parameters of a tool read together (-s -p -un -up -us and FLOWTRAQ_*), checked before
// anything is sent, and the logged-in API client made from them once every other parameter is checked too.

import { ApiClient, type LoginOptions } from './apiclient.js';
import { readLoginPlan, type LoginPlan } from './loginplan.js';
import { readLoginTimeout } from './logintimeout.js';
import type { ParsedOptions } from './parsedoptions.js';
import { readServerAddress, type Environment, type ServerAddress } from './serveraddress.js';

export interface ConnectionPlan {
  readonly address: ServerAddress;
  readonly login: LoginPlan;
  /** How long to wait for the answer to the login (FLOWTRAQ_LOGIN_TIMEOUT). */
  readonly loginTimeoutMs: number;
}

export function readConnection(parsed: ParsedOptions, env: Environment): ConnectionPlan {
  return { address: readServerAddress(parsed, env), login: readLoginPlan(parsed, env), loginTimeoutMs: readLoginTimeout(env) };
}

/** Connects and logs in; ConnectFailure (exit 4), AuthFailure (exit 3) or RuntimeFailure (exit 1) otherwise. */
export function connect(plan: ConnectionPlan, opts: LoginOptions): Promise<ApiClient> {
  return ApiClient.login(plan.address, plan.login, { ...opts, loginTimeoutMs: plan.loginTimeoutMs });
}
