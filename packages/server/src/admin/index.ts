// Public door of ftserver's store administration: the store lock, and the backup, restore and clear
// commands with their errors (each with the exit code ftserver ends with).
export { ADMIN_ERROR_CODES, AdminError, type AdminErrorCode, type AdminErrorDetails } from './adminerror.js';
export { LOCK_FILE, StoreLock, acquireStoreLock, assertStoreUnlocked, readStoreLock, type StoreLockHolder } from './storelock.js';
export { backupStore, type BackupOptions, type BackupReport } from './backup.js';
export { verifyBackup, type VerifiedBackup } from './verifybackup.js';
export { restoreStore, type RestoreOptions, type RestoreReport } from './restore.js';
export { clearStore, type ClearOptions, type ClearReport } from './clear.js';
export { confirmClear } from './confirmclear.js';
export { confirmRestore, restoreQuestion, type RestorePlan } from './confirmrestore.js';
export { countStoredSessions } from './storefiles.js';
export { BACKUP_FORMAT, BACKUP_VERSION, MANIFEST_FILE, type BackupManifest, type ManifestFile } from './manifest.js';
