using System.ComponentModel;
using Keras.Configuration;

namespace Keras.Hosting
{
    /// <summary>
    /// Entry point for the code Keras.SourceGen generates from a project's keras.json. The generated
    /// <c>[ModuleInitializer]</c> calls <see cref="Apply"/> before any user code runs. Precedence at run time:
    /// explicit <c>Keras.Config.Set*</c> calls, then <c>KERAS_BACKEND</c> and the other KERAS_* variables, then the
    /// baked keras.json, which replaces <c>~/.keras/keras.json</c> (that file is then neither read nor created).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class KerasBakedConfig
    {
        /// <summary>Applies the values baked from <paramref name="sourcePath"/> at build time.</summary>
        public static void Apply(string floatx, double epsilon, string imageDataFormat, string backend, string sourcePath) =>
            ConfigState.ApplyBaked(new BakedValues(floatx, epsilon, imageDataFormat, backend, sourcePath));

        /// <summary>The keras.json the running app was built with, or null when nothing was baked.</summary>
        public static string? SourcePath => ConfigState.Baked?.SourcePath;
    }
}
