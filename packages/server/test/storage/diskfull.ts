// A disk that fills up on demand, for the storage tests: creating a store or checkpoint file under a
// chosen folder fails with ENOSPC, as on a full disk, once the number of files allowed is used up.
// A folder can also fail to list (EIO), so that the store cannot even be opened again.
import fs from 'node:fs';
import path from 'node:path';

/** What a new file is: a store segment, a checkpoint part (a raw segment) or the checkpoint's commit record. */
export type FileKind = 'segment' | 'checkpoint part' | 'checkpoint record';

function kindOf(file: string): FileKind {
  const name = path.basename(file);
  if (path.basename(path.dirname(file)) === 'checkpoint') return name.startsWith('.checkpoint.json.') ? 'checkpoint record' : 'checkpoint part';
  return 'segment';
}

/**
 * Every file the store creates goes through a temporary file opened with flag 'wx' (durablefile.ts):
 * that open is where this disk says it is full. Reading, renaming and deleting still work, as on a
 * real full disk.
 */
export class DiskFull {
  private readonly left: Record<FileKind, number> = { segment: Infinity, 'checkpoint part': Infinity, 'checkpoint record': Infinity };
  private readonly realOpen = fs.openSync;
  private readonly realReaddir = fs.readdirSync;
  private unlistable: string | null = null;
  /** Files refused so far, by kind. */
  readonly refused: Record<FileKind, number> = { segment: 0, 'checkpoint part': 0, 'checkpoint record': 0 };

  constructor(private readonly root: string) {
    const real = this.realOpen;
    const self = this;
    fs.openSync = function openSync(file: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode | null): number {
      if (flags === 'wx' && typeof file === 'string' && file.startsWith(self.root + path.sep) && /\.tmp$/.test(file)) {
        const kind = kindOf(file);
        if (self.left[kind] <= 0) {
          self.refused[kind]++;
          throw Object.assign(new Error(`ENOSPC: no space left on device, open '${file}'`), { code: 'ENOSPC', errno: -28, syscall: 'open', path: file });
        }
        self.left[kind]--;
      }
      return real(file, flags ?? 'r', mode);
    } as typeof fs.openSync;
    const readdir = this.realReaddir;
    fs.readdirSync = function readdirSync(dir: fs.PathLike, options?: unknown): unknown {
      if (self.unlistable !== null && path.resolve(String(dir)) === self.unlistable) {
        throw Object.assign(new Error(`EIO: i/o error, scandir '${String(dir)}'`), { code: 'EIO', errno: -5, syscall: 'scandir', path: String(dir) });
      }
      return (readdir as (d: fs.PathLike, o?: unknown) => unknown)(dir, options);
    } as typeof fs.readdirSync;
  }

  /** Listing folder `dir` fails with EIO (null: every folder lists again). */
  failListing(dir: string | null): this {
    this.unlistable = dir === null ? null : path.resolve(dir);
    return this;
  }

  /** From now on, `n` more files of these kinds are written, then every one is refused. */
  allow(n: number, ...kinds: FileKind[]): this {
    for (const k of kinds.length === 0 ? (Object.keys(this.left) as FileKind[]) : kinds) this.left[k] = n;
    return this;
  }

  /** Room again for everything. */
  heal(): this {
    return this.allow(Infinity);
  }

  /** Put fs.openSync and fs.readdirSync back. */
  restore(): void {
    fs.openSync = this.realOpen;
    fs.readdirSync = this.realReaddir;
  }
}
