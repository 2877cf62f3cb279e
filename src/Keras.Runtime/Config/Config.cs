using System;
using System.Reflection;
using Keras.Configuration;
using Keras.Errors;
using Keras.Shared;
using Keras.State;
using Keras.Utilities;

namespace Keras
{
    /// <summary>
    /// <c>keras.config</c>: Keras' configuration utilities. floatx, epsilon, image data format, backend, the caps and
    /// NNX are process-wide and survive <see cref="Utils.ClearSession"/>; traceback filtering, interactive logging,
    /// flash attention, unsafe deserialization and the dtype policy are session state that ClearSession resets.
    /// </summary>
    public static class Config
    {
        /// <summary>
        /// The version of Keras' API this runtime reproduces (keras.version() in Python returns the Keras package
        /// version; see <see cref="Version"/> for this package's own).
        /// </summary>
        public const string KerasApiVersion = "3.15.1";

        /// <summary><c>keras.version()</c>: the version of Keras.Runtime.</summary>
        public static string Version()
        {
            var info = typeof(Config).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            if (string.IsNullOrEmpty(info)) return typeof(Config).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
            int plus = info.IndexOf('+');
            return plus >= 0 ? info.Substring(0, plus) : info;
        }

        /// <summary><c>keras.config.floatx()</c>: the default float type ("float32" unless configured).</summary>
        public static string Floatx() => ConfigState.Current.Floatx;

        /// <summary>
        /// <c>keras.config.set_floatx(value)</c>: one of "bfloat16", "float16", "float32", "float64". Training in
        /// float16 is not recommended: use <c>SetDtypePolicy("mixed_float16")</c> instead. The global dtype policy,
        /// once read, keeps its value until <see cref="Utils.ClearSession"/>, as in Keras.
        /// </summary>
        public static void SetFloatx(string value)
        {
            if (!KerasFacts.IsFloatx(value))
            {
                string? near = KerasFacts.DidYouMean(value, KerasFacts.FloatxValues);
                throw new KerasArgumentException(
                    $"Unknown `floatx` value: {value ?? "None"}. Expected one of {KerasFacts.PythonSet(KerasFacts.FloatxValues)}" +
                    (near != null ? $". Did you mean '{near}'?" : ""), nameof(value));
            }
            ConfigState.Set(KerasFacts.KeyFloatx, s => s.Floatx = value);
        }

        /// <summary><c>keras.config.epsilon()</c>: the fuzz factor (1e-7 unless configured).</summary>
        public static double Epsilon() => ConfigState.Current.Epsilon;

        /// <summary>
        /// <c>keras.config.set_epsilon(value)</c>. Keras stores anything; this runtime requires a positive, finite
        /// number, the same rule the analyzers and keras.json diagnostics apply.
        /// </summary>
        public static void SetEpsilon(double value)
        {
            if (!KerasFacts.IsValidEpsilon(value))
                throw new KerasArgumentOutOfRangeException(nameof(value), value,
                    $"`epsilon` must be a positive, finite number. Received: epsilon={KerasFacts.PythonFloat(value)}. " +
                    "Keras' default is 1e-07.");
            ConfigState.Set(KerasFacts.KeyEpsilon, s => s.Epsilon = value);
        }

        /// <summary><c>keras.config.image_data_format()</c>: "channels_last" or "channels_first".</summary>
        public static string ImageDataFormat() => ConfigState.Current.ImageDataFormat;

        /// <summary><c>keras.config.set_image_data_format(fmt)</c>: case-insensitive, as Keras lowercases it.</summary>
        public static void SetImageDataFormat(string dataFormat)
        {
            string? normalized = KerasFacts.NormalizeImageDataFormat(dataFormat);
            if (normalized == null)
            {
                string? near = KerasFacts.DidYouMean(dataFormat, KerasFacts.ImageDataFormats);
                throw new KerasArgumentException(
                    "The `data_format` argument must be one of {'channels_first', 'channels_last'}. Received: data_format=" +
                    (dataFormat?.ToLowerInvariant() ?? "none") + (near != null ? $". Did you mean '{near}'?" : ""), nameof(dataFormat));
            }
            ConfigState.Set(KerasFacts.KeyImageDataFormat, s => s.ImageDataFormat = normalized);
        }

        /// <summary><c>keras.config.backend()</c>: always "torch" in this runtime.</summary>
        public static string Backend() => ConfigState.Current.Backend;

        /// <summary>
        /// <c>keras.config.set_backend(name)</c>: reloads Keras. As in Keras, configuration is computed afresh (from
        /// keras.json or the baked values, and the environment, with KERAS_BACKEND set to <paramref name="backend"/>),
        /// the global state is reset, and objects created before the call are not carried over: their native memory
        /// is released and using them raises <see cref="KerasObjectReleasedException"/>. Only "torch" runs here.
        /// </summary>
        public static void SetBackend(string backend)
        {
            if (KerasFacts.SetBackendProblem(backend) is { } problem)
                throw new KerasArgumentException(problem + (KerasFacts.IsKnownBackend(backend) ? " Remove the call or use Keras.Config.SetBackend(\"torch\")." : ""),
                    nameof(backend));

            Environment.SetEnvironmentVariable("KERAS_BACKEND", backend);
            int released = GlobalState.ClearSession(ReleaseReason.SetBackend);
            ConfigState.Reload();
            IoUtils.Warn("Using `Keras.Config.SetBackend` is dangerous and should be done carefully. Already-instantiated " +
                         $"objects will not be converted: {released} Keras object(s) created before this call were released " +
                         "and raise an error if used. Create layers and models again after SetBackend.");
        }

        /// <summary><c>keras.config.enable_traceback_filtering()</c>.</summary>
        public static void EnableTracebackFiltering() => GlobalState.TracebackFilteringEnabled = true;

        /// <summary><c>keras.config.disable_traceback_filtering()</c>: exceptions keep Keras.Runtime's frames.</summary>
        public static void DisableTracebackFiltering() => GlobalState.TracebackFilteringEnabled = false;

        /// <summary>
        /// <c>keras.config.is_traceback_filtering_enabled()</c> (default true): exceptions raised through Keras.Runtime
        /// list only frames outside Keras.Runtime and TorchSharp.
        /// </summary>
        public static bool IsTracebackFilteringEnabled() => GlobalState.TracebackFilteringEnabled;

        /// <summary><c>keras.config.enable_interactive_logging()</c>: messages go to stdout.</summary>
        public static void EnableInteractiveLogging() => GlobalState.InteractiveLoggingEnabled = true;

        /// <summary>
        /// <c>keras.config.disable_interactive_logging()</c>: messages go to the logger set with
        /// <see cref="Utils.SetLoggerFactory"/> (Microsoft.Extensions.Logging) instead of stdout.
        /// </summary>
        public static void DisableInteractiveLogging() => GlobalState.InteractiveLoggingEnabled = false;

        /// <summary><c>keras.config.is_interactive_logging_enabled()</c> (default true).</summary>
        public static bool IsInteractiveLoggingEnabled() => GlobalState.InteractiveLoggingEnabled;

        /// <summary>
        /// <c>keras.config.enable_unsafe_deserialization()</c>: allows loading code-carrying objects (lambdas). Undone
        /// by ClearSession.
        /// </summary>
        public static void EnableUnsafeDeserialization() => GlobalState.SafeModeSaving = false;

        /// <summary><c>keras.config.enable_flash_attention()</c>: back to "auto" (stored as null, as in Keras).</summary>
        public static void EnableFlashAttention() => GlobalState.FlashAttention = null;

        /// <summary><c>keras.config.disable_flash_attention()</c>.</summary>
        public static void DisableFlashAttention() => GlobalState.FlashAttention = false;

        /// <summary>
        /// <c>keras.config.is_flash_attention_enabled()</c>: null (auto: used where the backend can) by default and
        /// after enable, false after disable. Never true, as in Keras.
        /// </summary>
        public static bool? IsFlashAttentionEnabled() => GlobalState.FlashAttention;

        /// <summary><c>keras.config.is_nnx_enabled()</c>: from KERAS_NNX_ENABLED or keras.json "nnx_enabled" (JAX only; no effect here).</summary>
        public static bool IsNnxEnabled() => ConfigState.Current.NnxEnabled;

        /// <summary><c>keras.config.max_epochs()</c>: the debugging cap on epochs for any Fit, or null.</summary>
        public static int? MaxEpochs() => ConfigState.Current.MaxEpochs;

        /// <summary>
        /// <c>keras.config.set_max_epochs(n)</c>: caps epochs of every Fit (for debugging). null or 0 means no cap, as
        /// in Keras; negative values are rejected.
        /// </summary>
        public static void SetMaxEpochs(int? maxEpochs)
        {
            CheckCap(maxEpochs, nameof(maxEpochs));
            ConfigState.Set("max_epochs", s => s.MaxEpochs = maxEpochs);
        }

        /// <summary><c>keras.config.max_steps_per_epoch()</c>: the debugging cap on steps per epoch, or null.</summary>
        public static int? MaxStepsPerEpoch() => ConfigState.Current.MaxStepsPerEpoch;

        /// <summary>
        /// <c>keras.config.set_max_steps_per_epoch(n)</c>: caps steps of every Fit/Evaluate/Predict epoch (for
        /// debugging). null or 0 means no cap; negative values are rejected.
        /// </summary>
        public static void SetMaxStepsPerEpoch(int? maxStepsPerEpoch)
        {
            CheckCap(maxStepsPerEpoch, nameof(maxStepsPerEpoch));
            ConfigState.Set("max_steps_per_epoch", s => s.MaxStepsPerEpoch = maxStepsPerEpoch);
        }

        /// <summary>
        /// <c>keras.config.dtype_policy()</c>: the global policy; created from floatx on first read and then kept
        /// until ClearSession (so SetFloatx after that does not change it, as in Keras).
        /// </summary>
        public static DTypePolicy DtypePolicy() => GlobalState.GetDtypePolicy(() => Keras.DTypePolicy.FromFloatx(Floatx()));

        /// <summary>
        /// <c>keras.config.set_dtype_policy(policy)</c>: "mixed_float16", "mixed_bfloat16" or a dtype name such as
        /// "float32". Reset by ClearSession.
        /// </summary>
        public static void SetDtypePolicy(string policy)
        {
            if (policy == null)
                throw new KerasArgumentException(
                    "Invalid `policy` argument. Expected the string name of a policy (such as 'mixed_float16') or a " +
                    "`DTypePolicy` instance. Received: policy=None (of type NoneType)", nameof(policy));
            GlobalState.SetDtypePolicy(new DTypePolicy(policy));
        }

        /// <summary><c>keras.config.set_dtype_policy(policy)</c> with a policy instance.</summary>
        public static void SetDtypePolicy(DTypePolicy policy)
        {
            if (policy is null)
                throw new KerasArgumentException(
                    "Invalid `policy` argument. Expected the string name of a policy (such as 'mixed_float16') or a " +
                    "`DTypePolicy` instance. Received: policy=None (of type NoneType)", nameof(policy));
            GlobalState.SetDtypePolicy(policy);
        }

        private static void CheckCap(int? value, string name)
        {
            if (value < 0)
                throw new KerasArgumentOutOfRangeException(name, value,
                    $"`{name}` must be null (no cap), 0 (no cap, as in Keras) or a positive number. Received: {value}.");
        }
    }
}
