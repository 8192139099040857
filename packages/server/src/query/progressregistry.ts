// How far the running session queries that asked for it (GET /api/v1/sessions?progress=ID) have
// scanned, by user and id, for GET /api/v1/sessions/progress: a tool polls it while the answer streams.

/** `queued`: waiting for a query slot (querythreads); `scanning`: reading the store. */
export type ScanState = 'queued' | 'scanning';

export interface ScanProgress {
  readonly state: ScanState;
  /** Stored sessions looked at so far: the rows of the segments read (every row of a segment is looked at). */
  readonly scanned: number;
  /** Stored sessions in the segments of the frame (the store's and the hot store's); 0 until the scan starts. */
  readonly total: number;
}

/** What the query's own code holds: it reports the scan, and ends the entry when the answer is over. */
export interface TrackedScan {
  /** The query has its slot and reads the store. */
  scanning(): void;
  update(scanned: number, total: number): void;
  /** Forgets the query (its answer ended or failed, or its client went away); later calls do nothing. */
  end(): void;
}

export type ProgressRegistryErrorCode = 'PROGRESS_ID_IN_USE' | 'TOO_MANY_PROGRESS_QUERIES';

export class ProgressRegistryError extends Error {
  override readonly name = 'ProgressRegistryError';
  /** HTTP status: 409 for an id in use, 429 for too many queries. */
  readonly status: number;

  constructor(
    readonly code: ProgressRegistryErrorCode,
    message: string,
  ) {
    super(message);
    this.status = code === 'PROGRESS_ID_IN_USE' ? 409 : 429;
  }
}

interface Entry {
  state: ScanState;
  scanned: number;
  total: number;
}

/** Queries with progress one user may have running (or waiting for a slot) at once. */
export const MAX_TRACKED_PER_USER = 64;
/** And all users together. */
export const MAX_TRACKED = 1024;

/**
 * Entries live exactly as long as their query's request: made when it arrives, ended when its answer
 * is over or its client goes away, so the registry never holds a finished query and needs no timer.
 * Each user sees only their own ids: another user's id reads as unknown. Bounded per user and in all.
 */
export class ProgressRegistry {
  private readonly byUser = new Map<string, Map<string, Entry>>();
  private count = 0;

  constructor(
    private readonly maxPerUser = MAX_TRACKED_PER_USER,
    private readonly maxTotal = MAX_TRACKED,
  ) {}

  /** Queries tracked now. */
  get size(): number {
    return this.count;
  }

  /** Starts tracking query `id` of `user` (state queued); throws ProgressRegistryError when the id is in use or the bounds are reached. */
  track(user: string, id: string): TrackedScan {
    let mine = this.byUser.get(user);
    if (mine?.has(id) === true) {
      throw new ProgressRegistryError('PROGRESS_ID_IN_USE', `a query of ${user} with progress=${id} is already running; give each query its own random id`);
    }
    if ((mine?.size ?? 0) >= this.maxPerUser) {
      throw new ProgressRegistryError('TOO_MANY_PROGRESS_QUERIES', `${user} already has ${this.maxPerUser} session queries with progress running; wait for one to end, or leave progress= out`);
    }
    if (this.count >= this.maxTotal) {
      throw new ProgressRegistryError('TOO_MANY_PROGRESS_QUERIES', `the server already follows ${this.maxTotal} session queries with progress; wait for one to end, or leave progress= out`);
    }
    if (mine === undefined) {
      mine = new Map();
      this.byUser.set(user, mine);
    }
    const entry: Entry = { state: 'queued', scanned: 0, total: 0 };
    mine.set(id, entry);
    this.count++;
    let ended = false;
    return {
      scanning: () => {
        entry.state = 'scanning';
      },
      update: (scanned, total) => {
        entry.scanned = scanned;
        entry.total = total;
      },
      end: () => {
        if (ended) return;
        ended = true;
        this.count--;
        mine.delete(id);
        if (mine.size === 0) this.byUser.delete(user);
      },
    };
  }

  /** The progress of `user`'s running query `id`; undefined when there is none (ended, never started, or another user's). */
  get(user: string, id: string): ScanProgress | undefined {
    const e = this.byUser.get(user)?.get(id);
    return e === undefined ? undefined : { state: e.state, scanned: e.scanned, total: e.total };
  }
}
