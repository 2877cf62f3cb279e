using System;
using Keras.Errors;

namespace Keras
{
    /// <summary>
    /// keras.json (or a KERAS_* environment variable) holds something Keras rejects. The message names the file, the
    /// key and the line and column, and says what to do.
    /// </summary>
    public sealed class KerasJsonException : FormatException, IKerasException
    {
        private readonly bool _filter = Keras.State.GlobalState.TracebackFilteringEnabled;

        /// <summary>Creates the exception.</summary>
        public KerasJsonException(string message, string? path, string? key, int line, int column)
            : base(message)
        {
            FilePath = path;
            Key = key;
            Line = line;
            Column = column;
        }

        /// <summary>The keras.json path, or null when the value came from an environment variable.</summary>
        public string? FilePath { get; }

        /// <summary>The offending key (or environment variable), if any.</summary>
        public string? Key { get; }

        /// <summary>1-based line in the file (0 when not from a file).</summary>
        public int Line { get; }

        /// <summary>1-based column in the file (0 when not from a file).</summary>
        public int Column { get; }

        /// <inheritdoc />
        public override string? StackTrace => TracebackFilter.Filter(this, base.StackTrace, _filter);
    }
}
