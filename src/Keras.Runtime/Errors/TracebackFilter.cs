using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Reflection;

namespace Keras.Errors
{
    /// <summary>
    /// Keras' traceback filtering in .NET terms: with filtering on, the stack trace of an exception raised through
    /// Keras.Runtime lists only frames outside Keras.Runtime and TorchSharp (the user's frames). If nothing would be
    /// left, the innermost frame is kept, as Keras does.
    /// </summary>
    internal static class TracebackFilter
    {
        private static readonly Assembly RuntimeAssembly = typeof(TracebackFilter).Assembly;
        private static readonly Assembly TorchAssembly = typeof(TorchSharp.torch).Assembly;

        /// <summary>True for frames that belong to Keras.Runtime or TorchSharp.</summary>
        public static bool IsInternal(MethodBase? method)
        {
            var assembly = method?.DeclaringType?.Assembly ?? method?.Module.Assembly;
            return assembly == RuntimeAssembly || assembly == TorchAssembly;
        }

        public static string? Filter(Exception exception, string? raw, bool enabled)
        {
            if (!enabled || raw == null) return raw;
            StackFrame[] frames;
            try
            {
                frames = new StackTrace(exception, fNeedFileInfo: true).GetFrames();
            }
            catch (Exception)
            {
                return raw;
            }
            if (frames.Length == 0) return raw;
            var kept = new List<StackFrame>();
            foreach (var frame in frames)
                if (!IsInternal(frame.GetMethod())) kept.Add(frame);
            if (kept.Count == 0) kept.Add(frames[0]);
            return new StackTrace(kept).ToString().TrimEnd('\r', '\n');
        }

        /// <summary>
        /// Re-raises a foreign exception (from TorchSharp or the BCL) caught at a Keras entry point, as Keras does
        /// when it calls a layer: the message gains the layer and its arguments; argument errors stay argument
        /// errors, anything else becomes a <see cref="KerasRuntimeException"/>; the original is the inner exception.
        /// </summary>
        public static Exception Rewrap(Exception original, string callee, string argumentsSummary)
        {
            string message = "Exception encountered when calling " + callee + ".\n\n" + original.Message + MissingKernelHint(original.Message) +
                             "\n\nArguments received by " + callee + ":\n" + argumentsSummary;
            return original is ArgumentException
                ? new KerasArgumentException(message, original)
                : new KerasRuntimeException(message, original);
        }

        public static bool IsKerasException(Exception e) => e is IKerasException;

        private static readonly System.Text.RegularExpressions.Regex NotImplementedFor =
            new("\"?(?<op>[A-Za-z0-9_]+)\"? not implemented for '(?<type>[A-Za-z0-9]+)'", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        /// <summary>
        /// LibTorch's "X not implemented for 'Half'": the op has no kernel for that dtype on this device (common for
        /// float16/bfloat16 on the CPU). Says so in Keras' dtype names, and what to do.
        /// </summary>
        internal static string MissingKernelHint(string message)
        {
            var match = NotImplementedFor.Match(message);
            if (!match.Success) return "";
            string type = match.Groups["type"].Value;
            string dtype = type switch
            {
                "Half" => "float16", "BFloat16" => "bfloat16", "Float" => "float32", "Double" => "float64",
                "Long" => "int64", "Int" => "int32", "Bool" => "bool", _ => type,
            };
            return $"\n\nLibTorch has no {dtype} kernel for '{match.Groups["op"].Value}' on this device. Give this layer a float32 " +
                   "policy (`dtype: \"float32\"` in its constructor), use a policy with float32 compute, or run the model on a GPU, " +
                   "where the half-precision kernels exist.";
        }
    }

    /// <summary>Marker for exceptions raised by Keras.Runtime (their stack traces honour traceback filtering).</summary>
    public interface IKerasException
    {
    }
}
