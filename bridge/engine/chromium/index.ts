// Chromium for slot browsers: where it is, how it starts, how its leftovers are cleaned up.
export { findBrowser, browserMissingMessage, systemBrowserPaths, findBundledBrowser, type FindBrowserOptions, type FoundBrowser } from './find.js';
export { recoverProfileLock, ProfileLockedError, parseLockTarget, type LockRecovery } from './lock.js';
export { sweepOrphanBrowsers, orphanCandidates } from './sweep.js';
export { killTree, isAlive, listProcesses, treeOf, userDataDirOf, type ProcessEntry } from './processes.js';
export { treeMemory, processMemory, type TreeMemory } from './memory.js';
export { slotBrowserArgs, splitArgs, baseFlags, LOW_MEMORY_FLAGS } from './flags.js';
export { launchBrowser, clearBrowserFile, BROWSER_FILE, type LaunchedBrowser, type LaunchOptions } from './launch.js';
export { Semaphore, launchPermits } from './semaphore.js';
