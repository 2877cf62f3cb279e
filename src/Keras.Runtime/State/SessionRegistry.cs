using System;
using System.Collections.Generic;

namespace Keras.State
{
    /// <summary>Why a session's objects were released; it decides the message users see when they reuse one.</summary>
    internal enum ReleaseReason
    {
        ClearSession,
        SetBackend,
    }

    /// <summary>Implemented by Keras objects that own native memory and belong to one session.</summary>
    internal interface ISessionObject
    {
        /// <summary>Frees native memory; later use must raise <see cref="Keras.Errors.KerasObjectReleasedException"/>.</summary>
        void Release(ReleaseReason reason);
    }

    /// <summary>
    /// Weak list of the current session's objects. Weak, so the registry never keeps a model alive by itself; objects
    /// still reachable at ClearSession are released deterministically (their native tensors disposed) instead of
    /// waiting for finalizers the GC runs only when managed memory is short.
    /// </summary>
    internal sealed class SessionRegistry
    {
        private readonly object _gate = new object();
        private List<WeakReference<ISessionObject>> _objects = new List<WeakReference<ISessionObject>>();
        private int _compactAt = 1024;

        public void Register(ISessionObject obj)
        {
            lock (_gate)
            {
                _objects.Add(new WeakReference<ISessionObject>(obj));
                if (_objects.Count >= _compactAt)
                {
                    _objects.RemoveAll(w => !w.TryGetTarget(out _));
                    _compactAt = Math.Max(1024, _objects.Count * 2);
                }
            }
        }

        /// <summary>Number of tracked entries (live or not yet compacted).</summary>
        public int Count
        {
            get
            {
                lock (_gate) return _objects.Count;
            }
        }

        public int ReleaseAll(ReleaseReason reason)
        {
            List<WeakReference<ISessionObject>> objects;
            lock (_gate)
            {
                objects = _objects;
                _objects = new List<WeakReference<ISessionObject>>();
                _compactAt = 1024;
            }
            int released = 0;
            foreach (var weak in objects)
            {
                if (!weak.TryGetTarget(out var obj)) continue;
                obj.Release(reason);
                released++;
            }
            return released;
        }
    }
}
