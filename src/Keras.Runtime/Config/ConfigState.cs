using System;
using System.Collections.Generic;
using Keras.Utilities;

namespace Keras.Configuration
{
    /// <summary>
    /// Keras' module-level configuration (floatx, epsilon, image_data_format, backend, caps, NNX): process-wide, not
    /// reset by ClearSession. Loaded lazily on first use, from baked values when the app was built with
    /// Keras.SourceGen, otherwise from keras.json; explicit <c>Keras.Config.Set*</c> calls win over both.
    /// </summary>
    internal static class ConfigState
    {
        private static readonly object Gate = new object();
        private static KerasSettings? _settings;
        private static BakedValues? _baked;
        private static KerasEnvironment _env = KerasEnvironment.Current;
        private static readonly Dictionary<string, Action<KerasSettings>> Explicit =
            new Dictionary<string, Action<KerasSettings>>(StringComparer.Ordinal);

        /// <summary>A snapshot of the current settings (loads them on first use).</summary>
        public static KerasSettings Current
        {
            get
            {
                lock (Gate) return Ensure();
            }
        }

        private static KerasSettings Ensure()
        {
            if (_settings != null) return _settings;
            var loaded = KerasJsonFile.Load(_env, _baked);
            foreach (var reapply in Explicit.Values) reapply(loaded);
            _settings = loaded;
            foreach (var warning in loaded.AllWarnings) IoUtils.Warn(warning);
            return _settings;
        }

        /// <summary>Changes one setting by an explicit call; the change survives a later baked-config application.</summary>
        public static void Set(string key, Action<KerasSettings> change)
        {
            lock (Gate)
            {
                var s = Ensure();
                change(s);
                Explicit[key] = change;
            }
        }

        /// <summary>Called by the generated module initializer before user code: baked values replace keras.json.</summary>
        public static void ApplyBaked(BakedValues baked)
        {
            lock (Gate)
            {
                _baked = baked;
                _settings = null; // reloaded on next use; explicit settings are re-applied on top
            }
        }

        public static BakedValues? Baked
        {
            get
            {
                lock (Gate) return _baked;
            }
        }

        /// <summary>Keras' set_backend re-imports Keras: configuration is computed afresh, explicit settings are lost.</summary>
        public static void Reload()
        {
            lock (Gate)
            {
                Explicit.Clear();
                _settings = null;
                Ensure();
            }
        }

        /// <summary>For tests: start over as a fresh process would, with the given environment and baked values.</summary>
        internal static void ResetForTesting(KerasEnvironment? env = null, BakedValues? baked = null)
        {
            lock (Gate)
            {
                _env = env ?? KerasEnvironment.Current;
                _baked = baked;
                Explicit.Clear();
                _settings = null;
            }
        }
    }
}
