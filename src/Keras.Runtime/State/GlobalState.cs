using System;
using System.Collections.Generic;
using System.Threading;

namespace Keras.State
{
    /// <summary>
    /// Keras' global state (<c>keras/src/backend/common/global_state.py</c>): auto-name counters, the global dtype
    /// policy, the random seed and the session flags (traceback filtering, interactive logging, flash attention,
    /// safe mode). <c>ClearSession</c> resets all of it.
    /// <para>
    /// Scope: process-wide, deliberately. Keras keeps this per Python thread, but .NET code moves between pool
    /// threads at every <c>await</c>, so per-thread state would make layer names and settings depend on which
    /// thread happened to run a continuation; an AsyncLocal scope would silently drop settings made inside a
    /// callee. One process-wide state behind a lock gives the behaviour Keras users see in a single-threaded
    /// script, and is safe when several threads use it.
    /// </para>
    /// </summary>
    internal static class GlobalState
    {
        private static readonly object Gate = new object();
        private static Dictionary<string, int> _objectNameUids = new Dictionary<string, int>(StringComparer.Ordinal);
        private static DTypePolicy? _dtypePolicy;
        private static bool? _tracebackFiltering;
        private static bool? _interactiveLogging;
        private static bool? _flashAttention;
        private static bool? _safeModeSaving;
        private static int? _randomSeed;

        /// <summary>
        /// Held for reading while a Keras object runs native code, for writing while a session is cleared: a
        /// ClearSession on another thread waits for running calls instead of freeing tensors under them.
        /// </summary>
        internal static readonly ReaderWriterLockSlim SessionLock = new ReaderWriterLockSlim(LockRecursionPolicy.SupportsRecursion);

        /// <summary>The objects (layers, variables) of the current session, released by ClearSession.</summary>
        internal static readonly SessionRegistry Registry = new SessionRegistry();

        public static bool TracebackFilteringEnabled
        {
            get
            {
                lock (Gate) return _tracebackFiltering ?? true;
            }
            set
            {
                lock (Gate) _tracebackFiltering = value;
            }
        }

        public static bool InteractiveLoggingEnabled
        {
            get
            {
                lock (Gate) return _interactiveLogging ?? true;
            }
            set
            {
                lock (Gate) _interactiveLogging = value;
            }
        }

        /// <summary>null = auto (Keras' default and what enable_flash_attention stores), false = disabled.</summary>
        public static bool? FlashAttention
        {
            get
            {
                lock (Gate) return _flashAttention;
            }
            set
            {
                lock (Gate) _flashAttention = value;
            }
        }

        /// <summary>null when unset (Keras' in_safe_mode() returns None), false after enable_unsafe_deserialization.</summary>
        public static bool? SafeModeSaving
        {
            get
            {
                lock (Gate) return _safeModeSaving;
            }
            set
            {
                lock (Gate) _safeModeSaving = value;
            }
        }

        public static int? RandomSeed
        {
            get
            {
                lock (Gate) return _randomSeed;
            }
            set
            {
                lock (Gate) _randomSeed = value;
            }
        }

        /// <summary>The global dtype policy; created from floatx on first read and cached (as Keras does).</summary>
        public static DTypePolicy GetDtypePolicy(Func<DTypePolicy> create)
        {
            lock (Gate)
            {
                return _dtypePolicy ??= create();
            }
        }

        public static void SetDtypePolicy(DTypePolicy policy)
        {
            lock (Gate) _dtypePolicy = policy;
        }

        /// <summary>Keras' <c>uniquify</c>: "dense", then "dense_1", "dense_2", ... sharing counters with GetUid.</summary>
        public static string Uniquify(string name)
        {
            lock (Gate)
            {
                _objectNameUids.TryGetValue(name, out int count);
                string result = count > 0 || _objectNameUids.ContainsKey(name) ? name + "_" + count : name;
                _objectNameUids[name] = count + 1;
                return result;
            }
        }

        /// <summary>Keras' <c>get_uid</c>: increments the prefix's counter and returns it (1, 2, 3, ...).</summary>
        public static int GetUid(string prefix)
        {
            lock (Gate)
            {
                _objectNameUids.TryGetValue(prefix, out int count);
                count++;
                _objectNameUids[prefix] = count;
                return count;
            }
        }

        /// <summary>Keras' <c>reset_uids</c>.</summary>
        public static void ResetUids()
        {
            lock (Gate) _objectNameUids = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        /// <summary>
        /// Replaces the global state with a new one (Keras' clear_session) and releases the native memory of every
        /// object created in the ended session. Waits for Keras calls running on other threads to finish.
        /// </summary>
        public static int ClearSession(ReleaseReason reason)
        {
            SessionLock.EnterWriteLock();
            try
            {
                lock (Gate)
                {
                    _objectNameUids = new Dictionary<string, int>(StringComparer.Ordinal);
                    _dtypePolicy = null;
                    _tracebackFiltering = null;
                    _interactiveLogging = null;
                    _flashAttention = null;
                    _safeModeSaving = null;
                    _randomSeed = null;
                }
                return Registry.ReleaseAll(reason);
            }
            finally
            {
                SessionLock.ExitWriteLock();
            }
        }
    }
}
