using System;

namespace Keras.Errors
{
    /// <summary>Keras' <c>ValueError</c>: an argument or configuration value Keras rejects.</summary>
    public class KerasArgumentException : ArgumentException, IKerasException
    {
        private readonly bool _filter = Keras.State.GlobalState.TracebackFilteringEnabled;

        /// <summary>Creates the exception.</summary>
        public KerasArgumentException(string message) : base(message) { }

        /// <summary>Creates the exception naming the parameter.</summary>
        public KerasArgumentException(string message, string? paramName) : base(message, paramName) { }

        /// <summary>Creates the exception wrapping another.</summary>
        public KerasArgumentException(string message, Exception? inner) : base(message, inner) { }

        /// <inheritdoc />
        public override string? StackTrace => TracebackFilter.Filter(this, base.StackTrace, _filter);
    }

    /// <summary>An out-of-range numeric argument (negative caps, non-positive epsilon, ...).</summary>
    public class KerasArgumentOutOfRangeException : ArgumentOutOfRangeException, IKerasException
    {
        private readonly bool _filter = Keras.State.GlobalState.TracebackFilteringEnabled;

        /// <summary>Creates the exception.</summary>
        public KerasArgumentOutOfRangeException(string paramName, object? actualValue, string message)
            : base(paramName, actualValue, message) { }

        /// <inheritdoc />
        public override string? StackTrace => TracebackFilter.Filter(this, base.StackTrace, _filter);
    }

    /// <summary>Keras' <c>TypeError</c> for values of the wrong kind.</summary>
    public class KerasTypeException : ArgumentException, IKerasException
    {
        private readonly bool _filter = Keras.State.GlobalState.TracebackFilteringEnabled;

        /// <summary>Creates the exception.</summary>
        public KerasTypeException(string message) : base(message) { }

        /// <summary>Creates the exception with its cause.</summary>
        public KerasTypeException(string message, Exception inner) : base(message, inner) { }

        /// <inheritdoc />
        public override string? StackTrace => TracebackFilter.Filter(this, base.StackTrace, _filter);
    }

    /// <summary>Keras' <c>RuntimeError</c>: a failure inside a layer that is not an argument error.</summary>
    public class KerasRuntimeException : InvalidOperationException, IKerasException
    {
        private readonly bool _filter = Keras.State.GlobalState.TracebackFilteringEnabled;

        /// <summary>Creates the exception.</summary>
        public KerasRuntimeException(string message) : base(message) { }

        /// <summary>Creates the exception wrapping another.</summary>
        public KerasRuntimeException(string message, Exception? inner) : base(message, inner) { }

        /// <inheritdoc />
        public override string? StackTrace => TracebackFilter.Filter(this, base.StackTrace, _filter);
    }

    /// <summary>An operation used in the wrong state, e.g. Fit before Compile.</summary>
    public class KerasInvalidOperationException : InvalidOperationException, IKerasException
    {
        private readonly bool _filter = Keras.State.GlobalState.TracebackFilteringEnabled;

        /// <summary>Creates the exception.</summary>
        public KerasInvalidOperationException(string message) : base(message) { }

        /// <inheritdoc />
        public override string? StackTrace => TracebackFilter.Filter(this, base.StackTrace, _filter);
    }

    /// <summary>
    /// A Keras object (layer, model, variable) was used after <c>Keras.Utils.ClearSession()</c> released its native
    /// memory, or after <c>Keras.Config.SetBackend(...)</c> reloaded the runtime. Create the object again.
    /// </summary>
    public class KerasObjectReleasedException : ObjectDisposedException, IKerasException
    {
        private readonly bool _filter = Keras.State.GlobalState.TracebackFilteringEnabled;

        /// <summary>Creates the exception.</summary>
        public KerasObjectReleasedException(string objectName, string message) : base(objectName, message) { }

        /// <inheritdoc />
        public override string? StackTrace => TracebackFilter.Filter(this, base.StackTrace, _filter);
    }

    /// <summary>TorchSharp's native library could not be loaded; the message names the loader's error and the fix.</summary>
    public class KerasNativeLibraryException : DllNotFoundException, IKerasException
    {
        private readonly bool _filter = Keras.State.GlobalState.TracebackFilteringEnabled;

        /// <summary>Creates the exception.</summary>
        public KerasNativeLibraryException(string message, Exception? inner) : base(message, inner) { }

        /// <summary>The dynamic loader's own error text, when it could be obtained.</summary>
        public string? LoaderError { get; init; }

        /// <inheritdoc />
        public override string? StackTrace => TracebackFilter.Filter(this, base.StackTrace, _filter);
    }

    /// <summary>
    /// Keras' <c>OSError</c> for a file that is missing, truncated or not in the expected format (a weights file that is
    /// not HDF5, a <c>.keras</c> file that is not a zip). The message names the file and what was wrong.
    /// </summary>
    public class KerasFileFormatException : System.IO.IOException, IKerasException
    {
        private readonly bool _filter = Keras.State.GlobalState.TracebackFilteringEnabled;

        /// <summary>Creates the exception.</summary>
        public KerasFileFormatException(string message, Exception? inner = null) : base(message, inner) { }

        /// <inheritdoc />
        public override string? StackTrace => TracebackFilter.Filter(this, base.StackTrace, _filter);
    }

    /// <summary>
    /// A value in a saved configuration (a <c>.keras</c> file's config.json, <c>ModelFromJson</c> input) that is of the
    /// wrong type, out of range, or names something this runtime cannot honour. The message names the file, the object
    /// (layer name and class), the key, the value received and what is expected; the same facts are properties.
    /// </summary>
    public class KerasConfigException : KerasFileFormatException
    {
        /// <summary>Creates the exception.</summary>
        public KerasConfigException(string message, string? source, string? objectName, string? key, string? received, string? expected,
            Exception? inner = null) : base(message, inner)
        {
            Source = source;
            ObjectName = objectName;
            Key = key;
            Received = received;
            Expected = expected;
        }

        /// <summary>Where the configuration came from (a file path, or "the model JSON").</summary>
        public new string? Source { get; }

        /// <summary>The object whose config holds the value, e.g. <c>layer 'dense_1' (Dense)</c>.</summary>
        public string? ObjectName { get; }

        /// <summary>The config key, e.g. <c>units</c>.</summary>
        public string? Key { get; }

        /// <summary>The value received, as JSON (shortened when long).</summary>
        public string? Received { get; }

        /// <summary>What the key must hold.</summary>
        public string? Expected { get; }
    }
}
